"""Reliability report: seeded SIGKILL trials and the site-fault sweep, against a local mirror,
on SQLite and (when BRIEFWATCH_TEST_POSTGRES_URL names a server) on PostgreSQL.

Prints trials run, faults injected, runs survived, items lost (must be 0) and duplicate alerts
(must be 0). The same trials run in the test suite (tests/test_crashes.py, tests/test_faults.py).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from helpers.crawling import briefwatch, rows, write_config  # noqa: E402
from helpers.reliability import crash_trials  # noqa: E402

from benchmarks.targets import Check, Target  # noqa: E402

LOST = Target("reliability", "items lost (crash trials + fault sweep)", "==", 0, "item(s)")
DUPLICATES = Target("reliability", "duplicate alerts after crashes", "==", 0, "alert(s)")
INTEGRITY = Target("reliability", "integrity failures after crashes", "==", 0, "failure(s)")


@contextlib.contextmanager
def postgres_database() -> Iterator[str | None]:
    """A new PostgreSQL database on the test server (dropped afterwards), or None."""
    server = os.environ.get("BRIEFWATCH_TEST_POSTGRES_URL")
    if not server:
        yield None
        return
    import sqlalchemy

    name = f"briefwatch_bench_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield sqlalchemy.engine.make_url(server).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def fault_sweep(tmp: Path, postgres: bool = False) -> dict[str, int]:
    from helpers.faults import FAULTS, POSTGRES_SAMPLE, TRANSCRIPTS_IN_VERSION_7
    from helpers.mirror import Mirror
    from helpers.state_department import FEED_PATH, VERSIONS, feed

    report = {"faults": 0, "runs": 0, "runs_completed": 0, "items_lost": 0}
    for n, (name, faults, http, *_rest) in enumerate(FAULTS):
        if postgres and name not in POSTGRES_SAMPLE:
            continue
        with (
            postgres_database() if postgres else contextlib.nullcontext(None) as database_url,
            Mirror() as site,
        ):
            database_url = database_url or f"sqlite:///{tmp / f'fault{n}.db'}"
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
    trials, postgres_trials = (4, 2) if quick else (20, 8)
    checks: list[Check] = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        for backend in ("sqlite", "postgresql"):
            with (
                postgres_database()
                if backend == "postgresql"
                else contextlib.nullcontext(None) as url
            ):
                if backend == "postgresql" and url is None:
                    print("reliability: PostgreSQL skipped (set BRIEFWATCH_TEST_POSTGRES_URL)")
                    continue
                work = tmp / backend
                (work / "faults").mkdir(parents=True)
                n = trials if backend == "sqlite" else postgres_trials
                crashes = crash_trials(work, trials=n, database_url=url)
            faults = fault_sweep(work / "faults", postgres=backend == "postgresql")
            checks += _report(backend, crashes, faults)
    return checks


def _report(backend: str, crashes: dict, faults: dict) -> list[Check]:
    print(
        f"reliability ({backend}): {crashes['trials']} crash trials, {crashes['kills']} "
        f"SIGKILLs ({crashes['killed_mid_run']} mid-run, each on an observed event), "
        f"{crashes['runs_survived']} following runs completed; integrity failures "
        f"{crashes['integrity_failures']}, incomplete briefings "
        f"{crashes['incomplete_briefings']}, items lost {crashes['items_lost']}, alerts "
        f"queued {crashes['alerts_queued']}, lost {crashes['alerts_lost']}, duplicated "
        f"{crashes['duplicate_alerts']}"
    )
    print(
        f"reliability ({backend}): {faults['faults']} site faults injected over "
        f"{faults['runs']} runs, {faults['runs_completed']} completed without a crash, items "
        f"lost after recovery {faults['items_lost']}"
    )
    return [
        LOST.check(
            crashes["items_lost"] + faults["items_lost"], f"{backend}, {crashes['trials']} trials"
        ),
        DUPLICATES.check(
            crashes["duplicate_alerts"], f"{backend}, {crashes['alerts_queued']} queued"
        ),
        INTEGRITY.check(crashes["integrity_failures"]),
    ]


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
