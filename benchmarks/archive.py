"""A synthetic archive for the search, watch and start-up benchmarks, on SQLite or PostgreSQL.

Every real fixture transcript (its turns and exchanges, as parsed) is stored again and again as
briefings dated evenly across 2010-2026, until the archive holds the asked number of turns. The
schema is the product's (created by ``open_storage``: migrations, FTS5 triggers, the generated
tsvector column) and turn ids are the product's time-ordered ids
(:func:`scraper.storage.briefings.turn_id`). The rows themselves are written with the raw
drivers for speed (a benchmark-only shortcut: the product writes through ``scraper.storage``);
PostgreSQL's GIN index is rebuilt after the load and the tables analyzed, as autovacuum would.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
import time
from pathlib import Path

from scraper.parsing import parse_transcript
from scraper.storage import open_storage
from scraper.storage.briefings import turn_id

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "state_department"
FIRST, LAST = dt.date(2010, 1, 1), dt.date(2026, 11, 1)

BRIEFING_COLUMNS = (
    "id, source_id, url, title, kind, date, speakers, topics, content_hash, coverage, "
    "warnings, first_seen, last_seen, parser_version"
)
TURN_COLUMNS = "id, briefing_id, ordinal, label, speaker, role, text, topic, paragraphs, exchange"
EXCHANGE_COLUMNS = "briefing_id, ordinal, question_turns, answer_turns, topic"


def real_briefings():
    paths = sorted((FIXTURES / "transcripts").glob("*.html"))
    return [b for b in (parse_transcript(p.read_text(encoding="utf-8")) for p in paths) if b.turns]


def _rows(turns: int):
    """(briefing row, turn rows, exchange rows) per synthetic briefing, oldest first."""
    real = real_briefings()
    per = sum(len(b.turns) for b in real) / len(real)
    count = max(1, round(turns / per))
    span = (LAST - FIRST).days
    for n in range(count):
        b = real[n % len(real)]
        bid, date = n + 1, FIRST + dt.timedelta(days=span * n // count)
        briefing = (
            bid, 1, f"https://example.org/b{bid}", f"{b.title} ({bid})", b.kind, date,
            json.dumps(list(b.speakers_of_record)), json.dumps(list(b.topics)), "", 1.0, "[]",
            dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 1), "1",
        )  # fmt: skip
        turn_rows = [
            (
                turn_id(date, bid, t.ordinal),
                bid,
                t.ordinal,
                t.label,
                t.speaker,
                t.role,
                t.text,
                t.topic,
                t.paragraphs,
                t.exchange,
            )  # fmt: skip
            for t in b.turns
        ]
        exchange_rows = [
            (
                bid,
                e.ordinal,
                json.dumps(list(e.question_turns)),
                json.dumps(list(e.answer_turns)),
                e.topic,
            )  # fmt: skip
            for e in b.exchanges
        ]
        yield briefing, turn_rows, exchange_rows


def build(url: str, turns: int) -> tuple[float, int]:
    """Create the archive at ``url`` (an empty database); returns (seconds, turns stored)."""
    start = time.perf_counter()
    open_storage(url).close()  # the real schema
    stored = (_build_postgres if url.startswith("postgresql") else _build_sqlite)(url, turns)
    return time.perf_counter() - start, stored


def _build_sqlite(url: str, turns: int) -> int:
    conn = sqlite3.connect(url.removeprefix("sqlite:///"))
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("INSERT INTO sources (id, slug, name) VALUES (1, 'state_department', 'x')")
    stored = 0
    for n, (briefing, turn_rows, exchange_rows) in enumerate(_rows(turns)):
        b = list(briefing)
        b[5] = b[5].isoformat()
        b[11], b[12] = b[11].isoformat(sep=" "), b[12].isoformat(sep=" ")
        conn.execute(f"INSERT INTO briefings ({BRIEFING_COLUMNS}) VALUES ({_marks(14)})", b)
        conn.executemany(f"INSERT INTO turns ({TURN_COLUMNS}) VALUES ({_marks(10)})", turn_rows)
        conn.executemany(
            f"INSERT INTO exchanges ({EXCHANGE_COLUMNS}) VALUES ({_marks(5)})", exchange_rows
        )
        stored += len(turn_rows)
        if n % 1000 == 999:
            conn.commit()
            print(f"  sqlite: {stored:,} turns", file=sys.stderr, flush=True)
    conn.commit()
    conn.execute("INSERT INTO turns_fts(turns_fts) VALUES ('optimize')")
    conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    return stored


def _build_postgres(url: str, turns: int) -> int:
    import psycopg

    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("INSERT INTO sources (id, slug, name) VALUES (1, 'state_department', 'x')")
        conn.execute("DROP INDEX ix_turns_text_tsv")
        stored = 0
        with conn.cursor() as cur:
            with cur.copy(f"COPY briefings ({BRIEFING_COLUMNS}) FROM STDIN") as bcopy:
                for briefing, _t, _e in _rows(turns):
                    bcopy.write_row(briefing)
            with cur.copy(f"COPY turns ({TURN_COLUMNS}) FROM STDIN") as tcopy:
                for _b, turn_rows, _e in _rows(turns):
                    for row in turn_rows:
                        tcopy.write_row(row)
                    stored += len(turn_rows)
            with cur.copy(f"COPY exchanges ({EXCHANGE_COLUMNS}) FROM STDIN") as xcopy:
                for _b, _t, exchange_rows in _rows(turns):
                    for row in exchange_rows:
                        xcopy.write_row(row)
        print(f"  postgresql: {stored:,} turns copied; indexing", file=sys.stderr, flush=True)
        conn.execute("CREATE INDEX ix_turns_text_tsv ON turns USING GIN (text_tsv)")
        conn.execute("VACUUM ANALYZE")
    return stored


def libpq_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class PostgresDatabase:
    """A fresh database on the server of ``server_url``, dropped on exit."""

    def __init__(self, server_url: str, name: str) -> None:
        from sqlalchemy.engine import make_url

        self.server = make_url(server_url)
        self.name = name
        self.url = self.server.set(database=name).render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(
            libpq_url(self.server.render_as_string(hide_password=False)), autocommit=True
        ) as conn:
            conn.execute(sql)

    def __enter__(self) -> PostgresDatabase:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        self._admin(f'CREATE DATABASE "{self.name}"')
        return self

    def __exit__(self, *exc) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _marks(n: int) -> str:
    return ", ".join("?" * n)
