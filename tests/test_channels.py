"""Channels own their configuration; several instances per kind; watch routing; the webhook,
apprise and atom channels against real servers on 127.0.0.1 (an HTTP receiver, aiosmtpd)
and a real feed parser."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import re
import tomllib
import urllib.parse
from pathlib import Path

import feedparser
import pytest
from helpers import smtp
from helpers.receiver import Answer, Receiver
from helpers.state_department import parse_fixture

from scraper.alerts.channels import CHANNELS
from scraper.alerts.deliver import deliver, dry_run, summary
from scraper.alerts.plan import draft_alerts
from scraper.alerts.reference import readme_table, toml_section
from scraper.config import ConfigError, config_from_dict, masked
from scraper.watch.matcher import Matcher

ROOT = Path(__file__).resolve().parents[1]
JUL_21 = "transcripts/department-press-briefing-july-21-2021.p261072.html"
AUG_2 = "transcripts/department-press-briefing-august-2-2021.p264901.html"
SECRET = "hook-secret-for-tests"


@pytest.fixture
def receiver():
    with Receiver() as r:
        yield r


def configure(channels: dict, watches: list[dict] | None = None, **alerts):
    return config_from_dict(
        {
            "alerts": {"log": {"enabled": False}, "channels": channels, **alerts},
            "watch": watches or [{"name": "nord-stream", "all_of": ["Ukraine", "sanctions"]}],
        }
    )


def store(storage, config, *fixtures):
    matcher = Matcher(config.watch)
    watches = {w.name: w for w in config.watch}
    for name in fixtures:
        b = parse_fixture(name)
        hits = matcher.hits(b)
        drafts = draft_alerts(b, hits, watches, config.alerts.enabled_names())
        storage.save_briefing(b, hits=hits, drafts=drafts)


def by_channel(storage, name):
    return [a for a in storage.list_alerts(limit=1000) if a.channel == name]


# -- configuration ---------------------------------------------------------------------------


def test_config_toml_channel_part_is_generated_from_the_declarations():
    assert toml_section() in (ROOT / "config.toml").read_text()


def test_readme_channel_table_is_generated_from_the_declarations():
    assert readme_table() in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("kind", sorted(CHANNELS))
def test_every_kind_declares_documented_keys(kind):
    cls = CHANNELS[kind]
    assert cls.__doc__ and cls.settings_class.kind == kind
    for key, _default, doc in cls.settings_class.declared_keys():
        assert doc.strip(), f"{kind}.{key} has no documentation"


def test_documented_instance_examples_are_valid_configuration():
    # Each commented [alerts.channels.X] example in config.toml, uncommented, is accepted.
    text = toml_section()
    for block in text.split("\n\n")[1:]:
        lines = [line[2:] for line in block.splitlines() if line.startswith("# ")]
        start = next((i for i, line in enumerate(lines) if line.startswith("[alerts.")), None)
        if start is None or not lines[start].endswith("]") or "NAME" in lines[start]:
            continue
        table = "\n".join(line for line in lines[start:] if not line.startswith("    "))
        data = tomllib.loads(table)
        (name, settings), *_ = data["alerts"]["channels"].items()
        settings.update({"urls": ["json://127.0.0.1/x"], "url": "https://x.org/", "path": "/tmp"})
        kind = settings["kind"]
        keys = {k for k, _, _ in CHANNELS[kind].settings_class.declared_keys()}
        settings = {k: v for k, v in settings.items() if k in keys | {"kind"}}
        config = config_from_dict({"alerts": {"channels": {name: settings}}})
        assert config.alerts.instances()[name].kind == kind


BAD = [
    ({"x": {"kind": "pager"}}, "alerts.channels.x.kind: expected one of apprise, atom, email"),
    ({"email": {"kind": "email"}}, "alerts.channels.email: the name 'email' is the [alerts.email]"),
    ({"a b": {"kind": "log"}}, "alerts.channels.a b: a channel name is 1-40 letters"),
    ({"h": {"kind": "webhook"}}, "alerts.channels.h.url: expected an http(s) URL"),
    (
        {"h": {"kind": "webhook", "url": "https://x/", "urls": []}},
        "alerts.channels.h.urls: unknown key",
    ),
    ({"s": {"kind": "apprise"}}, "alerts.channels.s: an enabled apprise channel needs urls"),
    ({"s": {"kind": "apprise", "urls": ["nope://x"]}}, "alerts.channels.s.urls[0]: not an Apprise"),
    ({"f": {"kind": "atom"}}, "alerts.channels.f.path: an enabled atom channel needs a folder"),
    ({"f": {"kind": "atom", "path": "/x", "max_entries": 0}}, "max_entries: expected at least 1"),
    ({"m": {"kind": "email"}}, "alerts.channels.m.recipients: an enabled email channel needs"),
]


@pytest.mark.parametrize(("channels", "message"), BAD, ids=[m for _, m in BAD])
def test_bad_channel_tables_name_the_key(channels, message):
    with pytest.raises(ConfigError) as info:
        configure(channels)
    assert message in str(info.value)


def test_apprise_secrets_never_come_from_the_file():
    with pytest.raises(ConfigError) as info:
        configure({"s": {"kind": "apprise", "urls": ["form://desk:hunter2@127.0.0.1/x"]}})
    assert "holds a secret" in str(info.value) and "hunter2" not in str(info.value)
    config = configure({"s": {"kind": "apprise", "urls": ["form://desk:${PW}@127.0.0.1/x"]}})
    shown = json.dumps(masked(config))
    assert "${PW}" in shown


def test_webhook_url_credentials_are_masked_when_printed():
    config = configure({"h": {"kind": "webhook", "url": "https://u:hunter2@x.org/h?token=t0k"}})
    shown = json.dumps(masked(config))
    assert "hunter2" not in shown and "t0k" not in shown


@pytest.mark.parametrize(
    ("watch_channels", "message"),
    [
        (["nowhere"], "unknown channel 'nowhere' (known: log, email, jsonl, hook)"),
        (["email"], "channel 'email' is disabled"),
        (["off"], "channel 'off' is disabled"),
    ],
)
def test_watch_routing_rejects_unknown_and_disabled_channels(watch_channels, message):
    with pytest.raises(ConfigError) as info:
        config_from_dict(
            {
                "alerts": {
                    "channels": {
                        "hook": {"kind": "webhook", "url": "https://x.org/"},
                        "off": {"kind": "webhook", "url": "https://x.org/", "enabled": False},
                    }
                },
                "watch": [{"name": "w", "terms": ["x"], "channels": watch_channels}],
            }
        )
    assert message in str(info.value).replace("hook, off", "hook")


def test_a_watch_with_no_enabled_channel_is_an_error():
    with pytest.raises(ConfigError, match="no alert channel is enabled"):
        config_from_dict(
            {"alerts": {"log": {"enabled": False}}, "watch": [{"name": "w", "terms": ["x"]}]}
        )


# -- webhook ---------------------------------------------------------------------------------


def hook_config(receiver, **extra):
    return configure(
        {
            "desk-hook": {
                "kind": "webhook",
                "url": receiver.url("/hook"),
                "secret_env": "TEST_HOOK_SECRET",
                "timeout_seconds": 2.0,
                **extra,
            }
        }
    )


def test_webhook_posts_the_jsonl_document_signed_with_the_alert_key(
    storage, receiver, monkeypatch, tmp_path
):
    monkeypatch.setenv("TEST_HOOK_SECRET", SECRET)
    config = hook_config(receiver)
    store(storage, config, JUL_21)
    report = deliver(storage, config)
    assert (report.sent, report.failed, report.by_channel) == (1, 0, {"desk-hook": 1})
    (request,) = receiver.at("/hook")
    (alert,) = by_channel(storage, "desk-hook")
    body = json.loads(request.body)
    assert body["key"] == alert.key and body["watch"] == "nord-stream"
    assert body["exchange"] == 6 and body["briefing"]["date"] == "2021-07-21"
    # The same document a jsonl line carries.
    from scraper.alerts.channels.jsonl import document

    assert body == json.loads(json.dumps(document(alert)))
    expected = hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Briefwatch-Signature"] == f"sha256={expected}"
    assert request.headers["Idempotency-Key"] == alert.key
    assert request.headers["Content-Type"].startswith("application/json")


def test_webhook_retries_500_and_429_honouring_retry_after(storage, receiver, monkeypatch):
    monkeypatch.setenv("TEST_HOOK_SECRET", SECRET)
    config = hook_config(receiver)
    receiver.on("/hook", Answer(500, body=b"boom"), Answer(429, {"Retry-After": "1800"}))
    store(storage, config, JUL_21)
    first = deliver(storage, config)
    assert first.failed == 1 and "HTTP 500 boom" in first.errors[0]
    (alert,) = by_channel(storage, "desk-hook")
    assert (alert.status, alert.attempts) == ("pending", 1)
    storage.retry_alerts()
    before = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    second = deliver(storage, config)
    assert second.failed == 1 and "HTTP 429" in second.errors[0]
    (alert,) = by_channel(storage, "desk-hook")
    wait = (alert.next_attempt_at - before).total_seconds()
    assert 1790 < wait < 1810  # Retry-After, not the 120 s backoff
    assert deliver(storage, config).sent == 0  # honoured
    storage.retry_alerts()
    assert deliver(storage, config).sent == 1
    keys = [r.headers["Idempotency-Key"] for r in receiver.at("/hook")]
    assert keys == [alert.key] * 3  # one alert, one key, whatever the attempts


def test_webhook_timeout_is_retried(storage, receiver, monkeypatch):
    monkeypatch.setenv("TEST_HOOK_SECRET", SECRET)
    config = hook_config(receiver, timeout_seconds=0.5)
    receiver.on("/hook", Answer(delay=1.5))
    store(storage, config, JUL_21)
    report = deliver(storage, config)
    assert report.failed == 1 and report.given_up == 0 and "timed out" in report.errors[0]
    assert by_channel(storage, "desk-hook")[0].status == "pending"


def test_webhook_400_is_a_permanent_failure_reported_once(storage, receiver, monkeypatch, caplog):
    monkeypatch.setenv("TEST_HOOK_SECRET", SECRET)
    config = hook_config(receiver)
    receiver.on("/hook", Answer(400, body=b"bad payload"))
    store(storage, config, JUL_21)
    report = deliver(storage, config)
    assert (report.failed, report.given_up) == (1, 1)
    (alert,) = by_channel(storage, "desk-hook")
    assert alert.status == "failed" and "gave up (permanent failure)" in alert.last_error
    assert "HTTP 400 bad payload" in alert.last_error
    assert deliver(storage, config).failed == 0  # not retried, not reported again
    assert len(receiver.at("/hook")) == 1
    assert storage.alerts_given_up() == 1


def test_webhook_without_its_secret_in_the_environment_fails_naming_the_variable(
    storage, receiver, monkeypatch
):
    monkeypatch.delenv("TEST_HOOK_SECRET", raising=False)
    config = hook_config(receiver)
    store(storage, config, JUL_21)
    report = deliver(storage, config)
    assert report.failed == 1 and "TEST_HOOK_SECRET is not set" in report.errors[0]
    assert receiver.requests == []


# -- apprise ---------------------------------------------------------------------------------


def test_apprise_json_and_form_targets_get_markdown_and_are_tracked_per_target(
    storage, receiver, monkeypatch
):
    monkeypatch.setenv("TEST_APPRISE_FORM", f"form://127.0.0.1:{receiver.port}/form")
    config = configure(
        {
            "desk-slack": {
                "kind": "apprise",
                "urls": [f"json://127.0.0.1:{receiver.port}/json"],
                "url_env": "TEST_APPRISE_FORM",
                "timeout_seconds": 5.0,
            }
        }
    )
    receiver.on("/json", Answer(500))  # the json:// service is down once
    store(storage, config, JUL_21)
    first = deliver(storage, config)
    assert first.failed == 1 and "json://127.0.0.1" in first.errors[0]
    (alert,) = by_channel(storage, "desk-slack")
    assert alert.delivered_to == ("$TEST_APPRISE_FORM[1]",)
    storage.retry_alerts()
    assert deliver(storage, config).sent == 1
    assert [len(receiver.at(p)) for p in ("/json", "/form")] == [2, 1]  # form got it once
    message = json.loads(receiver.at("/json")[-1].body)
    assert "nord-stream" in message["title"]
    body = message["message"]
    assert "[Department Press Briefing – July 21, 2021](https://www.state.gov/briefings/" in body
    assert "**sanctions**" in body and "**Ukraine**" in body
    assert re.search(r"\w \*\*(sanctions|Ukraine)\*\*[ ,.;?]", body)  # spaces kept around
    assert "**Ned Price** (official):" in body and "**QUESTION** (reporter):" in body
    form = urllib.parse.parse_qs(receiver.at("/form")[0].body.decode())
    assert "**sanctions**" in form["message"][0]


def test_apprise_body_is_trimmed_to_the_limit_with_a_link_to_the_rest(storage, receiver):
    config = configure(
        {
            "desk": {
                "kind": "apprise",
                "urls": [f"json://127.0.0.1:{receiver.port}/json"],
                "body_max_chars": 500,
            }
        },
        watches=[{"name": "pakistan", "terms": ["Pakistan"], "forms": True}],
    )
    store(storage, config, AUG_2)
    assert deliver(storage, config).sent == 3
    body = json.loads(receiver.at("/json")[0].body)["message"]
    assert len(body) <= 500
    assert body.rstrip().endswith(
        "… read the rest (3 matches in all): "
        "https://www.state.gov/briefings/department-press-briefing-august-2-2021/"
    )
    assert body.count("**") % 2 == 0  # cut between lines: no bold left open


def test_apprise_unset_variable_is_an_error_naming_it(storage, receiver, monkeypatch):
    monkeypatch.delenv("TEST_APPRISE_PORT", raising=False)
    config = configure(
        {"d": {"kind": "apprise", "urls": ["json://127.0.0.1:${TEST_APPRISE_PORT}/json"]}}
    )
    store(storage, config, JUL_21)
    report = deliver(storage, config)
    assert "environment variable TEST_APPRISE_PORT is not set" in report.errors[0]
    monkeypatch.setenv("TEST_APPRISE_PORT", str(receiver.port))
    storage.retry_alerts()
    assert deliver(storage, config).sent == 1
    assert len(receiver.at("/json")) == 1


# -- atom ------------------------------------------------------------------------------------


def test_atom_file_per_watch_newest_first_bounded_and_atomic(storage, tmp_path):
    folder = tmp_path / "atom"
    config = configure(
        {"feeds": {"kind": "atom", "path": str(folder), "max_entries": 4}},
        watches=[
            {"name": "pakistan", "terms": ["Pakistan"], "forms": True},
            {"name": "nord-stream", "all_of": ["Ukraine", "sanctions"]},
        ],
    )
    store(storage, config, JUL_21)
    assert deliver(storage, config).sent == 1
    store(storage, config, AUG_2)
    assert deliver(storage, config).sent == 3
    assert sorted(p.name for p in folder.iterdir()) == ["nord-stream.atom", "pakistan.atom"]
    feed = feedparser.parse(str(folder / "pakistan.atom"))
    assert feed.version == "atom10" and not feed.bozo
    assert len(feed.entries) == 3
    assert all(e.link.startswith("https://www.state.gov/briefings/") for e in feed.entries)
    assert "Pakistan" in feed.entries[0].content[0].value
    nord = feedparser.parse(str(folder / "nord-stream.atom"))
    assert nord.entries[0].title.startswith("nord-stream: Department Press Briefing")
    # Bounded and newest first: re-deliver more alerts into a file that holds 4 at most.
    from scraper.alerts.channels.atom import AtomChannel

    channel = AtomChannel(config.alerts.channels["feeds"], 600, "feeds")
    alerts = [a for a in storage.list_alerts(limit=1000) if a.watch == "pakistan"]
    later = [  # three later alerts of the same watch
        dataclasses.replace(
            a, key=f"{a.key}|again", created_at=a.created_at + dt.timedelta(hours=1 + i)
        )
        for i, a in enumerate(alerts)
    ]
    channel.send(later)
    again = feedparser.parse(str(folder / "pakistan.atom"))
    assert len(again.entries) == 4
    stamps = [e.updated_parsed for e in again.entries]
    assert stamps == sorted(stamps, reverse=True)
    channel.send(later)  # the same alerts again (a resend after a crash): no duplicates
    assert len(feedparser.parse(str(folder / "pakistan.atom")).entries) == 4
    assert [p.name for p in folder.iterdir() if p.name.startswith(".")] == []


def test_atom_watches_whose_names_make_one_file_name_keep_a_feed_each(storage, tmp_path):
    from scraper.alerts.channels.atom import AtomChannel

    folder = tmp_path / "atom"
    names = ["iran sanctions", "iran/sanctions", "pakistan"]  # the first two: iran_sanctions
    config = configure(
        {"feeds": {"kind": "atom", "path": str(folder)}},
        watches=[{"name": n, "all_of": ["Ukraine", "sanctions"]} for n in names],
    )
    store(storage, config, JUL_21)
    assert deliver(storage, config).sent == 3  # one send: each watch to its own file
    hashed = re.compile(r"iran_sanctions~[0-9a-f]{10}\.atom")
    files = sorted(p.name for p in folder.iterdir())
    assert files[0] == "iran_sanctions.atom" and hashed.fullmatch(files[1])
    assert files[2] == "pakistan.atom"  # a name without a collision keeps its file
    owners = {}
    for name in files:
        feed = feedparser.parse(str(folder / name))
        (entry,) = feed.entries
        watch = feed.feed.title.removeprefix("briefwatch: ")
        assert entry.title.startswith(f"{watch}: Department Press Briefing")
        owners[name] = watch
    assert sorted(owners.values()) == sorted(names)
    # Stable: sent again (a resend, or the next run's alerts), each goes to the same file.
    channel = AtomChannel(config.alerts.channels["feeds"], 600, "feeds")
    alerts = storage.list_alerts(limit=100)
    for alert in reversed(alerts):  # the other order too
        channel.send([dataclasses.replace(alert, key=alert.key + "|again")])
    assert sorted(p.name for p in folder.iterdir()) == files
    for name, watch in owners.items():
        feed = feedparser.parse(str(folder / name))
        assert len(feed.entries) == 2 and all(
            e.title.startswith(f"{watch}: ") for e in feed.entries
        )


# -- several instances, routing --------------------------------------------------------------


def test_two_email_instances_route_per_watch(storage):
    controller, inbox = smtp.start()
    try:
        mail = {"host": "127.0.0.1", "port": controller.port, "security": "none"}
        config = config_from_dict(
            {
                "alerts": {
                    "log": {"enabled": False},
                    "email": {"enabled": True, "recipients": ["desk@example.org"], **mail},
                    "channels": {
                        "legal-email": {
                            "kind": "email",
                            "recipients": ["legal@example.org"],
                            **mail,
                        }
                    },
                },
                "watch": [
                    {"name": "nord-stream", "all_of": ["Ukraine", "sanctions"]},
                    {"name": "pakistan", "terms": ["Pakistan"], "channels": ["legal-email"]},
                ],
            }
        )
        store(storage, config, JUL_21, AUG_2)
        report = deliver(storage, config)
    finally:
        controller.stop()
    # nord-stream (no channel list): every enabled channel, so both mail instances.
    assert report.by_channel == {"email": 1, "legal-email": 3}
    assert summary(report) == (
        "4 sent (1 email with 1 alert, 2 emails via legal-email with 3 alerts), 0 failed"
    )
    to = sorted(
        (e.rcpt_tos[0], m["Subject"].split(":")[0])
        for e, m in zip(inbox.envelopes, inbox.messages, strict=True)
    )
    assert to == [
        ("desk@example.org", "[briefwatch] nord-stream"),
        ("legal@example.org", "[briefwatch] nord-stream"),
        ("legal@example.org", "[briefwatch] pakistan"),
    ]


def test_dry_run_renders_without_sending(storage, receiver, monkeypatch):
    monkeypatch.setenv("TEST_HOOK_SECRET", SECRET)
    config = hook_config(receiver)
    store(storage, config, JUL_21)
    (message,) = dry_run(storage, config)
    assert message[:2] == ("desk-hook", "nord-stream")
    assert "POST http://127.0.0.1" in message[2] and '"watch": "nord-stream"' in message[2]
    assert receiver.requests == []
    assert by_channel(storage, "desk-hook")[0].status == "pending"


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        ("Wed, 21 Oct 2015 07:28:30 GMT", 30.0),  # an HTTP date, 30 s after "now"
        ("Wed, 21 Oct 2015 07:27:00 GMT", 0.0),  # already past: at once
        ("soon", None),
        (None, None),
    ],
)
def test_retry_after_in_seconds_or_as_an_http_date(header, seconds):
    from scraper.alerts.channels.webhook import retry_after_seconds

    now = dt.datetime(2015, 10, 21, 7, 28, 0, tzinfo=dt.UTC).timestamp()
    assert retry_after_seconds(header, now) == seconds


def test_webhook_url_secret_from_the_environment_is_never_shown(storage, receiver, monkeypatch):
    monkeypatch.setenv("TEST_HOOK_TOKEN", "tok-3f9a71")
    config = configure({"h": {"kind": "webhook", "url": receiver.url("/in/${TEST_HOOK_TOKEN}")}})
    receiver.on("/in/tok-3f9a71", Answer(503))
    store(storage, config, JUL_21)
    report = deliver(storage, config)
    assert report.failed == 1 and "/in/${TEST_HOOK_TOKEN} answered HTTP 503" in report.errors[0]
    assert "tok-3f9a71" not in json.dumps([a.last_error for a in storage.list_alerts()])
    assert "tok-3f9a71" not in json.dumps(masked(config))
    storage.retry_alerts()
    assert deliver(storage, config).sent == 1
    assert len(receiver.at("/in/tok-3f9a71")) == 2


def jsonl_alert(key: str):
    from types import SimpleNamespace

    return SimpleNamespace(
        id=len(key),
        key=key,
        created_at=dt.datetime(2026, 1, 1),
        payload={"type": "notice", "watch": "w", "text": key},
    )


def test_jsonl_never_writes_a_key_twice_though_it_reads_the_file_once(tmp_path):
    import os

    from scraper.alerts.channels.jsonl import JsonlChannel, JsonlSettings

    path = tmp_path / "alerts.jsonl"
    path.write_text('{"key": "old"}\n', encoding="utf-8")
    channel = JsonlChannel(JsonlSettings(path=str(path)), 600)

    def keys():
        return [json.loads(line)["key"] for line in path.read_text().splitlines()]

    channel.send([jsonl_alert("old"), jsonl_alert("a")])  # the file is read: "old" is there
    # Its delivery was never recorded (a kill): sent again, in this process or another.
    channel.send([jsonl_alert("a"), jsonl_alert("b")])
    assert keys() == ["old", "a", "b"]
    # Another writer appends (a second configuration on the same file): seen.
    with open(path, "a", encoding="utf-8") as fh:
        fh.write('{"key": "c"}\n{"key": "torn')
    channel.send([jsonl_alert("c"), jsonl_alert("d")])
    assert keys() == ["old", "a", "b", "c", "d"]
    # The file is rotated: a new one of the same size, other keys: read again.
    rotated = tmp_path / "new.jsonl"
    rotated.write_bytes(path.read_bytes().replace(b'"a"', b'"x"'))
    os.replace(rotated, path)
    channel.send([jsonl_alert("a"), jsonl_alert("x")])
    assert keys() == ["old", "x", "b", "c", "d", "a"]
    # Rewritten in place (cut and written again, same file): read again too.
    path.write_text('{"key": "y"}\n' * 100, encoding="utf-8")  # longer than it was
    channel.send([jsonl_alert("y"), jsonl_alert("a")])
    assert keys() == ["y"] * 100 + ["a"]
