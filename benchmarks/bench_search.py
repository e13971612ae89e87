"""Search speed on a synthetic archive of 1,000,000 turns (SQLite).

The archive replicates the real fixture turns (speakers, roles and text as parsed) into
briefings of 100 turns dated across 2010-2026, created through the real schema (migrations,
FTS5 triggers). Ten typical queries (a term, a phrase, booleans, a prefix, filtered by speaker,
role and date, and a very common word) run through ``Storage.search_turns`` with LIMIT 20;
the same queries as LIKE scans of the same table give the baseline, in the same run.
Targets: p95 at most 50 ms; at least 100x faster than LIKE.

The bulk load writes with the ``sqlite3`` module for speed (a benchmark-only shortcut: the
product writes through ``scraper.storage``).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

from scraper.parsing import parse_transcript
from scraper.search.query import parse
from scraper.storage import Filters, open_storage

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "state_department"
TURNS = int(os.environ.get("BRIEFWATCH_BENCH_TURNS", "1000000"))
PER_BRIEFING = 100

QUERIES = [
    ("pakistan", Filters(), "%pakistan%"),
    ('"human rights"', Filters(), "%human rights%"),
    ("sanctions iran", Filters(), ("%sanctions%", "%iran%")),
    ("iran OR iraq", Filters(), ("%iran%", "%iraq%", "or")),
    ("sanction*", Filters(), "%sanction%"),
    ("ukraine", Filters(speaker="price"), "%ukraine%"),
    ("afghanistan", Filters(since=dt.date(2024, 1, 1)), "%afghanistan%"),
    ("china", Filters(role="reporter"), "%china%"),
    ('"nord stream"', Filters(until=dt.date(2015, 12, 31)), "%nord stream%"),
    ("secretary", Filters(), "%secretary%"),
]


def _real_turns() -> list[tuple]:
    turns = []
    for path in sorted((FIXTURES / "transcripts").glob("*.html")):
        b = parse_transcript(path.read_text(encoding="utf-8"))
        turns += [(t.label, t.speaker, t.role, t.text, t.topic) for t in b.turns]
    return turns


def build(path: Path) -> float:
    """Create the archive at ``path``; returns seconds taken."""
    start = time.perf_counter()
    open_storage(f"sqlite:///{path}").close()  # the real schema, FTS triggers included
    real = _real_turns()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("INSERT INTO sources (id, slug, name) VALUES (1, 'state_department', 'x')")
    first = dt.date(2010, 1, 1)
    span = (dt.date(2026, 11, 1) - first).days
    briefings = TURNS // PER_BRIEFING
    cursor = 0
    for n in range(briefings):
        date = first + dt.timedelta(days=span * n // briefings)
        conn.execute(
            "INSERT INTO briefings (id, source_id, url, title, kind, date, speakers, topics, "
            "content_hash, coverage, warnings, first_seen, last_seen, parser_version) VALUES "
            "(?, 1, ?, ?, 'press_briefing', ?, '[]', '[]', '', 1.0, '[]', ?, ?, '1')",
            (
                n + 1,
                f"https://example.org/b{n}",
                f"Briefing {n}",
                date.isoformat(),
                "2026-01-01",
                "2026-01-01",
            ),
        )
        rows = []
        for ordinal in range(1, PER_BRIEFING + 1):
            label, speaker, role, text, topic = real[cursor % len(real)]
            cursor += 1
            rows.append(
                (n + 1, ordinal, label, speaker, role, text, topic, 1, ordinal // 2 or None)
            )
        conn.executemany(
            "INSERT INTO turns (briefing_id, ordinal, label, speaker, role, text, topic, "
            "paragraphs, exchange) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        if n % 1000 == 999:
            conn.commit()
            print(f"  built {(n + 1) * PER_BRIEFING:,} turns", file=sys.stderr)
    conn.commit()
    conn.execute("INSERT INTO turns_fts(turns_fts) VALUES ('optimize')")
    conn.commit()
    conn.close()
    return time.perf_counter() - start


def _like(conn: sqlite3.Connection, pattern, f: Filters) -> float:
    if isinstance(pattern, tuple) and pattern[-1] == "or":
        cond, params = "(t.text LIKE ? OR t.text LIKE ?)", list(pattern[:2])
    elif isinstance(pattern, tuple):
        cond, params = " AND ".join("t.text LIKE ?" for _ in pattern), list(pattern)
    else:
        cond, params = "t.text LIKE ?", [pattern]
    if f.speaker:
        cond += " AND lower(t.speaker) LIKE ?"
        params.append(f"%{f.speaker}%")
    if f.role:
        cond += " AND t.role = ?"
        params.append(f.role)
    if f.since:
        cond += " AND b.date >= ?"
        params.append(f.since.isoformat())
    if f.until:
        cond += " AND b.date <= ?"
        params.append(f.until.isoformat())
    start = time.perf_counter()
    conn.execute(
        "SELECT b.id, t.ordinal, t.text FROM turns t JOIN briefings b ON b.id = t.briefing_id "
        f"WHERE {cond} ORDER BY b.date DESC, b.id DESC, t.ordinal LIMIT 20",
        params,
    ).fetchall()
    return time.perf_counter() - start


def run(rounds: int = 7) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "search.db"
        seconds = build(path)
        size = path.stat().st_size / 2**20
        print(f"search: built {TURNS:,} turns in {seconds:.0f} s; database {size:,.0f} MiB")
        storage = open_storage(f"sqlite:///{path}")
        samples: dict[str, list[float]] = {}
        for text, filters, _ in QUERIES:
            node = parse(text)
            storage.search_turns(node, filters, limit=20)  # warm the page cache
            for _ in range(rounds):
                start = time.perf_counter()
                storage.search_turns(node, filters, limit=20)
                samples.setdefault(text, []).append(time.perf_counter() - start)
        storage.close()
        conn = sqlite3.connect(path)
        like = {text: _like(conn, pattern, f) for text, f, pattern in QUERIES}
        conn.close()
    every = sorted(s for v in samples.values() for s in v)
    p50 = statistics.median(every) * 1000
    p95 = every[int(len(every) * 0.95) - 1] * 1000
    for text, times in samples.items():
        median = statistics.median(times)
        print(
            f"search: {text:<16} median {median * 1000:7.1f} ms   LIKE {like[text] * 1000:8.0f} ms"
            f"   {like[text] / median:8.0f}x"
        )
    ratio = statistics.median(like[t] / statistics.median(v) for t, v in samples.items())
    print(
        f"search: p50 {p50:.1f} ms, p95 {p95:.1f} ms over {len(every)} queries "
        f"(target p95 <= 50 ms); median speed-up over LIKE {ratio:,.0f}x (target >= 100x)"
    )
    return {"p50_ms": p50, "p95_ms": p95, "like_ratio": ratio, "build_s": seconds, "mib": size}


if __name__ == "__main__":
    run()
