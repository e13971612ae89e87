"""The pure parts of the web view: escaping filters, links, trend periods and the SVG chart."""

from __future__ import annotations

import pytest
from markupsafe import Markup

from scraper.web.chart import periods, svg, zero_fill
from scraper.web.render import clean, highlight, marks, safe_url, spans

URLS = [
    ("https://www.state.gov/briefings/x/", "https://www.state.gov/briefings/x/"),
    ("http://example.org/a?b=c", "http://example.org/a?b=c"),
    ("HTTPS://WWW.STATE.GOV/", "HTTPS://WWW.STATE.GOV/"),
    ("javascript:alert(1)", None),
    ("JaVaScRiPt:alert(1)", None),
    (" javascript:alert(1)", None),
    ("java\x00script:alert(1)", None),
    ("data:text/html,<script>alert(1)</script>", None),
    ("vbscript:msgbox", None),
    ("//evil.example/", None),
    ("/relative/path", None),
    ("https://", None),
    ("http://[::1", None),
    ("", None),
    (None, None),
]


@pytest.mark.parametrize(("url", "expected"), URLS, ids=[repr(u[0]) for u in URLS])
def test_only_http_links(url, expected):
    assert safe_url(url) == expected


def test_control_characters_are_dropped_and_markup_kept():
    assert clean("a\x1b[31mb\x07c\x9bd\te\nf") == "a[31mbcd\te\nf"
    assert isinstance(clean(Markup("<b>x\x1b</b>")), Markup)


def test_highlight_escapes_everything_but_its_marks():
    out = highlight("<b>Sanctions</b> on Pakistan's sanctioned \x1b[0m", ["sanction", "pakistan"])
    assert out == (
        "&lt;b&gt;<mark>Sanctions</mark>&lt;/b&gt; on <mark>Pakistan</mark>&#39;s "
        "<mark>sanctioned</mark> [0m"
    )
    assert highlight("Nord  Stream 2", ["nord stream"]) == "<mark>Nord  Stream</mark> 2"
    assert highlight("<i>", []) == "&lt;i&gt;"


def test_snippet_marks_and_watch_spans():
    assert marks("…the [Pakistan] <script> […") == "…the <mark>Pakistan</mark> &lt;script&gt; […"
    assert spans("ab<c>de", [(2, 5)]) == "ab<mark>&lt;c&gt;</mark>de"
    assert spans("abcdef", [(4, 5), (0, 1)], "b") == "<b>a</b>bcd<b>e</b>f"
    assert spans("abc", [(1, 99)]) == "a<mark>bc</mark>"


PERIODS = [
    ("2021-11", "2022-02", "month", False, ["2021-11", "2021-12", "2022-01", "2022-02"]),
    ("2020-12", "2020-12", "month", True, ["2020-12"]),
    ("2020-W52", "2021-W02", "week", True, ["2020-W52", "2020-W53", "2021-W01", "2021-W02"]),
    ("2021-W51", "2022-W01", "week", False, ["2021-W51", "2021-W52", "2022-W01"]),
]


@pytest.mark.parametrize(("first", "last", "by", "iso", "expected"), PERIODS)
def test_periods_run_without_gaps(first, last, by, iso, expected):
    assert periods(first, last, by, iso) == expected


def test_zero_fill_keeps_every_found_period_and_aligns_terms():
    series = {
        "a": [("2021-W52", 1, 0), ("2022-W00", 2, 1), ("2022-W02", 0, 3)],
        "b": [("2022-W01", 4, 4)],
    }
    filled = zero_fill(series, "week", iso=False)
    assert filled["a"] == [
        ("2021-W52", 1, 0),
        ("2022-W00", 2, 1),
        ("2022-W01", 0, 0),
        ("2022-W02", 0, 3),
    ]
    assert [p for p, _, _ in filled["b"]] == [p for p, _, _ in filled["a"]]
    assert zero_fill({"x": []}, "month", iso=True) == {"x": []}


def test_svg_escapes_terms_and_draws_two_lines_per_term():
    chart = svg({"<script>": [("2021-01", 1, 2), ("2021-02", 0, 0)]})
    assert "<script>" not in chart and "&lt;script&gt;" in chart
    assert chart.count("<polyline") == 2 and 'stroke-dasharray="6 4"' in chart
    assert svg({"x": []}) == ""


def test_a_turn_shows_its_function_only_when_it_has_one():
    from types import SimpleNamespace

    from scraper.model import Turn
    from scraper.web.render import make_templates

    env = make_templates().env
    macro = env.from_string(
        '{% from "_macros.html" import turn %}{{ turn(t, "answer", ["price"]) }}'
    )
    with_function = SimpleNamespace(
        ordinal=3, speaker="Ned Price", role="official", text="Price <b>", function="spokesperson"
    )
    html = macro.render(t=with_function, root="")
    assert '<span class="function">spokesperson</span>' in html
    assert 'id="turn-3"' in html and '<span class="part part-answer">Answer</span>' in html
    assert "Price &lt;b&gt;" in html.replace("<mark>Price</mark>", "Price")
    without = SimpleNamespace(ordinal=3, speaker="Ned Price", role="official", text="text")
    plain = macro.render(t=without, root="")
    assert 'class="function"' not in plain and 'href="/speaker?name=Ned%20Price"' in plain
    parsed = Turn(3, "MR PRICE", "Ned Price", "official", "text", function="answer")
    assert '<span class="function">answer</span>' in macro.render(t=parsed, root="")
