"""The parser never raises and never claims more than 100% coverage, whatever it is fed."""

from __future__ import annotations

import contextlib

from helpers.state_department import read_body
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.parsing import parse_transcript
from scraper.parsing.feed import FeedError, parse_feed

BODY = read_body("transcripts/department-press-briefing-july-12-2021.p258592.html")
TAGS = ["p", "strong", "b", "span", "a", "div", "em", "li", "ol", "section", "br", "script"]

fragments = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        ["QUESTION:", "MR PRICE:", "Mr. Price:", ":", "&nbsp;", "&#8212;", "(Laughter.)"]
    ),
    st.builds(lambda t: f"<{t}>", st.sampled_from(TAGS)),
    st.builds(lambda t: f"</{t}>", st.sampled_from(TAGS)),
    st.builds(lambda i: f'<a id="post-1-{i}"></a>', st.text("ABCXYZ", min_size=1, max_size=5)),
)


def check(document: str) -> None:
    b = parse_transcript(document)
    assert 0.0 <= b.coverage <= 1.0 + 1e-9
    assert all(t.ordinal == i for i, t in enumerate(b.turns, start=1))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(fragments, max_size=60).map("".join))
def test_random_markup(document):
    check(document)


@settings(max_examples=100, deadline=None)
@given(st.integers(0, len(BODY)), st.integers(0, 2000), st.text(max_size=20))
def test_mangled_real_body(cut, length, junk):
    check(BODY[:cut] + junk + BODY[cut + length :])


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=500))
def test_binary_garbage(data):
    check(data.decode("latin-1"))
    with contextlib.suppress(FeedError):
        parse_feed(data)


def test_deep_nesting_and_empty_input():
    check("")
    check("<div>" * 5000 + "MR PRICE: hi" + "</div>" * 5000)
    check("<p><strong>QUESTION:</strong></p>" * 1000)


def test_turn_function_tests_stay_linear_on_hostile_turns():
    # Repeated courtesy and acknowledgement words once made a pattern backtrack without end.
    import time

    hostile = [
        "yes " * 29 + "x",
        "Right, " * 17 + "x",
        "yes — " * 20 + "x",
        "Mr. " * 30 + "x?",
        "Ned, " * 24 + "x",
        "Thank you, " * 15 + "x",
        "(" * 50 + "x" + ")" * 3,
    ]
    turns = "".join(
        f"<p><strong>{label}:</strong> {text}</p>"
        for text in hostile
        for label in ("QUESTION", "MR PRICE", "MODERATOR", "INTERPRETER")
    )
    page = (
        '<html><head><title>x</title><meta property="og:title" ' + "a" * 20000 + "</head>"
        f"<body>{turns}</body></html>"
    )
    start = time.perf_counter()
    b = parse_transcript(page)
    assert time.perf_counter() - start < 5.0
    assert len(b.turns) == 4 * len(hostile)
