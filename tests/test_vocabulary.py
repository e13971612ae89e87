"""The closed vocabularies (roles, turn functions, kinds, alert and run statuses) are StrEnums
whose values are the strings stored and printed before: the database and JSON see no change."""

from __future__ import annotations

import json

from sqlalchemy import text

from scraper.model import FUNCTIONS, ROLES, AlertStatus, Role, RunStatus, TurnFunction
from scraper.sources import KINDS, TRANSCRIPT_KINDS, Kind


def test_the_values_are_the_strings_of_before():
    assert ROLES == ("official", "reporter", "moderator", "operator", "other")
    assert FUNCTIONS == ("question", "answer", "moderation", "procedural", "statement", "other")
    assert KINDS == (
        "press_briefing",
        "special_briefing",
        "telephonic_briefing",
        "press_availability",
        "interview",
        "remarks",
        "press_release",
    )
    assert KINDS[:-1] == TRANSCRIPT_KINDS
    assert [s.value for s in AlertStatus] == ["pending", "sending", "sent", "failed", "suppressed"]
    assert [s.value for s in RunStatus] == [
        "running",
        "ok",
        "partial",
        "failed",
        "blocked",
        "interrupted",
    ]


def test_members_print_and_serialize_as_their_values():
    members = [Role.REPORTER, TurnFunction.ANSWER, Kind.PRESS_BRIEFING, AlertStatus.SENT]
    assert json.dumps(members) == '["reporter", "answer", "press_briefing", "sent"]'
    assert [f"{m}" for m in members] == ["reporter", "answer", "press_briefing", "sent"]
    assert RunStatus.OK == "ok" and "ok" in set(RunStatus)


def test_the_database_stores_the_values(storage):
    assert storage.queue_notice(["log"], {"type": "notice", "watch": "__operator__", "text": "x"})
    run_id = storage.start_run("crawl")
    with storage.engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM alert_outbox")).scalars().all() == ["pending"]
        status = conn.execute(text("SELECT status FROM runs WHERE id = :i"), {"i": run_id})
        assert status.scalar_one() == "running"
    (alert,) = storage.list_alerts()
    assert json.loads(json.dumps(alert.to_dict()))["status"] == "pending"
