"""Pure parsing: HTML or text in, :class:`~scraper.model.Briefing` out. No I/O."""

from scraper.parsing.transcript import PARSER_VERSION, parse_transcript

__all__ = ["PARSER_VERSION", "parse_transcript"]
