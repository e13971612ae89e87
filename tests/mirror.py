"""A local HTTP server on 127.0.0.1 standing in for the site in spider tests.

Routes map a path to a body (or a status); every response carries an ETag and Last-Modified
and honours conditional GETs, as a real feed server does. Every request is recorded.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Resource:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    last_modified: str = "Mon, 05 Jul 2021 04:04:53 GMT"
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    status: int
    at: float  # time.monotonic() when answered


class Mirror:
    """``with Mirror() as site: site.routes["/feed/"] = Resource(...); site.url("/feed/")``."""

    def __init__(self, robots: str = "User-agent: *\nAllow: /\n") -> None:
        self.routes: dict[str, Resource] = {}
        self.requests: list[Seen] = []
        if robots is not None:
            self.routes["/robots.txt"] = Resource(robots.encode(), content_type="text/plain")
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                resource = mirror.routes.get(self.path.split("?")[0])
                if resource is None:
                    status, body, headers = 404, b"not found", {}
                elif self.headers.get("If-None-Match") == resource.etag:
                    status, body, headers = 304, b"", {"ETag": resource.etag}
                else:
                    status, body = resource.status, resource.body
                    headers = {
                        "Content-Type": resource.content_type,
                        "ETag": resource.etag,
                        "Last-Modified": resource.last_modified,
                        **resource.headers,
                    }
                mirror.requests.append(
                    Seen("GET", self.path, dict(self.headers), status, time.monotonic())
                )
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                if status != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if status != 304:
                    self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self) -> Mirror:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
