"""Parser speed: our full parse against building a BeautifulSoup tree and a bare lxml tree,
on the same real bodies, measured in one run (ratios, not absolute targets).

Targets: the full parse (segmentation, speakers, exchanges, metadata) at most 1.5x a
BeautifulSoup(lxml) tree build, and at most 25x the bare ``lxml.html`` tree (the physical floor
of this parse), so they guard against regressions. With bs4 4.15 and lxml 6.2 both baselines
got faster: the parse measured 1.9x and 32x before it was made a quarter faster (1.4-1.5x,
23.5x)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import lxml.html
from bs4 import BeautifulSoup

from benchmarks.targets import Check, Target
from scraper.parsing import parse_transcript

VS_BS4 = Target("parser", "full parse / BeautifulSoup(lxml) tree build", "<=", 1.5)
VS_LXML = Target("parser", "full parse / bare lxml.html tree", "<=", 25)

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


def run(quick: bool = False) -> list[Check]:
    rounds = 2 if quick else 5
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
        f"{ours:.2f} s; BeautifulSoup tree {soup:.2f} s; bare lxml tree {bare:.2f} s"
    )
    return [
        VS_BS4.check(figures["ours_vs_bs4_tree"], f"BeautifulSoup tree {soup:.2f} s"),
        VS_LXML.check(figures["ours_vs_lxml_tree"], f"bare lxml tree {bare:.3f} s"),
    ]


if __name__ == "__main__":
    run()
