"""Grouping turns into question-and-answer exchanges, from their functions."""

from __future__ import annotations

import dataclasses
import re

from scraper.model import Exchange, Turn
from scraper.parsing.functions import (
    broken_off,
    checks_question,
    gives_floor,
    is_ack,
    is_audio_check,
)


def group_exchanges(turns: list[Turn]) -> tuple[list[Turn], list[Exchange]]:
    """Each question (one or more question turns) with the answer turns that reply to it.

    Only ``question`` and ``answer`` turns form or join an exchange; moderation, procedural,
    statement and other turns belong to none. Question turns between the end of one answer and
    the start of the next form one exchange. After an answer, a question turn starts a new
    exchange unless it interrupts that answer: the answer broke off (a dash, an unfinished
    sentence), or the turn is a short interjection ("Right.") after which the same official
    carries on. A call-on closes the floor: a question after it starts a new exchange even
    when the one before got no answer. A statement ends the current exchange.
    """
    turns = list(turns)
    exchanges: list[Exchange] = []
    questions: list[int] = []
    answers: list[int] = []
    member: dict[int, int] = {}
    called_on = False  # a call-on came after the current exchange's questions

    def close() -> None:
        if questions:
            topic = next((turns[i].topic for i in questions + answers if turns[i].topic), None)
            ordinal = len(exchanges) + 1
            exchanges.append(Exchange(ordinal, tuple(questions), tuple(answers), topic))
            for i in questions + answers:
                member[i] = ordinal
        questions.clear()
        answers.clear()

    last_answer: int | None = None  # the answer turn the exchange ended on, if it did
    for i, turn in enumerate(turns):
        fn = turn.function
        if fn == "question":
            restates = turn.role == "moderator" and not gives_floor(turn.text)
            repairing = (
                any(turns[k].function == "procedural" for k in range(questions[0], i))
                if questions
                else False
            )
            if called_on or (
                last_answer is not None
                and not restates
                and not _interrupts(turns, i, last_answer, repairing)
            ):
                close()
            called_on = False
            last_answer = None
            questions.append(i)
        elif fn == "answer":
            if questions:
                answers.append(i)
                last_answer = i
                called_on = False
            else:  # a reply to no question (none open): remarks
                turns[i] = dataclasses.replace(turn, function="statement")
        elif fn == "moderation":
            # "Go ahead." after a check of the line gives the floor back to the same questioner.
            repair = (
                i > 0
                and turns[i - 1].function == "procedural"
                and is_audio_check(turns[i - 1].text)
            )
            called_on = bool(questions) and turn.role != "other" and not repair
        elif fn == "statement":
            close()
            last_answer = None
    close()
    numbered = [
        dataclasses.replace(t, exchange=member.get(i)) if t.exchange != member.get(i) else t
        for i, t in enumerate(turns)
    ]
    # Exchanges refer to turns by their ordinal, not their list index.
    exchanges = [
        dataclasses.replace(
            e,
            question_turns=tuple(turns[i].ordinal for i in e.question_turns),
            answer_turns=tuple(turns[i].ordinal for i in e.answer_turns),
        )
        for e in exchanges
    ]
    return numbered, exchanges


def _interrupts(turns: list[Turn], i: int, last_answer: int, repairing: bool = False) -> bool:
    """Whether question turn ``i`` cuts into the answer that ended at ``last_answer``.

    ``repairing``: the official already asked for this question again (a procedural turn
    among its question turns); an answer ending with another such request ("On your second
    question — repeat it again now.") then keeps the exchange open for the restatement.
    """
    if broken_off(turns[last_answer].text):
        return True
    if repairing and checks_question(_last_paragraph(turns, last_answer)):
        return True
    if not is_ack(turns[i].text):
        nxt = i + 1
        return (
            nxt < len(turns)
            and turns[nxt].speaker == turns[last_answer].speaker
            and turns[nxt].function == "answer"
            and _carries_on(turns[nxt].text)
        )
    j = i + 1
    while j < len(turns) and turns[j].function == "procedural":
        j += 1
    return (
        j < len(turns)
        and turns[j].speaker == turns[last_answer].speaker
        and turns[j].function == "answer"
    )


def _last_paragraph(turns: list[Turn], i: int) -> str:
    return turns[i].text.rstrip().rpartition("\n\n")[2]


def _carries_on(text: str) -> bool:
    """Whether a turn plainly continues a sentence begun earlier ("— on this.", "And ...")."""
    t = text.lstrip(" (")
    return t[:1] in "—–-…" or t[:1].islower() or bool(re.match(r"(?:and|but|or|because)\b", t))
