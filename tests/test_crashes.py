"""SIGKILL mid-run (seeded trials, each killed when an event is observed): nothing corrupt,
lost or sent twice, on SQLite (20 trials) and PostgreSQL (a sample of 8)."""

from __future__ import annotations

import pytest
from helpers.reliability import crash_trials

pytestmark = pytest.mark.slow


def test_seeded_crash_trials(tmp_path, database_url):
    trials = 20 if database_url.startswith("sqlite") else 8
    report = crash_trials(tmp_path, trials=trials, seed=20261128, database_url=database_url)
    assert report["trials"] == report["kills"] == trials
    assert report["killed_mid_run"] == trials  # every kill lands inside a run
    assert report["runs_survived"] == trials
    assert report["integrity_failures"] == 0
    assert report["incomplete_briefings"] == 0
    assert report["items_lost"] == 0
    assert report["alerts_queued"] > 0
    assert report["alerts_lost"] == 0
    assert report["duplicate_alerts"] == 0
