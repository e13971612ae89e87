"""briefwatch: follow government press-briefing transcripts."""

__version__ = "0.1.0"
