"""The rule deciding what a crawl may fetch or store (scraper.url_policy): a table of URLs."""

from __future__ import annotations

import pytest

from scraper.sources import get_source
from scraper.url_policy import UrlPolicy

FEED = "http://127.0.0.1:8080/rss-feed/press-releases/feed/"
POLICY = UrlPolicy.of([FEED, "https://archive.example.org/sitemap.xml"], ["www.state.gov"])

CASES = [
    # (url, refusal reason or None when allowed)
    ("http://127.0.0.1:8080/briefings/x/", None),
    ("http://127.0.0.1:8080/", None),
    ("HTTP://127.0.0.1:8080/x", None),
    ("https://archive.example.org/2021/x/", None),
    ("https://archive.example.org:443/x/", None),
    ("https://www.state.gov/briefings/x/", None),
    ("http://www.state.gov/briefings/x/", None),
    ("https://WWW.STATE.GOV./x/", None),
    ("file:///etc/passwd", "scheme 'file' is not http(s)"),
    ("FILE:///etc/passwd", "scheme 'file' is not http(s)"),
    ("data:text/html,<p>x</p>", "scheme 'data' is not http(s)"),
    ("javascript:alert(1)", "scheme 'javascript' is not http(s)"),
    ("ftp://127.0.0.1:8080/x", "scheme 'ftp' is not http(s)"),
    ("s3://bucket/x", "scheme 's3' is not http(s)"),
    ("/briefings/x/", "scheme '(none)' is not http(s)"),
    ("//127.0.0.1:8080/x", "scheme '(none)' is not http(s)"),
    ("http://127.0.0.1:8081/x", "http://127.0.0.1:8081 is not one of the source's origins"),
    ("http://127.0.0.1/x", "http://127.0.0.1:80 is not one of the source's origins"),
    ("https://127.0.0.1:8080/x", "https://127.0.0.1:8080 is not one of the source's origins"),
    ("http://localhost:8080/x", "http://localhost:8080 is not one of the source's origins"),
    ("http://[::1]:8080/x", "http://::1:8080 is not one of the source's origins"),
    ("http://2130706433:8080/x", "http://2130706433:8080 is not one of the source's origins"),
    ("https://www.state.gov:8443/x", "https://www.state.gov:8443 is not one of the source's"),
    ("https://state.gov/x", "https://state.gov:443 is not one of the source's origins"),
    ("https://evil.www.state.gov/x", "https://evil.www.state.gov:443 is not one of the"),
    ("https://www.state.gov.evil.example/x", "https://www.state.gov.evil.example:443 is not"),
    ("https://archive.example.org:80/x", "https://archive.example.org:80 is not one of the"),
    ("https://www.state.gov@evil.example/x", "credentials in the URL"),
    ("https://user:pw@www.state.gov/x", "credentials in the URL"),
    ("https://@www.state.gov/x", "credentials in the URL"),
    ("https://www.state.gov\\@evil.example/x", "control character, space or backslash"),
    ("https://www.state.gov/x\n", "control character, space or backslash"),
    ("https://www.state.gov /x", "control character, space or backslash"),
    ("http://127.0.0.1:99999/x", "malformed URL"),
    ("http://127.0.0.1:port/x", "malformed URL"),
    ("http://[::1/x", "malformed URL"),
    ("http:///x", "no host"),
    ("", "scheme '(none)' is not http(s)"),
]


@pytest.mark.parametrize(("url", "reason"), CASES, ids=[c[0][:60] or "empty" for c in CASES])
def test_policy(url, reason):
    refusal = POLICY.refusal(url)
    if reason is None:
        assert refusal is None
        assert POLICY.allows(url)
    else:
        assert refusal is not None and refusal.startswith(reason), refusal
        assert not POLICY.allows(url)


def test_unusable_configured_urls_allow_nothing():
    policy = UrlPolicy.of(["", "file:///srv/feed.xml", "not a url"])
    assert policy.origins == frozenset()
    assert not policy.allows("http://127.0.0.1/x")


def test_state_department_allows_its_configured_origins_and_own_domains():
    source = get_source("state_department")
    from scraper.config import config_from_dict

    config = config_from_dict({"sources": {"state_department": {"feeds": [FEED]}}})
    policy = source.url_policy(config.sources["state_department"])
    assert policy.allows(FEED.replace("feed/", "other/"))
    assert policy.allows("https://www.state.gov/briefings/department-press-briefing/")
    assert policy.allows("https://2021-2025.state.gov/briefings/x/")  # the archive sitemap
    assert not policy.allows("https://www.state.gov.example.com/x")
    assert not policy.allows("http://127.0.0.1:8081/x")
