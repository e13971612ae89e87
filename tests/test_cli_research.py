"""Research at the terminal: totals, a leading minus, unknown watches, zero-filled trends."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from test_search import FILES, parse_fixture

from scraper.cli import cli
from scraper.storage import open_storage


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> str:
    """Five real transcripts: July 2021 to July 2022, with gaps of whole months."""
    tmp = tmp_path_factory.mktemp("research")
    db = f"sqlite:///{tmp / 'a.db'}"
    storage = open_storage(db)
    for name in FILES:
        storage.save_briefing(parse_fixture(name))
    storage.close()
    path = tmp / "c.toml"
    path.write_text(f'[database]\nurl = "{db}"\n[[watch]]\nname = "iran"\nterms = ["Iran"]\n')
    return str(path)


def run(config: str, *args: str):
    return CliRunner().invoke(cli, ["--config", config, *args], catch_exceptions=False)


def test_search_says_how_many_and_how_to_see_more(config):
    everything = run(config, "search", "pakistan", "--limit", "1000")
    total = everything.stdout.count("https://www.state.gov/")
    assert total > 3
    assert everything.stderr == f"showing {total} of {total}\n"
    page = run(config, "search", "pakistan", "--limit", "2")
    assert page.stderr == f"showing 2 of {total} (--offset 2 for more)\n"
    last = run(config, "search", "pakistan", "--limit", "2", "--offset", str(total - 1))
    assert last.stderr == f"showing {total}-{total} of {total}\n"


def test_a_leading_minus_is_part_of_the_query(config):
    minus = run(config, "search", "pakistan", "-afghanistan", "--limit", "1000")
    quoted = run(config, "search", "pakistan NOT afghanistan", "--limit", "1000")
    assert minus.exit_code == 0 and minus.stdout == quoted.stdout != ""
    only = run(config, "search", "-russia")  # a query that only excludes: refused, one line
    assert only.exit_code == 2 and "russia" in only.stderr and "No such option" not in only.stderr


def test_unknown_watch_names_the_known_ones(config):
    result = run(config, "search", "pakistan", "--watch", "irn")
    assert result.exit_code == 2
    assert "--watch irn: unknown watch (known: iran)" in result.stderr


def test_trend_fills_every_month_of_the_range(config):
    rows = list(csv.DictReader(io.StringIO(run(config, "trend", "iran", "--format", "csv").stdout)))
    periods = [r["period"] for r in rows]
    assert periods[0] == "2021-07" and periods[-1] == "2022-07" and len(periods) == 13
    assert rows[3] == {"term": "iran", "period": "2021-10", "questions": "0", "answers": "0"}
    weeks = run(
        config,
        "trend",
        "iran",
        "--by",
        "week",
        "--since",
        "2021-07-01",
        "--until",
        "2021-08-31",
        "--format",
        "csv",
    ).stdout.splitlines()[1:]
    assert len(weeks) == 10 and weeks[0].startswith("iran,2021-W26,")


def test_search_total_stops_at_the_cap_and_says_so(config, monkeypatch):
    exact = run(config, "search", "pakistan", "--limit", "2")
    total = int(exact.stderr.split(" of ")[1].split()[0])
    assert total > 4
    monkeypatch.setattr("scraper.storage.search.COUNT_CAP", 3)
    capped = run(config, "search", "pakistan", "--limit", "2")
    assert capped.stdout == exact.stdout
    assert capped.stderr == "showing 2 of 3+ (--offset 2 for more)\n"
    past = run(config, "search", "pakistan", "--limit", "2", "--offset", "3")
    assert past.stderr == "showing 4-5 of 5+ (--offset 5 for more)\n"
    last = run(config, "search", "pakistan", "--limit", "1000", "--offset", "3")
    assert last.stderr == f"showing 4-{total} of {total}\n"  # the last page knows the total


@pytest.mark.parametrize(
    ("offset", "shown", "limit", "total", "exact", "line"),
    [
        (0, 20, 20, 71, True, "showing 20 of 71 (--offset 20 for more)"),
        (60, 11, 20, 71, True, "showing 61-71 of 71"),
        (0, 20, 20, 10000, False, "showing 20 of 10000+ (--offset 20 for more)"),
        (10000, 20, 20, 10000, False, "showing 10001-10020 of 10020+ (--offset 10020 for more)"),
        (10000, 5, 20, 10000, False, "showing 10001-10005 of 10005"),
        (80, 0, 20, 71, True, "showing none of 71"),
    ],
    ids=["first-page", "last-page", "capped", "past-the-cap", "end-past-the-cap", "past-the-end"],
)
def test_showing_line(offset, shown, limit, total, exact, line):
    from scraper.cli.search import showing_line

    assert showing_line(offset, shown, limit, total, exact) == line
