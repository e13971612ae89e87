"""Exchange segmentation, rule by rule, on real transcripts: the exchanges a careful reader
sees (GUIDE.md of the gold annotations, "Exchanges" and the decisions on hard cases).

Each case names a fixture body, a turn, and the question and answer turns of the exchange
that turn belongs to (None: the turn belongs to no exchange). Turn numbers are the parser's
ordinals, which are the gold files' numbers where a gold file exists.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from helpers.state_department import parse_fixture
from helpers.whitehouse_fixtures import parse_wh

from scraper.model import Briefing

BERLIN = "transcripts/briefing-with-senior-state-department-officials.p254445.html"
JUNE_9 = "transcripts/department-press-briefing-june-9-2021.p250853.html"
PANEL = "transcripts/secretary-antony-j-blinken-panel-discussion-at-the-media-summit-of-ame.p350506.html"
JULY_1 = "transcripts/department-press-briefing-july-1-2021.p256888.html"
JULY_28 = "transcripts/department-press-briefing-july-28-2022.p363721.html"
ZAKKA = "transcripts/secretary-antony-j-blinken-with-zakka-jacob-of-cnn-news18.p262983.html"
AFGHAN_CALL = "transcripts/briefing-with-deputy-secretary-for-management-and-resources-brian-p-mc.p261090.html"
JUNE_10 = "transcripts/department-press-briefing-june-10-2021.p251150.html"
GREENLAND = "transcripts/secretary-antony-j-blinken-greenlandic-premier-mute-egede-greenlandic-.p245386.html"
CARNEY_2013 = (
    "whitehouse:archive/2013-01-07.press-briefing-press-secretary-jay-carney-172013.n776.html"
)
JUNE_2_2022 = "transcripts/department-press-briefing-june-2-2022.p349309.html"
GIBBS_2010 = (
    "whitehouse:archive/2010-06-29.press-briefing-press-secretary-robert-gibbs-62910.n1324.html"
)
UN_AVAILABILITY = "transcripts/secretary-antony-j-blinken-at-a-press-availability-23.p364673.html"
EARNEST_2015 = (
    "whitehouse:archive/2015-11-03.press-briefing-press-secretary-josh-earnest-1132015.n175.html"
)
COSTA_RICA = "transcripts/secretary-antony-j-blinken-and-costa-rican-president-carlos-alvarado-a.p248062.html"
WH = "whitehouse:transcripts/"
DEESE = WH + "press-briefing-by-press-secretary-jen-psaki-and-director-of-the-nation.p23189.html"
JULY_6 = WH + "press-briefing-by-press-secretary-jen-psaki-july-6-2021.p23341.html"
JULY_27 = WH + "press-briefing-by-press-secretary-jen-psaki-july-27-2021.p25157.html"
DUDA = WH + "corrected-remarks-by-vice-president-harris-and-president-andrzej-duda-.p48872.html"
DUDA_FIRST = (
    WH + "remarks-by-vice-president-harris-and-president-andrzej-duda-of-poland-.p48821.html"
)
CNN = WH + "remarks-by-president-biden-in-a-cnn-town-hall-with-don-lemon.p24719.html"
PSAKI_SULLIVAN = (
    WH + "press-briefing-by-press-secretary-jen-psaki-and-deputy-national-securi.p47673.html"
)


def _parse(name: str) -> Briefing:
    if name.startswith("whitehouse:"):
        return parse_wh(name.removeprefix("whitehouse:"))
    return parse_fixture(name)


@dataclass(frozen=True)
class Case:
    id: str
    body: str
    turn: int
    opening: str  # the turn's first words, so a case cannot point at the wrong turn
    function: str
    exchange: tuple[tuple[int, ...], tuple[int, ...]] | None  # (questions, answers)


CASES = [
    # A questioner cut off before asking anything ("Right. But do you —") after an answer:
    # the official who speaks next, the same or a colleague, goes on with that answer.
    Case(
        "cut-in, a colleague adds",
        BERLIN,
        10,
        "Right. But do you —",
        "question",
        ((6, 8, 10, 12, 14), (7, 9, 11, 13, 15)),
    ),
    Case(
        "cut-in, the same official goes on",
        JUNE_9,
        10,
        "Well, it’s —",
        "question",
        ((8, 10), (9, 11)),
    ),
    Case(
        "cut-in inside a pressing run",
        JUNE_9,
        40,
        "No, I’m just —",
        "question",
        ((34, 36, 38, 40), (35, 37, 39, 41)),
    ),
    # A questioner's remark that asks nothing, after which the official's reply opens with a
    # conjunction ("And ...", "But ..."): the official goes on with the same answer.
    Case(
        "a remark, then 'And ...'",
        JULY_1,
        38,
        "Which depends on the airport",
        "question",
        ((36, 38), (37, 39)),
    ),
    Case(
        "a retort, then 'And ...'",
        JULY_28,
        109,
        "Okay, I’m looking at it right now.",
        "question",
        ((107, 109), (108, 110)),
    ),
    Case(
        "a cut-off start, then 'But ...'",
        ZAKKA,
        11,
        "But do you think —",
        "question",
        ((9, 11), (10, 12)),
    ),
    # A long turn without a question mark puts a new question ("Getting back to ..."): the
    # reply opening with "And" answers it.
    Case(
        "a new topic without a question mark",
        EARNEST_2015,
        40,
        "Getting back to the Donald Trump conversation",
        "question",
        ((40,), (41,)),
    ),
    # An official's word or two while the question breaks off, before the questioner
    # resumes it, is backchannel (decision 1): procedural, and the question goes on.
    Case("premise corrected in a word", BERLIN, 17, "Fighters.", "procedural", None),
    Case("words not given", BERLIN, 108, "(Inaudible.)", "procedural", None),
    Case("a quip with laughter", PANEL, 55, "(Laughter.) Every single one.", "procedural", None),
    Case(
        "the question resumed after the quip",
        PANEL,
        56,
        "Every single one, word for word.",
        "question",
        ((54, 56), (57,)),
    ),
    Case("a host's question resumed", CNN, 15, "Sure is.", "procedural", None),
    Case(
        "the host's question, one exchange",
        CNN,
        16,
        "— especially around America.",
        "question",
        ((12, 14, 16), (17,)),
    ),
    Case("a reporter's question resumed", PSAKI_SULLIVAN, 166, "I know.", "procedural", None),
    # Taking the question back is an answer, however short.
    Case("taken back", GIBBS_2010, 196, "I will check.", "answer", ((193, 195), (194, 196))),
    # A short reply that only says again what the answer before it said is part of that
    # answer, not a call-on, though it is a bare name.
    Case(
        "a name repeated",
        BERLIN,
        24,
        "Sergey Vershinin.",
        "answer",
        ((21,), (22, 23, 24)),
    ),
    # A questioner's few words put into remarks that broke off are procedural, and the
    # remarks go on as remarks.
    Case("a word supplied", BERLIN, 3, "Low-hanging fruit.", "procedural", None),
    Case("the remarks go on", BERLIN, 4, "Yeah, the low-hanging fruit.", "statement", None),
    Case("a quip into remarks", DEESE, 3, "Good luck with that.", "procedural", None),
    Case("the remarks after the quip", DEESE, 4, "(Laughs.) Um — and also", "statement", None),
    # A questioner's joke among courtesies (after a farewell or a microphone quip) that the
    # official only laughs off is no exchange: both turns are procedural.
    Case("a joke after a farewell", JUNE_10, 71, "Well, actually, we hope", "procedural", None),
    Case(
        "the farewell joke laughed off",
        JUNE_10,
        72,
        "Oh yeah, I’ll have this wrapped up",
        "procedural",
        None,
    ),
    Case("a joke after a quip", GREENLAND, 20, "Do you have another one?", "procedural", None),
    Case("the quip joke laughed off", GREENLAND, 21, "Well, what – maybe not", "procedural", None),
    Case("New Year banter", CARNEY_2013, 62, "I'll put it on for you later.", "procedural", None),
    # A bid into an answer that broke off ("And on —", "can I follow up —"), accepted with a
    # word ("Yeah."), is procedural; the question it announces stays in that exchange.
    Case("a bid into a broken-off answer", JULY_6, 138, "Okay. And on —", "procedural", None),
    Case(
        "the question it announced",
        JULY_6,
        140,
        "— on LGBTQ",
        "question",
        ((134, 136, 140), (137, 141)),
    ),
    Case("a follow-up asked for", JULY_27, 16, "Yeah, can I follow up —", "procedural", None),
    Case(
        "the follow-up", JULY_27, 18, "— just on this data point?", "question", ((14, 18), (15, 19))
    ),
    # A questioner finishing a sentence that the answer cut off is no bid.
    Case(
        "a cut-off sentence finished",
        JUNE_2_2022,
        123,
        "— ahead of the COD —",
        "question",
        ((121, 123), (122, 124)),
    ),
    # Turns that ask nothing and get no answer form no exchange; a question cut off and
    # left unanswered is still one.
    Case(
        "finding the questioner", GREENLAND, 9, "Secretary Blinken – it’s here.", "procedural", None
    ),
    Case("found", GREENLAND, 11, "Here. (Laughter.)", "procedural", None),
    Case(
        "a cut-off question unanswered",
        UN_AVAILABILITY,
        21,
        "Did you talk to Prime Minister Kishida —",
        "question",
        ((21,), ()),
    ),
    # A moderator who tells the official the part of the question they asked for again
    # ("And what was the second question?") has a question turn of that exchange.
    Case("the missed part relayed", AFGHAN_CALL, 20, "P-2.", "question", ((18, 20), (19, 21))),
    # A call-on that gathers a second question with the first ("We'll take them together.")
    # leaves one exchange, answered once.
    Case("questions gathered", AFGHAN_CALL, 37, "Well, Meghann", "moderation", None),
    Case(
        "the gathered question",
        AFGHAN_CALL,
        38,
        "Okay, great. So my question",
        "question",
        ((36, 38), (39,)),
    ),
    # At a joint press conference, a leader named in a question who answers only after the
    # same reporter's follow-up was answered answers that question.
    Case(
        "the second leader's late answer",
        DUDA,
        12,
        "(As interpreted.) One moment.",
        "answer",
        ((7,), (8, 12)),
    ),
    Case(
        "the follow-up keeps its answer", DUDA, 9, "Can you (inaudible)", "question", ((9,), (10,))
    ),
    Case(
        "the same in the first posting",
        DUDA_FIRST,
        12,
        "(As interpreted.) One moment.",
        "answer",
        ((7,), (8, 12)),
    ),
    # After a call-on the floor is a new questioner's: an answer after it answers that
    # question, even by an official the question before greeted by name.
    Case(
        "no late answer across a call-on",
        COSTA_RICA,
        31,
        "And a couple of points to address your question.",
        "answer",
        ((29,), (30, 31)),
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_exchange_as_a_reader_sees_it(case: Case):
    b = _parse(case.body)
    turn = b.turns[case.turn - 1]
    assert turn.ordinal == case.turn and turn.text.startswith(case.opening)
    assert turn.function == case.function
    if case.exchange is None:
        assert turn.exchange is None
        return
    exchange = b.exchanges[turn.exchange - 1]
    assert (exchange.question_turns, exchange.answer_turns) == case.exchange
