"""``briefwatch search``, ``exchanges`` and ``trend``: questions to the stored archive."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from typing import Any

import click

from scraper.cli.context import OFFSET_MAX, RuntimeFailure, UsageFailure, first_line
from scraper.cli.dates import date_option
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
    from scraper.storage import StorageError

    try:
        return func(*args)
    except QuerySyntaxError as exc:  # a query the backend cannot run (see to_fts5)
        raise UsageFailure(f"bad query: {exc}") from None
    except StorageError as exc:
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
    hits = _run(app.storage.search_turns, node, _filters(filters), limit, offset, order)
    total = _run(app.storage.count_turns, node, _filters(filters)) if fmt == "text" else None
    rows = [dict(h.to_dict()) for h in hits]
    emit(rows, fmt, _print_hit)
    if fmt == "text" and not rows:
        click.echo("no matches", err=True)
    if total:
        end = offset + len(rows)
        shown = f"{len(rows)}" if not offset else f"{offset + 1}-{end}"
        more = f" (--offset {end} for more)" if end < total else ""
        click.echo(f"showing {shown} of {total}{more}", err=True)


def _print_hit(r: Mapping[str, Any]) -> None:
    echo(f"{r['date'] or '-'}  {r['title']}")
    echo(f"  {r['speaker']} ({r['role']}): {r['snippet']}")
    echo(f"  {r['url']}#turn-{r['turn']}")


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
    found = _run(app.storage.search_exchanges, node, _filters(filters), limit, offset)
    out = []
    for briefing, ordinal in found:
        turns = [t for t in briefing.turns if t.exchange == ordinal]
        out.append(
            {
                "date": briefing.date.isoformat() if briefing.date else None,
                "title": briefing.title,
                "url": briefing.url,
                "exchange": ordinal,
                "turns": [
                    {"speaker": t.speaker, "role": t.role, "function": t.function, "text": t.text}
                    for t in turns
                ],
            }
        )
    if fmt != "text":
        emit(out, fmt)
        return
    for x in out:
        echo(f"== {x['date'] or '-'}  {x['title']}  (exchange {x['exchange']})")
        echo(f"   {x['url']}")
        for t in x["turns"]:
            echo(f"\n{t['speaker']} ({t['role']}): {t['text']}")
        click.echo("")
    if not out:
        click.echo("no matches", err=True)


@click.command("trend", cls=QueryCommand)
@click.argument("terms", nargs=-1, required=True)
@click.option("--by", type=click.Choice(["month", "week"]), default="month", show_default=True)
@filter_options
@format_option("text", "json", "jsonl", "csv")
@click.option("--plot", type=click.Path(dir_okay=False), help="Also draw a chart to this PNG.")
@click.pass_obj
def trend(app, terms: tuple[str, ...], by: str, fmt: str, plot: str | None, **filters) -> None:
    """How often terms come up over time, in questions and in answers.

    Each TERM is a query of its own. Counts are turns: a reporter's question or an
    official's answer that mentions the term.

    Example: briefwatch trend pakistan '"nord stream"' --by month
    """
    series = {t: _run(app.storage.trend, _query(t), by, _filters(filters)) for t in terms}
    series = zero_filled(series, by, app.storage.dialect, filters["since"], filters["until"])
    rows = [
        {"term": term, "period": p, "questions": q, "answers": a}
        for term, points in series.items()
        for p, q, a in points
    ]
    if fmt != "text":
        emit(rows, fmt)
    else:
        peak = max((r["questions"] + r["answers"] for r in rows), default=0) or 1
        for r in rows:
            q = round(r["questions"] / peak * 40)
            a = round(r["answers"] / peak * 40)
            echo(
                f"{r['term'][:20]:<20} {r['period']}  Q {r['questions']:>4}  A {r['answers']:>4}  "
                f"{'▓' * q}{'░' * a}"
            )
        if rows:
            click.echo("▓ questions  ░ answers", err=True)
        else:
            click.echo("no matches", err=True)
    if plot:
        draw(series, by, plot)


def draw(series, by: str, path: str) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        raise RuntimeFailure("--plot needs matplotlib: pip install 'briefwatch[plot]'") from None
    fig, ax = plt.subplots(figsize=(10, 4))
    for term, points in series.items():
        ax.plot([p for p, _, _ in points], [q + a for _, q, a in points], marker="o", label=term)
    ax.set_xlabel(by)
    ax.set_ylabel("turns mentioning")
    ax.legend()
    fig.autofmt_xdate()
    fig.tight_layout()
    fig.savefig(path)
    click.echo(f"chart written to {path}", err=True)


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
    day = first
    while day <= last:
        label = _period(day, by, dialect)
        if not periods or periods[-1] != label:
            periods.append(label)
        day += dt.timedelta(days=1)
    out = {}
    for term, points in series.items():
        found = {p: (q, a) for p, q, a in points}
        out[term] = [(p, *found.get(p, (0, 0))) for p in periods]
    return out
