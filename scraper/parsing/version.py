"""The parser's version, stored with every revision it read (``briefwatch reparse`` re-reads
the older ones). A module of its own, so that asking for it imports no HTML library."""

PARSER_VERSION = "4"  # 4: exchanges by the cut-in, backchannel, banter and late-answer rules
