"""The resume point of a listing walk, as a small pure class (no Scrapy, no database)."""

from __future__ import annotations


class ListingCursor:
    """The last listing page all of whose transcripts are stored (or failed).

    Pages are listed in order, but their transcripts arrive in any order, and a page counts
    as listed only once all its entries are scheduled. The cursor moves over a page when it
    is listed and nothing it scheduled is pending any more::

        cursor = ListingCursor(start_page=1)
        cursor.page_started(1); cursor.detail_scheduled(1); cursor.page_listed(1)
        cursor.advance()      # None: page 1 still waits for its transcript
        cursor.detail_done(1)
        cursor.advance()      # 1
    """

    def __init__(self, start_page: int = 1) -> None:
        self.position = start_page - 1
        self._pending: dict[int, int] = {}
        self._listed: set[int] = set()
        self._walk_done = False

    def page_started(self, page: int) -> None:
        self._pending[page] = 0

    def detail_scheduled(self, page: int) -> None:
        self._pending[page] += 1

    def detail_done(self, page: int) -> None:
        self._pending[page] -= 1

    def page_listed(self, page: int) -> None:
        self._listed.add(page)

    def walk_done(self) -> None:
        """No further listing page will be read."""
        self._walk_done = True

    @property
    def complete(self) -> bool:
        """The walk reached its end and the cursor stands on its last page."""
        return self._walk_done and bool(self._listed) and self.position == max(self._listed)

    def advance(self) -> int | None:
        """Move over every finished page; the new position, or None if it did not move."""
        moved = False
        while self.position + 1 in self._listed and self._pending.get(self.position + 1) == 0:
            self.position += 1
            moved = True
        return self.position if moved else None
