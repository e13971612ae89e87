"""Flagging cost, measured in one run on every fixture transcript.

(a) the automaton: 1, 100 and 1,000 watch terms of which only "Afghanistan" occurs; the others
    are the transcripts' own words shifted one letter along the alphabet ("pakistan" becomes
    "qbljtubo"), so they are spread over the alphabet like real terms but never occur, the
    matches stay the same and only the number of terms grows. Targets: 1,000 terms cost at
    most 3x one term; and at most 2x the same-run baseline, a ``pyahocorasick`` automaton of
    the same 1,000 terms run over the same (lowercased) turn texts.
(b) realistic lists: 1, 100 and 1,000 real words of the transcripts in 10 watches, where every
    term finds matches; the work then grows with the matches, so per-match cost is printed.
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter

import ahocorasick

from benchmarks.archive import real_briefings
from benchmarks.targets import Check, Target
from scraper.watch.config import WatchConfig
from scraper.watch.matcher import Matcher

GROWTH = Target("flag", "1,000 absent terms + 1 / 1 term", "<=", 3)
VS_AHO = Target("flag", "1,000 terms / pyahocorasick with the same terms", "<=", 2)


def _words(briefings) -> Counter:
    return Counter(
        w for b in briefings for t in b.turns for w in re.findall(r"[A-Za-z]{5,}", t.text)
    )


def _vocabulary(words: Counter, count: int) -> list[str]:
    """Real words of the transcripts, the moderately common ones (every term can match)."""
    return [w for w, _ in words.most_common()][200 : 200 + count]


def _absent(words: Counter, count: int) -> list[str]:
    """The transcripts' words shifted one letter along ("pakistan" -> "qbljtubo"), keeping
    only those that occur nowhere in the transcripts."""
    shift = str.maketrans(
        "abcdefghijklmnopqrstuvwxyz", "bcdefghijklmnopqrstuvwxyza"
    )  # fmt: skip
    known = {w.lower() for w in words}
    out: list[str] = []
    for word, _ in words.most_common():
        shifted = word.lower().translate(shift)
        if shifted not in known and shifted not in out:
            out.append(shifted)
        if len(out) == count:
            return out
    raise ValueError("not enough words")


def _time(work, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best


def run(quick: bool = False) -> list[Check]:
    rounds = 2 if quick else 5
    briefings = real_briefings()
    texts = [t.text for b in briefings for t in b.turns]
    megabytes = sum(map(len, texts)) / 1e6
    words = _words(briefings)
    absent = _absent(words, 999)
    seconds: dict[int, float] = {}
    for n in (1, 100, 1000):
        matcher = Matcher([WatchConfig(name="w", terms=("Afghanistan", *absent[: n - 1]))])
        seconds[n] = _time(lambda m=matcher: [m.hits(b) for b in briefings], rounds)
        matches = sum(len(h.matches) for b in briefings for h in matcher.hits(b))
        print(
            f"flag (a) {n:>4} terms, 1 occurring: {seconds[n] / len(briefings) * 1000:.2f} ms "
            f"per transcript ({megabytes / seconds[n]:.1f} MB/s), {matches} matches"
        )
    automaton = ahocorasick.Automaton()
    for term in ("afghanistan", *absent):
        automaton.add_word(term, term)
    automaton.make_automaton()
    aho = _time(lambda: [list(automaton.iter(t.lower())) for t in texts], rounds)
    print(f"flag (a) pyahocorasick, 1,000 terms: {megabytes / aho:.1f} MB/s")
    vocabulary = _vocabulary(words, 1000)
    for n in (1, 100, 1000):
        watches = [
            WatchConfig(name=f"w{i}", terms=tuple(vocabulary[:n][i::10])) for i in range(min(10, n))
        ]
        matcher = Matcher(watches)
        took = _time(lambda m=matcher: [m.hits(b) for b in briefings], rounds)
        matches = sum(len(h.matches) for b in briefings for h in matcher.hits(b))
        print(
            f"flag (b) {n:>4} real words in {len(watches)} watches: "
            f"{took / len(briefings) * 1000:.2f} ms per transcript, {matches} matches "
            f"({took * 1e6 / max(matches, 1):.1f} µs per match)"
        )
    return [
        GROWTH.check(
            seconds[1000] / seconds[1],
            f"1 term {megabytes / seconds[1]:.1f} MB/s, 1,000 terms "
            f"{megabytes / seconds[1000]:.1f} MB/s",
        ),
        VS_AHO.check(
            seconds[1000] / aho,
            f"pyahocorasick {megabytes / aho:.1f} MB/s, ours {megabytes / seconds[1000]:.1f} MB/s",
        ),
    ]


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
