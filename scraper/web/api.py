"""The JSON API, mirroring the CLI: briefings, one briefing, search, exchanges, trend.

Errors are ``{"error": "...", "status": N}`` with that HTTP status; a malformed query is a 400
whose message is the CLI's.
"""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from scraper.storage.browse import FACET_NAMES
from scraper.web import params as P
from scraper.web.pages import briefing_filters, trend_series


def _archive(request: Request):
    return request.app.state.archive


def _iso(value):
    return value.isoformat() if value else None


def briefings(request: Request) -> JSONResponse:
    params = request.query_params
    page, size, offset = P.paging(params, 25)
    total, items = _archive(request).list_briefings(briefing_filters(params), size, offset)
    return JSONResponse(
        {
            "total": total,
            "page": page,
            "limit": size,
            "items": [
                {
                    "id": b.id,
                    "date": _iso(b.date),
                    "title": b.title,
                    "kind": b.kind,
                    "source": b.source,
                    "url": b.url,
                    "turns": b.turns,
                    "exchanges": b.exchanges,
                    "first_seen": _iso(b.first_seen),
                }
                for b in items
            ],
        }
    )


def briefing(request: Request) -> JSONResponse:
    """The shape of ``briefwatch show --format json`` (source and publisher named), plus the
    revisions."""
    briefing_id = request.path_params["briefing_id"]
    archive = _archive(request)
    found = archive.storage.get_briefing(str(briefing_id))
    if found is None:
        raise HTTPException(404, f"no stored briefing {briefing_id}")
    info = archive.briefing_info(briefing_id)
    data = {"id": briefing_id, **found[1].to_dict()}
    data["source"] = info.source
    data["publisher"] = info.source_name
    data["revisions"] = [
        {"number": r.number, "first_seen": _iso(r.first_seen), "changes": r.changes}
        for r in info.revisions
    ]
    return JSONResponse(data)


def search(request: Request) -> JSONResponse:
    """The rows of ``briefwatch search --format json``, with a total and facets."""
    params = request.query_params
    node, filters = P.query(P.text(params, "q", P.MAX_QUERY)), P.filters(params)
    order = P.choice(params, "order", ("date", "rank")) or "date"
    page, size, offset = P.paging(params, 20)
    archive = _archive(request)
    facets = archive.search_facets(node, filters)
    hits = archive.storage.search_turns(node, filters, size, offset, order)
    return JSONResponse(
        {
            "query": params.get("q"),
            "total": facets.total,
            "total_exact": facets.exact,
            "page": page,
            "limit": size,
            "items": [h.to_dict() for h in hits],
            "facets": {
                name: [{"value": v, "count": n} for v, n in getattr(facets, name)]
                for name in FACET_NAMES
            },
            "facets_sample": facets.sample,
        }
    )


def exchanges(request: Request) -> JSONResponse:
    """The objects of ``briefwatch exchanges --format json``, with a total."""
    params = request.query_params
    node, filters = P.query(P.text(params, "q", P.MAX_QUERY)), P.filters(params)
    page, size, offset = P.paging(params, 10)
    archive = _archive(request)
    total, exact = archive.count_exchanges(node, filters)
    items = []
    for bid, b, x in archive.exchanges(node, filters, size, offset):
        anchor = next((t.anchor for t in b.turns if t.exchange == x and t.anchor), None)
        items.append(
            {
                "briefing_id": bid,
                "date": _iso(b.date),
                "title": b.title,
                "url": b.url,
                "link": f"{b.url}#{anchor}" if anchor and b.url else b.url,
                "exchange": x,
                "turns": [
                    {"turn": t.ordinal, "speaker": t.speaker, "role": t.role, "text": t.text}
                    for t in b.turns
                    if t.exchange == x
                ],
            }
        )
    return JSONResponse(
        {
            "query": params.get("q"),
            "total": total,
            "total_exact": exact,
            "page": page,
            "limit": size,
            "items": items,
        }
    )


def trend(request: Request) -> JSONResponse:
    """The rows of ``briefwatch trend --format csv``, zero-filled, per term."""
    queries, by, series = trend_series(request)
    if not queries:
        raise P.BadRequest("q: a query is required")
    return JSONResponse(
        {
            "by": by,
            "rows": [
                {"term": term, "period": p, "questions": q, "answers": a}
                for term, points in series.items()
                for p, q, a in points
            ],
        }
    )


routes = [
    Route("/api/briefings", briefings, name="api_briefings"),
    Route("/api/briefings/{briefing_id:int}", briefing, name="api_briefing"),
    Route("/api/search", search, name="api_search"),
    Route("/api/exchanges", exchanges, name="api_exchanges"),
    Route("/api/trend", trend, name="api_trend"),
]
