"""End to end, in real processes: `briefwatch run` against the local mirror of the real feed
and a real SMTP server; alerts survive a mail outage and arrive exactly once."""

from __future__ import annotations

import json
import time

import pytest
from helpers import smtp
from helpers.crawling import briefwatch, rows, write_config
from helpers.state_department import FEED_PATH, VERSIONS, feed

pytestmark = pytest.mark.slow


def test_alerts_arrive_once_after_an_outage_and_on_edits(tmp_path, mirror):
    database_url = f"sqlite:///{tmp_path / 'run.db'}"
    port = smtp.free_port()
    mirror.routes[FEED_PATH] = feed(VERSIONS[7])  # first version of the July 6 briefing
    config = write_config(tmp_path / "c.toml", database_url, feeds=[mirror.url(FEED_PATH)])
    config.write_text(
        config.read_text()
        + "\n".join(
            [
                "[alerts]",
                "retry_base_seconds = 0.5",
                "[alerts.email]",
                "enabled = true",
                'host = "127.0.0.1"',
                f"port = {port}",
                'security = "none"',
                'recipients = ["desk@example.org"]',
                "timeout_seconds = 5.0",
                "[[watch]]",
                'name = "dalai"',
                'terms = ["Dalai Lama"]',
                'channels = ["email"]',
            ]
        )
        + "\n"
    )
    down = briefwatch(config, "run")
    assert down.returncode == 1
    assert "alert delivery failed, will retry" in down.stderr
    assert rows(database_url, "SELECT status, attempts FROM alert_outbox") == [("pending", 1)]

    controller, inbox = smtp.start(port)
    try:
        time.sleep(0.6)  # past the backoff
        up = briefwatch(config, "run")
        assert up.returncode == 0, up.stderr
        assert len(inbox.messages) == 1
        assert "dalai lama" in inbox.messages[0].get_body(("plain",)).get_content().lower()

        again = briefwatch(config, "run")
        assert again.returncode == 0 and "alerts: 0 sent" in again.stdout
        assert len(inbox.messages) == 1

        mirror.routes[FEED_PATH] = feed(VERSIONS[10])  # the briefing, edited
        edited = briefwatch(config, "run")
        assert edited.returncode == 0, edited.stderr
    finally:
        controller.stop()
    assert len(inbox.messages) == 2  # one message for the watch, grouping both passages
    second = inbox.messages[1].get_body(("plain",)).get_content()
    assert "(updated passage)" in second and second.count("Watch: dalai") == 2
    statuses = rows(database_url, "SELECT status FROM alert_outbox")
    assert statuses == [("sent",)] * 3
    (run,) = rows(database_url, "SELECT counts FROM runs ORDER BY id DESC LIMIT 1")
    counts = run[0] if isinstance(run[0], dict) else json.loads(run[0])
    assert counts["updated"] == 1 and counts["alerts_queued"] == 2
