"""A local HTTP server on 127.0.0.1 standing in for the site in spider tests.

Routes map a path to a body (or a status); every response carries an ETag and Last-Modified
and honours conditional GETs, as a real feed server does. Every request is recorded.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import socket
import struct
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
    #: Faults served first, one per request, before the resource behaves: an HTTP status
    #: (int), "reset" (close without answering), ("sleep", s) (answer after s seconds),
    #: "truncate" (promise the whole body, send half), ("redirect", path),
    #: ("bomb", n) (gzip that inflates to n bytes), ("big", n) (an n-byte body),
    #: ("status", code, {headers}).
    faults: list = field(default_factory=list)

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


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        # A client that hangs up mid-answer (a killed crawl, a size limit) is not news.
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class Mirror:
    """``with Mirror() as site: site.routes["/feed/"] = Resource(...); site.url("/feed/")``."""

    def __init__(self, robots: str = "User-agent: *\nAllow: /\n") -> None:
        self.routes: dict[str, Resource] = {}
        self.requests: list[Seen] = []
        self.faults_served = 0
        if robots is not None:
            self.routes["/robots.txt"] = Resource(robots.encode(), content_type="text/plain")
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                # A route may name a query ("/list?page=1"); else the query is ignored.
                resource = mirror.routes.get(self.path) or mirror.routes.get(
                    self.path.split("?")[0]
                )
                if resource is not None and resource.faults:
                    fault = resource.faults.pop(0)
                    mirror.faults_served += 1
                    if self.fault(fault, resource):
                        return
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

            def fault(self, fault, resource: Resource) -> bool:
                """Serve one fault; False if the request should then be answered normally."""
                kind = fault if isinstance(fault, str | int) else fault[0]
                mirror.requests.append(
                    Seen("GET", self.path, dict(self.headers), -1, time.monotonic())
                )
                if isinstance(kind, int) or kind == "status":
                    code = kind if isinstance(kind, int) else fault[1]
                    extra = {} if isinstance(kind, int) else fault[2]
                    self.send_response(code)
                    for key, value in {"Content-Length": "0", **extra}.items():
                        self.send_header(key, value)
                    self.end_headers()
                elif kind == "reset":
                    self.connection.setsockopt(
                        socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                    )
                    self.close_connection = True
                elif kind == "sleep":
                    time.sleep(fault[1])
                    return False
                elif kind == "truncate":
                    self.send_response(200)
                    self.send_header("Content-Type", resource.content_type)
                    self.send_header("Content-Length", str(len(resource.body)))
                    self.end_headers()
                    self.wfile.write(resource.body[: len(resource.body) // 2])
                    self.close_connection = True
                elif kind == "redirect":
                    self.send_response(302)
                    self.send_header("Location", fault[1])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                elif kind in ("bomb", "big"):
                    raw = b"<p>" + b"x" * fault[1] + b"</p>"
                    body = gzip.compress(raw, compresslevel=9) if kind == "bomb" else raw
                    self.send_response(200)
                    self.send_header("Content-Type", resource.content_type)
                    if kind == "bomb":
                        self.send_header("Content-Encoding", "gzip")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    # The client may give up on the oversized body, as it should.
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self.wfile.write(body)
                return True

        self.server = _Server(("127.0.0.1", 0), Handler)
        # shutdown() waits for the loop to look again: every 0.5 s by default, 0.05 s here.
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def __enter__(self) -> Mirror:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
