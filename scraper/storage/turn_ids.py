"""Turn ids laid out so that full-text indexes return the newest matches first."""

from __future__ import annotations

import datetime as dt


def turn_id(date: dt.date | None, briefing_id: int, ordinal: int) -> int:
    """A turn's id, ordered like "newest briefing first, then turn by turn".

    Full-text indexes return matches in id order, so with ids laid out this way the newest
    matches of even a very common word come first, and a search stops after the page it
    needs instead of sorting every match by date: bits 46-61 hold the briefing's day
    (days since 1900; 0 when undated), bits 16-45 its id, bits 0-15 the turn's ordinal,
    reversed so that descending ids read the turns in order.

    A transcript of more than 65,536 turns keeps its first 65,536 there; the rest get
    negative ids (briefing id in bits 32-62, ordinal in bits 0-31), unique but read after
    every time-ordered turn, so nothing is lost or overwritten, only ordered late.
    """
    if ordinal > 0xFFFF:
        return -(((briefing_id & 0x7FFFFFFF) << 32) | (ordinal & 0xFFFFFFFF)) - 1
    day = (date - dt.date(1900, 1, 1)).days if date else 0
    return (
        (max(0, min(day, 0xFFFF)) << 46) | ((briefing_id & 0x3FFFFFFF) << 16) | (0xFFFF - ordinal)
    )
