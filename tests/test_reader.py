"""The SQLite reader (``briefwatch search``, ``exchanges``, ``trend`` without SQLAlchemy) gives
the answers of :class:`Storage` on the same archive, and stands aside for any database it
should not read: missing, never migrated, at another schema, in memory, not SQLite."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from helpers.search_archive import FILES
from helpers.state_department import parse_fixture

from scraper.search.query import parse
from scraper.storage import Filters, open_reader, open_storage

QUERIES = [
    "iran",
    "secretary",
    "pakistan",
    '"nord stream"',
    "secret*",
    "qwxyzzy",
    "secretary OR pakistan",
]
FILTERS = [
    Filters(),
    Filters(since=dt.date(2021, 8, 3)),
    Filters(since=dt.date(2021, 7, 21), until=dt.date(2021, 8, 4)),
    Filters(speaker="price"),
    Filters(speaker="nobody by this name"),
    Filters(role="reporter", function="question"),
    Filters(kind="press_briefing", topic="iran"),
]


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('reader') / 'a.db'}"
    storage = open_storage(url)
    for name in FILES:
        storage.save_briefing(parse_fixture(name))
    reader = open_reader(url)
    assert reader is not None
    yield storage, reader
    reader.close()
    storage.close()


@pytest.mark.parametrize("query", QUERIES)
def test_the_reader_answers_as_storage_does(archive, query):
    storage, reader = archive
    node = parse(query)
    for f in FILTERS:
        for limit, offset, order in ((20, 0, "date"), (7, 5, "date"), (10, 0, "rank")):
            got = reader.search_turns(node, f, limit, offset, order)
            assert got == storage.search_turns(node, f, limit, offset, order), (f, offset)
        assert reader.count_turns(node, f) == storage.count_turns(node, f), f
        assert reader.search_exchanges(node, f, 5, 2) == storage.search_exchanges(node, f, 5, 2)
        for by in ("month", "week"):
            assert reader.trend(node, by, f) == storage.trend(node, by, f), (f, by)


def test_the_archive_holds_what_the_comparison_needs(archive):
    storage, reader = archive
    assert reader.count_turns(parse("secretary"), Filters())[0] > 20
    assert reader.search_exchanges(parse("iran"), Filters(since=dt.date(2021, 8, 3)), 3)


def test_no_reader_for_what_it_should_not_read(tmp_path):
    assert open_reader(f"sqlite:///{tmp_path / 'missing.db'}") is None
    assert not (tmp_path / "missing.db").exists()  # nothing created
    sqlite3.connect(tmp_path / "blank.db").execute("CREATE TABLE t (x)").connection.close()
    assert open_reader(f"sqlite:///{tmp_path / 'blank.db'}") is None  # never migrated
    (tmp_path / "junk.db").write_bytes(b"not a database at all" * 100)
    assert open_reader(f"sqlite:///{tmp_path / 'junk.db'}") is None
    assert open_reader("sqlite://") is None
    assert open_reader("sqlite:///:memory:") is None
    assert open_reader("postgresql+psycopg://u@127.0.0.1/x") is None
    old = tmp_path / "old.db"
    open_storage(f"sqlite:///{old}").close()
    with sqlite3.connect(old) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0006_other'")
    assert open_reader(f"sqlite:///{old}") is None  # at another schema: Storage migrates it


def test_the_reader_cannot_write(archive):
    _storage, reader = archive
    with pytest.raises(sqlite3.OperationalError):
        reader.conn.execute("DELETE FROM turns")
