"""Reliability report: seeded SIGKILL trials and the site-fault sweep, against a local mirror.

Prints trials run, faults injected, runs survived, items lost (must be 0) and duplicate alerts
(must be 0). The same trials run in the test suite (tests/test_crashes.py, tests/test_faults.py).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from crawling import briefwatch, rows, write_config  # noqa: E402
from reliability import crash_trials  # noqa: E402

from benchmarks.targets import Check, Target  # noqa: E402

LOST = Target("reliability", "items lost (crash trials + fault sweep)", "==", 0, "item(s)")
DUPLICATES = Target("reliability", "duplicate alerts after crashes", "==", 0, "alert(s)")
INTEGRITY = Target("reliability", "integrity failures after crashes", "==", 0, "failure(s)")


def fault_sweep(tmp: Path) -> dict[str, int]:
    from mirror import Mirror
    from test_faults import FAULTS, TRANSCRIPTS_IN_VERSION_7
    from test_spider_state_department import FEED_PATH, VERSIONS, feed

    report = {"faults": 0, "runs": 0, "runs_completed": 0, "items_lost": 0}
    for n, (_name, faults, http, *_rest) in enumerate(FAULTS):
        database_url = f"sqlite:///{tmp / f'fault{n}.db'}"
        with Mirror() as site:
            resource = feed(VERSIONS[7])
            resource.faults = list(faults)
            site.routes[FEED_PATH] = resource
            config = write_config(
                tmp / f"f{n}.toml", database_url, http=http, feeds=[site.url(FEED_PATH)]
            )
            for attempt in range(2):
                result = briefwatch(config, "run", timeout=300)
                report["runs"] += 1
                report["runs_completed"] += "Traceback" not in result.stderr
                if attempt == 0:
                    report["faults"] += site.faults_served
                    resource.faults = []  # the site recovers; the next run must catch up
        stored = rows(database_url, "SELECT count(*) FROM briefings")[0][0]
        report["items_lost"] += TRANSCRIPTS_IN_VERSION_7 - stored
    return report


def run(quick: bool = False) -> list[Check]:
    trials = 4 if quick else 20
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        crashes = crash_trials(tmp, trials=trials)
        (tmp / "faults").mkdir()
        faults = fault_sweep(tmp / "faults")
    print(
        f"reliability: {crashes['trials']} crash trials, {crashes['kills']} SIGKILLs "
        f"({crashes['killed_mid_run']} mid-run), {crashes['runs_survived']} following runs "
        f"completed; integrity failures {crashes['integrity_failures']}, incomplete briefings "
        f"{crashes['incomplete_briefings']}, items lost {crashes['items_lost']}, alerts "
        f"queued {crashes['alerts_queued']}, lost {crashes['alerts_lost']}, duplicated "
        f"{crashes['duplicate_alerts']}"
    )
    print(
        f"reliability: {faults['faults']} site faults injected over {faults['runs']} runs, "
        f"{faults['runs_completed']} completed without a crash, items lost after recovery "
        f"{faults['items_lost']}"
    )
    return [
        LOST.check(crashes["items_lost"] + faults["items_lost"], f"{crashes['trials']} trials"),
        DUPLICATES.check(crashes["duplicate_alerts"], f"{crashes['alerts_queued']} queued"),
        INTEGRITY.check(crashes["integrity_failures"]),
    ]


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
