"""``briefwatch search``, ``exchanges`` and ``trend``: questions to the stored archive."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import click

from scraper.cli.context import OFFSET_MAX, RuntimeFailure, UsageFailure, first_line
from scraper.cli.dates import date_option
from scraper.cli.extras import require_extra
from scraper.cli.output import emit, format_option
from scraper.model import FUNCTIONS, ROLES
from scraper.search.query import QuerySyntaxError, parse
from scraper.sources import KINDS
from scraper.terminal import echo


def _known_watch(ctx, param, value: str | None) -> str | None:
    names = [w.name for w in ctx.obj.config.watch] if value else []
    if value and value not in names:
        known = ", ".join(names) or "none configured"
        raise UsageFailure(f"--watch {value}: unknown watch (known: {known})")
    return value


class QueryCommand(click.Command):
    """A query that starts with a minus is the query (``search -russia``), not an option."""

    def parse_args(self, ctx, args):
        names = {n for p in self.params for n in (*p.opts, *p.secondary_opts)}
        valued = {
            n
            for p in self.params
            if isinstance(p, click.Option) and not p.is_flag and not p.count
            for n in p.opts
        }
        kept, queries = [], []
        for i, arg in enumerate(args):
            after_option = i and args[i - 1] in valued
            if arg == "--":
                kept += args[i:]
                break
            if (
                arg.startswith("-")
                and not arg.startswith("--")
                and len(arg) > 1
                and arg.split("=")[0] not in names
                and arg not in ctx.help_option_names
                and not after_option
            ):
                queries.append(arg)
            else:
                kept.append(arg)
        if queries:
            kept = [*kept, "--", *queries] if "--" not in kept else kept + queries
        return super().parse_args(ctx, kept)


def filter_options(func):
    from scraper.sources import SOURCES

    for option in reversed(
        [
            date_option("--since", help="Only briefings from this date (YYYY-MM-DD)."),
            date_option("--until", help="Only briefings up to this date (YYYY-MM-DD)."),
            click.option("--speaker", help="Only turns by this speaker (part of the name)."),
            click.option("--role", type=click.Choice(ROLES), help="Only turns in this role."),
            click.option(
                "--function",
                type=click.Choice(FUNCTIONS),
                help="Only turns doing this (question, answer, moderation, ...).",
            ),
            click.option("--kind", type=click.Choice(KINDS), help="Only this kind of document."),
            click.option("--topic", help="Only turns under this topic (part of its name)."),
            click.option("--watch", callback=_known_watch, help="Only turns this watch matched."),
            click.option("--source", type=click.Choice(list(SOURCES)), help="Only this source."),
        ]
    ):
        func = option(func)
    return func


def _filters(kwargs):
    from scraper.storage import Filters

    return Filters(**{f.name: kwargs.get(f.name) for f in dataclasses.fields(Filters)})


def _query(text: str):
    try:
        return parse(text)
    except QuerySyntaxError as exc:
        raise UsageFailure(f"bad query {text!r}: {exc}") from None


def _run(func, *args):
    from scraper.storage import is_storage_error

    try:
        return func(*args)
    except QuerySyntaxError as exc:  # a query the backend cannot run (see to_fts5)
        raise UsageFailure(f"bad query: {exc}") from None
    except Exception as exc:
        if not is_storage_error(exc):
            raise
        raise RuntimeFailure(f"search failed: {first_line(exc)}") from None


@click.command("search", cls=QueryCommand)
@click.argument("query", nargs=-1, required=True)
@filter_options
@click.option("--limit", type=click.IntRange(1, 10000), default=20, show_default=True)
@click.option("--offset", type=click.IntRange(0, OFFSET_MAX), default=0, show_default=True)
@click.option("--order", type=click.Choice(["date", "rank"]), default="date", show_default=True)
@format_option("text", "json", "jsonl", "csv")
@click.pass_obj
def search(
    app, query: tuple[str, ...], limit: int, offset: int, order: str, fmt: str, **filters
) -> None:
    """Find turns: words, "phrases", prefix*, AND / OR / NOT (or -word), (grouping).

    Example: briefwatch search 'pakistan sanctions' --role reporter --since 2021-01-01
    """
    node = _query(" ".join(query))  # the words of an unquoted query (search sanctions -russia)
    hits = _run(app.reader.search_turns, node, _filters(filters), limit, offset, order)
    counted = _run(app.reader.count_turns, node, _filters(filters)) if fmt == "text" else None
    rows = [dict(h.to_dict()) for h in hits]
    emit(rows, fmt, _print_hit)
    if fmt == "text" and not rows:
        click.echo("no matches", err=True)
    if counted and counted[0]:
        click.echo(showing_line(offset, len(rows), limit, *counted), err=True)


def showing_line(offset: int, shown: int, limit: int, total: int, exact: bool) -> str:
    """ "showing 21-40 of 71 (--offset 40 for more)"; a count that stopped at its cap reads
    "10000+" (or the end of this page and a plus, when the page lies past the cap)."""
    end = offset + shown
    if not exact and shown < limit:  # this page reached the last match: the total is known
        total, exact = max(end, total), True
    label = f"{total}" if exact else f"{max(total, end)}+"
    more = f" (--offset {end} for more)" if (end < total or not exact) and shown else ""
    span = f"{shown}" if not offset else f"{offset + 1}-{end}" if shown else "none"
    return f"showing {span} of {label}{more}"


def who(speaker: str, named_as: str | None) -> str:
    """A speaker with the name the transcript called them by, as a hint beside the label:
    "QUESTION (Janne Pak, as called on)"."""
    return f"{speaker} ({named_as}, as called on)" if named_as else speaker


def _print_hit(r: Mapping[str, Any]) -> None:
    echo(f"{r['date'] or '-'}  {r['title']}")
    echo(f"  {who(r['speaker'], r.get('named_as'))} ({r['role']}): {r['snippet']}")
    echo(f"  {r['link']}")


@click.command("exchanges", cls=QueryCommand)
@click.argument("query", nargs=-1, required=True)
@filter_options
@click.option("--limit", type=click.IntRange(1, 1000), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(0, OFFSET_MAX), default=0, show_default=True)
@format_option("text", "json", "jsonl")
@click.pass_obj
def exchanges(app, query: tuple[str, ...], limit: int, offset: int, fmt: str, **filters) -> None:
    """Whole question-and-answer exchanges whose question or answer matches.

    Example: briefwatch exchanges '"nord stream"' --since 2021-06-01
    """
    node = _query(" ".join(query))
    found = _run(app.reader.search_exchanges, node, _filters(filters), limit, offset)
    out = []
    for briefing, ordinal in found:
        turns = [t for t in briefing.turns if t.exchange == ordinal]
        anchor = next((t.anchor for t in turns if t.anchor), None)
        out.append(
            {
                "date": briefing.date.isoformat() if briefing.date else None,
                "title": briefing.title,
                "url": briefing.url,
                "link": f"{briefing.url}#{anchor}" if anchor and briefing.url else briefing.url,
                "exchange": ordinal,
                "turns": [
                    {
                        "speaker": t.speaker,
                        "role": t.role,
                        "function": t.function,
                        "named_as": t.named_as,
                        "text": t.text,
                    }
                    for t in turns
                ],
            }
        )
    if fmt != "text":
        emit(out, fmt)
        return
    for x in out:
        echo(f"== {x['date'] or '-'}  {x['title']}  (exchange {x['exchange']})")
        echo(f"   {x['link']}")
        for t in x["turns"]:
            echo(f"\n{who(t['speaker'], t['named_as'])} ({t['role']}): {t['text']}")
        click.echo("")
    if not out:
        click.echo("no matches", err=True)


@click.command("trend", cls=QueryCommand)
@click.argument("terms", nargs=-1, required=True)
@click.option("--by", type=click.Choice(["month", "week"]), default="month", show_default=True)
@filter_options
@click.option(
    "--per-source",
    is_flag=True,
    help="One column per source, side by side (every source, or the one --source names).",
)
@click.option(
    "--per-briefing",
    is_flag=True,
    help="Divide each period's counts by the briefings it holds (under the same filters).",
)
@format_option("text", "json", "jsonl", "csv")
@click.option("--plot", type=click.Path(dir_okay=False), help="Also draw a chart to this PNG.")
@click.pass_obj
def trend(
    app,
    terms: tuple[str, ...],
    by: str,
    per_source: bool,
    per_briefing: bool,
    fmt: str,
    plot: str | None,
    **filters,
) -> None:
    """How often terms come up over time, in questions and in answers.

    Each TERM is a query of its own. Counts are turns: reporters' questions, and officials'
    answers within exchanges, that mention the term. Every period of the range is shown,
    0 where nothing matched. --per-source puts the podiums side by side.

    Example: briefwatch trend pakistan '"nord stream"' --by month --per-briefing
    """
    if plot:  # before any output: a table then an error would read as a half success
        plotting_ready()
    if per_source:
        return _trend_per_source(app, terms, by, fmt, plot, filters)
    dialect = app.reader.dialect
    series = {t: _run(app.reader.trend, _query(t), by, _filters(filters)) for t in terms}
    series = zero_filled(series, by, dialect, filters["since"], filters["until"])
    briefings = app.reader.briefings_by_period(by, _filters(filters)) if per_briefing else None
    if briefings is not None:
        series = per_briefing_series(series, briefings)
    rows = [
        {
            "term": term,
            "period": p,
            **({"briefings": briefings.get(p, 0)} if briefings is not None else {}),
            "questions": q,
            "answers": a,
        }
        for term, points in series.items()
        for p, q, a in points
    ]
    if fmt != "text":
        emit(rows, fmt)
    else:
        peak = max((r["questions"] + r["answers"] for r in rows), default=0) or 1
        number = "{:>6.2f}" if briefings is not None else "{:>4}"
        for r in rows:
            q = round(r["questions"] / peak * 40)
            a = round(r["answers"] / peak * 40)
            echo(
                f"{r['term'][:20]:<20} {r['period']}  Q {number.format(r['questions'])}  "
                f"A {number.format(r['answers'])}  {'▓' * q}{'░' * a}"
            )
        if rows:
            per = " per briefing" if briefings is not None else ""
            click.echo(f"▓ questions  ░ answers{per}", err=True)
        else:
            click.echo("no matches", err=True)
    if plot:
        figure = chart(series, by, dialect, per_briefing)
        figure.savefig(plot)
        click.echo(f"chart written to {plot}", err=True)


def _trend_per_source(app, terms, by: str, fmt: str, plot: str | None, filters) -> None:
    """``trend --per-source``: each term's counts with a pair of columns per source."""
    from scraper.sources import SOURCES

    slugs = [filters["source"]] if filters["source"] else list(SOURCES)
    # (term, source) -> points; zero-filled together, so every row has every period.
    series = {
        (t, slug): _run(app.reader.trend, _query(t), by, _filters({**filters, "source": slug}))
        for t in terms
        for slug in slugs
    }
    series = zero_filled(series, by, app.reader.dialect, filters["since"], filters["until"])
    rows = []
    for term in terms:
        columns = [series[(term, slug)] for slug in slugs]
        for i, (period, *_counts) in enumerate(columns[0]):
            row: dict = {"term": term, "period": period}
            for slug, points in zip(slugs, columns, strict=True):
                row[f"{slug}_questions"], row[f"{slug}_answers"] = points[i][1:]
            rows.append(row)
    if fmt != "text":
        emit(rows, fmt)
    else:
        peak = max((r[k] for r in rows for k in r if k.endswith("_questions")), default=0)
        peak = max([peak, *(r[k] for r in rows for k in r if k.endswith("_answers"))]) or 1
        width = 36
        echo((f"{'':<29} " + "  ".join(f"{s[:width]:<{width}}" for s in slugs)).rstrip())
        for r in rows:
            cells = []
            for slug in slugs:
                q, a = r[f"{slug}_questions"], r[f"{slug}_answers"]
                bar = "▓" * round(q / peak * 10) + "░" * round(a / peak * 10)
                cells.append(f"{f'Q {q:>4}  A {a:>4}  {bar}':<{width}}")
            echo(f"{r['term'][:20]:<20} {r['period']:<8} " + "  ".join(cells).rstrip())
        if rows:
            click.echo("▓ questions  ░ answers", err=True)
        else:
            click.echo("no matches", err=True)
    if plot:
        named = {f"{t} ({slug})": points for (t, slug), points in series.items()}
        chart(named, by, app.reader.dialect).savefig(plot)
        click.echo(f"chart written to {plot}", err=True)


def per_briefing_series(series: dict, briefings: dict[str, int]) -> dict:
    """Each period's counts divided by its briefings (0 where it has none), to 2 places."""
    return {
        term: [
            (p, *(round(n / briefings[p], 2) if briefings.get(p) else 0.0 for n in (q, a)))
            for p, q, a in points
        ]
        for term, points in series.items()
    }


def plotting_ready() -> None:
    """Load matplotlib (the plot extra), or stop with the line saying how to install it.
    Its own log lines (font cache, backends) stay out of briefwatch's output."""
    import logging

    logging.getLogger("matplotlib").setLevel(logging.ERROR)
    require_extra("--plot", "plot", "matplotlib")


def chart(series: dict, by: str, dialect: str, per_briefing: bool = False):
    """A matplotlib figure of the series on a time axis: per term, questions (solid) and
    answers (dashed) apart."""
    plotting_ready()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 4.5))
    for term, points in series.items():
        # dates (matplotlib's unit converters read them; its stubs type only numbers)
        days: list[Any] = [_period_start(p, by, dialect) for p, _, _ in points]
        (line,) = ax.plot(
            days, [q for _, q, _ in points], marker="o", ms=3, label=f"{term}: questions"
        )
        ax.plot(
            days,
            [a for _, _, a in points],
            marker="o",
            ms=3,
            ls="--",
            color=line.get_color(),
            label=f"{term}: answers",
        )
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    ax.set_title(f"Mentions by {by}{' per briefing' if per_briefing else ''}: " + ", ".join(series))
    ax.set_ylabel("turns per briefing" if per_briefing else "turns mentioning")
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def _period(day: dt.date, by: str, dialect: str) -> str:
    """``day``'s period, labelled as the backend labels it (see storage.search.trend)."""
    if by == "month":
        return day.strftime("%Y-%m")
    if dialect == "postgresql":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return day.strftime("%Y-W%W")


def _period_start(label: str, by: str, dialect: str) -> dt.date:
    if by == "month":
        return dt.date.fromisoformat(label + "-01")
    year, week = label.split("-W")
    if dialect == "postgresql":
        return dt.date.fromisocalendar(int(year), int(week), 1)
    return dt.datetime.strptime(f"{year}-W{week}-1", "%Y-W%W-%w").date()


def zero_filled(series: dict, by: str, dialect: str, since, until) -> dict:
    """Every period from the first to the last (or --since to --until), 0 where none."""
    labels = [p for points in series.values() for p, _, _ in points]
    if not labels and not (since and until):
        return series
    first = since or _period_start(min(labels), by, dialect)
    last = until or _period_start(max(labels), by, dialect) + dt.timedelta(days=6)
    periods: list[str] = []
    day: dt.date | None = first
    while day is not None and day <= last:
        label = _period(day, by, dialect)
        if not periods or periods[-1] != label:
            periods.append(label)
        day = _next_label_change(day, by)
    out = {}
    for term, points in series.items():
        found = {p: (q, a) for p, q, a in points}
        out[term] = [(p, *found.get(p, (0, 0))) for p in periods]
    return out


def _next_label_change(day: dt.date, by: str) -> dt.date | None:
    """The first day after ``day`` whose period label may differ (None past 9999-12-31): the
    1st of the next month; for weeks the next Monday, or the 1st of January if sooner
    (SQLite's ``%Y-W%W`` changes there too)."""
    new_year = dt.date(day.year + 1, 1, 1) if day.year < dt.MAXYEAR else None
    if by == "month":
        return dt.date(day.year, day.month + 1, 1) if day.month < 12 else new_year
    if day > dt.date.max - dt.timedelta(days=7):
        return new_year
    monday = day + dt.timedelta(days=7 - day.weekday())
    return min(monday, new_year) if new_year else monday
