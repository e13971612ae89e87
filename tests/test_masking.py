"""No URL credential is printed, logged or stored (issue 11, item 9): mask_url/mask_text as a
table, then the commands that print a database or feed URL, each given hostile URLs."""

from __future__ import annotations

import logging

import pytest
from click.testing import CliRunner

from scraper.cli import cli
from scraper.masking import MaskingFilter, mask_text, mask_url

SECRET = "s3cret"

MASK_CASES = [
    ("postgresql+psycopg://u:s3cret@h/db", "postgresql+psycopg://u:***@h/db"),
    ("postgresql+psycopg://:s3cret@h/db", "postgresql+psycopg://:***@h/db"),
    ("postgresql+psycopg://u@h/db?password=s3cret", "postgresql+psycopg://u@h/db?password=***"),
    (
        "postgresql://u@h/db?sslmode=require&password=s3cret",
        "postgresql://u@h/db?sslmode=require&password=***",
    ),
    ("postgresql://u@h/db?sslpassword=s3cret", "postgresql://u@h/db?sslpassword=***"),
    ("https://h/feed?api_key=s3cret&x=1", "https://h/feed?api_key=***&x=1"),
    ("https://h/feed?token=s3cret", "https://h/feed?token=***"),
    # Alert channels (webhook, apprise) use the same rule: a signed URL's signature is masked.
    ("https://hooks.x.org/in?sig=s3cret&v=2", "https://hooks.x.org/in?sig=***&v=2"),
    ("https://x.org/h?signature=s3cret", "https://x.org/h?signature=***"),
    ("form://desk:${PW}@127.0.0.1/x", None),  # a ${VAR} reference names a secret: kept
    ("postgresql://u:s3/cret@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:s3cret@h:port/db", "postgresql://u:***@h:port/db"),
    ("postgresql://u:s3c@ret@h/db", "postgresql://u:***@h/db"),
    ("postgresql://u:s3cret@[::1/db", "postgresql://u:***@[::1/db"),
    ("http://user:s3cret@127.0.0.1:1/feed/", "http://user:***@127.0.0.1:1/feed/"),
    ("host=h password=s3cret dbname=d", "host=h password=*** dbname=d"),
    # Left alone: nothing secret in them.
    ("postgresql+psycopg://postgres@127.0.0.1:5432/postgres", None),
    ("https://medium.com/@someone/post", None),
    ("http://127.0.0.1:8080/a@b", None),
    ("sqlite:////tmp/a:b@c.db", None),  # a path: the netloc is empty
    ("", None),
]


@pytest.mark.parametrize(
    ("url", "masked"), MASK_CASES, ids=[c[0][:50] or "empty" for c in MASK_CASES]
)
def test_mask_url(url, masked):
    assert mask_url(url) == (url if masked is None else masked)


def test_mask_text_masks_every_url_in_a_message():
    text = "cannot open 'postgresql://a:s3cret@h/x' (also tried http://:s3cret@h2/) "
    assert SECRET not in mask_text(text)
    assert mask_text(text).count("***") == 2


def test_masking_filter_masks_log_records(caplog):
    logger = logging.getLogger("test.masking")
    handler = caplog.handler
    handler.addFilter(MaskingFilter())
    try:
        logger.error("feed %s: refused", "http://u:s3cret@h/feed")
    finally:
        handler.removeFilter(handler.filters[-1])
    assert SECRET not in caplog.text
    assert "http://u:***@h/feed" in caplog.text


HOSTILE_DATABASE_URLS = [
    "postgresql+psycopg://app:s3cret@127.0.0.1:5432/briefwatch_nodb?password=s3cret",
    "postgresql+psycopg://:s3cret@127.0.0.1:5432/briefwatch_nodb",
    "postgresql+psycopg://app:s3cret@127.0.0.1:port/briefwatch_nodb",
    "postgresql+psycopg://app:s3/cret@127.0.0.1:1/briefwatch_nodb",
    "postgresql+psycopg://app:s3cret@[127.0.0.1/briefwatch_nodb",
    "mysql://app:s3cret@127.0.0.1/briefwatch",
]
COMMANDS = [["config", "check"], ["status"], ["search", "x"], ["show", "1"], ["db", "upgrade"]]


@pytest.mark.parametrize("url", HOSTILE_DATABASE_URLS)
@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_no_command_prints_a_database_password(tmp_path, url, command):
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "{url}"\n')
    result = CliRunner().invoke(cli, ["--config", str(config), *command])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert SECRET not in result.output + result.stderr, result.output + result.stderr
    if result.exit_code:
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_status_masks_a_password_given_as_a_query_parameter(tmp_path, database_url):
    # On SQLite the location is a file path; on PostgreSQL a URL, whose ?password= was shown.
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        url = url.update_query_dict({"password": SECRET})
    config = tmp_path / "c.toml"
    config.write_text(f'[database]\nurl = "{url.render_as_string(hide_password=False)}"\n')
    for fmt in ("text", "json"):
        result = CliRunner().invoke(cli, ["--config", str(config), "status", "--format", fmt])
        assert result.exit_code == 0, result.output
        assert SECRET not in result.output


@pytest.mark.slow
def test_a_feed_url_with_credentials_is_refused_so_nothing_holds_them(tmp_path):
    # The URL policy refuses credentials in a URL, and the configuration refuses such a feed
    # already: no command runs, nothing is fetched (even from a server that answers), no
    # database is made, and the one-line error masks the secret.
    from helpers.crawling import briefwatch, write_config
    from helpers.mirror import Mirror
    from helpers.state_department import FEED_PATH, VERSIONS, feed

    path = tmp_path / "c.db"
    with Mirror() as site:
        site.routes[FEED_PATH] = feed(VERSIONS[7])
        secret = site.url(FEED_PATH).replace("http://", f"http://reader:{SECRET}@")
        config = write_config(tmp_path / "c.toml", f"sqlite:///{path}", feeds=[secret])
        for command in (["crawl"], ["status"], ["runs"], ["config", "check"]):
            result = briefwatch(config, *command)
            assert result.returncode == 2, (command, result.stderr)
            assert "sources.state_department.feeds[0]: expected an http(s) URL (credentials " in (
                result.stderr
            )
            assert SECRET not in result.stdout + result.stderr
            assert "reader:***@127.0.0.1:" in result.stderr
        assert site.requests == []
    assert not path.exists()  # nothing stored anywhere
