"""Downloader middleware: every request of a crawl, redirects included, stays on the
source's own origins (see :mod:`scraper.url_policy`).

It runs first in the downloader chain (before robots.txt, which would otherwise fetch the
robots.txt of an off-site host), and Scrapy's RedirectMiddleware re-issues a redirect as a
new request through the same chain, so a redirect to another host or port is refused here
too. A refused request reaches the spider's errback as ``IgnoreRequest``: one error line.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest

from scraper.url_policy import UrlPolicy


class OffsiteGuardMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsiteGuardMiddleware:
        return cls(crawler)

    @property
    def policy(self) -> UrlPolicy:
        # The spider's own policy (a source's origins); a spider without one may fetch nothing.
        return getattr(self.crawler.spider, "url_policy", None) or UrlPolicy(frozenset())

    def process_request(self, request):
        reason = self.policy.refusal(request.url)
        if reason is None:
            return None
        self.crawler.stats.inc_value("briefwatch/offsite_refused")
        redirected = request.meta.get("redirect_urls")
        via = f" (redirected from {redirected[0]})" if redirected else ""
        raise IgnoreRequest(f"refused off-site URL{via}: {reason}")
