"""SIGKILL at random moments (20 seeded trials): nothing corrupt, lost or sent twice."""

from __future__ import annotations

import pytest
from reliability import crash_trials

pytestmark = pytest.mark.slow


def test_twenty_seeded_crash_trials(tmp_path):
    report = crash_trials(tmp_path, trials=20, seed=20261128)
    assert report["trials"] == report["kills"] == 20
    assert report["killed_mid_run"] >= 5  # the seed lands kills inside runs, not only after
    assert report["runs_survived"] == 20
    assert report["integrity_failures"] == 0
    assert report["incomplete_briefings"] == 0
    assert report["items_lost"] == 0
    assert report["alerts_queued"] > 0
    assert report["alerts_lost"] == 0
    assert report["duplicate_alerts"] == 0
