"""Alerts: queued once in the briefing's transaction, delivered through real channels (a real
SMTP server on 127.0.0.1), kept pending on failure and retried, never sent twice."""

from __future__ import annotations

import dataclasses
import json
import logging

import pytest
import smtp
from test_parser_state_department import ITEMS, parse_fixture

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
    # nord-stream: exchange 6, to every enabled channel (log, email, jsonl).
    assert first.alerts_queued == 3 + len(Matcher(config.watch[2:]).hits(b))
    assert store(storage, config, b).alerts_queued == 0
    keys = [a.key for a in storage.list_alerts(limit=1000)]
    assert len(keys) == len(set(keys)) == first.alerts_queued
    (match_rows,) = [r for r in [storage.counts()["watch_matches"]]]
    assert match_rows == sum(len(h.matches) for h in Matcher(config.watch).hits(b))


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
    # (Folding the encoded header can double a space on the way back: compare words.)
    assert " ".join(msg["Subject"].split()) == (
        "[briefwatch] nord-stream: 1 match in Department Press Briefing – July 21, 2021"
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
