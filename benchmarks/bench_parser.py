"""Parser speed: our full parse against building a BeautifulSoup tree and a bare lxml tree,
on the same real bodies, measured in one run (ratios, not absolute targets)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import lxml.html
from bs4 import BeautifulSoup

from scraper.parsing import parse_transcript

BODIES = (
    Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "state_department" / "transcripts"
)


def _best_of(rounds: int, work: Callable[[], None]) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def _per_source(rounds: int) -> None:
    """Each source's own rate, over all its fixture bodies (listing pages aside)."""
    from scraper.sources import SOURCES

    for slug in SOURCES:
        folder = BODIES.parents[1] / slug
        paths = [p for p in sorted(folder.rglob("*.html")) if "listing" not in p.parts]
        found = [p.read_text(encoding="utf-8") for p in paths]
        took = _best_of(rounds, lambda s=slug, f=found: [parse_transcript(b, source=s) for b in f])
        print(f"parser [{slug}]: {len(found)} bodies, {len(found) / took:.0f} transcripts/s")


def run(rounds: int = 5) -> dict[str, float]:
    bodies = [p.read_text(encoding="utf-8") for p in sorted(BODIES.glob("*.html"))]
    ours = _best_of(rounds, lambda: [parse_transcript(b) for b in bodies])
    soup = _best_of(rounds, lambda: [BeautifulSoup(b, "lxml") for b in bodies])
    bare = _best_of(rounds, lambda: [lxml.html.document_fromstring(b) for b in bodies])
    _per_source(rounds)
    figures = {
        "bodies": len(bodies),
        "megabytes": sum(map(len, bodies)) / 1e6,
        "transcripts_per_second": len(bodies) / ours,
        "ours_vs_bs4_tree": ours / soup,
        "ours_vs_lxml_tree": ours / bare,
        "bs4_tree_vs_lxml_tree": soup / bare,
    }
    print(
        f"parser: {figures['bodies']} bodies ({figures['megabytes']:.1f} MB), best of {rounds}: "
        f"{figures['transcripts_per_second']:.0f} transcripts/s; full parse = "
        f"{figures['ours_vs_bs4_tree']:.2f}x a BeautifulSoup(lxml) tree build "
        f"(target <= 1.5x), {figures['ours_vs_lxml_tree']:.2f}x a bare lxml tree; "
        f"BeautifulSoup tree = {figures['bs4_tree_vs_lxml_tree']:.1f}x lxml"
    )
    return figures


if __name__ == "__main__":
    run()
