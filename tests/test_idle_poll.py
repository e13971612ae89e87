"""An idle poll does not wait our own download delay between robots.txt and the feed (the
run's first request to the site); a Crawl-delay that robots.txt asks for is still waited."""

from __future__ import annotations

import pytest
from helpers.crawling import briefwatch, write_config
from helpers.mirror import Mirror
from helpers.state_department import FEED_PATH, VERSIONS, feed

pytestmark = pytest.mark.slow


def _gap(tmp_path, robots: str | None) -> float:
    with Mirror(**({"robots": robots} if robots else {})) as site:
        site.routes[FEED_PATH] = feed(VERSIONS[7])
        config = write_config(
            tmp_path / "c.toml",
            f"sqlite:///{tmp_path / 'a.db'}",
            http={"download_delay_seconds": 2.0},
            feeds=[site.url(FEED_PATH)],
        )
        assert briefwatch(config, "crawl").returncode == 0
        before = len(site.requests)
        result = briefwatch(config, "crawl")
        assert result.returncode == 0, result.stderr
        made = site.requests[before:]
    assert [(r.path, r.status) for r in made] == [("/robots.txt", 200), (FEED_PATH, 304)]
    return made[1].at - made[0].at


def test_first_request_after_robots_txt_does_not_wait_the_download_delay(tmp_path):
    assert _gap(tmp_path, None) < 1.0


def test_a_crawl_delay_asked_by_robots_txt_is_waited(tmp_path):
    assert _gap(tmp_path, "User-agent: *\nCrawl-delay: 2\nAllow: /\n") >= 1.9
