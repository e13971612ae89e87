"""Flagging cost, measured in one run on every fixture transcript.

(a) the automaton: 1, 100 and 1,000 watch terms of which only "Afghanistan" occurs in the
    transcripts (the rest are made-up words), so the matches found are the same and only the
    number of terms grows; target: 1,000 terms cost at most 3x one term.
(b) realistic lists: 1, 100 and 1,000 real words of the transcripts, where every term finds
    matches; the work then grows with the matches found, so per-match cost is printed too.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

from scraper.parsing import parse_transcript
from scraper.watch.config import WatchConfig
from scraper.watch.matcher import Matcher

BODIES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "state_department"


def _vocabulary(briefings, count: int) -> list[str]:
    """Real words of the transcripts, the moderately common ones (every term can match)."""
    words = Counter(
        w for b in briefings for t in b.turns for w in re.findall(r"[A-Za-z]{5,}", t.text)
    )
    return [w for w, _ in words.most_common()][200 : 200 + count]


def _made_up(count: int) -> list[str]:
    """Words no transcript contains: "qzvaab", "qzvaac", ..."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    return [
        f"qzv{letters[i // 676 % 26]}{letters[i // 26 % 26]}{letters[i % 26]}" for i in range(count)
    ]


def _time(matcher: Matcher, briefings, rounds: int) -> tuple[float, int]:
    best, matches = float("inf"), 0
    for _ in range(rounds):
        start = time.perf_counter()
        hits = [h for b in briefings for h in matcher.hits(b)]
        best = min(best, time.perf_counter() - start)
        matches = sum(len(h.matches) for h in hits)
    return best / len(briefings) * 1000, matches


def run(rounds: int = 3) -> dict[str, float]:
    paths = sorted((BODIES / "transcripts").glob("*.html"))
    briefings = [parse_transcript(p.read_text(encoding="utf-8")) for p in paths]
    figures: dict[str, float] = {}
    for n in (1, 100, 1000):
        terms = ("Afghanistan", *_made_up(n - 1))
        ms, matches = _time(Matcher([WatchConfig(name="w", terms=terms)]), briefings, rounds)
        figures[f"automaton_ms_{n}"] = ms
        print(f"flag (a) {n:>4} terms, 1 occurring: {ms:.2f} ms per transcript, {matches} matches")
    ratio = figures["automaton_ms_1000"] / figures["automaton_ms_1"]
    figures["automaton_ratio_1000_to_1"] = ratio
    print(f"flag (a) 1,000 terms cost {ratio:.2f}x 1 term (target <= 3x)")
    vocabulary = _vocabulary(briefings, 1000)
    for n in (1, 100, 1000):
        watches = [
            WatchConfig(name=f"w{i}", terms=tuple(vocabulary[:n][i::10])) for i in range(min(10, n))
        ]
        ms, matches = _time(Matcher(watches), briefings, rounds)
        figures[f"real_ms_{n}"] = ms
        per_match = ms * len(briefings) * 1000 / max(matches, 1)
        print(
            f"flag (b) {n:>4} real words in {len(watches)} watches: {ms:.2f} ms per transcript, "
            f"{matches} matches ({per_match:.1f} µs per match)"
        )
    return figures


if __name__ == "__main__":
    run()
