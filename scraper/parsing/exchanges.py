"""Grouping turns into question-and-answer exchanges."""

from __future__ import annotations

import dataclasses

from scraper.model import Exchange, Turn

_INTERRUPTED = ("—", "–", "--", "-")


def group_exchanges(turns: list[Turn]) -> tuple[list[Turn], list[Exchange]]:
    """Each reporter question (consecutive reporter turns) with the answers that follow.

    A new exchange starts at a reporter turn that follows an answer, except when that answer
    was cut off mid-sentence (it ends in a dash): the reporter's interjection belongs to the
    same exchange. Moderator and operator turns close an exchange; turns outside any exchange
    (opening statements, moderation) have ``exchange=None``.
    """
    exchanges: list[Exchange] = []
    questions: list[int] = []
    answers: list[int] = []
    member: dict[int, int] = {}

    def close() -> None:
        if questions:
            topic = next((turns[i].topic for i in questions if turns[i].topic), None)
            ordinal = len(exchanges) + 1
            exchanges.append(Exchange(ordinal, tuple(questions), tuple(answers), topic))
            for i in questions + answers:
                member[i] = ordinal
        questions.clear()
        answers.clear()

    for i, turn in enumerate(turns):
        if turn.role == "reporter":
            if answers and not turns[answers[-1]].text.rstrip().endswith(_INTERRUPTED):
                close()
            questions.append(i)
        elif turn.role in ("moderator", "operator"):
            close()
        elif questions:
            answers.append(i)
    close()
    numbered = [dataclasses.replace(t, exchange=member.get(i)) for i, t in enumerate(turns)]
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
