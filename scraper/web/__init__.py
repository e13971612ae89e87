"""``briefwatch serve``: a read-only web application over the archive.

Server-rendered pages (Starlette + Jinja2), Atom feeds and a JSON API; nothing here writes.
Install with ``pip install 'briefwatch[web]'``.
"""

from scraper.web.app import create_app

__all__ = ["create_app"]
