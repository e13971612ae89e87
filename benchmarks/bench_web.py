"""``briefwatch serve`` response times on the 1,000,000-turn archive of ``bench_search``.

The archive is built as in :mod:`benchmarks.bench_search`. The web application runs under
uvicorn on 127.0.0.1 and a keep-alive HTTP client fetches each page (home, a transcript,
searches with their facets, exchanges, a trend); the same questions asked of the storage
directly, in the same run, show what the web layer adds.
Targets: p95 at most 150 ms for every page, facets included; the transcript at most 50 ms.
``BRIEFWATCH_BENCH_DB`` names an archive file to reuse (built there when missing).
"""

from __future__ import annotations

import http.client
import os
import socket
import sqlite3
import statistics
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.archive import build
from benchmarks.targets import Check, Target
from scraper.search.query import parse
from scraper.storage import Filters, open_archive
from scraper.storage.browse import BriefingFilters

PAGE_P95 = Target("web", "page p95 (each page)", "<=", 150, "ms")
TRANSCRIPT_P95 = Target("web", "transcript page p95", "<=", 50, "ms")
TURNS = int(os.environ.get("BRIEFWATCH_BENCH_TURNS") or 1_000_000)
# Samples per page: the p95 of 15 was the second slowest, one stray pause from failing.
ROUNDS = int(os.environ.get("BRIEFWATCH_BENCH_ROUNDS", "40"))


def _direct(archive, briefing_id: int) -> dict:
    """The storage calls each page makes, by page name."""
    storage = archive.storage

    def search(text: str, filters: Filters | None = None):
        node, filters = parse(text), filters or Filters()
        return lambda: (
            archive.search_facets(node, filters),
            storage.search_turns(node, filters, 20, 0),
        )

    def exchanges(text: str):
        node = parse(text)
        return lambda: (
            archive.search_facets(node, Filters()),
            archive.exchanges(node, Filters(), 20, 0),
            archive.count_exchanges(node, Filters()),
        )

    return {
        "home": lambda: (
            archive.list_briefings(BriefingFilters(), 25, 0),
            archive.briefing_counts(BriefingFilters()),
            archive.sources(),
        ),
        "transcript": lambda: (
            storage.get_briefing(str(briefing_id)),
            archive.briefing_info(briefing_id),
        ),
        "search pakistan": search("pakistan"),
        'search "human rights"': search('"human rights"'),
        "search ukraine, speaker": search("ukraine", Filters(speaker="price")),
        "search secretary (common)": search("secretary"),
        "exchanges pakistan": exchanges("pakistan"),
        "trend 2 terms": lambda: [
            storage.trend(parse(t), "month", Filters()) for t in ("pakistan", '"nord stream"')
        ],
    }


def _paths(briefing_id: int) -> dict[str, str]:
    return {
        "home": "/",
        "transcript": f"/b/{briefing_id}",
        "search pakistan": "/search?q=pakistan",
        'search "human rights"': "/search?q=%22human+rights%22",
        "search ukraine, speaker": "/search?q=ukraine&speaker=price",
        "search secretary (common)": "/search?q=secretary",
        "exchanges pakistan": "/search?q=pakistan&mode=exchanges",
        "trend 2 terms": "/trend?q=pakistan&q=%22nord+stream%22",
    }


def _p(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * q + 0.5) - 1)] * 1000


def _serve(app) -> tuple[object, int]:
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    return server, port


def run(quick: bool = False, rounds: int = ROUNDS) -> list[Check]:
    from scraper.web import create_app

    rounds = min(rounds, 5) if quick else rounds

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(os.environ.get("BRIEFWATCH_BENCH_DB") or Path(tmp) / "web.db")
        if path.exists():
            print(f"web: reusing the archive {path}")
        else:
            seconds, _ = build(f"sqlite:///{path}", 20_000 if quick else TURNS)
            print(f"web: built {TURNS:,} turns in {seconds:.0f} s")
        archive = open_archive(f"sqlite:///{path}")
        with sqlite3.connect(path) as conn:
            middle = (conn.execute("SELECT max(id) FROM briefings").fetchone()[0] or 2) // 2
        server, port = _serve(create_app(archive))
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        direct = _direct(archive, middle)
        web: dict[str, list[float]] = {}
        store: dict[str, list[float]] = {}
        try:
            for name, path_ in _paths(middle).items():
                for attempt in range(rounds + 1):
                    start = time.perf_counter()
                    client.request("GET", path_)
                    response = client.getresponse()
                    body = response.read()
                    elapsed = time.perf_counter() - start
                    assert response.status == 200, (path_, response.status, body[:200])
                    if attempt:  # the first fetch warms the page cache
                        web.setdefault(name, []).append(elapsed)
                    start = time.perf_counter()
                    direct[name]()
                    if attempt:
                        store.setdefault(name, []).append(time.perf_counter() - start)
        finally:
            client.close()
            server.should_exit = True
            time.sleep(0.5)
            archive.close()
    checks: list[Check] = []
    for name in web:
        w50, w95 = statistics.median(web[name]) * 1000, _p(web[name], 0.95)
        s50, s95 = statistics.median(store[name]) * 1000, _p(store[name], 0.95)
        print(f"web: {name:<26} page p50 {w50:7.1f} p95 {w95:7.1f} ms")
        target = TRANSCRIPT_P95 if name == "transcript" else PAGE_P95
        checks.append(target.check(w95, f"{name}; storage p50 {s50:.1f} p95 {s95:.1f} ms"))
    return checks


if __name__ == "__main__":
    run()
