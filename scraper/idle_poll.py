"""The idle poll's fast path: when every feed answers 304, the run needs no Scrapy.

Before a monitor crawl starts Scrapy (about a second of CPU for its imports and reactor),
:func:`idle_poll` makes the crawl's requests itself with the standard library: for each
source, each site's robots.txt, then each feed as a conditional GET with its stored
validators, with the spider's User-Agent, timeout, URL policy and delays. Only when robots.txt
allows every feed and every feed answers 304 does it return the stats the crawl would have
gathered; anything else (a 200, an error, a redirect, a refusal, a feed without validators)
returns None, nothing is recorded, and the runner crawls with Scrapy as always: the only cost
is the requests made here, in a poll where something changed.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scraper.config import HttpConfig
from scraper.sources import SOURCES, SourceConfig
from scraper.url_policy import UrlPolicy

logger = logging.getLogger(__name__)

#: Scrapy's DEFAULT_REQUEST_HEADERS, and the encodings its compression middleware accepts
#: (a server may give a compressed answer another ETag).
HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "en",
    "Accept-Encoding": "gzip, deflate",
}


class _Changed(Exception):
    """Something other than an allowed robots.txt and a 304: leave the poll to Scrapy."""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 3xx is raised as an HTTPError: Scrapy follows it, under its policy


@dataclass(frozen=True)
class IdleSource:
    """One source's part of the poll: its feeds, their stored validators, its URL policy."""

    name: str
    feeds: Sequence[str]
    validators: Mapping[str, tuple[str | None, str | None]]
    policy: UrlPolicy


def idle_sources(
    chosen: Sequence[tuple[str, SourceConfig]],
    validators: Callable[[str], tuple[str | None, str | None]],
) -> list[IdleSource]:
    return [
        IdleSource(
            name,
            list(source.feeds),
            {url: validators(url) for url in source.feeds},
            SOURCES[name].url_policy(source),
        )
        for name, source in chosen
    ]


def idle_poll(
    sources: Sequence[IdleSource], http: HttpConfig, deadline_seconds: float
) -> dict[str, dict[str, Any]] | None:
    """Each source's crawl stats when every feed answered 304, else None (see the module)."""
    if not sources or any(not s.feeds for s in sources):
        return None
    for source in sources:  # (before any request: these are crawled by Scrapy anyway)
        for url in source.feeds:
            if not any(source.validators.get(url, (None, None))):
                logger.info("feed %s has no stored validators: crawling with Scrapy", url)
                return None
    poller = _Poller(http, time.monotonic() + deadline_seconds)
    try:
        return {s.name: poller.poll(s) for s in sources}
    except Exception as why:  # noqa: BLE001 - whatever it was, Scrapy's crawl handles it
        logger.info("not an idle poll (%s): crawling with Scrapy", why)
        return None


class _Poller:
    def __init__(self, http: HttpConfig, deadline: float) -> None:
        self.http = http
        self.deadline = deadline
        self.opener = urllib.request.build_opener(_NoRedirects())
        self.user_agent = http.effective_user_agent
        #: When each host was last asked, and the gap it needs before the next request.
        self.last: dict[str, tuple[float, float]] = {}
        #: The Crawl-delay each host's robots.txt asked for (capped).
        self.crawl_delays: dict[str, float] = {}

    def poll(self, source: IdleSource) -> dict[str, Any]:
        requests = 0
        robots: dict[str, Any] = {}  # robots.txt per site, as each of Scrapy's crawlers keeps
        for url in source.feeds:
            etag, last_modified = source.validators[url]
            if source.policy.refusal(url) is not None:
                raise _Changed(f"{url} is refused by the URL policy")
            parts = urlsplit(url)
            if self.http.obey_robots_txt:
                site = f"{parts.scheme}://{parts.netloc}"
                if site not in robots:
                    robots[site] = self.robots(site, source.policy)
                    requests += 1
                if not robots[site].can_fetch(url, self.user_agent):
                    raise _Changed(f"robots.txt disallows {url}")
            headers = {"If-None-Match": etag} if etag else {}
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            status, _body = self.get(url, headers, read=False)
            requests += 1
            if status != 304:
                raise _Changed(f"{url} answered {status}")
        return {
            "briefwatch/feeds_not_modified": len(source.feeds),
            "downloader/request_count": requests,
            "finish_reason": "finished",
        }

    def robots(self, site: str, policy: UrlPolicy) -> Any:
        from protego import Protego  # (small, pure Python: Scrapy's own robots.txt parser)

        url = f"{site}/robots.txt"
        if policy.refusal(url) is not None:
            raise _Changed(f"{url} is refused by the URL policy")
        status, body = self.get(url, {})
        if status != 200:
            raise _Changed(f"{url} answered {status}")
        parsed = Protego.parse(body.decode("utf-8", errors="ignore"))
        asked = parsed.crawl_delay(self.user_agent)
        # Our own download delay does not follow robots.txt (the run's first request to the
        # site); a Crawl-delay the site asks for does, capped as CrawlDelayMiddleware caps it.
        crawl_delay = min(float(asked), self.http.max_crawl_delay_seconds) if asked else 0.0
        host = urlsplit(url).hostname or ""
        self.last[host] = (self.last[host][0], crawl_delay)
        self.crawl_delays[host] = crawl_delay
        return parsed

    def get(self, url: str, headers: dict[str, str], read: bool = True) -> tuple[int, bytes]:
        """Status and (if ``read``) body of one GET, after the host's delay."""
        host = urlsplit(url).hostname or ""
        if host in self.last:
            at, gap = self.last[host]
            wait = at + gap - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise _Changed("the crawl deadline has passed")
        request = urllib.request.Request(
            url, headers={"User-Agent": self.user_agent, **HEADERS, **headers}
        )
        timeout = min(self.http.timeout_seconds, remaining)
        try:
            with self.opener.open(request, timeout=timeout) as answer:
                status = answer.status
                body = _decoded(answer, self.http.max_response_bytes) if read else b""
        except urllib.error.HTTPError as exc:  # 304 among them: urllib raises every non-2xx
            status, body = exc.code, b""
            exc.close()
        except Exception as exc:  # noqa: BLE001 - any failure: Scrapy's handling records it
            raise _Changed(f"{url}: {exc}") from None
        finally:
            delay = max(self.http.download_delay_seconds, self.crawl_delays.get(host, 0.0))
            self.last[host] = (time.monotonic(), delay)
        return status, body


def _decoded(answer: Any, limit: int) -> bytes:
    """The answer's body, inflated, at most ``limit`` bytes (0: no limit) either way."""
    body = answer.read(limit + 1 if limit else -1)
    if limit and len(body) > limit:
        raise _Changed(f"answer larger than {limit} bytes")
    if (answer.headers.get("Content-Encoding") or "").lower() not in ("gzip", "deflate"):
        return body
    inflate = zlib.decompressobj(wbits=47)  # gzip or zlib, told by the header
    inflated = inflate.decompress(body, limit)
    if inflate.unconsumed_tail:
        raise _Changed(f"answer inflates to more than {limit} bytes")
    return inflated
