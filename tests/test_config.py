"""Configuration: defaults, the documented file, and one clear line for every mistake."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.config import Config, ConfigError, config_from_dict, load_config, mask_url

ROOT = Path(__file__).resolve().parents[1]


def test_documented_file_equals_built_in_defaults():
    assert load_config(ROOT / "config.toml") == dataclasses.replace(
        config_from_dict({}), path=ROOT / "config.toml"
    )


def test_every_key_is_in_the_documented_file_with_a_comment():
    text = (ROOT / "config.toml").read_text()
    data = tomllib.loads(text)
    cfg = config_from_dict({})
    for section in ("database", "http", "logging", "schedule"):
        fields = {f.name for f in dataclasses.fields(getattr(cfg, section))}
        assert set(data[section]) == fields, section
    for name, source in cfg.sources.items():
        assert set(data["sources"][name]) == {f.name for f in dataclasses.fields(source)}
    alerts = {f.name for f in dataclasses.fields(cfg.alerts)}
    assert set(data["alerts"]) == alerts
    for channel in cfg.alerts.channel_names():
        fields = {f.name for f in dataclasses.fields(getattr(cfg.alerts, channel))}
        assert set(data["alerts"][channel]) == fields, channel
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "=" in line and not line.startswith(("#", " ", '"')) and not line.startswith("["):
            assert lines[i - 1].startswith("#"), f"undocumented key: {line}"


BAD = [
    ({"databse": {}}, "databse: unknown key"),
    ({"database": {"urll": "x"}}, "database.urll: unknown key"),
    ({"database": {"url": "mysql://x"}}, "database.url: expected a sqlite"),
    (
        {"database": {"busy_timeout_seconds": "5"}},
        "database.busy_timeout_seconds: expected a number",
    ),
    (
        {"database": {"busy_timeout_seconds": -1}},
        "database.busy_timeout_seconds: expected a positive",
    ),
    ({"http": {"retry_times": 1.5}}, "http.retry_times: expected a whole number"),
    ({"http": {"retry_times": True}}, "http.retry_times: expected a whole number"),
    ({"http": {"obey_robots_txt": "yes"}}, "http.obey_robots_txt: expected true or false"),
    ({"http": {"max_response_bytes": 0}}, "http.max_response_bytes: expected a positive"),
    ({"http": {"user_agent": " "}}, "http.user_agent: must not be empty"),
    ({"http": "x"}, "http: expected a table"),
    ({"logging": {"level": "LOUD"}}, "logging.level: expected DEBUG"),
    ({"sources": {"nowhere": {}}}, "sources.nowhere: unknown source"),
    (
        {"sources": {"state_department": {"feeds": "x"}}},
        "sources.state_department.feeds: expected a list",
    ),
    (
        {"sources": {"state_department": {"feeds": [1]}}},
        "sources.state_department.feeds[0]: expected a string",
    ),
    *[
        (
            {"sources": {"state_department": {key: [url] if key == "feeds" else url}}},
            f"sources.state_department.{key}{'[0]' if key == 'feeds' else ''}: "
            f"expected an http(s) URL ({why}), got {shown!r}",
        )
        for key, url, why, shown in [
            ("feeds", "ftp://x", "scheme 'ftp' is not http(s)", "ftp://x"),
            *[
                ("feeds", url, f"scheme {scheme!r} is not http(s)", url)
                for url, scheme in [
                    ("javascript:alert(1)", "javascript"),
                    ("//www.state.gov/rss-feed/", "(none)"),  # no scheme
                    ("www.state.gov/rss-feed/", "(none)"),
                    ("ftp://www.state.gov/department-press-briefings/", "ftp"),
                ]
            ],
            ("feeds", "http://", "no host", "http://"),
            *[
                ("feeds", url, "control character, space or backslash in the URL", url)
                for url in ["https://www.state.gov/a feed/", "https://www.state.gov/\\x"]
            ],
            # refused by every crawl (scraper.url_policy): refused here, the secret masked
            (
                "feeds",
                "https://user:secret@www.state.gov/rss-feed/",
                "credentials in the URL",
                "https://user:***@www.state.gov/rss-feed/",
            ),
            (
                "listing_url",
                "ftp://www.state.gov/department-press-briefings/",
                "scheme 'ftp' is not http(s)",
                "ftp://www.state.gov/department-press-briefings/",
            ),
            (
                "archive_sitemap_url",
                "file:///etc/passwd",
                "scheme 'file' is not http(s)",
                "file:///etc/passwd",
            ),
        ]
    ],
    (
        {"sources": {"state_department": {"feeds": ["https://www.state.gov/f/", "data:,x"]}}},
        "sources.state_department.feeds[1]: expected an http(s) URL "
        "(scheme 'data' is not http(s)), got 'data:,x'",
    ),
    (
        {"sources": {"state_department": {"kinds": ["memo"]}}},
        "sources.state_department.kinds: unknown kind 'memo'",
    ),
    ({"sources": {"state_department": {"listing_max_pages": 0}}}, "must be >= 1"),
    ({"alerts": {"max_chars": 5}}, "alerts.max_chars: expected at least 40"),
    ({"schedule": {"crons": ["every day"]}}, "schedule.crons: invalid cron expression 'every day'"),
    (
        {"schedule": {"crons": [], "interval_seconds": 0.0}},
        "schedule: give crons or interval_seconds",
    ),
    ({"schedule": {"timezone": "Nowhere"}}, "schedule.timezone: unknown time zone"),
    ({"schedule": {"run_timeout_seconds": 0}}, "schedule.run_timeout_seconds: expected a positive"),
    ({"alerts": {"digest_times": ["8am"]}}, "alerts.digest_times: expected HH:MM"),
    ({"alerts": {"timezone": "Mars/Olympus"}}, "alerts.timezone: unknown time zone"),
    ({"alerts": {"email": {"security": "tls"}}}, "alerts.email.security: expected starttls"),
    ({"alerts": {"email": {"enabled": True}}}, "alerts.email.recipients: an enabled email"),
    ({"alerts": {"email": {"recipients": ["nobody"]}}}, "not an email address: 'nobody'"),
    ({"alerts": {"log": {"mode": "hourly"}}}, "alerts.log.mode: expected one of immediate"),
    ({"watch": {"name": "x"}}, "watch: expected a list"),
    ({"watch": [{"terms": ["x"]}]}, "watch[0].name: every watch needs a name"),
    ({"watch": [{"name": "x"}]}, "watch[0] ('x'): give terms, regex, any_of or all_of"),
    (
        {"watch": [{"name": "x", "regex": ["("]}]},
        "watch[0] ('x').regex: invalid regular expression",
    ),
    ({"watch": [{"name": "x", "terms": ["a"], "scope": "page"}]}, "watch[0] ('x').scope: expected"),
    ({"watch": [{"name": "x", "terms": ["a"], "said_by": "me"}]}, "watch[0] ('x').said_by"),
    ({"watch": [{"name": "x", "terms": [""]}]}, "watch[0] ('x'): empty term"),
    ({"watch": [{"name": "x", "terms": ["a"], "channels": ["sms"]}]}, "unknown channel 'sms'"),
    (
        {"watch": [{"name": "x", "terms": ["a"], "channels": ["email", "jsonl"]}]},
        "watch[0] ('x').channels: channel 'email' is disabled",
    ),
    (
        {"alerts": {"log": {"enabled": False}}, "watch": [{"name": "x", "terms": ["a"]}]},
        "watch[0] ('x'): no alert channel is enabled to alert through",
    ),
    (
        {"watch": [{"name": "x", "terms": ["a"]}, {"name": "x", "terms": ["b"]}]},
        "watch[1] ('x'): name used",
    ),
]


@pytest.mark.parametrize(("data", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_values_name_the_key(data, message):
    with pytest.raises(ConfigError) as info:
        config_from_dict(data)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_source_override_keeps_other_defaults():
    cfg = config_from_dict({"sources": {"state_department": {"feeds": ["http://127.0.0.1/f"]}}})
    src = cfg.sources["state_department"]
    assert src.feeds == ("http://127.0.0.1/f",)
    assert src.listing_url == "https://www.state.gov/department-press-briefings/"


def test_default_database_is_sqlite_under_xdg_data_home(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert Config().database_url == f"sqlite:///{tmp_path}/briefwatch/briefwatch.db"


def test_mask_url_hides_password():
    assert mask_url("postgresql+psycopg://u:s3cret@h/db") == "postgresql+psycopg://u:***@h/db"


def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scraper", *args], capture_output=True, text=True, env=env
    )


def test_cli_misspelled_key_one_line_exit_2(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[http]\nuser_agentt = "x"\n')
    result = run_cli("--config", str(bad), "config", "check")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"briefwatch: {bad}: http.user_agentt: unknown key "
        "(expected one of: autothrottle, contact_url, crawl_deadline_seconds, "
        "download_delay_seconds, max_crawl_delay_seconds, max_response_bytes, "
        "obey_robots_txt, retry_times, timeout_seconds, user_agent)"
    ]
    assert "Traceback" not in result.stderr


def test_cli_missing_file_exit_2(tmp_path):
    result = run_cli("--config", str(tmp_path / "none.toml"), "status")
    assert result.returncode == 2
    assert "no such configuration file" in result.stderr


def test_config_check_masks_password(tmp_path):
    cfg = tmp_path / "c.toml"
    cfg.write_text('[database]\nurl = "postgresql+psycopg://bw:hunter2@127.0.0.1/x"\n')
    result = run_cli("--config", str(cfg), "config", "check")
    assert result.returncode == 0, result.stderr
    assert "hunter2" not in result.stdout + result.stderr
    assert "bw:***@" in result.stdout


def _float_keys(cls=Config, prefix=()):
    """Every float setting as a path of table names, found from the dataclasses."""
    import typing

    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        if f.name in ("path", "sources", "watch"):
            continue
        if dataclasses.is_dataclass(hints[f.name]):
            yield from _float_keys(hints[f.name], (*prefix, f.name))
        elif hints[f.name] is float:
            yield (*prefix, f.name)


FLOAT_KEYS = list(_float_keys())
TIMEOUT_KEYS = [k for k in FLOAT_KEYS if k[-1].endswith("timeout_seconds")]


def _nested(path: tuple[str, ...], value) -> dict:
    data: dict = {path[-1]: value}
    for name in reversed(path[:-1]):
        data = {name: data}
    return data


def test_the_meta_tests_see_every_kind_of_number():
    assert len(FLOAT_KEYS) >= 12
    assert ("alerts", "email", "timeout_seconds") in TIMEOUT_KEYS
    assert ("schedule", "jitter_seconds") in FLOAT_KEYS


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), 1e300, -1e300])
@pytest.mark.parametrize("path", FLOAT_KEYS, ids=".".join)
def test_every_number_rejects_nan_inf_and_overflow_naming_the_key(path, value):
    with pytest.raises(ConfigError) as info:
        config_from_dict(_nested(path, value))
    assert str(info.value).startswith(".".join(path) + ": expected a")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("value", [0, 0.0, -1, -0.5])
@pytest.mark.parametrize("path", TIMEOUT_KEYS, ids=".".join)
def test_every_timeout_must_be_positive(path, value):
    with pytest.raises(ConfigError, match=r"^" + ".".join(path) + ": expected a positive"):
        config_from_dict(_nested(path, value))


def test_a_toml_nan_is_one_line_exit_2(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[schedule]\njitter_seconds = nan\n[http]\ntimeout_seconds = inf\n")
    result = run_cli("--config", str(path), "config", "check")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"briefwatch: {path}: http.timeout_seconds: expected a finite number of at most 1e+09"
    ]


# -- cron expressions: checked at every load without APScheduler, as APScheduler checks them --

CRONS = [
    "*/10 9-19 * * mon-fri",
    "0 * * * *",
    "5,35 8-18/2 1-15 jan-jun,dec sat,sun",
    "0 0 last * *",
    "0 12 * * 0-6",
    "every day",
    "* * * *",
    "* * * * * *",
    "60 * * * *",
    "* 24 * * *",
    "* * 0 * *",
    "* * * 13 *",
    "* * * * 7",
    "*/0 * * * *",
    "*/60 * * * *",
    "5-1 * * * *",
    "3-9/9 * * * *",
    "70/5 * * * *",
    "* * * foo *",
    "* * * * fri-mon",
    "* * * * xyz",
    "1,,2 * * * *",
    "? * * * *",
    "* * L * *",
]
FIELD = st.sampled_from(
    ["*", "*/5", "*/0", "*/61", "0", "7", "12", "13", "23", "24", "31", "32", "59", "60", "1-5",
     "5-1", "0-0", "1-12/11", "3-9/9", "70/5", "1/2", "mon", "MON-fri", "fri-mon", "sun", "jan",
     "jan-dec", "dec-jan", "foo", "last", "lastx", "L", "?", "", "x-y"]
)  # fmt: skip


def apscheduler_verdict(cron: str) -> str | None:
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(cron, timezone="UTC")
    except ValueError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("cron", CRONS)
def test_cron_check_without_apscheduler_agrees_with_it(cron):
    from scheduler.config import cron_problem

    assert cron_problem(cron) == apscheduler_verdict(cron)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(FIELD, min_size=1, max_size=3).map(",".join), min_size=4, max_size=6))
def test_cron_check_agrees_with_apscheduler_on_any_line(fields):
    from scheduler.config import cron_problem

    cron = " ".join(f or "*" for f in fields)
    assert cron_problem(cron) == apscheduler_verdict(cron)


def test_a_bad_cron_is_one_line_from_the_load_and_from_apscheduler():
    from scheduler.config import ScheduleConfig

    message = "schedule.crons: invalid cron expression '* 24 * * *': Error validating expression"
    with pytest.raises(ConfigError, match=re.escape(message)):
        config_from_dict({"schedule": {"crons": ["* 24 * * *"]}})
    with pytest.raises(ConfigError, match=re.escape(message)):
        ScheduleConfig(crons=("* 24 * * *",)).check_crons("schedule")
    ScheduleConfig().check_crons("schedule")  # the defaults are valid


def test_every_channel_module_is_a_kind_loaded_on_lookup():
    from scraper.alerts import channels

    modules = sorted(p.stem for p in Path(channels.__file__).parent.glob("*.py"))
    assert [m for m in modules if m != "__init__"] == sorted(channels.KINDS)
    for kind in channels.KINDS:
        assert kind in channels.CHANNELS
        cls = channels.CHANNELS[kind]
        assert cls.kind == cls.settings_class.kind == kind
        assert cls.__module__ == f"scraper.alerts.channels.{kind}"
    assert "pager" not in channels.CHANNELS and list(channels.CHANNELS) == list(channels.KINDS)
    with pytest.raises(KeyError):
        channels.CHANNELS["pager"]


def test_a_channel_registered_from_elsewhere_is_a_kind_like_the_listed_ones():
    """A Channel subclass outside the package (a plugin, a test) registers itself: it is
    found, listed and counted like a listed kind, so the configuration accepts it."""
    from scraper.alerts.channels import ChannelRegistry

    registry = ChannelRegistry(("log",))
    pager = type("PagerChannel", (), {"kind": "pager"})
    registry.register(pager)
    assert "pager" in registry and registry["pager"] is pager
    assert list(registry) == ["log", "pager"] and len(registry) == 2
