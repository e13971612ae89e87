"""What each turn does: question, answer, moderation, procedural, statement or other.

Pure: reads the turns' speakers, roles and texts in order, nothing else. The rules follow the
gold annotation guide (tests/fixtures/state_department/gold/GUIDE.md):

- a call-on ("Kylie.", "We'll go to the line of ...") is ``moderation`` whoever says it, and so
  are introductions, hand-overs between officials, ground rules, closings and operator turns;
- greetings and bare thanks, audio checks, self-introductions, floor bids ("Can I follow
  up?", "On China.") and their acceptance ("Sure."), fragments cut off before any question,
  an official's backchannel ("Right.", "Mm-hmm.", a word put in while the question breaks
  off: "Fighters.") while a question is put, a questioner's word put into remarks that broke
  off, and a joke among courtesies that is only laughed off are ``procedural``; a turn with
  substance keeps its function even when it opens with a greeting;
- a questioner's turns are ``question`` turns (also a short interjection inside an answer);
- an official's reply is an ``answer``; remarks made with no question open are ``statement``;
- a moderator who reads out or restates a question (or tells the official the part they
  asked for again: "P-2.") has a ``question`` turn, one who answers
  part of it an ``answer`` turn; an interpreter's rendering takes the function of what it
  renders, an interpreter's notice is ``other``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

FUNCTIONS = ("question", "answer", "moderation", "procedural", "statement", "other")

_DASHES = ("—", "–", "--", "-", "―")
_STAGE = re.compile(r"\((?:[^()]|\([^()]*\))*\)")  # "(Laughter.)", "(Via interpreter)"
# Sentence breaks: white space after a full stop, or a dash set off by white space. Each
# break opens with white space, matched first so that the search skips straight to it.
_SENTENCES = re.compile(r"\s(?:(?<=[.!?…]\s)\s*|\s*[—–]\s+|\s*-{1,2}\s+)")
_NAME = r"(?-i:[A-Z][\w'.-]*(?:\s+(?:[A-Z][\w'.-]*|de|da|del|la|al|van|von|bin))*)"

# Sentences that carry nothing but courtesy: greetings, thanks, welcomes, farewells,
# self-introductions ("It's Pamala Falk from CBS News.").
_COURTESY = re.compile(
    r"^(?:(?:yes|yeah|okay|ok|oh|well|and|so|great|all right|alright|wonderful|sure|good|"
    r"no|hi|hello|hey)[,!.]?\s+)*"
    r"(?:thanks?\b|thank\s+you|many\s+thanks|much\s+appreciated|appreciate\s+it|"
    r"hi\b|hello\b|hey\b|good\s+(?:morning|afternoon|evening|day|night)|welcome\b|"
    r"(?:(?:it's|it\s+is|very|so)\s+)?(?:nice|good|great|wonderful)\s+to\s+(?:see|meet|have|be)|"
    r"(?:a\s+)?pleasure\b|happy\s+\w+|gracias\b|merci\b|congratulations\b|bye\b|"
    r"goodbye\b|take\s+care\b|cheers\b|please\s+come\s+back|come\s+back\s+any\s*time|"
    r"(?:yes|yeah),?\s+(?:ma'am|sir)\b|(?:we|i)\s+(?:really\s+)?appreciate\b|"
    r"appreciate\s+that\b|(?:i'm\s+|i\s+am\s+)?(?:so\s+|very\s+|really\s+)?sorry(?:\s+about\s+that)?[.!]?$|"
    r"my\s+apologies\b|(?:that's|that\s+is)\s+(?:okay|ok|all\s+right|fine)[.!]?$|all\s+good\b|"
    r"no\s+(?:worries|problem)\b|"
    r"(?:it's|this\s+is|my\s+name\s+is|i'm|i\s+am)\s+" + _NAME + r"(?:\s+(?:from|with|of)\s+.*)?$)",
    re.I,
)
# Where a courtesy can open a sentence (a quick test before splitting into sentences).
# "Oh, the budget.": taking in what was said, nothing more.
_ECHO = re.compile(
    r"^(?:oh|ah)\b,?\s+(?:the\s+|that\s+|your\s+)?[\w'-]+(?:\s+[\w'-]+)?[.!]?$", re.I
)
# A courtesy opening a later sentence or clause (searched only where punctuation is: the
# opening one is _COURTESY's).
_COURTESY_AFTER = re.compile(r"[.!?,—–-]\s*" + _COURTESY.pattern[1:], re.I)
# Checks of the line rather than speech: "Can you hear me?", "Yes, I can hear you."
_AUDIO = re.compile(
    r"\b(?:can|could|do)\s+(?:you|y'all|you\s+all|everyone|everybody)\s+(?:\w+\s+)?hear\s+"
    r"(?:me|us)\b|\b(?:i|we)\s+can\s+hear\s+you\b|\bwe\s+(?:have|got)\s+you\b|"
    r"\bare\s+you\s+there\b|\bhear\s+me\?|\byou'?re\s+(?:on\s+)?mute|\bunmute\b|"
    r"\b(?:i'm|i\s+am)\s+here\b|^hello\?$|^(?:yes,?\s+)?we\s+can\.?$|"
    r"\b(?:still\s+|really\s+)*breaking\s+up\b|\bgarbled\b|\bcan(?:'t|not)\s+hear\s+(?:you|that|this|it)\b|"
    r"\byou\s+can\s+hear\s+(?:this|that|me|us)\b|\bhard\s+to\s+hear\b|\bspeak\s+up\b",
)
# An official asking the questioner to repeat or confirm the question before answering it:
# "Sorry, the first part of your question got garbled.", "What was your first question?",
# "I believe you mentioned a greet at the airport.", "So you're talking about ..., right?"
_CHECKS_QUESTION = re.compile(
    r"\b(?:repeat\s+(?:it|that|the|your)|say\s+(?:that|it)\s+again|(?:what|which)\s+was\s+(?:your|the)\s+"
    r"(?:first|second|last|other\s+)?\s*question|(?:first|second|last)\s+part\s+of\s+(?:your|that)\s+"
    r"question.*(?:\?|garbled|missed|lost|catch|hear)|did\s+you\s+(?:ask|say)\?|you\s+mentioned\b|"
    r"(?:are\s+you|you're)\s+(?:asking|talking|referring)\s+(?:about|to)\b|you\s+mean\b|"
    r"didn't\s+(?:catch|hear|understand)\b|garbled)"
)
# Giving the floor: "We'll go to the line of ...", "Our next question goes to ...".
_CALL_ON = re.compile(
    r"\b(?:go(?:ing)?\s+to\s+(?:the\s+)?line|line\s+of\b|(?:next|final|last|first)\s+"
    r"question|question\s+(?:goes|will\s+go|comes)\b|(?:we'll|we\s+will|let's|let\s+us|"
    r"we're\s+going\s+to)\s+(?:now\s+)?(?:go|turn|start|take|move|conclude|end|hear)\b|"
    r"(?:couple|few)\s+(?:more\s+)?(?:quick\s+)?questions?|one\s+more\s+question|"
    r"time\s+for\s+(?:a|one|two|just)\b|line\s+is\s+open|open\s+(?:your|the)\s+line|"
    r"do\s+we\s+have\b|in\s+the\s+back\b|in\s+the\s+front\b|over\s+here\b|right\s+here\b|"
    r"(?:could|can)\s+we\s+have\b|one\s+moment|(?:in|from|left)\s+(?:the\s+)?queue|"
    r"go\s+ahead|your\s+(?:question|reply)\b|(?:go|come)\s+(?:back\s+)?to\s+you(?!\s+(?:on|with|about|when)\b)|floor\s+is\s+yours|mindful\s+of\s+(?:the\s+)?"
    r"(?:clock|time)|(?:a\s+)?couple\s+more\b|anything\s+else\s+on\b|any\s+(?:more|other|"
    r"final|last)\s+questions?\b|anyone\s+else\b|before\s+we\s+move\s+on)",
)
_STRONG_CALL_ON = re.compile(
    r"\b(?:line\s+of\b|(?:next|final|last)\s+question|question\s+(?:goes|will\s+go)\b|"
    r"(?:we'll|we\s+will|let's)\s+(?:now\s+)?go\s+to\b)",
)
# Handing a question to another official, introducing a speaker, ground rules and closings.
_HAND_OVER = re.compile(
    r"\b(?:(?:do|would)\s+you\s+(?:want|like|care)\s+to\s+(?:take|add|address|answer|speak|"
    r"comment|respond|jump)|(?:can|could|would)\s+you\s+(?:speak|address|take|respond)\s+to\b|"
    r"happy\s+to\s+(?:speak\s+to|take)\s+(?:that|this)|turn\s+it\s+(?:over|back)\s+to|"
    r"(?:hand|pass)\s+(?:it\s+)?(?:over\s+)?to|over\s+to\s+you|floor\s+is\s+yours|"
    r"without\s+further\s+ado|(?:pleased|delighted|honored|honoured|privilege)\s+to\s+"
    r"(?:introduce|welcome|have|present)|join\s+me\s+in\s+welcoming|(?:are|is)\s+joined\s+"
    r"by|joining\s+us|let\s+me\s+(?:introduce|turn)|(?:i'll|i\s+will)\s+turn\b|will\s+answer\s+"
    r"your\s+question|to\s+start\s+us\s+off|surprise\s+guest|special\s+guest|"
    r"question-and-answer\s+portion|(?:begin|open)\s+(?:the\s+)?(?:q\s*&\s*a|questions)|"
    r"you\s+want\s+to\s+hear\s+from\b|why\s+don't\s+(?:we|you)\b|(?:reply|answer|response)\s+(?:from|of|for)\s+the\b)",
)
# Ground rules, closings and sign-offs.
_CLOSING = re.compile(
    r"\b(?:(?:that|this)\s+concludes|(?:that's|that\s+is)\s+all\s+(?:the\s+time\s+)?we\s+"
    r"have|(?:for|as)\s+a\s+reminder|just\s+a\s+reminder|(?:thank|thanks)\s+(?:you\s+)?(?:all\s+)?"
    r"(?:very\s+much\s+)?(?:so\s+much\s+)?(?:for\s+joining|to\s+our\s+(?:speaker|briefer)s?)|"
    r"on\s+background|on\s+the\s+record\s+portion|ground\s+rules?|embargoed?\b|"
    r"running\s+(?:up\s+)?(?:against|out\s+of)\s+(?:the\s+)?(?:clock|time)|out\s+of\s+time|"
    r"go\s+straight\s+to\s+it|let's\s+close\b|(?:we|i)\s+(?:have|need|got)\s+to\s+(?:go|run)(?:[.!]|\s+now\b|$)|let\s+me\s+close\b|(?:we'll|we\s+will)\s+"
    r"(?:close|wrap)\b|farewell|round\s+of\s+applause|join\s+me\s+in\s+thanking|thank\s+you\s+(?:so\s+much\s+)?for\s+(?:coming\s+on|"
    r"being\s+on|joining\s+us\s+on)\s+the\s+show)",
)
# A questioner calling time: "Jen, we need to gather.", "we have an out in a minute, ... one
# more maybe." (it works like "last question").
_TIME_CALL = re.compile(
    r"\bwe\s+(?:need|have|got)\s+to\s+(?:gather|wrap)\b|\bwe\s+have\s+an\s+out\b|"
    r"\bout\s+in\s+(?:a|one|two|\d+)\s+minutes?\b|\bone\s+more,?\s+maybe\b"
)
# A spokesperson's top items before questions.
_TOP_ITEMS = re.compile(
    r"\b(?:at\s+the\s+top|before\s+we\s+(?:get|move|go|turn)\s+(?:in)?to\s+(?:your\s+)?"
    r"questions|a\s+couple\s+(?:of\s+)?(?:things|items|elements)|(?:let|allow)\s+me\s+(?:start|"
    r"begin)\s+(?:with|by))",
)
# A questioner asking for the floor or announcing a topic, not yet asking.
_BID = re.compile(
    r"(?:(?:can|could|may)\s+(?:i|we)\s+(?:just\s+|quickly\s+|also\s+|please\s+)?(?:ask|follow|"
    r"switch|change|turn|go|stay|move|have|get|do|squeeze|come|jump)\b|change\s+(?:of\s+)?"
    r"(?:subject|topic)|(?:another|new|different|other)\s+(?:topic|subject|question)|"
    r"^(?:very\s+)?quick(?:ly)?\s*\??$|i(?:'ve|\s+have)?\s+(?:got\s+)?(?:one|two|three|"
    r"a\s+couple|a\s+few|a\s+quick|one\s+more|a\s+question|some|another)\b|"
    r"^(?:some\s+)?more\s+on\b|^(?:and\s+|also\s+|just\s+)?on\s+(?-i:[A-Z])|squeezing|"
    r"^(?:and\s+|also\s+|just\s+)?on\s+[\w'-]+(?:\s+[\w'-]+){0,2}[.?]?$|"
    r"i'd\s+like\s+to\s+ask\s+about\b|^follow[- ]?up\??$|^one\s+more\b|quick\s+follow|"
    r"call\s+on\s+(?:me|her|him|us|them)\b|come\s+back\s+to\s+(?:me|her|him|us|them)\b|"
    r"(?:want|wanted|would\s+like|'d\s+like)\s+to\s+(?:follow\s+up|ask)\s+(?:on|about)\b|"
    r"(?:have|got)\s+(?:a|one|two|three|a\s+few|a\s+couple\s+of)\s+(?:quick\s+|more\s+)?"
    r"(?:follow[- ]?ups?|questions?)\b|^(?:in\s+the\s+back|over\s+here|right\s+here)\b|"
    r"another\s+(?:[\w-]+\s+){0,3}question\b|if\s+i\s+may\??$|^(?:just\s+)?to\s+follow\s+up\b|"
    r"^(?:and\s+)?(?:a|one|just\s+a|some|a\s+few|two)\s+(?:(?:real\s+)?quick\s+)?follow[- ]?ups?\b|"
    r"\b(?:i'm|i\s+am)\s+going\s+to\s+(?:go\s+back|switch|turn|move|change)\b)",
    re.I,
)
# Acknowledgements: "Right.", "I see.", "Mm-hmm.", "Okay."
_ACK = re.compile(
    r"^(?:(?:right|yeah|yes|yep|yup|okay|ok|oh|i\s+see|mm-?hmm|uh-?huh|sure|got\s+it|"
    r"understood|fair\s+enough|all\s+right|alright|indeed|exactly|correct|true|no|"
    r"absolutely|of\s+course|that's\s+right|that's\s+true|i\s+understand|understand|so|and|"
    r"but|well)(?:[,.!]?\s*[—–-]\s*|[,.!]?\s+|[,.!]?$))+$",
)
# A subject pronoun: a cut-off start that has one has begun its sentence ("And he's not going
# —", "Before I get to Mayor Lightfoot —"), unlike a topic or a bid ("On China —").
_CLAUSE = re.compile(
    r"\b(?:i|you|he|she|we|they|there|(?:i|you|he|she|it|we|they|there|that)(?:'s|'re|'m|'ve|"
    r"'d|'ll))\b",
    re.I,
)
_ACCEPT = re.compile(
    r"^(?:(?:yes|yeah|yep|yup|sure|okay|ok|please|go\s+ahead|absolutely|of\s+course|"
    r"very\s+short|briefly|quickly|all\s+right)[,.!]?\s*)+$",
)
_ASKING_START = re.compile(
    r"^(?:and\s+|but\s+|so\s+|well,?\s+|sorry,?\s+|oh,?\s+)*(?:what|why|how|who|whom|whose|"
    r"when|where|which|is|are|was|were|do|does|did|has|have|had|can|could|will|would|should|"
    r"shall|may|might|isn't|aren't|wasn't|don't|doesn't|didn't|hasn't|haven't|won't|"
    r"wouldn't|any|by\s+.*\byou\s+mean)\b",
)
_READS_QUESTION = re.compile(
    r"\b(?:question\s+(?:is|was)|(?:was|is)\s+(?:asking|whether)|submitted\s+by|asks?\b|"
    r"wants?\s+to\s+know|i\s+believe\s+it\s+was|whether)\b",
)
_INTERPRETER_NOTICE = re.compile(r"\binterpret(?:ing|er|ers|ation)\b|\btranslat(?:ing|ion|or)\b")


# A moderator giving the floor to the answer: "We will listen to the reply from the Secretary".
_GIVES_REPLY = re.compile(
    r"\b(?:reply|answer|response)\s+(?:from|of|by|for)\s+(?:the\s+)?(?:secretary|minister|"
    r"president|ambassador|spokesperson)"
)
# Correcting what the questioner says was said, before the question: "That's not what I said."
_PREMISE = re.compile(
    r"^(?:well,?\s+)?(?:that's|that\s+is|that\s+was)\s+not\s+what\s+(?:i|we|he|she)\s+said\b|"
    r"^(?:well,?\s+)?(?:i|we|he|she)\s+(?:didn't|did\s+not|never)\s+say\s+that\b|let's\s+hear\s+it\b"
)
# Putting a questioner off: "I'll come back to you.", "I was going to go to you".
_REDIRECT = re.compile(r"\b(?:go|come)\s+(?:back\s+)?to\s+you(?!\s+(?:on|with|about|when)\b)")
# A questioner saying whom the question is for: "I will start with Madam Vice President."
_DIRECTS = re.compile(
    r"\b(?:i\s+will|i'll|let\s+me)\s+(?:start|begin)\s+with\b|^(?:and\s+)?(?:this|that|my\s+"
    r"question)\s+is\s+(?:also\s+)?(?:for|to)\s+(?:the|you|madam|mr|mister|president|prime|"
    r"secretary|minister)\b"
)
_LAUGHTER = re.compile(r"\((?:laughs|laughter)\.?\)", re.I)
# Apologies: courtesies, but not thanks that close a question.
_APOLOGY = re.compile(r"\bsorry\b|\bapolog")
# Leaving the podium: "Thanks, everyone.", "Have a great weekend."
_SIGN_OFF = re.compile(
    r"\b(?:thanks|thank\s+you)(?:,|\s+so\s+much,?|\s+very\s+much,?)?\s+(?:everyone|everybody|all|"
    r"guys|folks)\b[^.?!]*[.!]?$|\bhave\s+a\s+(?:great|good|nice|wonderful)\s+(?:day|weekend|"
    r"evening|afternoon|night)\b[^.?!]*[.!]?$"
)
# Taking a question back, an answer however short: "I will check.", "We'll get back to you."
_TAKES_IT_BACK = re.compile(
    r"\b(?:check|look\s+into|get\s+back|follow\s+up|find\s+out|take\s+(?:it|that)\s+back)\b"
)
# Adding to the answer just given: "I'd add ...", "Just on that first part of that question".
_ADDS = re.compile(
    r"\b(?:(?:first|second|last)\s+part\s+of\s+(?:that|the|your)\b|(?:i\s+would|i'd|let\s+me)\s+"
    r"(?:just\s+)?add\b|to\s+add\s+to\s+(?:that|what))"
)
# Giving the floor by gesture: "Go ahead.", "Yes, in the back."
_GESTURE = re.compile(
    r"\bgo\s+ahead\b|\bin\s+the\s+(?:back|front)\b|\bright\s+there\b|\bover\s+here\b"
)
# Officials settling who answers: "Okay, I'll go.", "(Points to himself.)", "After you."
_WHO_ANSWERS = re.compile(
    r"\b(?:i'll|i\s+will|let\s+me)\s+go\b|\byou\s+go\b|\bgo\s+first\b|\bafter\s+you\b|"
    r"\byou\s+first\b|\byour\s+turn\b|^\(?\s*(?:points|gestures|nods|motions)\b"
)
# Questions that only ask for the floor: "Can you please call on her later?"
_FLOOR_REQUEST = re.compile(
    r"\b(?:call\s+on\s+(?:me|her|him|us|them)|come\s+back\s+to\s+(?:me|her|him|us|them)|"
    r"(?:can|could|may)\s+(?:i|we)\s+(?:just\s+|quickly\s+|also\s+|please\s+)?(?:ask\s+(?:a|one|"
    r"another|two)\b|follow\s+up\b|switch|change\s+(?:the\s+)?(?:subject|topic)))"
)
# Questions that only give the floor: "Do we have Lara?", "Anything else on the report?"
_FLOOR_QUESTION = re.compile(
    r"\bdo\s+we\s+have\b|\banything\s+else\b|\bany\s+(?:more|other|final)\s+questions?\b|"
    r"\banyone\s+else\b"
)
_AUDIO_HINTS = (
    "hear",
    "mute",
    "have you",
    "got you",
    "there",
    "here",
    "hello",
    "we can",
    "breaking",
    "garbled",
)
_AUDIO_HINT = re.compile("|".join(map(re.escape, _AUDIO_HINTS)))  # any of them, in one pass
_SHORT = 120  # characters: longer turns are never bare courtesies, call-ons or bids
_COMMA = re.compile(r",\s*")
_NAME_FIRST = re.compile(r"^(?-i:[A-Z])[\w'.]+,\s+")  # "Jen, on race": the address left out
_NOT_GIVEN = re.compile(r"\(\s*in\s+[a-z]+\s*\.?\s*\)", re.I)


@dataclass(frozen=True)
class TurnView:
    """What the classifier needs of one turn."""

    speaker: str
    role: str
    text: str

    @cached_property
    def said(self) -> str:
        """What most rules read: the spoken text of the turn's opening and close (computed
        when a rule first needs it: long answers seldom do)."""
        return spoken(_edges(self.text))

    @cached_property
    def low(self) -> str:
        """:attr:`said` in lower case."""
        return self.said.lower()


@lru_cache(maxsize=4096)
def spoken(text: str) -> str:
    """The text without stage notes in parentheses ("(Laughter.)"), with plain apostrophes."""
    text = text.replace("’", "'").replace("‘", "'")
    if "(" not in text:
        return " ".join(text.split()) if "\n" in text or "  " in text else text.strip()
    return " ".join(_STAGE.sub(" ", text).split())


def _count(text: str) -> int:
    return len(text.split())


@lru_cache(maxsize=4096)
def nwords(text: str) -> int:
    """Words spoken in a turn (stage notes left out; long turns counted as written)."""
    if len(text) > _SHORT * 3:  # long: count as written (stage notes change nothing here)
        return text.count(" ") + text.count("\n") // 2 + 1
    return len(spoken(text).split())


@lru_cache(maxsize=4096)
def sentences(text: str) -> list[str]:
    return [s.strip(" ,;:—–-") for s in _SENTENCES.split(spoken(text)) if s.strip(" ,;:.—–-")]


def broken_off(text: str) -> bool:
    """Whether a turn breaks off: a final dash or no closing punctuation.

    A call-on closing an answer ("... our great interest.\n\nGo ahead") ends it, whatever its
    punctuation.
    """
    t = text.rstrip()
    if not t:
        return False
    if t.endswith(_DASHES) or t.endswith(("…", "...")):
        return True
    t = t.rstrip(")”\"'’ ")
    if not (t and t[-1].isalnum()):
        return False
    last = t[t.rfind("\n\n") + 2 :] if "\n\n" in t[-62:] else ""
    return not (last and _GESTURE.search(last.lower()))


def _is_address(part: str) -> bool:
    """A bare name or form of address: "Ned", "Mr. Secretary", "Ma'am", "everybody"."""
    part = part.strip(" .,!?")
    if not part:
        return True
    if re.fullmatch(
        r"(?:(?:and\s+)?(?:everyone|everybody|all|you\s+all|folks|guys|sir|ma'?am|"
        r"mr\.?\s+secretary|madam\s+secretary|mr\.?\s+president|secretary)[,\s]*)+",
        part,
        re.I,
    ):
        return True
    words = part.split()
    return (
        bool(re.fullmatch(_NAME, part)) and len(words) <= 4 and words[0].lower() not in _NOT_NAMES
    )


_NOT_NAMES = frozenset(
    {
        "yes",
        "yeah",
        "yup",
        "yep",
        "sure",
        "okay",
        "ok",
        "please",
        "go",
        "great",
        "no",
        "wonderful",
        "all",
        "right",
        "thanks",
        "thank",
        "oh",
        "well",
        "so",
        "and",
        "very",
        "hi",
        "hello",
        "hey",
        "good",
        "but",
        "i",
        "the",
        "it",
        "we",
        "you",
        "that",
        "this",
        "here",
        "there",
        "now",
        "let",
        "mm-hmm",
        "absolutely",
        "fighters",
        "thousands",
    }
)


@lru_cache(maxsize=4096)
def is_courtesy(text: str) -> bool:
    """Greetings, thanks, welcomes, self-introductions and nothing else."""
    if len(text) > _SHORT * 3:
        return False
    if "(" in text and _NOT_GIVEN.search(text):
        return False  # "(In Arabic.)": words said but not given, their place decides
    said = spoken(text)
    if _count(said) > 40:
        return False
    if not (_COURTESY.match(said) or _COURTESY_AFTER.search(said)):
        return False  # no sentence opens with a courtesy
    parts = [p for s in sentences(text) for p in re.split(r",\s+(?=(?:it's|this\s+is)\b)", s)]
    if not parts:
        return False
    courteous = False
    for part in parts:
        if "?" in part and not _AUDIO.search(part.lower()):
            return False
        if _COURTESY.match(part) and _count(part) <= 14:
            courteous = True
        elif not (_is_address(part) or _ACK.match(part.lower()) or _ECHO.match(part)):
            return False
    return courteous


def is_audio_check(text: str) -> bool:
    if len(text) > _SHORT * 2:
        return False
    if not _AUDIO_HINT.search(text.lower()):
        return False
    s = spoken(text)
    if not s or _count(s) > 30 or not _AUDIO.search(s.lower()):
        return False
    return all(_AUDIO.search(p.lower()) for p in sentences(s) if "?" in p)


def is_ack(text: str) -> bool:
    if len(text) > _SHORT:
        return False
    s = spoken(text)
    return bool(s) and bool(_ACK.match((s.strip(" —–-")).lower()))


def is_cut_in(text: str) -> bool:
    """A questioner cut off before saying anything of their own: "Right. But do you —",
    "And —" (a dash after at most three words, once the acknowledgements are left out)."""
    if len(text) > _SHORT or not text.rstrip().endswith(_DASHES):
        return False
    s = spoken(text)
    if "?" in s:
        return False
    words = [w for p in sentences(s) if not _ACK.match(p.lower()) for w in p.split()]
    return len(words) <= 3


def is_content_free(text: str) -> bool:
    """Nothing but stage notes: "(Off-mike.)", "(In Arabic.)", "(Inaudible.)"."""
    if len(text) > _SHORT or "(" not in text:
        return False
    return bool(text.strip()) and not spoken(text).strip(" .,—–-")


def names_someone(text: str) -> bool:
    """Whether a short turn gives the floor by name or address ("Michel, yeah.", "Sir.")."""
    for part in sentences(text):
        for piece in _COMMA.split(part.strip(" .!?")):
            if piece and _is_address(piece) and not _ACK.match(piece.lower()):
                return True
    return False


def gives_floor(text: str) -> bool:
    """Whether a turn uses a call-on formula ("next question", "the line of ...")."""
    return bool(_CALL_ON.search(spoken(_edges(text))))


@lru_cache(maxsize=4096)
def is_call_on(text: str) -> bool:
    """A stand-alone call-on: gives the floor by name, gesture or formula, says nothing else."""
    if len(text) > _SHORT * 2:
        return False
    s = spoken(text)
    n = _count(s)
    if not n or n > 25 or (n > 20 and not _FLOOR_QUESTION.search(s.lower())):
        return False
    if _CALL_ON.search(s.lower()) and ("?" not in s or _FLOOR_QUESTION.search(s.lower())):
        return True
    if n > 6:
        return False
    parts = sentences(s)
    ok = all(
        _is_address(p)
        or _ACCEPT.match(p.lower())
        or ((m := _COURTESY.match(p)) is not None and not m.group(0).lower().startswith("it"))
        or names_someone(p)
        for p in parts
    )
    return ok and names_someone(s) or (ok and bool(re.search(r"\bplease\b", s, re.I)))


def is_bid(text: str, words: int = 14) -> bool:
    """A bid for the floor or an announced topic, with no question of its own yet (at most
    ``words`` words: longer bids are told only by the official's acceptance)."""
    if len(text) > _SHORT * 2 * max(1, words // 14):
        return False
    s = spoken(text).rstrip(" —–-")
    if not s or _count(s) > words:
        return False
    parts = [_NAME_FIRST.sub("", p) for p in sentences(s)]
    if parts and broken_off(text):
        # A cut-off start holding the question's own words ("And on COVID, the plan you
        # outlined —") is the question begun, not a bid ("And just one more on —").
        found = _BID.search(parts[-1])
        if found and _CLAUSE.search(parts[-1][found.end() :]):
            return False
    if any(_BID.search(p) for p in parts) and all(
        _BID.search(p) or is_courtesy(p) or _is_address(p) or _ACK.match(p.lower()) for p in parts
    ):
        return True
    # Only addressing the official: "Ned?", "Mr. Secretary --".
    return _count(s) <= 3 and _is_address(s)


def is_fragment(text: str) -> bool:
    """A start cut off before any question was put: "On China --", "The Japanese --"."""
    if len(text) > _SHORT:
        return False
    s = spoken(text).rstrip(" —–-")
    if not broken_off(text) or not s or _count(s) > 6:
        return False
    stripped = re.sub(
        r"^(?:(?:thanks?|thank\s+you|okay|yeah|yes|so|sorry|and|but|well)[,.]?\s+)+",
        "",
        s,
        flags=re.I,
    )
    return not _ASKING_START.match(stripped.lower()) and not _CLAUSE.search(stripped)


def checks_question(text: str) -> bool:
    """Whether an official's turn ends asking to repeat or confirm the question ("On your
    second question — repeat it again now.")."""
    parts = sentences(text)
    last = parts[-1].lower() if parts else ""
    return bool(_CHECKS_QUESTION.search(last)) or is_audio_check(last)


def only_checks_question(text: str) -> bool:
    """Whether an official's turn does nothing but ask to repeat or confirm the question
    ("Sorry. Can — the very first part of your question got garbled. ... did you ask?"):
    every sentence is the check, a word or two, or speaks of the question itself."""
    if not _CHECKS_QUESTION.search(text.lower()):
        return False
    parts = sentences(text)
    checks = [bool(_CHECKS_QUESTION.search(p.lower())) for p in parts]
    return any(checks) and all(
        c or _count(p) <= 6 or "question" in p.lower() for c, p in zip(checks, parts, strict=True)
    )


def asks(text: str) -> bool:
    return "?" in text and "?" in spoken(text)


def classify(turns: Sequence[TurnView]) -> list[str]:
    """The function of every turn, in order (see the module docstring). What it computes of
    each text stays cached until :func:`forget_texts`."""
    out: list[str] = []
    state = _State()
    for i, turn in enumerate(turns):
        fn = _function(turns, i, out, state)
        out.append(fn)
        state.update(turn, fn, turns[i + 1] if i + 1 < len(turns) else None)
    return out


def forget_texts() -> None:
    """Empty the caches of what was computed of each text (spoken form, sentences, words...).
    They serve one transcript: its turns classified (once or twice), then grouped."""
    for cached in (spoken, sentences, nwords, is_courtesy, is_call_on):
        cached.cache_clear()


@dataclass
class _State:
    pending: bool = False  # a question is being put and no answer has started
    answering: str | None = None  # the official answering the current question
    opened: bool = False  # the event has begun (a statement, call-on or question came)
    answered: bool = False  # a question got an answer: the questions have begun

    def update(self, turn: TurnView, fn: str, nxt: TurnView | None) -> None:
        if fn == "question":
            self.pending = True
            self.opened = True
        elif fn == "answer":
            self.pending = False
            self.answering = turn.speaker
            self.opened = True
            self.answered = True
        elif fn == "statement":
            self.pending = False
            self.answering = None
            self.opened = True
        elif fn == "moderation":
            self.opened = True
            # A hand-over to another official keeps the answer going; a call-on ends it.
            handed_over = (
                turn.role not in ("operator", "reporter")
                and not _FLOOR_QUESTION.search(turn.text.lower())
                and nxt is not None
                and nxt.role in ("official", "moderator")
            )
            if not self.pending and not handed_over:
                self.answering = None


def _function(turns: Sequence[TurnView], i: int, out: list[str], st: _State) -> str:
    turn = turns[i]
    prev = turns[i - 1] if i else None
    prev_fn = out[i - 1] if i else ""
    nxt = turns[i + 1] if i + 1 < len(turns) else None
    if turn.role == "operator":
        return "moderation"
    if turn.role == "reporter":
        announced = prev is not None and prev.role == "moderator" and prev_fn == "moderation"
        if st.pending and announced and prev is not None and _GIVES_REPLY.search(prev.text.lower()):
            return "answer"  # the reply the moderator announced, printed under a wrong label
        if _banter(prev, prev_fn, nxt) and not st.pending:
            return "procedural"  # a joke among courtesies, laughed off: no question
        if prev_fn == "statement" and _prompts(turn, prev, nxt):
            return "procedural"  # a word put into remarks that broke off: "Low-hanging fruit."
        return _question_side(turns, i, st, prev, nxt)
    if turn.role == "other" and "INTERPRET" in turn.speaker.upper():
        if _INTERPRETER_NOTICE.search(turn.low) and _count(turn.said) <= 40:
            return "other"
        if re.search(r"\bquestion\b", turn.said, re.I) or (
            prev is not None and prev.role == "reporter"
        ):
            return "question"
        return prev_fn if prev_fn in ("question", "answer", "statement") else "other"
    return _answer_side(turns, i, out, st, prev, prev_fn, nxt)


def _edges(s: str) -> str:
    """A long turn's opening and close, where introductions, hand-overs and closings sit
    (searching whole answers for them costs more than the rest of the parse)."""
    if len(s) <= 1200:
        return s
    cut = max(s.find(" ", 600), 600)
    tail = s.find(" ", len(s) - 600)
    return f"{s[:cut]} … {s[tail + 1 :] if tail > 0 else s[-600:]}"


def _settles_who_answers(text: str) -> bool:
    return bool(_WHO_ANSWERS.search(text.lower().replace("’", "'")))


def _acceptance(turn: TurnView | None) -> bool:
    """A bare acceptance of a bid or check: "Sure.", "Yes.", "Please, go ahead."."""
    if turn is None or turn.role in ("reporter", "operator"):
        return False
    s = spoken(turn.text)
    if (
        "?" not in s
        and _count(s) <= 10
        and (
            re.match(r"(?:sure|yes|yeah|okay|ok)\b", s, re.I)
            or re.search(r"\b(?:sure|okay|yes|yeah)[.!]?$", s, re.I)
        )
    ):
        return True
    return (
        bool(s)
        and _count(s) <= 4
        and bool(_ACCEPT.match(s.lower()) or re.fullmatch(r"[\w' ]{1,30},\s*sure\.?", s, re.I))
    )


def _laughs_off(turn: TurnView | None) -> bool:
    """An official's short reply that draws laughter and says nothing more."""
    return (
        turn is not None
        and turn.role in ("official", "moderator")
        and len(turn.text) <= _SHORT
        and bool(_LAUGHTER.search(turn.text))
        and nwords(turn.text) <= 15
    )


def _banter(prev: TurnView | None, prev_fn: str, nxt: TurnView | None) -> bool:
    """A questioner's joke among courtesies: after an official's courtesy or quip (a farewell,
    "Sounded good. (Laughter.)", not the "Sure." that lets a question be put), answered by
    a reply that only draws laughter."""
    return (
        prev is not None
        and prev.role in ("official", "moderator")
        and prev_fn == "procedural"
        and (is_courtesy(prev.text) or bool(_LAUGHTER.search(prev.text)))
        and _laughs_off(nxt)
    )


def _prompts(turn: TurnView, remarks: TurnView | None, nxt: TurnView | None) -> bool:
    """A questioner's few words, asking nothing, put into an official's remarks that broke
    off with a dash, before an official goes on ("But so the —" "Low-hanging fruit.")."""
    return (
        remarks is not None
        and nxt is not None
        and remarks.role == "official"
        and nxt.role == "official"
        and remarks.text.rstrip().endswith(_DASHES)
        and len(turn.text) <= _SHORT
        and "?" not in turn.text
        and nwords(turn.text) <= 5
    )


def _relays(answer: TurnView | None, nxt: TurnView | None, words: int) -> bool:
    """Whether a moderator's short turn tells an official, who ended the answer asking what
    the question was and goes on right after, the part of the question they missed."""
    if answer is None or nxt is None or nxt.speaker != answer.speaker or words > 25:
        return False
    last = spoken(answer.text.rstrip().rpartition("\n\n")[2][-300:]).lower()
    return bool(_CHECKS_QUESTION.search(last))


def _echoes(text: str, answer: str) -> bool:
    """Whether a short turn only repeats words of the answer before it ("Sergey Vershinin."
    after "... Vershinin."): a name said again is part of the answer, not a call-on."""
    words = re.findall(r"[\w'-]+", text.lower())
    if not words or words[-1] not in answer.lower():
        return False  # a quick test before reading the whole answer
    return set(words) <= set(re.findall(r"[\w'-]+", spoken(answer).lower()))


def _word_in(text: str, question: str, resumed: bool) -> bool:
    """An official's word put in while a question breaks off, before the same questioner
    resumes it: a word or two, or words not given, complete in themselves (decision 1)."""
    if not resumed or not broken_off(question) or len(text) > _SHORT:
        return False
    s = spoken(text)
    return (
        _count(s) <= 3
        and "?" not in s
        and not broken_off(text)
        and not text.lstrip(" (").startswith(_DASHES)
        and not _TAKES_IT_BACK.search(s.lower())
    )


def _carries_on(turns: Sequence[TurnView], i: int, answering: str | None) -> bool:
    """Whether the official answering goes on with the same answer after turn ``i``."""
    j = i + 1
    while j < len(turns) and turns[j].role == "reporter" and is_ack(turns[j].text):
        j += 1
    if answering is None or j >= len(turns) or turns[j].speaker != answering:
        return False
    text = turns[j].text
    return nwords(text) > 3 and not is_call_on(text) and not is_courtesy(text)


def _question_side(
    turns: Sequence[TurnView],
    i: int,
    st: _State,
    prev: TurnView | None,
    nxt: TurnView | None,
) -> str:
    turn = turns[i]
    text = turn.text
    n = nwords(text)
    if is_courtesy(text) or is_audio_check(text):
        return "procedural"
    asked = asks(turn.said)
    if (
        not asked
        and n <= 150
        and (
            _HAND_OVER.search(turn.low)
            or _CLOSING.search(turn.low)
            or _STRONG_CALL_ON.search(turn.low)
            or (n <= 30 and _TIME_CALL.search(turn.low))
        )
    ):
        return "moderation"  # a host's ground rules or sign-off, a time call, a call-on
    answer_broken = (
        st.answering is not None
        and prev is not None
        and prev.speaker == st.answering
        and broken_off(prev.text)
    )
    if is_content_free(text) or is_ack(text):
        carried = _carries_on(turns, i, st.answering)
        return "question" if st.pending or answer_broken or carried else "procedural"
    thanked = (
        nxt is not None
        and nxt.role != "reporter"
        and is_courtesy(nxt.text)
        and not _APOLOGY.search(nxt.text.lower())  # "Oh, the budget. I'm so sorry."
    )
    if thanked and not asked and not st.pending and not answer_broken:
        return "procedural"  # thanks exchanged, nothing asked
    if st.pending and not asked and n <= 12 and _DIRECTS.search(turn.low):
        return "procedural"  # only says whom the question is for: "I will start with ..."
    after = turns[i + 2] if i + 2 < len(turns) else None
    if (
        answer_broken
        and not asked
        and (is_bid(text) or is_fragment(text))
        and not text.lstrip(" (").startswith(_DASHES)  # "— ahead of the COD —" goes on
        and _acceptance(nxt)
        and nxt is not None
        and _count(spoken(nxt.text)) <= 3
        and after is not None
        and after.speaker == turns[i].speaker
    ):
        return "procedural"  # a bid into the broken-off answer, accepted: "And on —" "Yeah."
    if st.pending or answer_broken:
        return "question"
    if not st.opened and n <= 8 and not asked:
        return "procedural"  # small talk before the briefing starts
    parts = sentences(turn.said) if n <= 30 else []
    if (
        asked
        and parts
        and all(
            _FLOOR_REQUEST.search(p.lower()) if "?" in p else not _ASKING_START.match(p.lower())
            for p in parts
        )
    ):
        return "procedural"  # only asks for the floor: "Can you please call on her later?"
    if n > 14:
        # A long bid ("I just want to follow up on Zeke's question ...") that the official
        # accepts ("Sure.", "Appreciate that.") before the question itself is put.
        if (
            n <= 40
            and not asked
            and nxt is not None
            and nxt.role != "reporter"
            and after is not None
            and after.role == "reporter"
            and is_bid(text, words=40)
            and (_acceptance(nxt) or is_courtesy(nxt.text))
        ):
            return "procedural"
        return "question"
    accepted = _acceptance(nxt) and (after is None or after.role == "reporter")
    # Between answers: bids for the floor and fragments cut off early are procedural.
    if is_bid(text) and (nxt is None or accepted or nxt.role == "reporter" or is_call_on(nxt.text)):
        return "procedural"
    if accepted and not asked and n <= 6:
        return "procedural"  # a topic named, then accepted: "The space program." "Sure."
    if is_fragment(text) and not asked:
        return "procedural"
    return "question"


def _answer_side(
    turns: Sequence[TurnView],
    i: int,
    out: list[str],
    st: _State,
    prev: TurnView | None,
    prev_fn: str,
    nxt: TurnView | None,
) -> str:
    turn = turns[i]
    n = nwords(turn.text)
    moderator = turn.role == "moderator"
    next_asks = nxt is not None and nxt.role == "reporter"
    hands_over = _Lazy(lambda: bool(_HAND_OVER.search(turn.low)))
    closes = _Lazy(lambda: bool(_CLOSING.search(turn.low)))
    floor = _Lazy(lambda: bool(_CALL_ON.search(turn.low)))
    if (
        moderator
        and prev_fn == "answer"
        and nxt is not None
        and prev is not None
        and nxt.speaker == prev.speaker
        and is_courtesy(turn.text)
        and not is_courtesy(nxt.text)
    ):
        return "moderation"  # an aide's "Okay, thank you." cuts the answer off: time is up
    if is_courtesy(turn.text) or (
        n <= 30
        and is_audio_check(turn.text)
        and not _CALL_ON.search(turn.low)
        and all(
            (_AUDIO.search(p.lower()) and _count(p) <= 12) or _count(p) <= 6 or is_courtesy(p)
            for p in sentences(turn.said)
        )
    ):
        return "procedural"
    if (
        prev is not None
        and prev.role == "reporter"
        and prev_fn == "procedural"
        and i >= 2
        and _banter(turns[i - 2], out[i - 2], turn)
    ):
        return "procedural"  # the joke's reply: "I'll have this wrapped up by Monday. (Laughter.)"
    if prev is not None and prev.role == "reporter" and prev_fn == "procedural" and n <= 9:
        # The reply to an audio check or a floor bid: "Yes, go ahead.", "Sure."
        if is_courtesy(prev.text) and not is_audio_check(prev.text) and _GESTURE.search(turn.low):
            return "moderation"  # thanks, then the floor given: "Thank you, Jen." "Go ahead."
        if is_audio_check(prev.text) or is_courtesy(prev.text):
            if is_audio_check(turn.said) or not _CALL_ON.search(
                (re.sub(r"go\s+ahead", "", turn.said, flags=re.I)).lower()
            ):
                return (
                    "moderation"
                    if names_someone(turn.said) and not is_audio_check(turn.said)
                    else "procedural"
                )
        elif is_content_free(prev.text) and is_call_on(turn.said):
            return "moderation"  # "(In Arabic.)" then "Please, go ahead.": the floor given
        elif (
            _acceptance(turn)
            or is_call_on(turn.said)
            or is_ack(turn.said)
            or re.search(r"\bsure\b", turn.said, re.I)
        ):
            # "Sure." accepts a bid; a name or a gesture gives the floor.
            gives = (
                names_someone(turn.said) or _GESTURE.search(turn.low) or _REDIRECT.search(turn.low)
            )
            return "moderation" if gives else "procedural"
    if (
        moderator
        and st.opened
        and n > 4
        and nxt is not None
        and nxt.role == "official"
        and _READS_QUESTION.search(turn.low)
        and (asks(turn.said) or not hands_over())
        and not closes()
    ):
        return "question"
    if st.pending:
        if n <= 40 and hands_over():
            return "moderation"
        if not moderator and n <= 12 and _settles_who_answers(turn.text):
            return "moderation"  # officials settling who answers: "You go this time, please."
        if moderator:
            handed = prev is not None and prev.role == "official" and prev_fn == "moderation"
            if handed and not is_call_on(turn.said):
                return "answer"  # an official handed (part of) the question to the moderator
            if n <= 25 or is_call_on(turn.said) or hands_over() or floor():
                return "moderation"
            return "answer"
        if (
            next_asks
            and prev is not None
            and prev.role == "reporter"
            and n <= 25
            and "?" not in prev.text
            and (_GESTURE.search(turn.low) or _PREMISE.search(turn.low))
            and not names_someone(turn.said)
        ):
            # The question is not put yet: a quip, a premise corrected, leave to go on ("I do.
            # I had many engagements with Matt Lee.", "That's okay. Go ahead.").
            return "procedural"
        if n <= 4 and is_call_on(turn.said) and not is_ack(turn.said):
            return "moderation"
        rechecked = i >= 2 and out[i - 2] == "procedural" and turns[i - 2].speaker == turn.speaker
        if next_asks and n <= 40 and not rechecked and only_checks_question(turn.said):
            return "procedural"  # "What was your first question?": the question is re-put
        if next_asks and prev is not None and prev.role == "reporter" and n <= 12:
            # A backchannel or a check of the question while it is being put.
            if is_ack(turn.said) and not prev.text.rstrip().endswith("?"):
                return "procedural"
            if not is_ack(turn.said) and (
                asks(turn.said) or re.search(r"\byou\s+mean\b", turn.said, re.I)
            ):
                return "procedural"
            if broken_off(turn.said) and _ASKING_START.match(turn.low):
                return "procedural"
            if nxt is not None and _word_in(turn.text, prev.text, nxt.speaker == prev.speaker):
                return "procedural"  # "Fighters.", "(Inaudible.)" while the question breaks off
        if (
            prev is not None
            and prev.role == "reporter"
            and prev_fn == "procedural"
            and is_ack(turn.said)
        ):
            return "procedural"  # "(Laughs.) Okay." to "I will start with ...": no question yet
        if (
            n <= 12
            and _LAUGHTER.search(turn.text)
            and nxt is not None
            and nxt.role == "official"
            and nxt.speaker != turn.speaker
            and prev_fn == "question"
            and nwords(nxt.text) > 40
            and not _TOP_ITEMS.search(nxt.text[:400].lower())
        ):
            return "procedural"  # a quip before another principal answers
        return "answer"
    if st.answering is not None:
        if moderator and prev_fn == "answer" and _relays(prev, nxt, n):
            return "question"  # "And what was the second question?" "P-2." (decision 6)
        if moderator and prev_fn == "answer" and _ADDS.search(turn.said[:200].lower()):
            return "answer"  # the moderator adds to the answer ("Just on that first part ...")
        if (n <= 40 or moderator) and (hands_over() or closes()):
            return "moderation"
        if not moderator and n <= 12 and _settles_who_answers(turn.text):
            return "moderation"
        if (
            is_call_on(turn.said)
            and (nxt is None or nxt.role != "official" or _FLOOR_QUESTION.search(turn.low))
            and not (
                prev_fn == "answer"
                and prev is not None
                and prev.speaker != turn.speaker
                and _echoes(turn.said, prev.text)
            )
        ):
            return "moderation"
        if moderator:  # a call-on closing an answer leaves it an answer
            head = turn.said[:160].lower()
            return "answer" if n > 30 and not _CALL_ON.search(head) else "moderation"
        head = turn.said[:400].lower()
        if n > 40 and _TOP_ITEMS.search(head) and not re.search(r"\bquestion\b", head):
            return "statement"
        return "answer"
    # No question open.
    if is_call_on(turn.said) or (n <= 25 and floor()):
        return "moderation"
    if (moderator or turn.role == "other" or n <= 150) and (hands_over() or closes()):
        return "moderation"
    if moderator:
        return "moderation" if n <= 60 else "statement"
    if st.answered and n <= 60 and _SIGN_OFF.search(turn.low):
        return "moderation"  # the questions are over: "Sorry for it to be so short. Thanks, all."
    if turn.role == "other":
        return "procedural" if n <= 8 else "statement"
    if n <= 6:
        return "procedural"  # too short for remarks: an aside, a reply to banter
    return "statement"


class _Lazy:
    """A test computed once, when first needed."""

    __slots__ = ("_test", "_value")

    def __init__(self, test: Callable[[], bool]) -> None:
        self._test = test
        self._value: bool | None = None

    def __call__(self) -> bool:
        if self._value is None:
            self._value = self._test()
        return self._value
