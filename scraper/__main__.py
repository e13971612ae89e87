"""``python -m scraper`` is the ``briefwatch`` command."""

from scraper.cli import main

main()
