"""Sources: everything specific to one publisher lives in one module here.

A source module subclasses :class:`Source`; subclassing registers it in :data:`SOURCES` under
its ``slug``, the same name its spider, test file and fixture folder use.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from scraper.errors import ConfigError
from scraper.url_policy import UrlPolicy, origin


class Kind(StrEnum):
    """Kinds of document a source can publish. All but ``press_release`` are transcripts."""

    PRESS_BRIEFING = "press_briefing"
    SPECIAL_BRIEFING = "special_briefing"
    TELEPHONIC_BRIEFING = "telephonic_briefing"
    PRESS_AVAILABILITY = "press_availability"
    INTERVIEW = "interview"
    REMARKS = "remarks"
    PRESS_RELEASE = "press_release"


KINDS = tuple(k.value for k in Kind)
TRANSCRIPT_KINDS = KINDS[:-1]


@dataclass(frozen=True)
class SourceConfig:
    """The ``[sources.NAME]`` table; each source supplies its own defaults."""

    enabled: bool = True
    #: RSS feeds polled by ``briefwatch crawl`` (conditional GET, one request each).
    feeds: tuple[str, ...] = ()
    #: First page of the listing walked by ``briefwatch backfill`` (pages ``page/N/``).
    listing_url: str = ""
    listing_max_pages: int = 500
    #: Sitemap of the archive, also walked by ``briefwatch backfill``.
    archive_sitemap_url: str = ""
    #: Which kinds of document to store (see ``scraper.sources.KINDS``).
    kinds: tuple[str, ...] = TRANSCRIPT_KINDS
    #: Alert the operator when a feed yields no transcript items this many runs in a row.
    empty_feed_alert_runs: int = 3

    def validate(self, where: str) -> None:
        from scraper.masking import mask_url

        for kind in self.kinds:
            if kind not in KINDS:
                raise ConfigError(
                    f"{where}.kinds: unknown kind {kind!r} (known: {', '.join(KINDS)})"
                )
        named = [(f"feeds[{i}]", url) for i, url in enumerate(self.feeds)]
        named += [
            ("listing_url", self.listing_url),
            ("archive_sitemap_url", self.archive_sitemap_url),
        ]
        for key, url in (n for n in named if n[1]):
            try:  # what the crawl's URL policy would refuse, refused here already
                origin(url)
            except ValueError as exc:
                raise ConfigError(
                    f"{where}.{key}: expected an http(s) URL ({exc}), got {mask_url(url)!r}"
                ) from None
        if self.listing_max_pages < 1 or self.empty_feed_alert_runs < 1:
            raise ConfigError(f"{where}: listing_max_pages and empty_feed_alert_runs must be >= 1")


@dataclass(frozen=True)
class ListingSelectors:
    """CSS selectors of a source's listing pages (used by the backfill spider)."""

    item: str  # one entry of the listing
    link: str  # <a> with the entry's title and URL
    doctype: str  # element naming the kind of document
    date: str  # element holding the entry's date
    next_page: str = "page/{n}/"  # appended to the listing URL


class Source:
    """One publisher of transcripts. Subclasses set the class attributes below."""

    slug: ClassVar[str]
    name: ClassVar[str]
    config_class: ClassVar[type[SourceConfig]] = SourceConfig
    defaults: ClassVar[SourceConfig]

    # -- label form and vocabulary (read by the parser; the defaults are the State Department's)
    #: Whether a speaker label in HTML may be plain text. When False it must be bold.
    unbolded_labels: ClassVar[bool] = False
    #: Labels printed without a colon: followed by spaces, a colon, or glued to a capitalized
    #: word (``"Q   Thank you."``, ``"Q: Could you"``, ``"QAlan, thanks"``).
    bare_labels: ClassVar[tuple[str, ...]] = ()
    #: Whether a period may stand for the colon after an upper-case name
    #: (``"MR. SULLIVAN.  Yeah, on Syria."``).
    period_labels: ClassVar[bool] = False
    #: A paragraph after the last label that ends the transcript (``END``, the closing time):
    #: it and everything after it is closing text, not speech.
    end_marker: ClassVar[re.Pattern[str] | None] = None
    #: Words of the publisher's labels; a label word one letter away from one of them is a
    #: typo of it (``OPERTATOR``), so both spellings name one speaker.
    label_words: ClassVar[tuple[str, ...]] = ()
    #: A word in a label that decides its speaker's role (``{"AIDE": "moderator"}``).
    role_words: ClassVar[dict[str, str]] = {}
    #: Whether a feed item's author (``dc:creator``) names the speakers of record; when not,
    #: :meth:`speakers_named` finds them in the title.
    creator_is_speaker: ClassVar[bool] = True
    #: Time zone of the publisher's dates: a publication time becomes a date there.
    timezone: ClassVar[str] = "America/New_York"
    #: A line before the first turn that is the publisher's letterhead (its name, the office,
    #: a title in capitals): text, but not a place.
    letterhead: ClassVar[re.Pattern[str] | None] = None
    #: XPath of the element holding the transcript on a detail page (else the page's
    #: ``div.entry-content``, else its body).
    content_xpath: ClassVar[str | None] = None

    listing: ClassVar[ListingSelectors | None] = None
    #: Element ids that mark a new topic; group 1 is the topic's name.
    topic_anchor: ClassVar[re.Pattern[str] | None] = None
    #: XPath of the links of a detail page's topic index (``<a href="#ID">Heading</a>``):
    #: the topics as the page shows them.
    topic_index: ClassVar[str | None] = None
    #: Words of topic names, to read an anchor name without an index (``UKRAINERUSSIA``):
    #: lower-case letters and digits -> as written (see :mod:`scraper.parsing.topics`).
    topic_words: ClassVar[Mapping[str, str]] = {}
    #: Hosts the publisher's own links point to (http/https, default ports). With the
    #: origins of the configured feeds, listing and sitemap, they are all a crawl may fetch
    #: or store (see :mod:`scraper.url_policy`).
    domains: ClassVar[tuple[str, ...]] = ()
    #: The site's name after a page's own title ("... - U.S. Department of State"), removed.
    site_suffix: ClassVar[re.Pattern[str] | None] = None
    #: The publisher's own document types (as printed on its pages, lower case) -> kinds.
    doctype_kinds: ClassVar[Mapping[str, str]] = {}

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        SOURCES[cls.slug] = cls

    @classmethod
    def url_policy(cls, config: SourceConfig) -> UrlPolicy:
        """What a crawl of this source may fetch and store under ``config``."""
        urls = (*config.feeds, config.listing_url, config.archive_sitemap_url)
        return UrlPolicy.of([u for u in urls if u], cls.domains)

    @classmethod
    def classify(cls, title: str, url: str, guid: str, labels: Collection[str]) -> str:
        """The kind of one document (one of :data:`KINDS`)."""
        raise NotImplementedError

    @classmethod
    def document_kind(
        cls,
        title: str,
        url: str,
        guid: str,
        labels: Collection[str],
        doctype: str = "",
        questions: bool = False,
    ) -> str:
        """The kind of one parsed document: the publisher's printed document type where the
        page states one (:attr:`doctype_kinds`), else :meth:`classify`. ``questions`` says
        whether anyone in the transcript was found asking questions (a reporter)."""
        kind = cls.doctype_kinds.get(" ".join(doctype.lower().split()))
        return kind or cls.classify(title, url, guid, cls.kind_labels(labels, questions))

    @classmethod
    def kind_labels(cls, labels: Collection[str], questions: bool) -> Collection[str]:
        """The speaker labels :meth:`classify` judges by; ``questions`` as in
        :meth:`document_kind`. By default the labels as printed."""
        return labels

    @classmethod
    def expects_transcript(cls, title: str, guid: str) -> bool:
        """Whether an item's title or guid promises a transcript (before its body is read).

        A promised transcript that parses to no turns means the site changed its markup.
        """
        raise NotImplementedError

    @classmethod
    def listing_page_url(cls, listing_url: str, page: int) -> str:
        """The URL of listing page ``page``, counted from 1 (the listing URL itself)."""
        if page <= 1 or cls.listing is None:
            return listing_url
        return listing_url.rstrip("/") + "/" + cls.listing.next_page.format(n=page)

    @classmethod
    def speakers_named(cls, title: str) -> str:
        """The speakers of record a title names, as "Title Name, Title Name" ("" if none)."""
        return ""

    @classmethod
    def date_of(
        cls, title: str, preamble: list[str] | tuple[str, ...], published_at: dt.datetime | None
    ) -> dt.date | None:
        """The day of the event by this publisher's conventions; None leaves it to the parser."""
        return None


SOURCES: dict[str, type[Source]] = {}

#: The source a document is read as when neither its caller nor its URL names one (the
#: first publisher briefwatch followed).
DEFAULT_SOURCE = "state_department"


def source_for(url: str | None) -> str:
    """The slug of the source whose own domains hold ``url``'s host, else
    :data:`DEFAULT_SOURCE`."""
    from urllib.parse import urlsplit

    try:
        host = (urlsplit(url).hostname or "") if url else ""
    except ValueError:
        host = ""
    return next((slug for slug, src in SOURCES.items() if host in src.domains), DEFAULT_SOURCE)


def publisher_name(slug: str) -> str:
    """The name of the publisher of source ``slug`` (the slug itself for one no longer
    registered)."""
    return SOURCES[slug].name if slug in SOURCES else slug


def get_source(slug: str) -> type[Source]:
    """The source registered under ``slug``; ``KeyError`` names the known ones."""
    try:
        return SOURCES[slug]
    except KeyError:
        raise KeyError(f"unknown source {slug!r} (known: {', '.join(SOURCES)})") from None


def _register_all() -> None:
    """Import every module of this package: each registers its source by subclassing."""
    import importlib
    import pkgutil

    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_register_all()
