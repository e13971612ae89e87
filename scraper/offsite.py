"""Downloader middleware: every request of a crawl, redirects included, stays on the
source's own origins (see :mod:`scraper.url_policy`).

It runs first in the downloader chain (before robots.txt, which would otherwise fetch the
robots.txt of an off-site host), and Scrapy's RedirectMiddleware re-issues a redirect as a
new request through the same chain, so a redirect to another host or port is refused here
too. A refused request reaches the spider's errback as :class:`RefusedRequest`: one error line,
and, since it is refused for good, it holds no feed's validators back.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.statscollectors import StatsCollector

from scraper.url_policy import UrlPolicy


class RefusedRequest(IgnoreRequest):
    """A request the URL policy refuses: it will never be made, however often it is asked."""


def crawl_policy(crawler: Crawler) -> UrlPolicy:
    """The crawl's own policy (``BRIEFWATCH_URL_POLICY``: its source's origins, set by
    :mod:`scraper.crawl`); a crawl without one may fetch and store nothing."""
    return crawler.settings.get("BRIEFWATCH_URL_POLICY") or UrlPolicy(frozenset())


class OffsiteGuardMiddleware:
    def __init__(self, policy: UrlPolicy, stats: StatsCollector) -> None:
        self.policy = policy
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsiteGuardMiddleware:
        return cls(crawl_policy(crawler), crawler.stats)

    def process_request(self, request):
        reason = self.policy.refusal(request.url)
        if reason is None:
            return None
        self.stats.inc_value("briefwatch/offsite_refused")
        redirected = request.meta.get("redirect_urls")
        via = f" (redirected from {redirected[0]})" if redirected else ""
        raise RefusedRequest(f"refused off-site URL{via}: {reason}")
