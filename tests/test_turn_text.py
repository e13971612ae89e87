"""What the turn-function rules read of a text: its sentences (stage notes left out)."""

from __future__ import annotations

import pytest

from scraper.parsing.functions import sentences

CASES = [
    ("Yes. No.  Maybe!", ["Yes.", "No.", "Maybe!"]),
    ("On China — the talks", ["On China", "the talks"]),
    ("On China -- the talks - and", ["On China", "the talks", "and"]),
    ("a--b c -d", ["a--b c -d"]),  # dashes not set off by white space break nothing
    ("Wait… what? (Laughter.) Okay", ["Wait…", "what?", "Okay"]),
    (" Right.\n\nGo ahead", ["Right.", "Go ahead"]),
    ("Mr. Price, thanks.", ["Mr.", "Price, thanks."]),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_sentences(text, expected):
    assert sentences(text) == expected
