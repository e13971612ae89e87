"""``briefwatch serve`` in process: every route on SQLite and PostgreSQL, over an archive of
real transcripts (see ``web_archive``): status codes, escaping, Atom validity, API shapes, 400s."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import os
import re
from html.parser import HTMLParser

import feedparser
import pytest
from click.testing import CliRunner
from helpers.web_archive import EDIT, ESCAPE, HOSTILE, WATCH_TOML, WATCHES, build
from starlette.testclient import TestClient

from scraper.cli import cli
from scraper.storage import StorageError, open_archive
from scraper.watch.matcher import Matcher
from scraper.web.app import CONTENT_SECURITY_POLICY, Auth, create_app


@pytest.fixture(
    scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def archive_url(request, tmp_path_factory, migrated_databases):
    """One archive per backend for the whole module (the pages only read it)."""
    if request.param == "sqlite":
        url = migrated_databases.sqlite_url(tmp_path_factory.mktemp("web"))
        yield url, build(url)
        return
    with migrated_databases.postgres_url() as url:
        yield url, build(url)


@pytest.fixture(scope="module")
def served(archive_url):
    url, ids = archive_url
    archive = open_archive(url)
    with TestClient(create_app(archive, WATCHES)) as client:
        yield client, ids
    archive.close()


@pytest.fixture
def client(served):
    return served[0]


@pytest.fixture
def ids(served):
    return served[1]


PAGES = [
    "/",
    "/?kind=press_briefing&since=2021-08-01&until=2022-12-31&speaker=price&page=1",
    "/b/1",
    "/b/1?hl=afghanistan",
    "/b/1/revisions/2",
    "/search",
    "/search?q=pakistan",
    "/search?q=pakistan&mode=exchanges",
    "/search?q=iran+OR+iraq&role=official&order=rank&limit=5&page=2",
    "/trend",
    "/trend?q=iran&q=%22nord+stream%22&by=week",
    "/speakers",
    "/speakers?name=price",
    "/speaker?name=Ned+Price",
    "/watches",
    "/watches/pakistan",
    "/watches/pakistan?since=2021-01-01&until=2021-12-31&backtest=1",
    "/watches/nord-stream?since=2022-01-01&backtest=1",
    "/static/style.css",
]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_with_strict_headers(client, path):
    response = client.get(path)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src" not in CONTENT_SECURITY_POLICY  # default-src 'none': no script at all
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    if not path.startswith("/static"):
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert "<script" not in response.text


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/b/{hostile}",
        "/b/{hostile}?hl=zanzibarian",
        "/search?q=zanzibarian",
        "/search?q=zanzibarian&mode=exchanges",
        "/search?q=zanzibarian&topic=script",
        "/speakers?name=onmouseover",
        "/speaker?name=%3Cb+onmouseover%3Dalert%283%29%3EMr.+X%3C%2Fb%3E",
        "/search?q=zanzibarian+OR+%3Cscript%3E",
        "/trend?q=%3Cscript%3Ezanzibarian",
    ],
)
def test_hostile_stored_content_renders_inert(client, ids, path):
    response = client.get(path.format(**ids))
    assert response.status_code == 200
    body = response.text
    assert any(mark in body for mark in ("Hostile", "anzibarian", "onmouseover"))
    found = tags(body)
    assert not [t for t, _ in found if t in ("script", "img", "iframe", "object", "embed")]
    for tag, attrs in found:
        assert not [a for a in attrs if a.startswith("on")], (tag, attrs)
        for name in ("href", "src", "action"):
            if name in attrs:
                assert re.match(r"(https?://|/|#|\?)", attrs[name]), (tag, attrs)
    assert "javascript:" not in " ".join(a.get("href", "") for _, a in found)
    assert "\x1b" not in body and "\x07" not in body
    if path.startswith("/b/"):
        assert "&lt;script&gt;alert(&#39;pwned&#39;)&lt;/script&gt;" in body
        # The stored URL is not an http(s) address: shown as text, never as a link.
        assert "javascript:alert(document.cookie)" in body


def test_home_newest_first_with_filters_and_counts(client):
    page = client.get("/").text
    titles = re.findall(r'<td><a href="[^"]*/b/(\d+)">', page)
    assert titles[:2] == ["4", "5"] and titles[-1] == "7"  # 2022-07-20 first, 2020 last
    assert '<span class="count">7</span>' in page
    filtered = client.get("/?kind=press_briefing&since=2021-08-01").text
    assert re.findall(r'<td><a href="[^"]*/b/(\d+)">', filtered) == ["4", "3", "2"]
    interviews = client.get("/api/briefings?kind=interview").json()
    assert interviews["total"] == 1 and interviews["items"][0]["id"] == 5
    by_speaker = client.get("/api/briefings?speaker=blinken").json()
    assert [b["id"] for b in by_speaker["items"]] == [5]
    paged = client.get("/api/briefings?limit=2&page=2").json()
    assert paged["total"] == 7 and [b["id"] for b in paged["items"]] == [3, 2]


def test_transcript_turns_exchanges_topics_and_original_link(client):
    api = client.get("/api/briefings/1").json()
    page = client.get("/b/1").text
    assert f'href="{api["url"]}"' in page and api["url"].startswith("https://www.state.gov/")
    for turn in api["turns"]:
        assert f'id="turn-{turn["ordinal"]}"' in page
    for exchange in api["exchanges"]:
        assert f'id="exchange-{exchange["ordinal"]}"' in page
    first = api["exchanges"][0]
    section = page.split(f'id="exchange-{first["ordinal"]}"')[1].split("</section>")[0]
    assert section.count('class="part part-question"') == len(first["question_turns"])
    assert section.count('class="part part-answer"') == len(first["answer_turns"])
    topics = page.split('<nav class="topics"')[1].split("</nav>")[0]
    # Topics in reading order, linked to their first turn; listed ones no turn carries, unlinked.
    assert topics.index('<a href="#turn-2">Investment Cliamate Statements</a>') < topics.index(
        "<li>Norway</li>"
    )
    assert "Ned Price" in page and "official" in page
    highlighted = client.get("/b/1?hl=afghanistan").text
    assert "<mark>Afghanistan</mark>" in highlighted
    missing = client.get("/b/999")
    assert missing.status_code == 404 and "no stored briefing 999" in missing.text


def test_revisions_listed_with_a_turn_level_diff(client):
    page = client.get("/b/1").text
    assert "Revisions" in page and "1 changed, 0 added, 0 removed turns" in page
    diff = client.get("/b/1/revisions/2").text
    removed = diff.split('class="removed"')[1].split('class="added"')[0]
    added = diff.split('class="added"')[1]
    assert EDIT[0] in removed and EDIT[1] in added
    assert "unchanged turns" in diff
    assert client.get("/b/1/revisions/3").status_code == 404


def test_search_page_highlights_facets_and_pages(client):
    page = client.get("/search?q=pakistan").text
    assert '<strong class="total">5</strong>' in page
    assert "<mark>Pakistan</mark>" in page
    for facet in ("kind", "role", "speaker", "topic", "year"):
        assert f"<h2>{facet}</h2>" in page
    assert "since=2021-01-01&amp;until=2021-12-31" in page  # the year facet narrows dates
    first = client.get("/api/search?q=iran&limit=3&page=1").json()
    second = client.get("/api/search?q=iran&limit=3&page=2").json()
    assert first["total"] == second["total"] > 6
    assert first["items"] != second["items"] and len(second["items"]) == 3
    pager = client.get("/search?q=iran&limit=3").text
    assert f"page 1 of {-(-first['total'] // 3)}" in pager and 'rel="next"' in pager
    official = client.get("/api/search?q=pakistan&role=official").json()
    assert official["total"] == 2 and {h["role"] for h in official["items"]} == {"official"}
    facet_roles = dict((f["value"], f["count"]) for f in first["facets"]["role"])
    assert sum(facet_roles.values()) == first["total"]


def test_search_exchanges_mode_shows_whole_exchanges(client):
    page = client.get("/search?q=%22nord+stream%22&mode=exchanges").text
    api = client.get("/api/exchanges?q=%22nord+stream%22").json()
    assert f'<strong class="total">{api["total"]}</strong> exchanges' in page
    assert page.count('class="exchange result"') == len(api["items"]) == api["total"] == 5
    first = api["items"][0]
    assert first["date"] == "2022-07-20" and first["turns"][0]["role"] == "reporter"
    assert f"/b/{first['briefing_id']}?hl=%22nord%20stream%22#exchange-{first['exchange']}" in page
    assert "<mark>Nord Stream</mark>" in page


BAD = [
    ("/api/search?q=%22human+rights", 400, "bad query '\"human rights': unbalanced quote"),
    (
        "/api/search?q=NOT+iran",
        400,
        "bad query 'NOT iran': a query cannot only exclude (add a word to find)",
    ),
    ("/api/search", 400, "q: a query is required"),
    ("/api/search?q=" + "a" * 501, 400, "q: at most 500 characters"),
    ("/api/search?q=iran&limit=101", 400, "limit: expected 1 to 100, got 101"),
    ("/api/search?q=iran&page=1000", 400, "page: expected 1 to 501, got 1000"),
    ("/api/search?q=iran&since=2021-13-01", 400, "since: expected YYYY-MM-DD, got '2021-13-01'"),
    (
        "/api/search?q=iran&role=spy",
        400,
        "role: expected one of official, reporter, moderator, operator, other, got 'spy'",
    ),
    ("/api/exchanges?q=(iran", 400, "bad query '(iran': unbalanced parenthesis"),
    ("/api/trend?q=iran&by=day", 400, "by: expected one of month, week, got 'day'"),
    ("/api/trend", 400, "q: a query is required"),
    ("/api/trend?q=a&q=b&q=c&q=d&q=e&q=f", 400, "q: at most 5 terms"),
    (
        "/api/briefings?kind=memo",
        400,
        "kind: expected one of press_briefing, special_briefing, telephonic_briefing, press_availability, interview, remarks, press_release, got 'memo'",
    ),
    ("/api/briefings/999", 404, "no stored briefing 999"),
    ("/api/nothing", 404, "Not Found"),
]


@pytest.mark.parametrize(("path", "status", "message"), BAD, ids=[b[2][:40] for b in BAD])
def test_api_errors_are_json_with_status(client, path, status, message):
    response = client.get(path)
    assert response.status_code == status
    assert response.json() == {"error": message, "status": status}


@pytest.mark.parametrize(
    "path", ["/search?q=%22x", "/trend?q=(x", "/trend.csv?q=%22x", "/search.atom?q=%22x"]
)
def test_pages_answer_a_malformed_query_with_400(client, path):
    response = client.get(path)
    assert response.status_code == 400
    assert "bad query" in response.text and "unbalanced" in response.text


def test_bad_query_message_is_the_clis(archive_url, client, tmp_path):
    url, _ids = archive_url
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "{url}"\n')
    for query in ['"human rights', "iran)", "NOT iran", "(iran OR"]:
        result = CliRunner().invoke(cli, ["--config", str(config), "search", query])
        assert result.exit_code == 2
        api = client.get("/api/search", params={"q": query}).json()["error"]
        assert result.stderr.strip() == f"briefwatch: {api}"


def test_trend_svg_zero_filled_and_csv(client):
    page = client.get("/trend?q=iran&q=%22nord+stream%22").text
    svg = page.split('<svg xmlns="http://www.w3.org/2000/svg" class="chart"')[1].split("</svg>")[0]
    assert svg.count("<polyline") == 4  # two terms, questions and answers apart
    rows = client.get("/api/trend?q=iran&q=%22nord+stream%22").json()["rows"]
    iran = [r["period"] for r in rows if r["term"] == "iran"]
    assert iran[0] == "2021-07" and iran[-1] == "2022-07" and len(iran) == 13  # every month
    assert [r["period"] for r in rows if r["term"] == '"nord stream"'] == iran
    assert {"period": "2021-12", "questions": 0, "answers": 0}.items() <= next(
        r for r in rows if r["term"] == "iran" and r["period"] == "2021-12"
    ).items()
    response = client.get("/trend.csv?q=iran&q=%22nord+stream%22")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    parsed = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["term"], r["period"], int(r["questions"]), int(r["answers"])) for r in parsed] == [
        (r["term"], r["period"], r["questions"], r["answers"]) for r in rows
    ]
    weekly = client.get("/api/trend?q=iran&by=week").json()["rows"]
    assert len(weekly) > len(iran) and weekly[0]["questions"] + weekly[0]["answers"] > 0


def test_speakers_and_one_speaker(client):
    listing = client.get("/api/search?q=price&speaker=price").json()  # warms nothing; sanity
    assert listing["total"] >= 0
    page = client.get("/speakers").text
    assert "Ned Price" in page and "QUESTION" in page
    price = client.get("/speaker?name=Ned+Price").text
    assert "asked in 0, answered in " in price
    answered = int(re.search(r"answered in (\d+)", price).group(1))
    assert answered > 50
    assert "2021-07-21 to 2022-07-20" in price
    assert client.get("/speaker?name=Nobody+Here").status_code == 404
    assert client.get("/speaker").status_code == 400


def test_watches_page_and_backtest(client):
    page = client.get("/watches").text
    assert "pakistan" in page and "nord-stream" in page and "<mark>" in page
    backtest = client.get("/watches/pakistan?since=2021-07-01&until=2022-06-30&backtest=1").text
    expected = sum(
        len(Matcher([WATCHES[0]]).hits(b))
        for b in _stored(client)
        if b.date and dt.date(2021, 7, 1) <= b.date <= dt.date(2022, 6, 30)
    )
    assert f"Backtest: {expected} alert" in backtest and expected > 0
    too_long = client.get("/watches/pakistan?since=2020-01-01&until=2022-01-01&backtest=1")
    assert too_long.status_code == 400 and "at most 366 days" in too_long.text
    assert client.get("/watches/unknown").status_code == 404
    assert client.get("/watches/pakistan?backtest=1").status_code == 400


def _stored(client):
    archive = client.app.state.archive
    return [b for _id, b in archive.storage.iter_briefings()]


def test_atom_feeds_are_valid(client, ids):
    briefings = feedparser.parse(client.get("/briefings.atom").content)
    assert briefings.bozo == 0 and briefings.version == "atom10"
    assert len(briefings.entries) == 7
    assert all(re.search(r"/b/\d+$", e.link) for e in briefings.entries)

    watch = client.get("/watch/pakistan.atom")
    assert watch.headers["content-type"] == "application/atom+xml; charset=utf-8"
    parsed = feedparser.parse(watch.content)
    assert parsed.bozo == 0 and parsed.feed.title == "briefwatch watch: pakistan"
    assert parsed.entries and all(re.search(r"/b/\d+#turn-\d+$", e.link) for e in parsed.entries)
    assert "<b>Pakistan" in parsed.entries[0].content[0].value
    assert len({e.id for e in parsed.entries}) == len(parsed.entries)

    search = feedparser.parse(client.get("/search.atom?q=zanzibarian").content)
    assert search.bozo == 0 and len(search.entries) == 2
    assert f"/b/{ids['hostile']}#turn-" in search.entries[0].link
    raw = client.get("/search.atom?q=zanzibarian").text
    assert "<script>" not in raw and ESCAPE not in raw
    assert client.get("/watch/unknown.atom").status_code == 404


def test_api_shapes_mirror_the_cli(archive_url, client, tmp_path):
    url, _ids = archive_url
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "{url}"\n')
    shown = json.loads(
        CliRunner().invoke(cli, ["--config", str(config), "show", "4", "--format", "json"]).stdout
    )
    api = client.get("/api/briefings/4").json()
    assert {k: v for k, v in api.items() if k not in ("source", "revisions")} == {
        k: v for k, v in shown.items() if k not in ("source", "revisions")
    }
    assert api["source"] == "state_department" and api["revisions"][0]["number"] == 1
    cli_rows = json.loads(
        CliRunner()
        .invoke(cli, ["--config", str(config), "search", "sanctions", "--format", "json"])
        .stdout
    )
    web_rows = client.get("/api/search?q=sanctions").json()["items"]
    assert web_rows == cli_rows
    cli_x = json.loads(
        CliRunner()
        .invoke(cli, ["--config", str(config), "exchanges", "pakistan", "--format", "json"])
        .stdout
    )
    web_x = client.get("/api/exchanges?q=pakistan").json()["items"]
    assert [
        {**x, "turns": [{k: t[k] for k in ("speaker", "role", "text")} for t in x["turns"]]}
        for x in web_x
    ] == [
        {
            **x,
            "briefing_id": w["briefing_id"],
            "turns": [{k: t[k] for k in ("speaker", "role", "text")} for t in x["turns"]],
        }
        for x, w in zip(cli_x, web_x, strict=True)
    ]


def test_no_write_endpoint_and_a_read_only_database(archive_url, client):
    for path in ["/", "/search?q=iran", "/api/briefings", "/api/search?q=iran", "/b/1"]:
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            assert client.request(method, path).status_code == 405
    url, _ids = archive_url
    archive = open_archive(url)
    try:
        with pytest.raises(StorageError, match="(?i)read.?only"):
            archive.storage.save_briefing(
                HOSTILE.__class__(url="https://x.test/", content_hash="x")
            )
    finally:
        archive.close()


def test_credentials_from_the_environment_are_enforced(archive_url):
    url, _ids = archive_url
    archive = open_archive(url)
    try:
        app = create_app(archive, WATCHES, Auth(token="t0ken", basic="desk:pa55"))
        with TestClient(app) as client:
            refused = client.get("/")
            assert refused.status_code == 401 and refused.headers["www-authenticate"].startswith(
                "Basic"
            )
            assert "content-security-policy" in refused.headers
            assert client.get("/", headers={"Authorization": "Bearer wrong"}).status_code == 401
            assert client.get("/", headers={"Authorization": "Bearer t0ken"}).status_code == 200
            basic = base64.b64encode(b"desk:pa55").decode()
            assert (
                client.get(
                    "/api/briefings", headers={"Authorization": f"Basic {basic}"}
                ).status_code
                == 200
            )
            assert client.get("/", headers={"Authorization": "Basic !!!"}).status_code == 401
    finally:
        archive.close()


REFUSED = [
    (
        ["serve", "--host", "0.0.0.0"],
        {},
        "refusing to listen on 0.0.0.0: only loopback addresses are served without --allow-remote",
    ),
    (
        ["serve", "--host", "192.0.2.10", "--allow-remote"],
        {},
        "--allow-remote needs BRIEFWATCH_WEB_TOKEN or BRIEFWATCH_WEB_BASIC_AUTH to be set",
    ),
    (
        ["serve", "--host", "::", "--allow-remote"],
        {"BRIEFWATCH_WEB_BASIC_AUTH": "nocolon"},
        "BRIEFWATCH_WEB_BASIC_AUTH must be user:password",
    ),
]


@pytest.mark.parametrize(
    ("args", "env", "message"), REFUSED, ids=["remote", "no-credential", "bad-basic"]
)
def test_serve_refuses_remote_addresses_without_credentials(tmp_path, args, env, message):
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "sqlite:///{tmp_path / "a.db"}"\n')
    env = {"BRIEFWATCH_WEB_TOKEN": "", "BRIEFWATCH_WEB_BASIC_AUTH": "", **env}
    result = CliRunner().invoke(cli, ["--config", str(config), *args], env=env)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"briefwatch: {message}"


def test_serve_refuses_a_missing_or_empty_archive(tmp_path):
    config = tmp_path / "c.toml"
    missing = tmp_path / "none" / "a.db"
    config.write_text(f'[database]\nurl = "sqlite:///{missing}"\n{WATCH_TOML}')
    result = CliRunner().invoke(cli, ["--config", str(config), "serve", "--port", "1"])
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == f"briefwatch: cannot serve: no archive at {missing} (run briefwatch crawl first)"
    )
    assert not missing.parent.exists()  # serving never creates a database
    import sqlite3

    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()
    config.write_text(f'[database]\nurl = "sqlite:///{empty}"\n')
    result = CliRunner().invoke(cli, ["--config", str(config), "serve", "--port", "1"])
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "briefwatch: cannot serve: the database is empty (run briefwatch crawl first)"
    )


def test_totals_and_facets_stay_bounded_on_common_words(client, monkeypatch):
    """Past the caps a page says "N+" and counts facets over the newest matches only."""
    from scraper.storage import browse

    full = client.get("/api/search?q=iran").json()
    assert full["total_exact"] and full["facets_sample"] is None
    monkeypatch.setattr(browse, "FACET_SAMPLE", 4)
    monkeypatch.setattr(browse, "COUNT_CAP", 5)
    sampled = client.get("/api/search?q=iran").json()
    assert sampled["total"] == full["total"] > 5 and sampled["total_exact"]  # no filter: exact
    assert sampled["facets_sample"] == 4
    assert sum(f["count"] for f in sampled["facets"]["role"]) == 4
    newest = client.get("/api/search?q=iran&limit=4").json()["items"]
    assert [(f["value"], f["count"]) for f in sampled["facets"]["year"]] == [
        (newest[0]["date"][:4], 4)
    ]
    capped = client.get("/api/search?q=iran&role=official").json()
    assert capped["total"] == 5 and capped["total_exact"] is False
    page = client.get("/search?q=iran&role=official").text
    assert '<strong class="total">5+</strong>' in page
    assert "Counts among the newest 4 of 5+ matching turns." in page
    exchanges = client.get("/api/exchanges?q=iran").json()
    assert exchanges["total_exact"] is False and 1 <= exchanges["total"] <= 5


@pytest.mark.slow
def test_serve_process_answers_on_loopback_and_stops_on_sigterm(database_url, tmp_path):
    """The real command: read-only over each backend, on 127.0.0.1, gone after SIGTERM."""
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    from helpers.smtp import free_port

    build(database_url)
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "{database_url}"\n{WATCH_TOML}')
    port = free_port()
    env = {**os.environ, "BRIEFWATCH_WEB_TOKEN": "", "BRIEFWATCH_WEB_BASIC_AUTH": ""}
    process = subprocess.Popen(
        [sys.executable, "-m", "scraper", "--config", str(config), "serve", "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/briefings") as r:
                    body, headers = json.loads(r.read()), r.headers
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.2)
        assert body["total"] == 7 and headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/watch/pakistan.atom") as r:
            assert feedparser.parse(r.read()).bozo == 0
    finally:
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert f"read-only on http://127.0.0.1:{port}/ (no authentication;" in err
    assert "Traceback" not in err
