"""Listing and detail pages BUILT to the selectors public scrapers of www.state.gov document,
around real transcript bodies. No real copy of such a page exists (see the fixtures'
SOURCE-README.md): the bodies are real; only the page around them is made."""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

from helpers.mirror import Resource


@dataclass(frozen=True)
class Entry:
    path: str
    title: str
    date: dt.date
    body: str


def _date(d: dt.date) -> str:
    return f"{d:%B} {d.day}, {d.year}"


def detail_page(entry: Entry) -> bytes:
    return (
        "<!DOCTYPE html><html><head><title>x</title></head><body>"
        '<section class="featured-content">'
        f'<h1 class="featured-content__headline">{html.escape(entry.title)}</h1>'
        '<p class="article-meta doctype-meta">Department Press Briefing</p>'
        f'<p class="article-meta__publish-date">{_date(entry.date)}</p></section>'
        f'<div class="entry-content">{entry.body}</div></body></html>'
    ).encode()


def listing_page(entries: list[Entry]) -> bytes:
    items = "".join(
        '<li class="collection-result">'
        '<p class="collection-result__date">Department Press Briefing</p>'
        f'<a class="collection-result__link" href="{e.path}">{html.escape(e.title)}</a>'
        '<div class="collection-result-meta"><span>Office of the Spokesperson</span>'
        f"<span>{_date(e.date)}</span></div></li>"
        for e in entries
    )
    return f'<html><body><ul class="collection-results">{items}</ul></body></html>'.encode()


def serve_archive(
    site, entries: list[Entry], per_page: int, root: str = "/department-press-briefings/"
) -> None:
    """Put the listing pages (and an empty last page) and every detail page on ``site``."""

    pages = [entries[i : i + per_page] for i in range(0, len(entries), per_page)]
    for n, chunk in enumerate([*pages, []], start=1):
        path = root + (f"page/{n}/" if n > 1 else "")
        site.routes[path] = Resource(listing_page(chunk))
    for entry in entries:
        site.routes[entry.path] = Resource(detail_page(entry))
