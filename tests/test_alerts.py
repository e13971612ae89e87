"""Alerts: queued once in the briefing's transaction, delivered through real channels (a real
SMTP server on 127.0.0.1), kept pending on failure and retried, never sent twice."""

from __future__ import annotations

import dataclasses
import json
import logging

import pytest
from helpers import smtp
from helpers.state_department import ITEMS, parse_fixture

from scraper.alerts.deliver import deliver
from scraper.alerts.plan import draft_alerts
from scraper.config import config_from_dict
from scraper.model import Briefing, Exchange, Turn
from scraper.watch.matcher import Matcher

JUL_21 = "transcripts/department-press-briefing-july-21-2021.p261072.html"
JULY_6 = next(i for i in ITEMS if i["title"].endswith("July 6, 2021"))


def make_config(tmp_path, port: int = 1, **email):
    return config_from_dict(
        {
            "alerts": {
                "retry_base_seconds": 60.0,
                "jsonl": {"enabled": True, "path": str(tmp_path / "alerts.jsonl")},
                "email": {
                    "enabled": True,
                    "host": "127.0.0.1",
                    "port": port,
                    "security": "none",
                    "recipients": ["desk@example.org"],
                    "timeout_seconds": 5.0,
                    **email,
                },
            },
            "watch": [
                {"name": "nord-stream", "all_of": ["Ukraine", "sanctions"]},
                {"name": "dalai", "terms": ["Dalai Lama"], "channels": ["jsonl"]},
                {"name": "afghanistan", "terms": ["Afghanistan"], "channels": ["jsonl"]},
            ],
        }
    )


def store(storage, config, briefing, **kwargs):
    matcher = Matcher(config.watch)
    watches = {w.name: w for w in config.watch}
    hits = matcher.hits(briefing)
    drafts = draft_alerts(briefing, hits, watches, ["log", "email", "jsonl"])
    return storage.save_briefing(briefing, hits=hits, drafts=drafts, **kwargs)


def pending(storage):
    return [a for a in storage.list_alerts(limit=1000) if a.status == "pending"]


def test_one_alert_per_passage_and_channel_never_twice(storage, tmp_path):
    config = make_config(tmp_path)
    b = parse_fixture(JUL_21)
    first = store(storage, config, b)
    # Read off the transcript: nord-stream meets in exchange 6 (6 matches: "sanctions" and
    # "Ukraine"), to every enabled channel (log, email, jsonl); "Afghanistan" is said once in
    # exchange 9 and once in exchange 45, to jsonl only; the Dalai Lama is not mentioned.
    # (Exchange 8 holds the reporter's cut-in "Oh, right. So you -" and its reply, turns 32-33,
    # which parser version 3 counted as an exchange of their own.)
    assert first.alerts_queued == 3 + 2
    assert store(storage, config, b).alerts_queued == 0
    alerts = storage.list_alerts(limit=1000)
    assert sorted((a.watch, a.unit, a.channel) for a in alerts) == [
        ("afghanistan", "x45", "jsonl"),  # (sorted as text)
        ("afghanistan", "x9", "jsonl"),
        ("nord-stream", "x6", "email"),
        ("nord-stream", "x6", "jsonl"),
        ("nord-stream", "x6", "log"),
    ]
    assert len({a.key for a in alerts}) == 5
    assert storage.counts()["watch_matches"] == 6 + 2


@pytest.mark.parametrize("alert_on_update", [True, False])
def test_edit_alerts_only_for_changed_passages(storage, tmp_path, alert_on_update):
    config = make_config(tmp_path)
    old = parse_fixture(JULY_6["versions"][0]["file"])
    new = parse_fixture(JULY_6["versions"][-1]["file"])
    store(storage, config, old, alert_on_update=alert_on_update)
    before = {a.key for a in storage.list_alerts(limit=1000)}
    result = store(storage, config, new, alert_on_update=alert_on_update)
    assert result.status == "updated"
    added = [a for a in storage.list_alerts(limit=1000) if a.key not in before]
    # The edit capitalised "Dalai Lama" in the opening statement (an alerted passage: an
    # update) and fixed "Dali Lama" in exchange 5 (a new match). Afghanistan's passages
    # did not change: nothing new for them.
    assert {a.watch for a in added} == {"dalai"}
    by_unit = {a.unit: a for a in added}
    assert set(by_unit) == {"t1", "x5"}
    assert by_unit["t1"].payload["update"] is True
    assert by_unit["t1"].status == ("pending" if alert_on_update else "suppressed")
    assert (by_unit["x5"].payload["update"], by_unit["x5"].status) == (False, "pending")


def test_failed_delivery_stays_pending_then_arrives_exactly_once(storage, tmp_path):
    port = smtp.free_port()
    config = make_config(tmp_path, port=port)
    store(storage, config, parse_fixture(JUL_21))
    report = deliver(storage, config)
    assert report.failed == 1 and "ConnectionRefusedError" in report.errors[0]
    (failed,) = [a for a in storage.list_alerts(limit=1000) if a.channel == "email"]
    assert (failed.status, failed.attempts) == ("pending", 1)
    assert "Connection refused" in failed.last_error
    # The other channels were not held up by email's failure.
    assert {a.channel for a in storage.list_alerts(status="sent", limit=1000)} == {"log", "jsonl"}
    # Backoff: not due again yet.
    assert deliver(storage, config).failed == 0
    controller, inbox = smtp.start(port)
    try:
        assert deliver(storage, config).sent == 0  # still backing off
        storage.retry_alerts([failed.id])
        assert deliver(storage, config).sent == 1
        assert deliver(storage, config).sent == 0
        storage.retry_alerts()  # nothing failed: nothing to revive
        assert deliver(storage, config).sent == 0
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    msg = inbox.messages[0]
    assert msg["Subject"] == (
        "[briefwatch] nord-stream: sanctions, Ukraine in Department Press Briefing – July 21, 2021"
    )
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "QUESTION (reporter):" in text and "Ned Price (official):" in text
    assert "*sanctions*" in text and "*Ukraine*" in text and "…" in text
    assert "<mark>sanctions</mark>" in html
    assert "https://www.state.gov/briefings/department-press-briefing-july-21-2021/" in text


def test_claimed_alerts_go_to_one_sender_only(storage, tmp_path):
    config = make_config(tmp_path)
    store(storage, config, parse_fixture(JUL_21))
    first = storage.claim_alerts(["log", "email", "jsonl"])
    assert first and storage.claim_alerts(["log", "email", "jsonl"]) == []
    # A sender that died mid-send: its claim goes stale and the alert is due again.
    import datetime as dt

    again = storage.claim_alerts(["log"], stale_after=dt.timedelta(seconds=-1))
    assert {a.id for a in again} == {a.id for a in first if a.channel == "log"}


def test_email_headers_and_html_are_safe(storage, tmp_path):
    controller, inbox = smtp.start()
    try:
        config = make_config(tmp_path, port=controller.port)
        text = "Will you <script>alert(1)</script> sanction Ukraine & its neighbours?"
        hostile = Briefing(
            title="Briefing\r\nBcc: victim@example.org\r\nX-Evil: 1",
            url="https://www.state.gov/x/",
            turns=(
                Turn(1, "QUESTION", "QUESTION", "reporter", text, exchange=1),
                Turn(2, "MR PRICE", "Ned Price", "official", "We said sanctions.", exchange=1),
            ),
            exchanges=(Exchange(1, (1,), (2,)),),
            content_hash="h",
        )
        store(storage, config, hostile)
        assert deliver(storage, config).failed == 0
    finally:
        controller.stop()
    (msg,) = inbox.messages
    assert "\n" not in msg["Subject"] and msg["Bcc"] is None and msg["X-Evil"] is None
    assert inbox.envelopes[0].rcpt_tos == ["desk@example.org"]
    html = msg.get_body(("html",)).get_content()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "&amp; its" in html


def test_login_over_starttls_with_password_from_environment(storage, tmp_path, monkeypatch):
    context, cert = smtp.self_signed(tmp_path)
    controller, inbox = smtp.start(
        tls_context=context,
        require_starttls=True,
        authenticator=smtp.authenticator("desk", "s3cret"),
    )
    try:
        config = make_config(
            tmp_path,
            port=controller.port,
            security="starttls",
            username="desk",
            password_env="TEST_SMTP_PASSWORD",
            ca_file=str(cert),
        )
        store(storage, config, parse_fixture(JUL_21))
        monkeypatch.delenv("TEST_SMTP_PASSWORD", raising=False)
        report = deliver(storage, config)
        assert report.failed == 1 and "TEST_SMTP_PASSWORD is not set" in report.errors[0]
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "wrong")
        storage.retry_alerts([a.id for a in pending(storage)])
        report = deliver(storage, config)
        assert report.failed == 1 and "535" in report.errors[0]
        assert "wrong" not in report.errors[0]
        monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret")
        storage.retry_alerts([a.id for a in pending(storage)])
        assert deliver(storage, config).sent == 1
    finally:
        controller.stop()
    assert len(inbox.messages) == 1


def test_jsonl_and_log_channels(storage, tmp_path, caplog):
    config = make_config(tmp_path)
    config = dataclasses.replace(
        config,
        alerts=dataclasses.replace(
            config.alerts, email=dataclasses.replace(config.alerts.email, enabled=False)
        ),
    )
    b = parse_fixture(JUL_21)
    store(storage, config, b)
    with caplog.at_level(logging.INFO, logger="briefwatch.alerts"):
        report = deliver(storage, config)
    assert report.failed == 0
    lines = [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]
    assert {line["watch"] for line in lines} == {"nord-stream", "afghanistan"}
    nord = next(line for line in lines if line["watch"] == "nord-stream")
    assert nord["exchange"] == 6 and nord["briefing"]["date"] == "2021-07-21"
    alert_lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("alert ")]
    # log gets every watch without a channel list: nord-stream's six matches, one line each.
    assert len(alert_lines) == 6
    assert all("watch=nord-stream" in line for line in alert_lines)


# -- round 2: nothing lost, nothing twice (issue 11 items 3, 4, 7, 19) ----------------------


def jsonl_only(tmp_path, **alerts):
    config = make_config(tmp_path)
    return dataclasses.replace(
        config,
        alerts=dataclasses.replace(
            config.alerts,
            email=dataclasses.replace(config.alerts.email, enabled=False),
            log=dataclasses.replace(config.alerts.log, enabled=False),
            **alerts,
        ),
    )


def read_lines(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_jsonl_torn_tail_is_cut_before_the_next_line(storage, tmp_path):
    # A kill (or a full disk) mid-write left half a line, with no newline, at the end.
    path = tmp_path / "alerts.jsonl"
    path.write_text('{"id": 1, "key": "done"}\n{"id": 2, "key": "jsonl|torn', encoding="utf-8")
    config = jsonl_only(tmp_path)
    store(storage, config, parse_fixture(JUL_21))
    report = deliver(storage, config)
    assert report.failed == 0 and report.sent > 0
    lines = read_lines(path)  # every line reads back: nothing merged with the torn one
    assert lines[0]["key"] == "done"
    sent = {a.key for a in storage.list_alerts(status="sent", limit=1000)}
    assert {line["key"] for line in lines[1:]} == sent


DISK_FULL = """
import datetime as dt, resource, signal, sys
from types import SimpleNamespace
from scraper.alerts.channels.jsonl import JsonlChannel
from scraper.alerts.config import JsonlChannelConfig

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[2]), resource.RLIM_INFINITY))
alerts = [
    SimpleNamespace(id=i, key=f"k{i}", created_at=dt.datetime(2026, 1, 1),
                    payload={"type": "notice", "watch": "w", "text": "x" * 300})
    for i in range(5)
]
try:
    JsonlChannel(JsonlChannelConfig(path=sys.argv[1]), 600).send(alerts)
except OSError as exc:
    print("failed:", exc.errno)
"""


def test_jsonl_full_disk_leaves_no_torn_line_and_the_retry_completes(tmp_path):
    import subprocess
    import sys

    path = tmp_path / "alerts.jsonl"
    full = subprocess.run(
        [sys.executable, "-c", DISK_FULL, str(path), "1000"], capture_output=True, text=True
    )
    assert full.stdout.startswith("failed: 27"), full.stderr  # EFBIG: the "disk" is full
    assert path.read_bytes().endswith(b"\n")  # the cut line was taken back
    written = [line["key"] for line in read_lines(path)]
    assert written == ["k0", "k1"]  # 2 whole lines of ~390 bytes fit in 1000
    again = subprocess.run(
        [sys.executable, "-c", DISK_FULL, str(path), "100000"], capture_output=True, text=True
    )
    assert again.stdout == "", again.stderr
    assert [line["key"] for line in read_lines(path)] == ["k0", "k1", "k2", "k3", "k4"]


def email_only(tmp_path, port, **email):
    config = make_config(tmp_path, port=port, **email)
    return dataclasses.replace(
        config,
        alerts=dataclasses.replace(
            config.alerts,
            jsonl=dataclasses.replace(config.alerts.jsonl, enabled=False),
            log=dataclasses.replace(config.alerts.log, enabled=False),
        ),
    )


def test_email_answered_late_is_not_sent_again(storage, tmp_path):
    # The server stores the message, then takes 1.3 s to answer DATA; the command timeout is
    # 1 s (the answer to DATA may take up to data_timeout_seconds, 600 s by default).
    controller, inbox = smtp.start(data_delay=1.3)
    try:
        config = email_only(tmp_path, controller.port, timeout_seconds=1.0)
        store(storage, config, parse_fixture(JUL_21))
        first = deliver(storage, config)
        storage.retry_alerts()
        second = deliver(storage, config)
    finally:
        controller.stop()
    assert (first.sent, first.failed, second.sent) == (1, 0, 0)
    assert len(inbox.messages) == 1


def test_email_resent_after_a_kill_keeps_its_message_id(storage, tmp_path):
    from scraper.alerts.channels.email import EmailChannel, message_id

    controller, inbox = smtp.start()
    try:
        config = email_only(tmp_path, controller.port)
        store(storage, config, parse_fixture(JUL_21))
        claimed = storage.claim_alerts(["email"])
        # The sender is killed after the server took the message, before marking it sent.
        EmailChannel(config.alerts.email, config.alerts.max_chars).send(claimed)
        assert deliver(storage, config).sent == 1  # the stale claim is delivered again
    finally:
        controller.stop()
    ids = [m["Message-ID"] for m in inbox.messages]
    assert ids == [message_id(claimed)] * 2  # the same message, recognisably
    assert ids[0].endswith("@briefwatch>")


def test_email_refused_recipient_is_retried_alone_and_reported(storage, tmp_path):
    controller, inbox = smtp.start(refuse=("legal@example.org",))
    try:
        config = email_only(
            tmp_path, controller.port, recipients=["desk@example.org", "legal@example.org"]
        )
        store(storage, config, parse_fixture(JUL_21))
        first = deliver(storage, config)
        assert (first.sent, first.failed) == (0, 1)
        assert "legal@example.org (550 5.1.1 mailbox unavailable)" in first.errors[0]
        (alert,) = email_alerts(storage)
        assert (alert.status, alert.delivered_to) == ("pending", ("desk@example.org",))
        assert "legal@example.org" in alert.last_error
        inbox.refuse.clear()  # the mailbox is back
        assert storage.retry_alerts() == 1
        second = deliver(storage, config)
        assert (second.sent, second.failed) == (1, 0)
        assert deliver(storage, config).sent == 0
    finally:
        controller.stop()
    assert [e.rcpt_tos for e in inbox.envelopes] == [["desk@example.org"], ["legal@example.org"]]
    assert email_alerts(storage)[0].status == "sent"


def test_html_links_only_for_web_urls():
    from types import SimpleNamespace

    from scraper.alerts.render import render_html

    def alert(url):
        payload = {
            "type": "match",
            "watch": "w",
            "briefing": {"title": "T", "url": url, "date": None, "kind": "press_briefing"},
            "unit": "x1",
            "exchange": 1,
            "terms": [],
            "turns": [],
        }
        return SimpleNamespace(payload=payload)

    for bad in ("javascript:alert(document.cookie)", " JavaScript:alert(1)", "data:text/html,x"):
        out = render_html([alert(bad)], 600)
        assert "href" not in out and "&lt;" in out, bad
    good = render_html([alert("https://www.state.gov/briefings/x/")], 600)
    assert '<a href="https://www.state.gov/briefings/x/">T</a>' in good


def email_alerts(storage):
    return [a for a in storage.list_alerts(limit=1000) if a.channel == "email"]


def set_alerts(storage, sql, **params):
    from sqlalchemy import text

    with storage.engine.begin() as conn:
        conn.execute(text(sql), params)


def test_backoff_does_not_overflow_after_thousands_of_attempts(storage, tmp_path):
    config = email_only(tmp_path, smtp.free_port())  # nothing listens: every attempt fails
    config = dataclasses.replace(
        config, alerts=dataclasses.replace(config.alerts, max_attempts=100_000)
    )
    store(storage, config, parse_fixture(JUL_21))
    set_alerts(storage, "UPDATE alert_outbox SET attempts = 5000 WHERE channel = 'email'")
    report = deliver(storage, config)
    assert report.failed == 1
    (alert,) = email_alerts(storage)
    assert (alert.status, alert.attempts) == ("pending", 5001)
    assert (alert.next_attempt_at - alert.created_at).total_seconds() < 3600 + 60


def test_given_up_alerts_say_so_and_are_counted(storage, tmp_path):
    config = email_only(tmp_path, smtp.free_port())
    config = dataclasses.replace(config, alerts=dataclasses.replace(config.alerts, max_attempts=2))
    store(storage, config, parse_fixture(JUL_21))
    assert deliver(storage, config).given_up == 0
    assert storage.alerts_given_up() == 0
    storage.retry_alerts()
    report = deliver(storage, config)
    assert (report.failed, report.given_up) == (1, 1)
    (alert,) = email_alerts(storage)
    assert alert.status == "failed"
    assert alert.last_error.startswith("gave up after 2 attempts: email: ConnectionRefusedError")
    assert "will retry" not in alert.last_error
    assert storage.alerts_given_up() == 1
    assert storage.counts()["alerts_given_up"] == 1  # what `briefwatch status` shows


def test_a_backoff_set_by_a_clock_ahead_does_not_hold_the_alert_back(storage, tmp_path):
    import datetime as dt

    port = smtp.free_port()
    config = email_only(tmp_path, port)
    store(storage, config, parse_fixture(JUL_21))
    # The failure was recorded while the clock ran ten days ahead.
    ahead = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=10)
    set_alerts(
        storage,
        "UPDATE alert_outbox SET attempts = 1, next_attempt_at = :t WHERE channel = 'email'",
        t=ahead,
    )
    controller, inbox = smtp.start(port)
    try:
        assert deliver(storage, config).sent == 1
    finally:
        controller.stop()
    assert len(inbox.messages) == 1


def test_a_claim_stamped_by_a_clock_ahead_is_taken_over(storage, tmp_path):
    import datetime as dt

    controller, inbox = smtp.start()
    try:
        config = email_only(tmp_path, controller.port)
        store(storage, config, parse_fixture(JUL_21))
        # A sender killed mid-send while the clock ran a day ahead.
        ahead = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(days=1)
        set_alerts(
            storage,
            "UPDATE alert_outbox SET status = 'sending', claimed_at = :t WHERE channel = 'email'",
            t=ahead,
        )
        assert deliver(storage, config).sent == 1
    finally:
        controller.stop()
    assert len(inbox.messages) == 1


def test_retry_without_ids_revives_every_waiting_alert(storage, tmp_path):
    port = smtp.free_port()
    config = email_only(tmp_path, port)
    store(storage, config, parse_fixture(JUL_21))
    assert deliver(storage, config).failed == 1  # pending, backing off for a minute
    controller, inbox = smtp.start(port)  # the operator fixed the mail server
    try:
        assert deliver(storage, config).sent == 0  # still backing off
        assert storage.retry_alerts() == 1
        assert deliver(storage, config).sent == 1
        assert storage.retry_alerts() == 0  # nothing waits any more
    finally:
        controller.stop()
    assert len(inbox.messages) == 1


# -- alerts people read (issue 15 item 9) ---------------------------------------------------


def test_email_reads_well(storage, tmp_path):
    controller, inbox = smtp.start()
    try:
        config = config_from_dict(
            {
                "alerts": {
                    "log": {"enabled": False},
                    "email": {
                        "enabled": True,
                        "host": "127.0.0.1",
                        "port": controller.port,
                        "security": "none",
                        "recipients": ["desk@example.org"],
                    },
                },
                "watch": [{"name": "dalai", "regex": [r"Dala?i\s+Lama"]}],
            }
        )
        store(storage, config, parse_fixture(JULY_6["versions"][-1]["file"]))
        assert deliver(storage, config).sent == 2  # the opening statement and exchange 5
    finally:
        controller.stop()
    (msg,) = inbox.messages
    # The subject names what matched (not the pattern) and the briefing; no doubled spaces.
    assert msg["Subject"] == (
        "[briefwatch] dalai: Dalai Lama in Department Press Briefing – July 6, 2021"
    )
    assert msg["Date"].endswith("+0000")
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    header = "Department Press Briefing – July 6, 2021 (U.S. Department of State, 2021-07-06)"
    assert text.count(header) == 1  # one header, naming the publisher
    assert "Watch: dalai - matched: Dalai Lama" in text and "Dala?i" not in text
    assert html.count("<h2>") == 1 and "Matched: <mark>Dalai Lama</mark>" in html
    # The opening statement's paragraphs stay apart.
    opening = html.split("<h3>dalai</h3>")[1]
    assert opening.count("<p>") > 3
    assert "\n\n" not in html.replace("</p>\n<p>", "")


def test_digest_email_is_a_compact_summary(storage, tmp_path):
    controller, inbox = smtp.start()
    try:
        config = make_config(tmp_path, port=controller.port, mode="digest")
        store(storage, config, parse_fixture(JUL_21))
        assert deliver(storage, config, "digest").sent == 1
    finally:
        controller.stop()
    text = inbox.messages[0].get_body(("plain",)).get_content()
    assert "1 match:" in text
    assert "- nord-stream [sanctions, Ukraine]: " in text
    assert "https://www.state.gov/briefings/department-press-briefing-july-21-2021/" in text
    assert "Ned Price (official):" not in text  # not the full exchange
    assert len(text) < 800
