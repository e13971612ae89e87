"""Crawl cost and politeness, measured against a local mirror on 127.0.0.1.

- idle poll: a second ``briefwatch crawl`` of an unchanged feed, as a whole process: requests
  made (target: one conditional GET answered 304 per feed, nothing else but robots.txt), wall
  and CPU time (target: CPU <= 0.5 s); same-run baseline: ``curl`` making the same two
  requests (robots.txt, then the conditional GET of the feed).
- polite backfill: robots.txt asks ``Crawl-delay: 1``; the share of the allowed request rate
  achieved (target >= 90%: politeness, not our code, is the bound).
- unthrottled backfill of 250, 500 and 1,000 transcripts: transcripts per second and the
  crawl process's peak resident memory (target: flat as the count grows).

The project is byte-compiled first (see :func:`benchmarks.bench_startup.byte_compile`).
Detail and listing pages are built around the real fixture bodies (``tests/helpers/site_pages.py``);
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

from helpers.crawling import write_config  # noqa: E402
from helpers.mirror import Mirror, Resource  # noqa: E402
from helpers.site_pages import Entry, serve_archive  # noqa: E402

from benchmarks.bench_startup import byte_compile  # noqa: E402
from benchmarks.targets import Check, Target  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "state_department"
FEED = FIXTURES / "feed-replay" / "2021-07-05_09" / "feed-20210709T224830.xml"

IDLE_ONE_GET = Target("crawl", "idle poll: feed GETs answered 304", "==", 1, "request(s)")
IDLE_NOTHING_ELSE = Target(
    "crawl", "idle poll: requests besides the feed and robots.txt", "==", 0, "request(s)"
)
IDLE_CPU = Target("crawl", "idle poll: CPU time of the `briefwatch crawl` process", "<=", 0.5, "s")
POLITE = Target("crawl", "polite backfill: share of the allowed request rate", ">=", 90, "%")
FLAT = Target("crawl", "backfill peak memory, largest count / smallest count", "<=", 1.25)


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


def _crawl_with_peak(config: Path, *args: str) -> tuple[float, float, float]:
    """Wall time, peak resident memory (MiB) and CPU seconds of one briefwatch process,
    measured by a helper whose only child it is (so RUSAGE_CHILDREN is that process alone)."""
    command = [sys.executable, "-m", "scraper", "--config", str(config), "-q", *args]
    helper = (
        "import json, resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        f"code = subprocess.run({command!r}, capture_output=True).returncode\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "print(json.dumps([time.perf_counter() - t, r.ru_maxrss / 1024, code,"
        " r.ru_utime + r.ru_stime]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", helper], capture_output=True, text=True, check=True
    )
    seconds, peak, code, cpu = json.loads(done.stdout)
    if code:
        raise RuntimeError(f"briefwatch {' '.join(args)} failed")
    return seconds, peak, cpu


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


def idle_poll(tmp: Path) -> list[Check]:
    with Mirror() as site:
        site.routes["/feed/"] = Resource(FEED.read_bytes(), content_type="application/rss+xml")
        config = write_config(
            tmp / "idle.toml", f"sqlite:///{tmp / 'idle.db'}", feeds=[site.url("/feed/")]
        )
        _crawl(config, "crawl")
        before = len(site.requests)
        seconds, _peak, cpu = _crawl_with_peak(config, "crawl")
        made = site.requests[before:]
        etag = site.routes["/feed/"].etag
        start = time.perf_counter()
        subprocess.run(
            ["curl", "-s", "-o", "/dev/null", site.url("/robots.txt"), "-o", "/dev/null",
             "-H", f"If-None-Match: {etag}", site.url("/feed/")],
            check=True,
        )  # fmt: skip
        curl = time.perf_counter() - start
    feed_304 = sum(r.path == "/feed/" and r.status == 304 for r in made)
    other = sum(r.path not in ("/feed/", "/robots.txt") for r in made)
    print(
        f"idle poll: {len(made)} requests ({feed_304} feed GET answered 304, {other} besides "
        f"feed and robots.txt); the whole `briefwatch crawl` process: wall {seconds:.2f} s, "
        f"CPU {cpu:.2f} s; curl, the same two requests: {curl * 1000:.0f} ms"
    )
    return [
        IDLE_ONE_GET.check(feed_304, f"{len(made)} requests in all"),
        IDLE_NOTHING_ELSE.check(other),
        IDLE_CPU.check(cpu, f"wall {seconds:.2f} s; curl {curl * 1000:.0f} ms wall"),
    ]


def polite_backfill(tmp: Path, count: int = 40) -> list[Check]:
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
    return [
        POLITE.check(
            share * 100,
            f"{len(made)} requests in {window:.1f} s under Crawl-delay 1 s "
            f"(allowed: one per second)",
        )
    ]


def fast_backfill(tmp: Path, counts=(250, 500, 1000)) -> list[Check]:
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
            seconds, peak, _cpu = _crawl_with_peak(config, "backfill")
        out[count] = {"seconds": seconds, "per_second": count / seconds, "peak_mib": peak}
        print(
            f"backfill, no throttling: {count} transcripts in {seconds:.1f} s "
            f"({count / seconds:.1f}/s), peak memory {peak:.0f} MiB"
        )
    low, high = out[counts[0]]["peak_mib"], out[counts[-1]]["peak_mib"]
    return [
        FLAT.check(
            high / low, f"{counts[0]} transcripts {low:.0f} MiB, {counts[-1]} {high:.0f} MiB"
        )
    ]


def run(quick: bool = False) -> list[Check]:
    byte_compile()
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        return [
            *idle_poll(tmp),
            *polite_backfill(tmp, 15 if quick else 40),
            *fast_backfill(tmp, (100, 400) if quick else (250, 500, 1000)),
        ]


if __name__ == "__main__":
    run(quick="--quick" in sys.argv)
