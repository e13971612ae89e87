"""split_page: paragraphs, their bold openings, the page header and the text total, exactly."""

from __future__ import annotations

import pytest

from scraper.parsing.blocks import cleaned_nonspace, nonspace, split_page

PAGES = [
    (
        "bold label, white space between blocks and inside runs",
        "<body>\n<p>\n <strong>MR PRICE:</strong>\xa0Good  afternoon.\n</p>\n\n"
        "<p><b> </b>Thanks.</p>\n</body>",
        [("MR PRICE: Good afternoon.", 9), ("Thanks.", 0)],
    ),
    (
        "a block inside an inline element ends the paragraph",
        "<body><p><strong>QUESTION:</strong> One <span>two<div>three</div> four</span></p></body>",
        [("QUESTION: One two", 9), ("three", 0), ("four", 0)],
    ),
    (
        "scripts, comments and the page header are skipped; their tails are kept",
        '<body><section class="featured-content"><h1 class="featured-content__headline">'
        "Title</h1></section><p>a<script>x</script> b<!-- c --> d</p></body>",
        [("a b d", 0)],
    ),
]


@pytest.mark.parametrize(("page", "expected"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES])
def test_paragraphs(page, expected):
    found = split_page(page)
    assert [(p.text, p.bold_end) for p in found.paragraphs] == expected
    assert found.total_chars == sum(nonspace(p.text) for p in found.paragraphs)


def test_header_takes_each_field_from_its_first_element():
    page = (
        '<body><h1 class="x featured-content__headline">  The\n Title </h1>'
        '<p class="article-meta doctype-meta"> </p><p class="doctype-meta">Remarks</p>'
        '<p class="article-meta__publish-date">July 6, 2026</p><p>Text.</p></body>'
    )
    # The first document type is empty: no document type, not the second one.
    assert split_page(page).header == {"title": "The Title", "date": "July 6, 2026"}


@pytest.mark.parametrize(
    "text", ["", "One two", "One two\n\nThree", "MR PRICE: ", "“Quoted” — yes…"]
)
def test_cleaned_nonspace_counts_as_nonspace(text):
    assert cleaned_nonspace(text) == nonspace(text)
