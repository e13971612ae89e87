"""Browsing the archive: `list`, `show` and `diff` on a briefing edited after publication
(two real feed versions of the July 6, 2021 briefing, crawled from a local mirror by two
``briefwatch crawl`` processes; the commands that read the archive run in process)."""

from __future__ import annotations

import json

import pytest
from helpers.crawling import briefwatch, cli, write_config
from helpers.mirror import Mirror
from helpers.state_department import FEED_PATH, VERSIONS, feed

pytestmark = pytest.mark.slow
URL = "https://www.state.gov/briefings/department-press-briefing-july-6-2021/"


@pytest.fixture(scope="module")
def edited(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browse")
    database_url = f"sqlite:///{tmp / 'b.db'}"
    with Mirror() as site:
        site.routes[FEED_PATH] = feed(VERSIONS[7])  # first version of the July 6 briefing
        config = write_config(tmp / "c.toml", database_url, feeds=[site.url(FEED_PATH)])
        assert briefwatch(config, "crawl").returncode == 0
        site.routes[FEED_PATH] = feed(VERSIONS[10])  # the same briefing, edited
        assert briefwatch(config, "crawl").returncode == 0
    return config


def test_list_filters_and_counts(edited):
    listed = cli(edited, "list", "--since", "2021-07-01", "--kind", "press_briefing")
    assert listed.returncode == 0, listed.stderr
    (line,) = listed.stdout.splitlines()
    assert line.split()[:4] == ["1", "2021-07-06", "press_briefing", "2"]
    assert line.endswith("Department Press Briefing – July 6, 2021")
    assert "1 briefing(s); showing 1-1" in listed.stderr
    assert cli(edited, "list", "--until", "2021-07-05").stdout == ""
    unknown = cli(edited, "list", "--source", "nowhere")
    assert unknown.returncode == 2 and "known: state_department" in unknown.stderr
    (row,) = json.loads(cli(edited, "list", "--format", "json").stdout)
    assert (row["source"], row["revisions"], row["url"]) == ("state_department", 2, URL)


def test_show_names_url_guid_kind_source_and_revisions(edited):
    text = cli(edited, "show", "1").stdout
    assert text.startswith(
        "id: 1   source: state_department (U.S. Department of State)   revisions: 2\nurl: " + URL
    )
    assert "guid: https://www.state.gov/?post_type=state_briefing&p=257522" in text
    assert "kind: press_briefing" in text
    data = json.loads(cli(edited, "show", URL, "--format", "json").stdout)
    assert (data["source"], data["publisher"], data["revisions"]) == (
        "state_department",
        "U.S. Department of State",
        2,
    )


def test_diff_shows_the_changed_turns_word_by_word(edited):
    result = cli(edited, "diff", URL)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "revision 2 (first seen " in out and "against revision 1" in out
    assert "~ turn 1 Ned Price (official)" in out
    assert "[-his holiness-] {+His Holiness+}" in out
    assert "~ turn 10 QUESTION (reporter)" in out and "[-Dali-] {+Dalai+}" in out
    assert cli(edited, "diff", "1", "--rev", "2").stdout == out
    assert cli(edited, "diff", "1", "--rev", "3").returncode == 2


def test_export_names_the_source(edited):
    (line,) = cli(edited, "export").stdout.splitlines()
    assert json.loads(line)["source"] == "state_department"
