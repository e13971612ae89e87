"""Crawl cost and politeness, measured against a local mirror on 127.0.0.1.

- idle poll: a second ``briefwatch crawl`` of an unchanged feed, as a whole process: requests
  made (target: one conditional GET answered 304 per feed, plus robots.txt) and wall time.
- polite backfill: robots.txt asks ``Crawl-delay: 1``; the share of the allowed request rate
  achieved (target >= 90%: politeness, not our code, is the bound).
- unthrottled backfill of 250, 500 and 1,000 transcripts: transcripts per second and the
  crawl process's peak resident memory (target: flat as the count grows).

Detail and listing pages are built around the real fixture bodies (``tests/site_pages.py``);
the 162 bodies are served under as many distinct URLs as a run needs.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from crawling import write_config  # noqa: E402
from mirror import Mirror, Resource  # noqa: E402
from site_pages import Entry, serve_archive  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "state_department"
FEED = FIXTURES / "feed-replay" / "2021-07-05_09" / "feed-20210709T224830.xml"


def _crawl(config: Path, *args: str) -> float:
    """Run briefwatch as a whole process; its wall time in seconds."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "scraper", "--config", str(config), "-q", *args],
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(f"briefwatch {' '.join(args)} failed: {done.stderr.strip()[-500:]}")
    return time.perf_counter() - start


def _crawl_with_peak(config: Path, *args: str) -> tuple[float, float]:
    """Wall time and peak resident memory (MiB) of one briefwatch process, measured by a
    helper whose only child it is (so RUSAGE_CHILDREN is that process alone)."""
    command = [sys.executable, "-m", "scraper", "--config", str(config), "-q", *args]
    helper = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        f"code = subprocess.run({command!r}, capture_output=True).returncode\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps([time.perf_counter() - t, peak, code]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", helper], capture_output=True, text=True, check=True
    )
    seconds, peak, code = json.loads(done.stdout)
    if code:
        raise RuntimeError(f"briefwatch {' '.join(args)} failed")
    return seconds, peak


def _entries(count: int) -> list[Entry]:
    bodies = [
        p.read_text(encoding="utf-8") for p in sorted((FIXTURES / "transcripts").glob("*.html"))
    ]
    bodies = [b for b in bodies if "QUESTION" in b]
    start = dt.date(2021, 6, 1)
    return [
        Entry(
            f"/briefings/b{i:05d}/",
            f"Department Press Briefing {i}",
            start - dt.timedelta(days=i),
            bodies[i % len(bodies)],
        )
        for i in range(count)
    ]


def idle_poll(tmp: Path) -> dict[str, float]:
    with Mirror() as site:
        site.routes["/feed/"] = Resource(FEED.read_bytes(), content_type="application/rss+xml")
        config = write_config(
            tmp / "idle.toml", f"sqlite:///{tmp / 'idle.db'}", feeds=[site.url("/feed/")]
        )
        _crawl(config, "crawl")
        before = len(site.requests)
        seconds = _crawl(config, "crawl")
        made = site.requests[before:]
    figures = {
        "requests": len(made),
        "feed_requests_304": sum(r.path == "/feed/" and r.status == 304 for r in made),
        "other_requests": sum(r.path not in ("/feed/", "/robots.txt") for r in made),
        "seconds": seconds,
    }
    print(
        f"idle poll: {figures['requests']} requests ({figures['feed_requests_304']} feed GET "
        f"answered 304, {figures['other_requests']} besides feed and robots.txt), "
        f"{seconds:.2f} s for the whole `briefwatch crawl` process"
    )
    return figures


def polite_backfill(tmp: Path, count: int = 40) -> dict[str, float]:
    with Mirror(robots="User-agent: *\nCrawl-delay: 1\nAllow: /\n") as site:
        serve_archive(site, _entries(count), per_page=20)
        config = write_config(
            tmp / "polite.toml",
            f"sqlite:///{tmp / 'polite.db'}",
            feeds=[],
            listing_url=site.url("/department-press-briefings/"),
            archive_sitemap_url="",
        )
        _crawl(config, "backfill")
        made = [r for r in site.requests if r.path != "/robots.txt"]
    window = made[-1].at - made[0].at
    allowed = window / 1.0 + 1  # one request per second, the first at time 0
    share = len(made) / allowed
    print(
        f"polite backfill (Crawl-delay 1 s): {len(made)} requests in {window:.1f} s = "
        f"{share:.0%} of the allowed rate (target >= 90%)"
    )
    return {"requests": len(made), "seconds": window, "share_of_allowed_rate": share}


def fast_backfill(tmp: Path, counts=(250, 500, 1000)) -> dict[int, dict[str, float]]:
    out: dict[int, dict[str, float]] = {}
    for count in counts:
        with Mirror() as site:
            serve_archive(site, _entries(count), per_page=20)
            config = write_config(
                tmp / f"fast{count}.toml",
                f"sqlite:///{tmp / f'fast{count}.db'}",
                feeds=[],
                listing_url=site.url("/department-press-briefings/"),
                archive_sitemap_url="",
            )
            seconds, peak = _crawl_with_peak(config, "backfill")
        out[count] = {"seconds": seconds, "per_second": count / seconds, "peak_mib": peak}
        print(
            f"backfill, no throttling: {count} transcripts in {seconds:.1f} s "
            f"({count / seconds:.1f}/s), peak memory {peak:.0f} MiB"
        )
    return out


def run() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        return {
            "idle_poll": idle_poll(tmp),
            "polite_backfill": polite_backfill(tmp),
            "fast_backfill": fast_backfill(tmp),
        }


if __name__ == "__main__":
    run()
