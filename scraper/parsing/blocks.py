"""HTML (or plain text) into paragraphs that remember which of their leading text was bold.

This is the only module that walks markup. Nothing is dropped silently: every character of
text outside the skipped zones (scripts, the page header, forms) lands in exactly one
paragraph, which is what makes the coverage figure meaningful.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import lxml.etree
from lxml.etree import _Element as Element

# Elements that end a paragraph. Everything else is inline and joins the current paragraph.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "br",
    ]
)
# Elements whose text is never transcript text.
SKIP_TAGS = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "input",
        "button",
        "select",
        "textarea",
        "svg",
    ]
)
BOLD_TAGS = frozenset({"strong", "b"})
# lxml.html's parser, without its element classes: their look-up runs Python for every element.
_PARSER = lxml.etree.HTMLParser()
_STRING = lxml.etree.XPath("string()")  # an element's text, as lxml.html's text_content()


@dataclass
class Paragraph:
    """One paragraph of text with what the label finder and topic tracker need."""

    text: str
    bold_end: int = 0  # length of the leading bold part of ``text`` (0: not bold-led)
    anchors: list[str] = field(default_factory=list)  # element ids met inside
    note: bool = False  # an editorial footnote, not spoken text


@dataclass
class Page:
    """What :func:`split_page` found: paragraphs, header metadata and the text total."""

    paragraphs: list[Paragraph]
    header: dict[str, str]
    total_chars: int  # non-space characters of text outside the skipped zones


def nonspace(text: str) -> int:
    """Characters that are not white space (the unit of the coverage figure)."""
    return len("".join(text.split()))


def cleaned_nonspace(text: str) -> int:
    """:func:`nonspace` of a cleaned text (see :func:`clean`), or of cleaned paragraphs joined
    by line breaks, without splitting it: its only white space is spaces and line breaks."""
    return len(text) - text.count(" ") - text.count("\n")


def clean(text: str) -> str:
    """Collapse white space (including no-break spaces) to single spaces."""
    return " ".join(text.split())  # str.split() also splits on no-break spaces


def looks_like_html(text: str) -> bool:
    return bool(re.search(r"<(p|div|br|strong|b|span|html|body|section|li)\b", text[:20000], re.I))


def split_page(document: str, content_xpath: str | None = None) -> Page:
    """Paragraphs of an HTML page or fragment, or of plain text (one paragraph per line).

    ``content_xpath`` names the element holding the transcript on the source's pages.
    """
    if not looks_like_html(document):
        paragraphs = [Paragraph(clean(line)) for line in document.splitlines() if clean(line)]
        return Page(paragraphs, {}, nonspace(document))
    try:
        root = lxml.etree.fromstring(document, _PARSER)
    except (lxml.etree.ParserError, ValueError):
        return Page([], {}, 0)
    if root is None:  # an empty document
        return Page([], {}, 0)
    header = _read_header(root)
    content = _content_root(root, content_xpath)
    walker = _Walker()
    walker.walk(content)
    walker.flush()
    return Page(walker.paragraphs, header, walker.total)


def _content_root(root: Element, content_xpath: str | None = None) -> Element:
    for xpath in (
        *([content_xpath] if content_xpath else []),
        "//div[contains(concat(' ', normalize-space(@class), ' '), ' entry-content ')]",
        "//body",
    ):
        found = root.xpath(xpath)
        first = found[0] if isinstance(found, list) and found else None
        if isinstance(first, Element) and isinstance(first.tag, str):  # not a comment
            return first
    return root


def _has_class(el: Element, name: str) -> bool:
    return name in (el.get("class") or "").split()


_HEADER_TAGS = frozenset({"section", "header", "div"})


def _is_header_block(el: Element) -> bool:
    """The 2025-26 page header (title, document type, date): metadata, not transcript."""
    if el.tag not in _HEADER_TAGS:
        return False
    if _has_class(el, "featured-content") or _has_class(el, "wp-block-summary-article-index"):
        return True
    return el.tag == "section" and bool(
        el.xpath(".//h1[contains(@class, 'featured-content__headline')]")
    )


# The page header's fields: (key, tag, a class of the element holding it).
_HEADER_FIELDS = (
    ("title", "h1", "featured-content__headline"),
    ("doctype", "p", "doctype-meta"),
    ("date", "p", "article-meta__publish-date"),
    ("location", "p", "article-meta__location"),
    ("author", "p", "article-meta__author-bureau"),
)


def _read_header(root: Element) -> dict[str, str]:
    """Each field's first element (``//p[contains(@class, 'doctype-meta')]``), its text if it
    has any; found in one pass over the page's headings and paragraphs."""
    first: dict[str, Element] = {}
    for node in root.iter("h1", "p"):
        classes = node.get("class")
        if classes:
            for key, tag, name in _HEADER_FIELDS:
                if name in classes and node.tag == tag:
                    first.setdefault(key, node)
    found: dict[str, str] = {}
    for key, _, _ in _HEADER_FIELDS:
        value = clean(str(_STRING(first[key]))) if key in first else ""
        if value:
            found[key] = value
    return found


class _Walker:
    """Depth-first walk collecting inline runs into paragraphs."""

    def __init__(self) -> None:
        self.paragraphs: list[Paragraph] = []
        self.total = 0
        self._parts: list[str] = []
        self._length = 0
        self._bold_end = 0  # characters of leading bold text in the current run
        self._bold_open = True  # still in the leading bold part of the current run
        self._anchors: list[str] = []
        self._note = False

    def flush(self) -> None:
        if not self._parts:
            return  # nothing since the last flush: nothing to reset either
        raw = "".join(self._parts)
        text = clean(raw)
        if text:
            # Map the bold prefix length from the raw run onto the cleaned text.
            bold = clean(raw[: self._bold_end]) if self._bold_end else ""
            self.paragraphs.append(Paragraph(text, len(bold), self._anchors, self._note))
            self._anchors = []  # an anchor in an empty paragraph carries to the next one
            self.total += cleaned_nonspace(text)
        self._parts, self._length, self._bold_end, self._bold_open = [], 0, 0, True

    def _add_text(self, text: str, bold: bool, note: bool) -> None:
        if not self._parts and text.isspace():
            return  # white space opening a run: cleaning drops it, and it counts as no bold text
        self._note = note
        if self._bold_open:
            if bold:
                self._bold_end = self._length + len(text)
            elif not text.isspace():
                self._bold_open = False
        self._parts.append(text)
        self._length += len(text)

    def walk(self, el: Element, bold: bool = False, note: bool = False) -> None:
        tag = el.tag
        if not isinstance(tag, str):  # a comment or processing instruction
            return
        tag = tag.lower()
        if tag in SKIP_TAGS or (tag in _HEADER_TAGS and _is_header_block(el)):
            return
        is_block = tag in BLOCK_TAGS
        if is_block:
            self.flush()
        ident = el.get("id") or el.get("name")
        if ident:
            self._anchors.append(ident)
        bold = bold or tag in BOLD_TAGS
        note = note or (tag == "li" and "footnote" in (el.get("id") or ""))
        text = el.text  # lxml makes a new string at each access
        if text:
            self._add_text(text, bold, note)
        for child in el:
            self.walk(child, bold, note)
            tail = child.tail
            if tail:
                self._add_text(tail, bold, note)
        if is_block:
            self.flush()
