"""Watch matching on real transcripts: exact expected matches, and the false positives a naive
substring search would make (counts checked against the transcripts with grep)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_parser_state_department import parse_fixture

from scraper.watch.config import WatchConfig
from scraper.watch.matcher import Matcher, normalize_term, snippet

AUG_2 = "transcripts/department-press-briefing-august-2-2021.p264901.html"
AUG_4 = "transcripts/department-press-briefing-august-4-2021.p266043.html"
AUG_5 = "transcripts/department-press-briefing-august-5-2021.p268298.html"
JUL_21 = "transcripts/department-press-briefing-july-21-2021.p261072.html"
JUL_20_22 = "transcripts/department-press-briefing-july-20-2022.p361464.html"


def W(**kwargs) -> WatchConfig:  # noqa: N802 - reads like the config table it stands for
    return WatchConfig(name=kwargs.pop("name", "w"), **kwargs)


CASES = [
    # (fixture, watch, expected hits (units), expected matches)
    # Aug 5: "Iran" 35 times (7 of them "Iran’s"), "Iranian" 9, "Iranians" 4. A substring
    # search for "Iran" would report 48.
    ("iran whole word", AUG_5, W(terms=("Iran",)), 10, 35),
    ("iran with forms", AUG_5, W(terms=("Iran",), forms=True), 11, 48),
    ("iran inside words", AUG_5, W(terms=("Iran",), whole_word=False), 11, 48),
    ("iranian only", AUG_5, W(terms=("Iranian",)), 4, 9),
    # Aug 2: "Pakistan" 6 times (one "Pakistan’s"), "Pakistani" 4.
    ("pakistan", AUG_2, W(terms=("Pakistan",)), 2, 6),
    ("pakistan forms", AUG_2, W(terms=("Pakistan",), forms=True), 3, 10),
    ("case-insensitive", AUG_2, W(terms=("PAKISTAN",)), 2, 6),
    # Aug 4: "sanctions" 7 times, 4 in reporters' questions and 3 in Ned Price's answers.
    ("sanctions", AUG_4, W(terms=("sanctions",)), 4, 7),
    ("said by reporter", AUG_4, W(terms=("sanctions",), said_by="reporter"), 4, 4),
    ("said by official", AUG_4, W(terms=("sanctions",), said_by="official"), 1, 3),
    ("speaker filter", AUG_4, W(terms=("sanctions",), speakers=("price",)), 1, 3),
    ("speaker nobody", AUG_4, W(terms=("sanctions",), speakers=("blinken",)), 0, 0),
    ("pakistan and sanctions never meet", AUG_4, W(all_of=("Pakistan", "sanctions")), 0, 0),
    ("none_of", AUG_4, W(terms=("sanctions",), none_of=("Pakistan",)), 4, 7),
    ("regex", AUG_4, W(regex=(r"\bsanction(s|ed|ing|able)?\b",)), 4, 9),
    # Jul 21: the Nord Stream exchange says "sanctions" in turn 15 and "Ukraine" in turn 19:
    # together in one exchange (12-21, the answer carried on after "Okay."), never in one turn.
    ("exchange scope", JUL_21, W(all_of=("Ukraine", "sanctions")), 1, 6),
    ("turn scope", JUL_21, W(all_of=("Ukraine", "sanctions"), scope="turn"), 0, 0),
    ("phrase", JUL_20_22, W(terms=("Russian Federation",)), 2, 2),
]


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
