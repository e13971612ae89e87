"""Crash trials shared by tests/test_crashes.py and the reliability report in benchmarks/.

Each trial serves the next real feed version, starts ``briefwatch run`` (which stores,
flags and alerts to a JSON-lines file), kills it with SIGKILL the moment a seeded choice of
event is observed (the run recorded as started, the feed requested, the first revision stored,
an alert written), so the kill lands mid-run on a fast machine or a slow one; then lets the
next run complete and checks: the database passes its integrity checks, every stored briefing
has all its turns, no transcript the feed carried is missing, and every alert was written
exactly once. On SQLite or PostgreSQL (``database_url``).
"""

from __future__ import annotations

import functools
import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy

from helpers.crawling import rows, write_config
from helpers.mirror import Mirror, Resource
from helpers.state_department import FEED_PATH, REPLAY, VERSIONS


def _feed(index: int) -> Resource:
    resource = Resource(
        (REPLAY / VERSIONS[index]["file"]).read_bytes(), content_type="application/rss+xml"
    )
    resource.faults = [("sleep", 0.5)]  # answered slowly: "feed requested" is mid-run
    return resource


#: What a trial waits to see before it kills the run.
EVENTS = ("run started", "feed requested", "revision stored", "alert written")


class _Counts:
    """``SELECT count(*)`` answers through one engine for a whole series of trials: they are
    polled every 10 ms while a run goes, and an engine and a connection made for each poll
    cost more CPU than the run they watch. 0 while the run is still creating the tables."""

    def __init__(self, database_url: str) -> None:
        self.engine = sqlalchemy.create_engine(database_url)

    def __call__(self, sql: str) -> int:
        try:
            with self.engine.connect() as conn:
                return conn.execute(sqlalchemy.text(sql)).scalar_one()
        except sqlalchemy.exc.DatabaseError:
            return 0


def _observed(event: str, count: _Counts, site: Mirror, alerts_file: Path, before: dict):
    if event == "run started":
        return count("SELECT count(*) FROM runs") > before["runs"]
    if event == "feed requested":
        return len([r for r in site.requests if r.path == FEED_PATH]) > before["polls"]
    if event == "revision stored":
        return count("SELECT count(*) FROM revisions") > before["revisions"]
    lines = alerts_file.read_text().count("\n") if alerts_file.exists() else 0
    return lines > before["alerts"]


def _state(count: _Counts, site: Mirror, alerts_file: Path) -> dict[str, int]:
    return {
        "runs": count("SELECT count(*) FROM runs"),
        "polls": len([r for r in site.requests if r.path == FEED_PATH]),
        "revisions": count("SELECT count(*) FROM revisions"),
        "alerts": alerts_file.read_text().count("\n") if alerts_file.exists() else 0,
    }


def _command(config: Path) -> list[str]:
    return [sys.executable, "-m", "scraper", "--config", str(config), "-q", "run"]


def _transcript_guids(index: int) -> set[str]:
    """Transcripts in one feed version, read independently of the product's parser: items
    whose body has bold speaker labels."""
    import re

    xml = (REPLAY / VERSIONS[index]["file"]).read_text(encoding="utf-8")
    found = set()
    for item in re.findall(r"<item>.*?</item>", xml, re.S):
        if re.search(r"<(strong|b)>[A-Z .]+:", item):
            guid = re.search(r"<guid[^>]*>(.*?)</guid>", item).group(1).replace("&#038;", "&")
            found.add(guid)
    return found


@functools.cache
def turns_in(body: str) -> int:
    """The turns the parser finds in a stored body (parsing is pure: each body once, not once
    per trial for every briefing stored so far)."""
    from scraper.parsing import parse_transcript

    return len(parse_transcript(body).turns)


def crash_trials(
    workdir: Path, trials: int = 20, seed: int = 20261128, database_url: str | None = None
) -> dict[str, int]:
    """Run the trials; return the report's figures."""
    rng = random.Random(seed)
    database_url = database_url or f"sqlite:///{workdir / 'crash.db'}"
    alerts_file = workdir / "alerts.jsonl"
    report = {
        "trials": 0,
        "kills": 0,
        "killed_mid_run": 0,
        "runs_survived": 0,
        "integrity_failures": 0,
        "incomplete_briefings": 0,
        "items_lost": 0,
        "alerts_lost": 0,
        "duplicate_alerts": 0,
    }
    from scraper.storage import open_storage

    expected: set[str] = set()
    counts = _Counts(database_url)
    with Mirror() as site:
        config = write_config(workdir / "c.toml", database_url, feeds=[site.url(FEED_PATH)])
        config.write_text(
            config.read_text()
            + "[alerts.jsonl]\nenabled = true\n"
            + f"path = {json.dumps(str(alerts_file))}\n"
            + "[alerts.log]\nenabled = false\n"
            + '[[watch]]\nname = "everyone"\nterms = ["thank you", "secretary", "question"]\n'
        )
        for trial in range(trials):
            index = min(len(VERSIONS) - 1, trial * len(VERSIONS) // trials)
            site.routes[FEED_PATH] = _feed(index)
            arriving = _transcript_guids(index) - expected
            expected |= arriving
            # Only a version bringing a transcript stores a revision and writes an alert.
            event = rng.choice(EVENTS if arriving else EVENTS[:2])
            before = _state(counts, site, alerts_file)
            proc = subprocess.Popen(
                _command(config), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline:
                if _observed(event, counts, site, alerts_file, before):
                    break
                time.sleep(0.01)
            report["kills"] += 1
            if proc.poll() is None:
                report["killed_mid_run"] += 1
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            # The next run completes the work.
            done = subprocess.run(_command(config), capture_output=True, text=True)
            report["trials"] += 1
            report["runs_survived"] += done.returncode == 0
            storage = open_storage(database_url)
            try:
                report["integrity_failures"] += bool(storage.check_integrity())
                for briefing_id, stored in storage.iter_briefings():
                    body = storage.revisions(briefing_id)[-1].body
                    report["incomplete_briefings"] += len(stored.turns) != turns_in(body)
            finally:
                storage.close()
        stored = {g for (g,) in rows(database_url, "SELECT guid FROM briefings")}
        report["items_lost"] = len(expected - stored)
        queued = {k for (k,) in rows(database_url, "SELECT alert_key FROM alert_outbox")}
        unsent = rows(database_url, "SELECT count(*) FROM alert_outbox WHERE status != 'sent'")
        written = [json.loads(line)["key"] for line in alerts_file.read_text().splitlines()]
        report["alerts_queued"] = len(queued)
        report["alerts_lost"] = len(queued - set(written)) + unsent[0][0]
        report["duplicate_alerts"] = len(written) - len(set(written))
    counts.engine.dispose()
    return report
