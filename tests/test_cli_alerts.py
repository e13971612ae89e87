"""The watch, rematch and alerts commands on a stored archive of real transcripts."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

from click.testing import CliRunner
from helpers import smtp
from helpers.crawling import rows
from helpers.state_department import parse_fixture

from scraper.cli import cli
from scraper.storage import open_storage

FILES = [
    "transcripts/department-press-briefing-july-21-2021.p261072.html",
    "transcripts/department-press-briefing-august-2-2021.p264901.html",
    "transcripts/department-press-briefing-august-4-2021.p266043.html",
]


def setup_archive(tmp_path, extra: str = "") -> str:
    db = f"sqlite:///{tmp_path / 'a.db'}"
    storage = open_storage(db)
    for name in FILES:
        storage.save_briefing(parse_fixture(name))
    storage.close()
    config = tmp_path / "c.toml"
    config.write_text(
        f'[database]\nurl = "{db}"\n'
        "[alerts.jsonl]\nenabled = true\n"
        f'path = "{tmp_path / "alerts.jsonl"}"\n'
        '[[watch]]\nname = "pakistan"\nterms = ["Pakistan"]\nforms = true\n'
        '[[watch]]\nname = "nord-stream"\nall_of = ["Ukraine", "sanctions"]\n' + extra
    )
    return str(config)


def invoke(config: str, *args: str):
    return CliRunner().invoke(cli, ["--config", config, *args], catch_exceptions=False)


def test_watch_test_backtests_without_sending(tmp_path):
    config = setup_archive(tmp_path)
    result = invoke(config, "watch", "test", "pakistan")
    assert result.exit_code == 0
    lines = [line for line in result.output.splitlines() if not line.startswith("    ")]
    # Aug 2 (Pakistan x6, Pakistani x4: 3 units) and Aug 4 (Pakistan x2 in 2 exchanges).
    assert len([line for line in lines if "Department Press Briefing" in line]) == 5
    assert "5 alert(s) would have been sent" in result.output
    assert invoke(config, "alerts", "list").output == ""
    since = invoke(config, "watch", "test", "pakistan", "--since", "2021-08-03")
    assert "2 alert(s)" in since.output
    unknown = invoke(config, "watch", "test", "nope")
    assert unknown.exit_code == 2 and "no watch named 'nope'" in unknown.output


def test_rematch_stores_matches_and_alerts_only_when_asked(tmp_path):
    config = setup_archive(tmp_path)
    result = invoke(config, "rematch")
    assert "rematched 3 briefings: 3 with matches, 0 alerts queued" in result.output
    status = json.loads(invoke(config, "status", "--format", "json").output)
    assert status["counts"]["watch_matches"] > 0
    assert status["counts"]["alerts_pending"] == 0
    assert status["counts"]["alerts_given_up"] == 0
    queued = invoke(config, "rematch", "--alert")
    assert "12 alerts queued" in queued.output  # (5 pakistan + 1 nord-stream) x (log, jsonl)
    assert "0 alerts queued" in invoke(config, "rematch", "--alert").output
    sent = invoke(config, "alerts", "send")
    assert sent.stdout.strip() == "12 sent (6 log entries, 6 jsonl lines), 0 failed"
    lines = (tmp_path / "alerts.jsonl").read_text().splitlines()
    assert len(lines) == 6
    listed = invoke(config, "alerts", "list", "--status", "sent", "--format", "json")
    assert len(json.loads(listed.stdout)) == 12  # one JSON document
    lines = invoke(config, "alerts", "list", "--status", "sent", "--format", "jsonl")
    assert [json.loads(line) for line in lines.stdout.splitlines()] == json.loads(listed.stdout)


def test_digest_channel_waits_for_the_digest(tmp_path):
    config = setup_archive(tmp_path)
    path = Path(config)
    path.write_text(
        path.read_text().replace(
            "[alerts.jsonl]\nenabled = true\n", '[alerts.jsonl]\nenabled = true\nmode = "digest"\n'
        )
    )
    invoke(config, "rematch", "--alert")
    assert invoke(config, "alerts", "send").stdout.strip() == "6 sent (6 log entries), 0 failed"
    assert not (tmp_path / "alerts.jsonl").exists()
    assert (
        invoke(config, "alerts", "send", "--digest").stdout.strip()
        == "6 sent (6 jsonl lines), 0 failed"
    )
    assert len((tmp_path / "alerts.jsonl").read_text().splitlines()) == 6


def test_send_test_and_retry(tmp_path):
    controller, inbox = smtp.start()
    try:
        config = setup_archive(
            tmp_path,
            '[alerts.email]\nhost = "127.0.0.1"\n'
            f'port = {controller.port}\nsecurity = "none"\nrecipients = ["a@example.org"]\n',
        )
        result = invoke(config, "alerts", "send-test", "email")
        assert result.exit_code == 0
        assert "(the channel is disabled in the configuration)" in result.output
    finally:
        controller.stop()
    assert "test message" in inbox.messages[0].get_body(("plain",)).get_content()
    failed = invoke(config, "alerts", "send-test", "email")  # the server is gone now
    assert failed.exit_code == 1 and "ConnectionRefusedError" in failed.output
    assert invoke(config, "alerts", "send-test", "pager").exit_code == 2
    assert invoke(config, "alerts", "retry").output.strip() == "0 alert(s) due again"


def test_send_test_works_for_every_kind_and_prints_the_answer(tmp_path, monkeypatch):
    from helpers.receiver import Receiver

    monkeypatch.setenv("TEST_HOOK_SECRET", "s")
    controller, inbox = smtp.start()
    try:
        with Receiver() as hook:
            config = setup_archive(
                tmp_path,
                '[alerts.email]\nhost = "127.0.0.1"\n'
                f'port = {controller.port}\nsecurity = "none"\nrecipients = ["a@example.org"]\n'
                "[alerts.channels.hook]\n"
                f'kind = "webhook"\nurl = "{hook.url("/hook")}"\nsecret_env = "TEST_HOOK_SECRET"\n'
                "[alerts.channels.slack]\n"
                f'kind = "apprise"\nurls = ["json://127.0.0.1:{hook.port}/apprise"]\n'
                "[alerts.channels.feeds]\n"
                f'kind = "atom"\npath = "{tmp_path / "atom"}"\n',
            )
            answers = {
                name: invoke(config, "alerts", "send-test", name)
                for name in ("log", "email", "jsonl", "hook", "slack", "feeds")
            }
            assert len(hook.at("/hook")) == len(hook.at("/apprise")) == 1
    finally:
        controller.stop()
    for name, result in answers.items():
        assert result.exit_code == 0, (name, result.output)
    assert "answer: 250 " in answers["email"].output
    assert "answer: HTTP 200 ok" in answers["hook"].output
    assert "answer: json://127.0.0.1" in answers["slack"].output
    assert f"answer: wrote {tmp_path / 'atom' / '__operator__.atom'}" in answers["feeds"].output
    assert "answer: 1 line(s) in" in answers["jsonl"].output
    assert "test message sent through hook (webhook)" in answers["hook"].output
    assert len(inbox.messages) == 1


def test_send_dry_run_renders_and_sends_nothing(tmp_path):
    config = setup_archive(tmp_path)
    invoke(config, "rematch", "--alert")
    result = invoke(config, "alerts", "send", "--dry-run")
    assert result.exit_code == 0
    assert (
        "=== jsonl / pakistan ===" in result.stdout and "=== log / nord-stream ===" in result.stdout
    )
    assert "Pakistan" in result.stdout
    assert "none sent" in result.stderr
    assert not (tmp_path / "alerts.jsonl").exists()
    pending = invoke(config, "alerts", "list", "--status", "pending", "--format", "jsonl")
    assert len(pending.stdout.splitlines()) == 12


def test_a_revived_alert_starts_its_attempts_and_backoff_afresh(tmp_path):
    # The jsonl file's folder is a plain file: every send fails (FileExistsError).
    (tmp_path / "blocked").write_text("not a folder")
    config = setup_archive(
        tmp_path,
        "[alerts]\nretry_base_seconds = 0.01\nretry_max_seconds = 600\nmax_attempts = 3\n"
        "[alerts.log]\nenabled = false\n",
    )
    path = Path(config)
    path.write_text(path.read_text().replace('/alerts.jsonl"', '/blocked/alerts.jsonl"'))
    assert "6 alerts queued" in invoke(config, "rematch", "--alert").output  # jsonl only
    db = f"sqlite:///{tmp_path / 'a.db'}"

    def outbox():
        found = rows(db, "SELECT status, attempts, last_error, next_attempt_at FROM alert_outbox")
        assert len(found) == 6 and len({r[:3] for r in found}) == 1  # all alike
        return found

    for _ in range(3):  # the backoff of 0.01 s doubling is due again at once
        time.sleep(0.05)
        assert "0 sent, 6 failed" in invoke(config, "alerts", "send").stdout
    status, attempts, error, _ = outbox()[0]
    assert (status, attempts) == ("failed", 3)
    assert error.startswith("gave up after 3 attempts: jsonl: FileExistsError")
    assert invoke(config, "alerts", "retry").output.strip() == "6 alert(s) due again"
    status, attempts, revived_error, _ = outbox()[0]
    assert (status, attempts, revived_error) == ("pending", 0, error)  # why it failed, still
    assert "0 sent, 6 failed" in invoke(config, "alerts", "send").stdout
    status, attempts, error, next_attempt = outbox()[0]
    # Its first failure again: pending, due after the base delay (not 2**3 times it, not dead).
    assert (status, attempts) == ("pending", 1)
    assert error.startswith("jsonl: FileExistsError")
    wait = dt.datetime.fromisoformat(str(next_attempt)) - dt.datetime.now(dt.UTC).replace(
        tzinfo=None
    )
    assert wait < dt.timedelta(seconds=0.5)
