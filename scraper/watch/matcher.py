"""Matching watches against a transcript: one pass over each turn for all watch terms.

Every literal term of every watch goes into one Aho-Corasick automaton (``pyahocorasick``), so
the cost of a pass grows with the text, not with the number of terms. The automaton reports
every occurrence in the lowercased text; the word boundaries, endings (``forms``) and the
leftmost-longest choice between overlapping terms are then applied exactly as the equivalent
trie-shaped regular expression (kept as the definition, and used for the rare text the
automaton cannot take: one whose lowercase has another length, or odd spacing inside a phrase).
Pure: a :class:`Briefing` in, hits out.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence

import ahocorasick

from scraper.model import Briefing, Hit, Match, Turn
from scraper.watch.config import WatchConfig

# Endings accepted with forms = true: plurals, possessives, demonyms ("Pakistani", "Iranian").
SUFFIXES = ("'s", "s", "es", "i", "is", "an", "ans", "ian", "ians", "ese", "n", "ns", "ed", "ing")
_SUFFIX_RE = "(?:['’]s|ians|ian|ans|an|ese|es|is|ing|ed|ns|n|s|i)?"
# The same endings in the order the regex tries them (the empty ending last).
_SUFFIX_ORDER: tuple[str, ...]
_SUFFIX_ORDER = ("'s", "ians", "ian", "ans", "an", "ese", "es", "is", "ing", "ed", "ns", "n", "s")
_SUFFIX_ORDER += ("i", "")
# The endings a word may end with, by its last character, shortest first ("" always first).
_NO_ENDING = ("",)
_CUTS = {
    last: ("", *sorted((s for s in SUFFIXES if s.endswith(last)), key=len))
    for last in {s[-1] for s in SUFFIXES}
}
# Whitespace other than a single plain space: a phrase's "\s+" needs the regex for it.
_ODD_SPACE = re.compile(r"[^\S ]| {2}")
SNIPPET_CONTEXT = 60


def normalize_term(text: str) -> str:
    return " ".join(text.replace("’", "'").lower().split())


def _trie_regex(words: Iterable[str]) -> str:
    """A regex matching exactly ``words``, shaped like a trie (shared prefixes once)."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict) -> str:
        ends = "" in node
        branches = [_char(c) + emit(child) for c, child in sorted(node.items()) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            body = f"(?:{body})?"
        return body

    return emit(trie)


def _char(c: str) -> str:
    if c == " ":
        return r"\s+"
    if c == "'":
        return "['’]"
    return re.escape(c)


class Matcher:
    """All watches compiled once; :meth:`hits` runs them over one briefing."""

    def __init__(self, watches: Sequence[WatchConfig]) -> None:
        self.watches = list(watches)
        # normalized term -> [(watch index, category, term as configured, forms)]
        self.table: dict[str, list[tuple[int, str, str, bool]]] = defaultdict(list)
        substrings: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        for index, watch in enumerate(self.watches):
            for category in ("terms", "any_of", "all_of", "none_of"):
                for term in getattr(watch, category):
                    key = normalize_term(term)
                    if watch.whole_word:
                        self.table[key].append((index, category, term, watch.forms))
                    else:
                        substrings[key].append((index, category, term))
        self.substrings = substrings
        self._words = _automaton(self.table)
        self._parts = _automaton(substrings)
        self._phrases = any(" " in key for key in (*self.table, *substrings))
        self.regexes = [
            (index, pattern, re.compile(pattern, re.I))
            for index, watch in enumerate(self.watches)
            for pattern in watch.regex
        ]

    @functools.cached_property
    def words(self) -> re.Pattern | None:
        """The whole-word terms as one regex: the definition of a match (and the fallback)."""
        if not self.table:
            return None
        return re.compile(rf"(?<!\w)({_trie_regex(self.table)}){_SUFFIX_RE}(?!\w)", re.I)

    @functools.cached_property
    def parts(self) -> re.Pattern | None:
        return re.compile(f"({_trie_regex(self.substrings)})", re.I) if self.substrings else None

    def _spans(self, text: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """(start, end) of the whole-word matches and of the substring matches in ``text``,
        the same spans as ``self.words.finditer`` and ``self.parts.finditer`` give."""
        low = text.lower()
        if len(low) == len(text) and "’" in low:
            low = low.replace("’", "'")
        if len(low) != len(text) or (self._phrases and _ODD_SPACE.search(text)):
            words = [m.span() for m in self.words.finditer(text)] if self.words else []
            parts = [m.span(1) for m in self.parts.finditer(text)] if self.parts else []
            return words, parts
        return _leftmost_longest(self._words, low, True), _leftmost_longest(self._parts, low, False)

    def _scan(self, text: str) -> list[tuple[int, str, str, int, int]]:
        """(watch index, category, term, start, end) for every term occurrence in ``text``."""
        found = []
        word_spans, part_spans = self._spans(text) if (self.table or self.substrings) else ([], [])
        for start, end in word_spans:
            word = normalize_term(text[start:end])
            # Shortest ending first, as cutting from the end does; only those it ends with.
            for suffix in _CUTS.get(word[-1:], _NO_ENDING):
                if len(suffix) >= len(word) or not word.endswith(suffix):
                    continue
                base = word[: len(word) - len(suffix)]
                for index, category, term, forms in self.table.get(base, ()):
                    # The apostrophe is a word boundary: "Iran's" holds the word "Iran".
                    if not suffix or forms or suffix == "'s":
                        found.append((index, category, term, start, end))
        for start, end in part_spans:
            for index, category, term in self.substrings.get(normalize_term(text[start:end]), ()):
                found.append((index, category, term, start, end))
        for index, pattern, compiled in self.regexes:
            for m in compiled.finditer(text):
                if m.end() > m.start():
                    found.append((index, "regex", pattern, m.start(), m.end()))
        return found

    def hits(self, briefing: Briefing) -> list[Hit]:
        """Every (watch, unit) that fires, with the matches that made it fire; a watch
        limited to some ``sources`` looks only at their briefings."""
        watching = [w.watches(briefing.source) for w in self.watches]
        if not any(watching) or not briefing.turns:
            return []
        # (watch index, turn ordinal) -> occurrences, from one scan of each turn
        scanned: dict[tuple[int, int], list] = defaultdict(list)
        for t in briefing.turns:
            for found in self._scan(t.text):
                scanned[(found[0], t.ordinal)].append(found)
        out: list[Hit] = []
        for index, watch in enumerate(self.watches):
            if not watching[index] or not any(key[0] == index for key in scanned):
                continue
            eligible = [t for t in briefing.turns if _said_by(watch, t)]
            for unit_turns in _units(watch, eligible):
                matches = _evaluate(index, watch, unit_turns, scanned)
                if matches:
                    out.append(_hit(watch, unit_turns, matches, briefing))
        return _merge_by_exchange(out)


def _automaton(keys: Iterable[str]):
    """An Aho-Corasick automaton of ``keys`` (each its own value), or None if there are none."""
    automaton = ahocorasick.Automaton()
    for key in keys:
        if key:
            automaton.add_word(key, len(key))
    if not len(automaton):
        return None
    automaton.make_automaton()
    return automaton


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _leftmost_longest(automaton, low: str, whole_word: bool) -> list[tuple[int, int]]:
    """The spans ``re.finditer`` gives for the trie regex of the automaton's keys over the
    lowercased ``low``: leftmost first, then the longest key, then (whole words) the first
    ending in ``_SUFFIX_ORDER`` followed by a word boundary; matches never overlap."""
    if automaton is None:
        return []
    found = []
    for last, length in automaton.iter(low):
        start = last - length + 1
        if whole_word and start and (low[start - 1].isalnum() or low[start - 1] == "_"):
            continue
        found.append((start, -length))
    found.sort()  # leftmost first, then longest first
    spans: list[tuple[int, int]] = []
    done = 0
    for start, negative in found:
        if start < done:
            continue
        end = _ending(low, start - negative) if whole_word else start - negative
        if end is not None:
            spans.append((start, end))
            done = end
    return spans


_ENDINGS: dict[str, tuple[str, ...]] = {}
for _suffix in _SUFFIX_ORDER[:-1]:
    _ENDINGS[_suffix[0]] = (*_ENDINGS.get(_suffix[0], ()), _suffix)


def _ending(low: str, stop: int) -> int | None:
    """Where a whole word ending at ``stop`` ends with its first fitting ending (tried in
    ``_SUFFIX_ORDER``, the empty one last), or None if none is followed by a word boundary."""
    if stop == len(low):
        return stop
    for suffix in _ENDINGS.get(low[stop], ()):
        if low.startswith(suffix, stop):
            end = stop + len(suffix)
            if end == len(low) or not _is_word(low[end]):
                return end
    return None if _is_word(low[stop]) else stop


def _said_by(watch: WatchConfig, turn: Turn) -> bool:
    if watch.said_by != "any" and turn.role != watch.said_by:
        return False
    if watch.speakers:
        speaker = turn.speaker.lower()
        return any(s.lower() in speaker for s in watch.speakers)
    return True


def _units(watch: WatchConfig, turns: list[Turn]) -> list[list[Turn]]:
    if watch.scope == "turn":
        return [[t] for t in turns]
    units: dict[str, list[Turn]] = {}
    for t in turns:
        units.setdefault(f"x{t.exchange}" if t.exchange else f"t{t.ordinal}", []).append(t)
    return list(units.values())


def _evaluate(index, watch, turns, scanned) -> list[tuple[Turn, str, str, int, int]]:
    found = [
        (t, category, term, start, end)
        for t in turns
        for (_i, category, term, start, end) in scanned.get((index, t.ordinal), ())
    ]
    if not found:
        return []
    seen = {(category, normalize_term(term)) for _, category, term, _, _ in found}
    if any(category == "none_of" for category, _ in seen):
        return []
    if any(("all_of", normalize_term(term)) not in seen for term in watch.all_of):
        return []
    primary = {"terms", "any_of", "regex"}
    if (watch.terms or watch.any_of or watch.regex) and not any(c in primary for c, _ in seen):
        return []
    return [f for f in found if f[1] != "none_of"]


def _hit(watch: WatchConfig, turns: list[Turn], found, briefing: Briefing) -> Hit:
    exchange = turns[0].exchange if all(t.exchange == turns[0].exchange for t in turns) else None
    unit = f"x{exchange}" if exchange else f"t{turns[0].ordinal}"
    shown = (
        next(e for e in briefing.exchanges if e.ordinal == exchange).turn_ordinals
        if exchange
        else tuple(t.ordinal for t in turns)
    )
    matches = tuple(
        Match(watch.name, t.ordinal, t.exchange, start, end, term, snippet(t.text, start, end))
        for t, _category, term, start, end in sorted(found, key=lambda f: (f[0].ordinal, f[3]))
    )
    return Hit(watch.name, unit, exchange, shown, matches)


def _merge_by_exchange(hits: list[Hit]) -> list[Hit]:
    """One hit per (watch, exchange): turn-scope hits in one exchange become one alert."""
    merged: dict[tuple[str, str], Hit] = {}
    for hit in hits:
        key = (hit.watch, hit.unit)
        if key in merged:
            old = merged[key]
            hit = Hit(hit.watch, hit.unit, hit.exchange, old.turns, old.matches + hit.matches)
        merged[key] = hit
    return list(merged.values())


def snippet(text: str, start: int, end: int, context: int = SNIPPET_CONTEXT) -> str:
    """The matched words with some context either side, cut at word boundaries."""
    left = max(0, start - context)
    right = min(len(text), end + context)
    if left > 0:
        left = text.find(" ", left, start) + 1 or left
    if right < len(text):
        cut = text.rfind(" ", end, right)
        right = cut if cut > 0 else right
    return ("…" if left > 0 else "") + text[left:right].strip() + ("…" if right < len(text) else "")


# Characters a term may hold and still be found through the full-text index (the indexes
# split words elsewhere in ways of their own: "U.S.", "al-Qaida").
_INDEXABLE = re.compile(r"(?:[^\W_]|\s|['’])+")


def index_query(watch: WatchConfig):
    """A full-text query (:mod:`scraper.search.query` nodes) finding every turn in which
    ``watch`` can match, or more; None when the index cannot narrow it (regexes, matches
    inside words, terms with other punctuation). Each term is asked for as written (the
    index stems it: "sanctioned" finds "sanctions") and as a prefix (for the endings
    ``forms`` accepts: "Iran" finds "Iranians"); a unit's terms may be in different turns,
    so the query is their OR."""
    from scraper.search.query import Or, Term

    if watch.regex or not watch.whole_word:
        return None
    wanted = (*watch.terms, *watch.any_of) or watch.all_of
    nodes = []
    for term in wanted:
        words = tuple(re.findall(r"[^\W_]+", normalize_term(term)))
        if not words or not _INDEXABLE.fullmatch(term):
            return None
        nodes += [Term(words), Term(words, prefix=True)]
    return Or(tuple(nodes)) if nodes else None
