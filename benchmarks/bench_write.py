"""The write path: storing parsed transcripts, against the raw driver storing the same rows.

Every State Department fixture transcript (parsed once, before timing; its watch matches found
once by the product's matcher for three watches) is stored again and again under new URLs, one
transaction per transcript as the store pipeline does: through ``Storage.save_briefing``, and,
as the same-run baseline, through the bare driver (``sqlite3``, ``psycopg``) writing the same
rows (a look-up of the URL, the briefing, its URL, its revision with the page body as text,
its turns, exchanges and watch matches) into an identical fresh database, with the product's
SQLite settings (WAL, ``synchronous=NORMAL``). The two sides take turns, 20 transcripts at a
time, so that the load of a shared machine falls on both alike. 1,000 transcripts (200 with
``--quick``) per side, on SQLite and, when ``BRIEFWATCH_BENCH_POSTGRES_URL`` or
``BRIEFWATCH_TEST_POSTGRES_URL`` names a server, on PostgreSQL. The SQLite file size per 1,000
transcripts is printed for both (after a checkpoint), with the share of it that is page bodies
(the product compresses them; the baseline does not).

Target: per backend, the product's time per transcript within 1.5x the raw driver's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import sqlite3
import tempfile
import time
from pathlib import Path

from benchmarks.archive import FIXTURES, PostgresDatabase, libpq_url
from benchmarks.targets import Check, Target
from scraper.parsing import parse_transcript
from scraper.storage import open_storage
from scraper.storage.briefings import turn_id
from scraper.watch.config import WatchConfig
from scraper.watch.matcher import Matcher

SQLITE = Target("write", "SQLite: store one transcript / raw sqlite3", "<=", 1.5)
POSTGRES = Target("write", "PostgreSQL: store one transcript / raw psycopg", "<=", 1.5)

WATCHES = (
    WatchConfig(name="afghanistan", terms=("Afghanistan", "Taliban")),
    WatchConfig(name="sanctions", terms=("sanctions",), forms=True),
    WatchConfig(name="china", terms=("China", "Beijing"), scope="turn"),
)
NOW = dt.datetime(2026, 1, 1)


def _work(count: int):
    """(briefing, hits) to store, ``count`` of them under distinct URLs."""
    paths = sorted((FIXTURES / "transcripts").glob("*.html"))
    real = [parse_transcript(p.read_text(encoding="utf-8")) for p in paths]
    real = [b for b in real if b.turns]
    matcher = Matcher(WATCHES)
    hits = [matcher.hits(b) for b in real]
    return [
        (
            dataclasses.replace(real[n % len(real)], url=f"https://example.org/w{n}"),
            hits[n % len(real)],
        )
        for n in range(count)
    ]


def _product(url: str, work):
    """Seconds of each transcript stored through the product (a generator)."""
    storage = open_storage(url)
    try:
        for briefing, hits in work:
            start = time.perf_counter()
            storage.save_briefing(briefing, NOW, hits)
            yield time.perf_counter() - start
    finally:
        storage.close()


def _interleaved(raw, product, block: int = 20) -> tuple[float, float]:
    """Total seconds of the two sides, run ``block`` transcripts at a time in turn, so that
    the load of a shared machine falls on both alike."""
    totals = [0.0, 0.0]
    while True:
        done = 0
        for side, steps in enumerate((raw, product)):
            for _ in range(block):
                seconds = next(steps, None)
                if seconds is None:
                    break
                totals[side] += seconds
                done += 1
        if not done:
            return totals[0], totals[1]


def _rows(briefing, hits, bid: int):
    turns = [
        (turn_id(briefing.date, bid, t.ordinal), bid, t.ordinal, t.label, t.speaker, t.role,
         t.text, t.topic, t.paragraphs, t.exchange, t.function)
        for t in briefing.turns
    ]  # fmt: skip
    exchanges = [
        (bid, e.ordinal, json.dumps(list(e.question_turns)), json.dumps(list(e.answer_turns)),
         e.topic)
        for e in briefing.exchanges
    ]  # fmt: skip
    matches = [
        (h.watch, bid, m.turn, m.exchange, m.start, m.end, m.term, m.snippet, NOW)
        for h in hits
        for m in h.matches
    ]
    return turns, exchanges, matches


_BRIEFING = (
    "source_id, url, title, kind, date, published_at, speakers, location, start_time, end_time, "
    "topics, content_hash, coverage, warnings, first_seen, last_seen, parser_version"
)
_TURN = (
    "id, briefing_id, ordinal, label, speaker, role, text, topic, paragraphs, exchange, function"
)
_EXCHANGE = "briefing_id, ordinal, question_turns, answer_turns, topic"
_MATCH = 'watch, briefing_id, turn_ordinal, exchange, start, "end", term, snippet, created_at'
_REVISION = "briefing_id, number, content_hash, body, first_seen, changes, parser_version"


def _briefing_row(b, date_form) -> tuple:
    return (
        1, b.url, b.title, b.kind, date_form(b.date), None, json.dumps(list(b.speakers_of_record)),
        b.location, b.start_time, b.end_time, json.dumps(list(b.topics)), b.content_hash,
        b.coverage, json.dumps(list(b.warnings)), date_form(NOW), date_form(NOW), b.parser_version,
    )  # fmt: skip


def _raw_sqlite(path: Path, work):
    """Seconds of each transcript stored by the bare ``sqlite3`` module (a generator)."""
    open_storage(f"sqlite:///{path}").close()  # the same schema, FTS triggers included
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("INSERT INTO sources (slug, name) VALUES ('state_department', 'x')")

    def iso(v):
        return (
            None
            if v is None
            else v.isoformat(sep=" ")
            if isinstance(v, dt.datetime)
            else v.isoformat()
        )

    for b, hits in work:
        start = time.perf_counter()
        key = hashlib.sha256(b.url.encode()).hexdigest()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("SELECT briefing_id FROM briefing_urls WHERE url_hash = ?", (key,)).fetchone()
        bid = conn.execute(
            f"INSERT INTO briefings ({_BRIEFING}) VALUES ({_marks(17)}) RETURNING id",
            _briefing_row(b, iso),
        ).fetchone()[0]
        conn.execute(
            "INSERT INTO briefing_urls (url_hash, url, briefing_id, first_seen) "
            "VALUES (?, ?, ?, ?)",
            (key, b.url, bid, iso(NOW)),
        )
        conn.execute(
            f"INSERT INTO revisions ({_REVISION}) VALUES ({_marks(7)})",
            (bid, 1, b.content_hash, b.body, iso(NOW), "{}", b.parser_version),
        )
        turns, exchanges, matches = _rows(b, hits, bid)
        conn.executemany(f"INSERT INTO turns ({_TURN}) VALUES ({_marks(11)})", turns)
        conn.executemany(f"INSERT INTO exchanges ({_EXCHANGE}) VALUES ({_marks(5)})", exchanges)
        conn.executemany(
            f"INSERT INTO watch_matches ({_MATCH}) VALUES ({_marks(9)})",
            [(*m[:8], iso(m[8])) for m in matches],
        )
        conn.execute("COMMIT")
        yield time.perf_counter() - start
    conn.close()


def _raw_postgres(url: str, work):
    """Seconds of each transcript stored by bare ``psycopg`` (a generator)."""
    import psycopg

    open_storage(url).close()
    with psycopg.connect(libpq_url(url)) as conn:
        conn.execute("INSERT INTO sources (slug, name) VALUES ('state_department', 'x')")
        conn.commit()
        for b, hits in work:
            start = time.perf_counter()
            key = hashlib.sha256(b.url.encode()).hexdigest()
            with conn.transaction(), conn.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (b.url,))
                cur.execute("SELECT briefing_id FROM briefing_urls WHERE url_hash = %s", (key,))
                cur.fetchone()
                cur.execute(
                    f"INSERT INTO briefings ({_BRIEFING}) VALUES ({_pg(17)}) RETURNING id",
                    _briefing_row(b, lambda v: v),
                )
                bid = cur.fetchone()[0]
                cur.execute(
                    "INSERT INTO briefing_urls (url_hash, url, briefing_id, first_seen) "
                    "VALUES (%s, %s, %s, %s)",
                    (key, b.url, bid, NOW),
                )
                cur.execute(
                    f"INSERT INTO revisions ({_REVISION}) VALUES ({_pg(7)})",
                    (bid, 1, b.content_hash, b.body, NOW, "{}", b.parser_version),
                )
                turns, exchanges, matches = _rows(b, hits, bid)
                cur.executemany(f"INSERT INTO turns ({_TURN}) VALUES ({_pg(11)})", turns)
                cur.executemany(f"INSERT INTO exchanges ({_EXCHANGE}) VALUES ({_pg(5)})", exchanges)
                cur.executemany(f"INSERT INTO watch_matches ({_MATCH}) VALUES ({_pg(9)})", matches)
            yield time.perf_counter() - start


def _size(path: Path) -> tuple[int, int]:
    """(file bytes after a checkpoint, bytes of stored bodies as stored)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    bodies = conn.execute("SELECT sum(length(CAST(body AS BLOB))) FROM revisions").fetchone()[0]
    conn.close()
    return path.stat().st_size, int(bodies or 0)


def run(quick: bool = False) -> list[Check]:
    count = 200 if quick else 1000
    work = _work(count)
    turns = sum(len(b.turns) for b, _ in work)
    matches = sum(len(h.matches) for _, hs in work for h in hs)
    print(f"write: {count:,} transcripts, {turns:,} turns, {matches:,} watch matches", flush=True)
    checks = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        raw, product = _interleaved(
            _raw_sqlite(tmp / "raw.db", work), _product(f"sqlite:///{tmp / 'product.db'}", work)
        )
        raw_size, raw_bodies = _size(tmp / "raw.db")
        size, bodies = _size(tmp / "product.db")
        per = 1000 / count
        print(
            f"  SQLite: product {count / product:6.0f} transcripts/s, raw sqlite3 "
            f"{count / raw:6.0f}/s; file per 1,000 transcripts: product "
            f"{size * per / 2**20:.1f} MB (bodies {bodies / size:.0%}), raw "
            f"{raw_size * per / 2**20:.1f} MB (bodies {raw_bodies / raw_size:.0%})",
            flush=True,
        )
        mb, raw_mb = size * per / 2**20, raw_size * per / 2**20
        checks.append(
            SQLITE.check(
                product / raw,
                f"raw sqlite3 {raw / count * 1000:.1f} ms, product {product / count * 1000:.1f} ms "
                f"per transcript; {mb:.1f} MB per 1,000 (raw {raw_mb:.1f} MB)",
            )
        )
    server = os.environ.get("BRIEFWATCH_BENCH_POSTGRES_URL") or os.environ.get(
        "BRIEFWATCH_TEST_POSTGRES_URL"
    )
    if server:
        with (
            PostgresDatabase(server, "briefwatch_bench_write_raw") as raw_db,
            PostgresDatabase(server, "briefwatch_bench_write_product") as db,
        ):
            raw, product = _interleaved(_raw_postgres(raw_db.url, work), _product(db.url, work))
        print(
            f"  PostgreSQL: product {count / product:6.0f} transcripts/s, raw psycopg "
            f"{count / raw:6.0f}/s",
            flush=True,
        )
        checks.append(
            POSTGRES.check(
                product / raw,
                f"raw psycopg {raw / count * 1000:.1f} ms, product {product / count * 1000:.1f} ms "
                "per transcript",
            )
        )
    else:
        print("  PostgreSQL: skipped (set BRIEFWATCH_TEST_POSTGRES_URL)", flush=True)
    return checks


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def _pg(n: int) -> str:
    return ", ".join(["%s"] * n)


if __name__ == "__main__":
    import sys

    run(quick="--quick" in sys.argv)
