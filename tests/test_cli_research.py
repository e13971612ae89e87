"""Research at the terminal: totals, a leading minus, unknown watches, zero-filled trends."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner
from helpers.search_archive import FILES, fill
from helpers.state_department import parse_fixture

from scraper.cli import cli
from scraper.storage import open_storage


@pytest.fixture(scope="module")
def config(tmp_path_factory) -> str:
    """Five real transcripts: July 2021 to July 2022, with gaps of whole months."""
    tmp = tmp_path_factory.mktemp("research")
    db = f"sqlite:///{tmp / 'a.db'}"
    storage = open_storage(db)
    fill(storage)
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


def _csv(result) -> list[dict]:
    assert result.exit_code == 0, result.stderr
    return list(csv.DictReader(io.StringIO(result.stdout)))


def _per_month(config: str, term: str, *args: str) -> dict[str, int]:
    """Turns matching ``term`` per month, counted from search's own rows."""
    out = run(config, "search", term, "--limit", "10000", "--format", "jsonl", *args)
    months: dict[str, int] = {}
    for line in out.stdout.splitlines():
        month = json.loads(line)["date"][:7]
        months[month] = months.get(month, 0) + 1
    return months


def test_trend_answers_are_exchange_answers_not_every_official_turn(config):
    # Mr Price mentions COVID in his remarks at the top of a briefing: not an answer.
    rows = _csv(run(config, "trend", "covid", "--format", "csv"))
    answers = {r["period"]: int(r["answers"]) for r in rows if r["answers"] != "0"}
    questions = {r["period"]: int(r["questions"]) for r in rows if r["questions"] != "0"}
    assert answers == _per_month(config, "covid", "--function", "answer")
    assert questions == _per_month(config, "covid", "--function", "question")
    officials = _per_month(config, "covid", "--role", "official")
    assert sum(answers.values()) < sum(officials.values())  # remarks at the top are not answers


def test_trend_per_briefing_divides_by_the_briefings_of_each_period(config):
    raw = {r["period"]: r for r in _csv(run(config, "trend", "iran", "--format", "csv"))}
    rows = _csv(run(config, "trend", "iran", "--per-briefing", "--format", "csv"))
    months: dict[str, int] = {}
    for name in FILES:
        month = parse_fixture(name).date.strftime("%Y-%m")
        months[month] = months.get(month, 0) + 1
    assert {r["period"]: int(r["briefings"]) for r in rows if r["briefings"] != "0"} == months
    for r in rows:
        n = int(r["briefings"])
        for column in ("questions", "answers"):
            expected = round(int(raw[r["period"]][column]) / n, 2) if n else 0.0
            assert float(r[column]) == expected
    table = run(config, "trend", "iran", "--per-briefing")
    assert "per briefing" in table.stderr


def test_trend_plot_has_a_time_axis_and_questions_and_answers_apart(config, tmp_path):
    pytest.importorskip("matplotlib")
    from matplotlib.dates import ConciseDateFormatter

    from scraper.cli.search import chart

    series = {"iran": [("2021-07", 3, 5), ("2021-08", 0, 0), ("2021-09", 1, 2)]}
    ax = chart(series, "month", "sqlite").axes[0]
    assert ax.get_title() == "Mentions by month: iran"
    assert [line.get_label() for line in ax.get_lines()] == ["iran: questions", "iran: answers"]
    assert list(ax.get_lines()[1].get_xdata())[0] == dt.date(2021, 7, 1)
    assert list(ax.get_lines()[1].get_ydata()) == [5, 0, 2]
    assert isinstance(ax.xaxis.get_major_formatter(), ConciseDateFormatter)
    png = tmp_path / "t.png"
    result = run(config, "trend", "iran", "pakistan", "--plot", str(png))
    assert result.exit_code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def _briefwatch(config: str, *args: str, prelude: str = "") -> subprocess.CompletedProcess:
    code = (
        f"import sys; {prelude}; from scraper.cli import main; sys.argv[0] = 'briefwatch'; main()"
    )
    return subprocess.run(
        [sys.executable, "-c", code, "--config", config, *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_trend_plot_keeps_matplotlib_logs_out(config, tmp_path):
    pytest.importorskip("matplotlib")
    png = tmp_path / "t.png"
    result = _briefwatch(config, "-vv", "trend", "iran", "--plot", str(png), prelude="pass")
    assert result.returncode == 0, result.stderr
    assert "matplotlib" not in result.stderr.lower() and "font" not in result.stderr.lower()
    assert result.stderr.splitlines()[-1] == f"chart written to {png}"


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
@pytest.mark.parametrize("by", ["month", "week"])
@pytest.mark.parametrize(
    ("since", "until"),
    [
        (dt.date(2020, 12, 28), dt.date(2022, 1, 9)),  # SQLite's week 00 of 2021 and 2022
        (dt.date(2003, 1, 1), dt.date(2021, 7, 5)),
        (dt.date(2021, 2, 28), dt.date(2021, 3, 1)),
        (dt.date(9999, 11, 20), dt.date(9999, 12, 31)),  # the calendar's last periods
    ],
)
def test_trend_periods_are_every_label_a_day_by_day_walk_finds(dialect, by, since, until):
    from scraper.cli.search import _period, zero_filled

    walked: list[str] = []
    day = since
    while True:
        if not walked or walked[-1] != _period(day, by, dialect):
            walked.append(_period(day, by, dialect))
        if day == until:
            break
        day += dt.timedelta(days=1)
    filled = zero_filled({"x": [(walked[1], 2, 3)]}, by, dialect, since, until)["x"]
    assert [p for p, _, _ in filled] == walked
    assert [(q, a) for p, q, a in filled if p == walked[1]] == [(2, 3)]
    assert sum(q + a for _, q, a in filled) == 5
