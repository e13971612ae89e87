"""Search speed on a synthetic archive (:mod:`benchmarks.archive`), on SQLite and PostgreSQL.

The full size is 2,000,000 turns (a multi-source archive); ``--quick`` builds 200,000, and
``BRIEFWATCH_BENCH_TURNS`` sets any size. PostgreSQL runs when ``BRIEFWATCH_BENCH_POSTGRES_URL``
(or ``BRIEFWATCH_TEST_POSTGRES_URL``) names a server: a scratch database is created and dropped.

The query mix (``QUERIES``) runs through ``Storage.search_turns`` / ``search_exchanges`` as the
CLI calls them, a page of 20, several rounds each: typical searches (a term, a phrase,
booleans, a prefix, speaker, role and date filters, a very common word) and the hard ones (an
absent word, a misspelling, a rare word, a common word over an old date range, a speaker filter
that matches nothing, a deep page, ``exchanges`` of a common word). The same-run baseline is each
query as a LIKE scan of the same tables. Then ``briefwatch watch test`` of a term watch over the
archive as a whole process, against the same term counted through the full-text index.

Targets, per backend: p95 <= 50 ms over every sample; the worst query (its median) <= 200 ms;
the whole mix (sum of the medians) at least 20x faster than the same queries as LIKE scans
(a LIKE scan of a common word sorted newest first stops early, so per-query ratios run from
below 1x to thousands: their median and worst are printed, not targeted); ``watch test``
<= 3 s.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.archive import PostgresDatabase, build, libpq_url
from benchmarks.targets import Check, Target
from scraper.search.query import parse
from scraper.storage import Filters, open_storage

FULL_TURNS, QUICK_TURNS = 2_000_000, 200_000
PAGE = 20

# (label, "turns" or "exchanges", query, filters, offset, LIKE patterns, "and" or "or")
QUERIES = [
    ("pakistan", "turns", "pakistan", Filters(), 0, ["pakistan"], "and"),
    ("phrase", "turns", '"human rights"', Filters(), 0, ["human rights"], "and"),
    ("two words", "turns", "sanctions iran", Filters(), 0, ["sanctions", "iran"], "and"),
    ("OR", "turns", "iran OR iraq", Filters(), 0, ["iran", "iraq"], "or"),
    ("prefix", "turns", "sanction*", Filters(), 0, ["sanction"], "and"),
    ("speaker", "turns", "ukraine", Filters(speaker="price"), 0, ["ukraine"], "and"),
    ("since 2024", "turns", "afghanistan", Filters(since=dt.date(2024, 1, 1)), 0,
     ["afghanistan"], "and"),
    ("role", "turns", "china", Filters(role="reporter"), 0, ["china"], "and"),
    ("phrase until 2015", "turns", '"nord stream"', Filters(until=dt.date(2015, 12, 31)), 0,
     ["nord stream"], "and"),
    ("common word", "turns", "secretary", Filters(), 0, ["secretary"], "and"),
    ("absent word", "turns", "qwxyzzy", Filters(), 0, ["qwxyzzy"], "and"),
    ("misspelling", "turns", "afganistan", Filters(), 0, ["afganistan"], "and"),
    ("rare word", "turns", "abkhazia", Filters(), 0, ["abkhazia"], "and"),
    ("common, old dates", "turns", "secretary",
     Filters(since=dt.date(2010, 1, 1), until=dt.date(2010, 6, 30)), 0, ["secretary"], "and"),
    ("speaker nobody", "turns", "secretary", Filters(speaker="nobody-by-this-name"), 0,
     ["secretary"], "and"),
    ("deep page", "turns", "secretary", Filters(), 5000, ["secretary"], "and"),
    ("exchanges common", "exchanges", "secretary", Filters(), 0, ["secretary"], "and"),
    ("exchanges pakistan", "exchanges", "pakistan", Filters(), 0, ["pakistan"], "and"),
]  # fmt: skip

WATCH_TERM = "Pakistan"


def targets(backend: str) -> tuple[Target, Target, Target, Target]:
    name = f"search[{backend}]"
    return (
        Target(name, "p95 of the query mix", "<=", 50, "ms"),
        Target(name, "worst query (median)", "<=", 200, "ms"),
        Target(name, "whole mix vs the same queries as LIKE scans (total time)", ">=", 20),
        Target(name, "`briefwatch watch test` of a term watch, whole process", "<=", 3, "s"),
    )


def _like(url: str, patterns: list[str], joiner: str, f: Filters, offset: int) -> float:
    cond = f" {joiner.upper()} ".join("lower(t.text) LIKE ?" for _ in patterns)
    params: list = [f"%{p}%" for p in patterns]
    cond = f"({cond})"
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
    sql = (
        "SELECT b.id, t.ordinal, t.text FROM turns t JOIN briefings b ON b.id = t.briefing_id "
        f"WHERE {cond} ORDER BY b.date DESC, b.id DESC, t.ordinal LIMIT {PAGE} OFFSET {offset}"
    )
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        start = time.perf_counter()
        conn.execute(sql, params).fetchall()
        seconds = time.perf_counter() - start
        conn.close()
        return seconds
    import psycopg

    with psycopg.connect(libpq_url(url)) as conn:
        start = time.perf_counter()
        conn.execute(sql.replace("?", "%s"), params).fetchall()
        return time.perf_counter() - start


def _fts_count(url: str, term: str) -> float:
    """Seconds to count the turns holding ``term`` through the full-text index (the floor
    of any backtest of that term)."""
    if url.startswith("sqlite"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"))
        start = time.perf_counter()
        conn.execute("SELECT count(*) FROM turns_fts WHERE turns_fts MATCH ?", [term]).fetchall()
        seconds = time.perf_counter() - start
        conn.close()
        return seconds
    import psycopg

    with psycopg.connect(libpq_url(url)) as conn:
        start = time.perf_counter()
        conn.execute(
            "SELECT count(*) FROM turns WHERE text_tsv @@ plainto_tsquery('english', %s)", [term]
        ).fetchall()
        return time.perf_counter() - start


def _briefwatch(url: str, tmp: Path, *args: str) -> tuple[float, float, str]:
    """Wall time, CPU time and output of a whole ``briefwatch`` process with a one-watch
    config."""
    config = tmp / "watch.toml"
    config.write_text(
        f'[database]\nurl = "{url}"\n\n[[watch]]\nname = "w"\nterms = ["{WATCH_TERM}"]\n'
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "scraper", "--config", str(config), *args],
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    if done.returncode:
        raise RuntimeError(f"briefwatch {' '.join(args)} failed: {done.stderr.strip()[-300:]}")
    return seconds, cpu, done.stdout + done.stderr


def measure(url: str, backend: str, turns: int, rounds: int, tmp: Path) -> list[Check]:
    seconds, stored = build(url, turns)
    print(f"search[{backend}]: built {stored:,} turns in {seconds:.0f} s", flush=True)
    storage = open_storage(url)
    samples: dict[str, list[float]] = {}
    for label, kind, text, filters, offset, _p, _j in QUERIES:
        node = parse(text)
        call = storage.search_exchanges if kind == "exchanges" else storage.search_turns
        call(node, filters, limit=PAGE, offset=offset)  # warm the cache
        for _ in range(rounds):
            start = time.perf_counter()
            call(node, filters, limit=PAGE, offset=offset)
            samples.setdefault(label, []).append(time.perf_counter() - start)
    storage.close()
    like = {q[0]: _like(url, q[5], q[6], q[3], q[4]) for q in QUERIES}
    medians = {label: statistics.median(v) for label, v in samples.items()}
    for label, median in medians.items():
        print(
            f"  {backend:<10} {label:<20} median {median * 1000:8.1f} ms   "
            f"LIKE {like[label] * 1000:8.0f} ms   {like[label] / median:8.0f}x",
            flush=True,
        )
    every = sorted(s for v in samples.values() for s in v)
    p50 = statistics.median(every) * 1000
    p95 = every[max(0, int(len(every) * 0.95) - 1)] * 1000
    worst = max(medians, key=medians.get)
    ratios = sorted(like[label] / median for label, median in medians.items())
    watch_s, watch_cpu, said = _briefwatch(url, tmp, "watch", "test", "w")
    alerts = int(re.search(r"(\d+) alert", said).group(1))
    rematch_s, rematch_cpu, _said = _briefwatch(url, tmp, "rematch")
    fts_s = _fts_count(url, WATCH_TERM)
    p95_t, worst_t, like_t, watch_t = targets(backend)
    size = f"{stored:,} turns"
    return [
        p95_t.check(p95, f"p50 {p50:.1f} ms over {len(every)} queries on {size}"),
        worst_t.check(
            medians[worst] * 1000, f"{worst!r}; LIKE took {like[worst] * 1000:.0f} ms for it"
        ),
        like_t.check(
            sum(like.values()) / sum(medians.values()),
            f"LIKE {sum(like.values()) * 1000:,.0f} ms, ours {sum(medians.values()) * 1000:,.0f}"
            f" ms; per query: median {statistics.median(ratios):,.1f}x, worst {ratios[0]:.2f}x",
        ),
        watch_t.check(
            watch_s,
            f"CPU {watch_cpu:.2f} s; {alerts} alerts over {size}; counting {WATCH_TERM!r} "
            f"through the full-text index took {fts_s * 1000:.0f} ms; `rematch` of that watch "
            f"took {rematch_s:.1f} s (CPU {rematch_cpu:.2f} s)",
        ),
    ]


def postgres_server() -> str | None:
    return os.environ.get("BRIEFWATCH_BENCH_POSTGRES_URL") or os.environ.get(
        "BRIEFWATCH_TEST_POSTGRES_URL"
    )


def run(quick: bool = False) -> list[Check]:
    turns = int(os.environ.get("BRIEFWATCH_BENCH_TURNS") or (QUICK_TURNS if quick else FULL_TURNS))
    rounds = 3 if quick else 5
    checks: list[Check] = []
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        checks += measure(f"sqlite:///{tmp / 'search.db'}", "sqlite", turns, rounds, tmp)
        (tmp / "search.db").unlink()
        server = postgres_server()
        if server is None:
            print("search[postgresql]: not run (set BRIEFWATCH_BENCH_POSTGRES_URL)")
        else:
            with PostgresDatabase(server, f"briefwatch_bench_{os.getpid()}") as db:
                checks += measure(db.url, "postgresql", turns, rounds, tmp)
    return checks


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
