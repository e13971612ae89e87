"""Watch matching on real transcripts: exact expected matches, and the false positives a naive
substring search would make (counts checked against the transcripts with grep)."""

from __future__ import annotations

import pytest
from helpers.state_department import parse_fixture
from helpers.watch_cases import AUG_2, AUG_4, AUG_5, CASES, JUL_20_22, JUL_21, W
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.watch.config import WatchConfig
from scraper.watch.matcher import Matcher, normalize_term, snippet


@pytest.mark.parametrize(
    ("fixture", "watch", "hits", "matches"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_watch_on_real_transcript(fixture, watch, hits, matches):
    found = Matcher([watch]).hits(parse_fixture(fixture))
    assert (len(found), sum(len(h.matches) for h in found)) == (hits, matches)


def test_exchange_hit_shows_the_whole_exchange():
    b = parse_fixture(JUL_21)
    (hit,) = Matcher([W(all_of=("Ukraine", "sanctions"))]).hits(b)
    # 13 (Price's "And --" while the question is still put) is procedural, in no exchange.
    assert (hit.unit, hit.exchange, hit.turns) == ("x6", 6, (12, 14, 15, 16, 17, 18, 19, 20, 21))
    assert [(m.turn, m.term) for m in hit.matches] == [
        (15, "sanctions"),
        (15, "sanctions"),
        (15, "sanctions"),
        (19, "Ukraine"),
        (21, "sanctions"),
        (21, "sanctions"),
    ]
    assert b.turns[11].role == "reporter"
    first = hit.matches[0]
    assert b.turns[14].text[first.start : first.end] == "sanctions"


def test_one_pass_for_many_watches_gives_what_each_gives_alone():
    watches = [W(name=c[0], **_fields(c[2])) for c in CASES if c[1] == AUG_4]
    b = parse_fixture(AUG_4)
    together = Matcher(watches).hits(b)
    for watch in watches:
        alone = Matcher([watch]).hits(b)
        assert [h for h in together if h.watch == watch.name] == alone


def _fields(watch: WatchConfig) -> dict:
    return {k: v for k, v in watch.__dict__.items() if k != "name"}


def test_curly_apostrophe_and_phrase_spacing():
    b = parse_fixture(AUG_5)
    hits = Matcher([W(terms=("Iran's",))]).hits(b)
    assert sum(len(h.matches) for h in hits) == 7  # written "Iran’s" in the transcript


def test_snippet_cuts_at_words():
    text = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu"
    start = text.index("theta")
    assert snippet(text, start, start + 5, context=12) == "…zeta eta theta iota kappa…"


# The automaton must find exactly what the trie-shaped regex (the definition) finds.
TERMS = ("Iran", "Iranian", "Pakistan", "sanction", "sanctions", "Russian Federation", "U.S.",
         "human rights", "Iran's", "rights", "an", "is", "secretary", "the Secretary", "_x")  # fmt: skip


def _regex_spans(matcher: Matcher, text: str):
    words = [m.span() for m in matcher.words.finditer(text)] if matcher.words else []
    parts = [m.span(1) for m in matcher.parts.finditer(text)] if matcher.parts else []
    return words, parts


def test_automaton_spans_equal_the_regex_spans_on_real_turns():
    matcher = Matcher([W(terms=TERMS, forms=True), W(name="p", terms=TERMS, whole_word=False)])
    texts = [
        t.text for f in (AUG_2, AUG_4, AUG_5, JUL_21, JUL_20_22) for t in parse_fixture(f).turns
    ]
    assert sum(len(matcher._spans(t)[0]) for t in texts) > 500
    for text in texts:
        assert matcher._spans(text) == _regex_spans(matcher, text), text


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.text(alphabet="ainrs' ’_", min_size=1, max_size=5), min_size=1, max_size=6),
    st.text(alphabet="ainrsIAN' ’_.\n", max_size=60),
)
def test_automaton_spans_equal_the_regex_spans_on_generated_text(terms, text):
    terms = [t for t in terms if normalize_term(t)]
    if not terms:
        return
    matcher = Matcher([W(terms=tuple(terms)), W(name="p", terms=tuple(terms), whole_word=False)])
    assert matcher._spans(text) == _regex_spans(matcher, text)


def test_a_thousand_terms_in_one_watch_find_what_each_finds_alone():
    b = parse_fixture(AUG_5)
    shifted = [w.translate(str.maketrans("abcdefghij", "bcdefghijk")) for w in ("china", "hamas")]
    alone = Matcher([W(terms=("Iran",))]).hits(b)
    many = Matcher([W(terms=("Iran", *shifted, *(f"zq{i}x" for i in range(998))))]).hits(b)
    assert many == alone and sum(len(h.matches) for h in many) == 35
