"""Atom feeds (rendered by :mod:`scraper.atom`): new briefings, a watch, any search."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from scraper.atom import AtomEntry, render_feed
from scraper.storage.browse import BriefingFilters
from scraper.web import params as P
from scraper.web.pages import _watch, watch_units
from scraper.web.render import highlight, spans

FEED_SIZE = 50
ATOM = "application/atom+xml; charset=utf-8"


def _day(date: dt.date | None) -> dt.datetime:
    day = date or dt.date(1970, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _atom(request: Request, **feed) -> Response:
    body = render_feed(self_link=str(request.url), **feed)
    return Response(body, media_type=ATOM)


def briefings_atom(request: Request) -> Response:
    """The newest stored briefings."""
    _total, items = request.app.state.archive.list_briefings(
        BriefingFilters(), FEED_SIZE, order="seen"
    )
    entries = [
        AtomEntry(
            id=f"urn:briefwatch:briefing:{b.id}",
            title=b.title,
            updated=b.first_seen,
            link=str(request.url_for("briefing", briefing_id=b.id)),
            summary=(
                f"{b.date or 'undated'} · {b.kind.replace('_', ' ')} · {b.turns} turns, "
                f"{b.exchanges} exchanges · {b.url}"
            ),
        )
        for b in items
    ]
    return _atom(
        request,
        feed_id="urn:briefwatch:briefings",
        title="briefwatch: new briefings",
        entries=entries,
        link=str(request.url_for("home")),
    )


def watch_atom(request: Request) -> Response:
    """One entry per alerted exchange (or lone turn) of a watch, newest briefing first; the
    matched words in ``<b>`` (feed readers drop ``<mark>``)."""
    w = _watch(request)
    archive = request.app.state.archive
    units = watch_units(archive, archive.watch_matches(w.name, 1000), FEED_SIZE)
    entries = []
    for u in units:
        b, first = u["b"], u["turns"][0][0].ordinal
        unit_id = f"x{u['exchange']}" if u["exchange"] is not None else f"t{first}"
        html = "".join(
            f"<p><strong>{highlight(t.speaker)}</strong> ({highlight(t.role)}): "
            f"{spans(t.text, ranges, 'b')}</p>"
            for t, ranges in u["turns"]
        )
        entries.append(
            AtomEntry(
                id=f"urn:briefwatch:watch:{quote(w.name, safe='')}:{u['id']}:{unit_id}",
                title=f"{w.name}: {b.title}",
                updated=_day(b.date),
                link=str(request.url_for("briefing", briefing_id=u["id"])) + f"#turn-{first}",
                summary=f"{b.date or 'undated'} · {b.title}",
                content_html=html,
            )
        )
    return _atom(
        request,
        feed_id=f"urn:briefwatch:watch:{quote(w.name, safe='')}",
        title=f"briefwatch watch: {w.name}",
        entries=entries,
        link=str(request.url_for("watch", name=w.name)),
    )


def search_atom(request: Request) -> Response:
    """The newest turns matching a query (with the search page's filters)."""
    params = request.query_params
    q = P.text(params, "q", P.MAX_QUERY)
    node, filters = P.query(q), P.filters(params)
    hits = request.app.state.archive.storage.search_turns(node, filters, FEED_SIZE, 0, "date")
    entries = [
        AtomEntry(
            id=f"urn:briefwatch:turn:{h.briefing_id}:{h.ordinal}",
            title=f"{h.speaker}: {h.title}",
            updated=_day(h.date),
            link=str(request.url_for("briefing", briefing_id=h.briefing_id)) + f"#turn-{h.ordinal}",
            summary=h.snippet,
            author=h.speaker,
        )
        for h in hits
    ]
    return _atom(
        request,
        feed_id=f"urn:briefwatch:search:{quote(q or '', safe='')}",
        title=f"briefwatch search: {q}",
        entries=entries,
        link=str(request.url_for("search")) + "?q=" + quote(q or ""),
    )


routes = [
    Route("/briefings.atom", briefings_atom, name="briefings_atom"),
    Route("/watch/{name}.atom", watch_atom, name="watch_atom"),
    Route("/search.atom", search_atom, name="search_atom"),
]
