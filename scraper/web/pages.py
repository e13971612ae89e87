"""The HTML pages: briefings, a transcript, search, trends, speakers and watches."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from scraper.search.query import terms
from scraper.sources import KINDS
from scraper.storage.browse import BriefingFilters
from scraper.web import params as P
from scraper.web.chart import COLOURS, svg, zero_fill

MAX_BACKTEST_DAYS = 366  # a backtest reads every transcript of its range


def _page(request: Request, name: str, **context) -> Response:
    context.setdefault("params", request.query_params)
    context.setdefault("root", request.scope.get("root_path", ""))  # for links made per row
    return request.app.state.templates.TemplateResponse(request, name, context)


def _archive(request: Request):
    return request.app.state.archive


def briefing_filters(params) -> BriefingFilters:
    since, until = P.date(params, "since"), P.date(params, "until")
    return BriefingFilters(
        since=since,
        until=until,
        kind=P.choice(params, "kind", KINDS),
        source=P.text(params, "source"),
        speaker=P.text(params, "speaker"),
    )


def home(request: Request) -> Response:
    """Briefings, newest first, with filters and counts."""
    params = request.query_params
    filters = briefing_filters(params)
    page, size, offset = P.paging(params, 25)
    archive = _archive(request)
    total, items = archive.list_briefings(filters, size, offset)
    return _page(
        request,
        "home.html",
        items=items,
        total=total,
        page=page,
        size=size,
        counts=archive.briefing_counts(filters),
        sources=archive.sources(),
        kinds=KINDS,
    )


def load(request: Request, briefing_id: int):
    found = _archive(request).storage.get_briefing(str(briefing_id))
    if found is None:
        raise HTTPException(404, f"no stored briefing {briefing_id}")
    return found[1]


def blocks(briefing) -> list[dict]:
    """The turns in order, consecutive turns of one exchange grouped as question and answer."""
    exchanges = {e.ordinal: e for e in briefing.exchanges}
    out: list[dict] = []
    for turn in briefing.turns:
        exchange = exchanges.get(turn.exchange) if turn.exchange else None
        part = None
        if exchange:
            part = "question" if turn.ordinal in exchange.question_turns else "answer"
        if exchange and out and out[-1]["exchange"] is exchange:
            out[-1]["turns"].append((turn, part))
        else:
            out.append({"exchange": exchange, "turns": [(turn, part)]})
    return out


def topic_index(briefing) -> list[tuple[str, int | None]]:
    """(topic, first turn under it) in reading order, then listed topics no turn carries."""
    first: dict[str, int] = {}
    for turn in briefing.turns:
        if turn.topic and turn.topic not in first:
            first[turn.topic] = turn.ordinal
    listed = [(t, None) for t in briefing.topics if t not in first]
    return [*first.items(), *listed]


def transcript(request: Request) -> Response:
    briefing_id = request.path_params["briefing_id"]
    briefing = load(request, briefing_id)
    hl = P.text(request.query_params, "hl", P.MAX_QUERY)
    words: list[str] = []
    if hl:
        try:
            words = terms(P.query(hl, "hl"))
        except P.BadRequest:
            words = []
    return _page(
        request,
        "briefing.html",
        id=briefing_id,
        b=briefing,
        info=_archive(request).briefing_info(briefing_id),
        blocks=blocks(briefing),
        topics=topic_index(briefing),
        words=words,
    )


def revision(request: Request) -> Response:
    """Turn-level differences between a revision and the one before it."""
    from scraper.parsing import parse_transcript

    briefing_id, number = request.path_params["briefing_id"], request.path_params["number"]
    briefing = load(request, briefing_id)
    archive = _archive(request)
    new_body = archive.revision_body(briefing_id, number)
    old_body = archive.revision_body(briefing_id, number - 1) if number > 1 else None
    if new_body is None or (number > 1 and old_body is None):
        raise HTTPException(404, f"briefing {briefing_id} has no revision {number}")
    meta = {"title": briefing.title}
    new = parse_transcript(new_body, briefing.url, meta, briefing.source).turns
    old = parse_transcript(old_body, briefing.url, meta, briefing.source).turns if old_body else ()
    matcher = difflib.SequenceMatcher(
        a=[(t.speaker, t.text) for t in old], b=[(t.speaker, t.text) for t in new], autojunk=False
    )
    ops = []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            ops.append({"op": "equal", "count": a2 - a1, "old": [], "new": []})
        else:
            ops.append({"op": op, "old": list(old[a1:a2]), "new": list(new[b1:b2])})
    return _page(
        request,
        "revision.html",
        id=briefing_id,
        b=briefing,
        number=number,
        ops=ops,
        info=archive.briefing_info(briefing_id),
    )


def facet_links(facets, params) -> list[tuple[str, list[tuple[str, int, str]]]]:
    """(facet, [(value, count, link)]) for the search page's side bar."""
    from scraper.web.render import query_string

    out = []
    for name in ("kind", "role", "speaker", "topic", "year"):
        values = []
        for value, count in getattr(facets, name):
            if name == "year":
                link = query_string(
                    params, since=f"{value}-01-01", until=f"{value}-12-31", page=None
                )
            else:
                link = query_string(params, **{name: value, "page": None})
            values.append((value, count, link))
        out.append((name, values))
    return out


def search(request: Request) -> Response:
    """Turns (or whole exchanges) matching a query, with facets and pages."""
    params = request.query_params
    q = P.text(params, "q", P.MAX_QUERY)
    mode = P.choice(params, "mode", ("turns", "exchanges")) or "turns"
    order = P.choice(params, "order", ("date", "rank")) or "date"
    context: dict[str, Any] = {"q": q, "mode": mode, "order": order, "kinds": KINDS}
    if not q:
        return _page(request, "search.html", **context)
    node, filters = P.query(q), P.filters(params)
    page, size, offset = P.paging(params, 20)
    archive = _archive(request)
    facets = archive.search_facets(node, filters)
    context.update(
        page=page,
        size=size,
        words=terms(node),
        facets=facet_links(facets, params),
        sample=facets.sample,
        matching=facets.total,
        matching_exact=facets.exact,
    )
    if mode == "exchanges":
        found = archive.exchanges(node, filters, size, offset)
        total, exact = archive.count_exchanges(node, filters)
        context.update(
            total=total,
            exact=exact,
            exchanges=[(bid, b, x, [t for t in b.turns if t.exchange == x]) for bid, b, x in found],
        )
    else:
        hits = archive.storage.search_turns(node, filters, size, offset, order)
        context.update(total=facets.total, exact=facets.exact, hits=hits)
    return _page(request, "search.html", **context)


def trend_series(request: Request) -> tuple[list[str], str, dict]:
    params = request.query_params
    queries = [q.strip() for q in params.getlist("q") if q.strip()]
    if len(queries) > P.MAX_TERMS:
        raise P.BadRequest(f"q: at most {P.MAX_TERMS} terms")
    by = P.choice(params, "by", ("month", "week")) or "month"
    filters = P.filters(params)
    storage = _archive(request).storage
    series = {q: storage.trend(P.query(q), by, filters) for q in queries}
    return queries, by, zero_fill(series, by, iso=storage.dialect == "postgresql")


def trend(request: Request) -> Response:
    queries, by, series = trend_series(request)
    return _page(
        request,
        "trend.html",
        queries=queries,
        by=by,
        series=series,
        chart=svg(series),
        slots=[*queries, *[""] * (P.MAX_TERMS - len(queries))][: P.MAX_TERMS],
        colours=COLOURS,
    )


def trend_csv(request: Request) -> Response:
    queries, _by, series = trend_series(request)
    if not queries:
        raise P.BadRequest("q: a query is required")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["term", "period", "questions", "answers"])
    for term, points in series.items():
        writer.writerows([term, p, q, a] for p, q, a in points)
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="trend.csv"'},
    )


def speakers(request: Request) -> Response:
    """Everyone who spoke, most turns first (``name`` narrows by part of the name)."""
    params = request.query_params
    name = P.text(params, "name")
    page, size, offset = P.paging(params, 50)
    total, items = _archive(request).speakers(name, size, offset)
    return _page(request, "speakers.html", items=items, total=total, page=page, size=size)


def speaker(request: Request) -> Response:
    """One speaker (exact name): turns, exchanges asked and answered, active period."""
    name = P.text(request.query_params, "name")
    if not name:
        raise P.BadRequest("name: a speaker's name is required")
    profile = _archive(request).speaker(name)
    if profile is None:
        raise HTTPException(404, f"no turns by {name!r}")
    return _page(request, "speaker.html", s=profile)


def _watch(request: Request):
    name = request.path_params["name"]
    watch = next((w for w in request.app.state.watches if w.name == name), None)
    if watch is None:
        raise HTTPException(404, f"no watch named {name!r}")
    return watch


def watch_units(archive, matches, limit: int) -> list[dict]:
    """Stored matches grouped by exchange (or lone turn), each with its turns to show."""
    units: dict[tuple, dict] = {}
    loaded: dict[int, object] = {}
    for m in matches:
        key = (m.briefing_id, m.exchange if m.exchange is not None else f"t{m.turn}")
        if key not in units:
            if len(units) >= limit:
                continue
            if m.briefing_id not in loaded:
                loaded[m.briefing_id] = archive.storage.get_briefing(str(m.briefing_id))[1]
            units[key] = {
                "id": m.briefing_id,
                "b": loaded[m.briefing_id],
                "exchange": m.exchange,
                "ranges": {},
                "turns": (m.turn,),
            }
        units[key]["ranges"].setdefault(m.turn, []).append((m.start, m.end))
    for unit in units.values():
        b, x = unit["b"], unit["exchange"]
        shown = [
            t for t in b.turns if (t.exchange == x if x is not None else t.ordinal in unit["turns"])
        ]
        unit["turns"] = [(t, unit["ranges"].get(t.ordinal, [])) for t in shown]
    return list(units.values())


def watches(request: Request) -> Response:
    archive = _archive(request)
    counts = archive.watch_match_counts()
    items = []
    for w in request.app.state.watches:
        recent = watch_units(archive, archive.watch_matches(w.name, 50), 3)
        items.append((w, counts.get(w.name, 0), recent))
    return _page(request, "watches.html", items=items)


def watch(request: Request) -> Response:
    """One watch: its stored matches, and a backtest over a date range if one is given."""
    from scraper.watch.matcher import Matcher

    w = _watch(request)
    params = request.query_params
    since, until = P.date(params, "since"), P.date(params, "until")
    archive = _archive(request)
    units = watch_units(archive, archive.watch_matches(w.name, 500, since, until), 25)
    backtest = None
    if P.text(params, "backtest"):
        if not since:
            raise P.BadRequest("since: a backtest needs a start date")
        until = until or since + dt.timedelta(days=MAX_BACKTEST_DAYS)
        if (until - since).days > MAX_BACKTEST_DAYS:
            raise P.BadRequest(f"until: a backtest covers at most {MAX_BACKTEST_DAYS} days")
        matcher, backtest = Matcher([w]), []
        for bid, b in archive.storage.iter_briefings(since, until):
            for hit in matcher.hits(b):
                ranges: dict[int, list] = {}
                for m in hit.matches:
                    ranges.setdefault(m.turn, []).append((m.start, m.end))
                turns = [t for t in b.turns if t.ordinal in hit.turns]
                backtest.append(
                    {
                        "id": bid,
                        "b": b,
                        "exchange": hit.exchange,
                        "turns": [(t, ranges.get(t.ordinal, [])) for t in turns],
                    }
                )
            if len(backtest) >= 100:
                break
        backtest.reverse()
    return _page(request, "watch.html", w=w, units=units, backtest=backtest)


routes = [
    Route("/", home, name="home"),
    Route("/b/{briefing_id:int}", transcript, name="briefing"),
    Route("/b/{briefing_id:int}/revisions/{number:int}", revision, name="revision"),
    Route("/search", search, name="search"),
    Route("/trend", trend, name="trend"),
    Route("/trend.csv", trend_csv, name="trend_csv"),
    Route("/speakers", speakers, name="speakers"),
    Route("/speaker", speaker, name="speaker"),
    Route("/watches", watches, name="watches"),
    Route("/watches/{name}", watch, name="watch"),
]
