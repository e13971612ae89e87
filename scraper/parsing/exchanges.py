"""Grouping turns into question-and-answer exchanges, from their functions."""

from __future__ import annotations

import dataclasses
import re

from scraper.model import Exchange, Turn
from scraper.parsing.functions import (
    asks,
    broken_off,
    checks_question,
    gives_floor,
    is_ack,
    is_audio_check,
    is_cut_in,
    nwords,
)
from scraper.parsing.labels import is_generic, normalize, surname

# A call-on that gathers the next question with the one just put: "We'll take them together."
_CONJUNCTION = re.compile(r"(?:and|but|or|because)\b", re.I)
_TOGETHER = re.compile(r"\b(?:them|both|questions|those|these)\s+together\b", re.I)


def group_exchanges(turns: list[Turn]) -> tuple[list[Turn], list[Exchange]]:
    """Each question (one or more question turns) with the answer turns that reply to it.

    Only ``question`` and ``answer`` turns form or join an exchange; moderation, procedural,
    statement and other turns belong to none. Question turns between the end of one answer and
    the start of the next form one exchange. After an answer, a question turn starts a new
    exchange unless it interrupts that answer: the answer broke off (a dash, an unfinished
    sentence), the turn is a short interjection ("Right.") or a start cut off before it asked
    anything ("But do you —") after which an official goes on, or it asks nothing and the
    same official's reply opens with a conjunction ("And ..."). A call-on closes the floor
    (unless it takes two questions together): a question after it starts a new exchange even
    when the one before got no answer. Turns that ask nothing and get no answer form no
    exchange. A statement ends the current exchange. A leader named in a question who answers
    only after the same reporter's follow-up was answered answers the earlier question.
    """
    turns = list(turns)
    groups: list[tuple[list[int], list[int]]] = []  # question and answer turns, by index
    questions: list[int] = []
    answers: list[int] = []
    called_on = False  # a call-on came after the current exchange's questions

    def close() -> None:
        if questions and not answers and all(_asks_nothing(turns[q].text) for q in questions):
            for q in questions:  # no question and no answer: "There we go.", "Here. (Laughter.)"
                turns[q] = dataclasses.replace(turns[q], function="procedural")
        elif questions:
            groups.append((list(questions), list(answers)))
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
            called_on = (
                bool(questions)
                and turn.role != "other"
                and not repair
                and not _TOGETHER.search(turn.text)
            )
        elif fn == "statement":
            close()
            last_answer = None
    close()
    _late_answers(turns, groups)
    exchanges: list[Exchange] = []
    member: dict[int, int] = {}
    for number, (asked, answered) in enumerate(groups, 1):
        topic = next((turns[i].topic for i in asked + answered if turns[i].topic), None)
        # Exchanges refer to turns by their ordinal, not their list index.
        question_turns = tuple(turns[i].ordinal for i in asked)
        answer_turns = tuple(turns[i].ordinal for i in answered)
        exchanges.append(Exchange(number, question_turns, answer_turns, topic))
        member.update(dict.fromkeys(asked + answered, number))
    numbered = [
        dataclasses.replace(t, exchange=member.get(i)) if t.exchange != member.get(i) else t
        for i, t in enumerate(turns)
    ]
    return numbered, exchanges


def _asks_nothing(text: str) -> bool:
    """A few words with no question in them, not even one cut off ("Did you talk to —")."""
    return nwords(text) <= 8 and not asks(text) and not broken_off(text)


def _late_answers(turns: list[Turn], groups: list[tuple[list[int], list[int]]]) -> None:
    """Give back to the question before an answer that one of its addressees gives late.

    At a joint press conference a question put to two leaders can get one answer, a
    follow-up, its answer, and only then the other leader's part ("I need to give an answer
    as well."). An answer by an official who is named in the previous exchange's questions
    and gave none of its answers, nor is named in the follow-up, answered by someone else
    first, belongs to the previous exchange.
    """
    for k in range(1, len(groups)):
        (asked_before, answered_before), (asked, answered) = groups[k - 1], groups[k]
        if not answered or any(
            turns[i].function == "moderation"
            for i in range(max(asked_before + answered_before), asked[0])
        ):
            continue  # a call-on between them: a new questioner, the earlier floor closed
        first = turns[answered[0]].speaker
        late = [i for i in answered if turns[i].speaker != first and turns[i].role == "official"]
        for speaker in dict.fromkeys(turns[i].speaker for i in late):
            name = _surname(speaker)
            if (
                name
                and _names(turns, asked_before, name)
                and not _names(turns, asked, name)
                and all(turns[i].speaker != speaker for i in answered_before)
            ):
                moved = [i for i in late if turns[i].speaker == speaker]
                answered_before.extend(moved)
                answered[:] = [i for i in answered if i not in moved]


def _surname(speaker: str) -> str | None:
    """The name an official is addressed by ("PRESIDENT DUDA", "Antony J. Blinken" ->
    "Duda", "Blinken"); none for a label that names a role ("SENIOR OFFICIAL TWO")."""
    if is_generic(normalize(speaker)):
        return None
    word = surname(speaker)
    return word.capitalize() if len(word) > 2 and word.isalpha() else None


def _names(turns: list[Turn], indices: list[int], name: str) -> bool:
    pattern = re.compile(rf"\b{re.escape(name)}\b", re.I)
    return any(pattern.search(turns[i].text) for i in indices)


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
    nxt = i + 1
    if (
        nxt < len(turns)
        and turns[nxt].function == "answer"
        and turns[nxt].role == "official"
        and is_cut_in(turns[i].text)
    ):
        return True  # cut off before asking anything: the official speaking next goes on
    if not is_ack(turns[i].text):
        return (
            nxt < len(turns)
            and turns[nxt].speaker == turns[last_answer].speaker
            and turns[nxt].function == "answer"
            and _carries_on(turns[nxt].text, turns[i].text)
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


def _carries_on(text: str, remark: str) -> bool:
    """Whether a turn plainly continues a sentence begun earlier ("— on this.", "and ...").

    After a questioner's short ``remark`` that asks nothing ("Which depends on the
    airport."), a reply opening with a conjunction ("And the security at the airport ...")
    goes on with the answer too; a long one puts a question without a question mark.
    """
    t = text.lstrip(" (")
    if t[:1] in "—–-…" or t[:1].islower():
        return True
    return bool(_CONJUNCTION.match(t)) and nwords(remark) <= 15 and not asks(remark)
