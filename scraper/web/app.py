"""The application factory: routes, error pages, security headers and optional auth."""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from dataclasses import dataclass
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from scraper.storage import StorageError
from scraper.web import api, feeds, pages
from scraper.web.params import BadRequest
from scraper.web.render import HERE, make_templates

logger = logging.getLogger(__name__)

#: Nothing but our own stylesheet; no script at all, no framing, forms only to ourselves.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


@dataclass(frozen=True)
class Auth:
    """Credentials every request must present: a bearer token and/or ``user:password``."""

    token: str | None = None
    basic: str | None = None

    @property
    def required(self) -> bool:
        return bool(self.token or self.basic)

    def allows(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        value = value.strip()
        if scheme.lower() == "bearer" and self.token:
            return hmac.compare_digest(value.encode(), self.token.encode())
        if scheme.lower() == "basic" and self.basic:
            try:
                given = base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                return False
            return hmac.compare_digest(given, self.basic.encode())
        return False


class Guard:
    """ASGI middleware: refuse unauthenticated requests (when auth is set), add the headers."""

    def __init__(self, app, auth: Auth) -> None:
        self.app, self.auth = app, auth

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], *SECURITY_HEADERS]
            await send(message)

        if self.auth.required:
            header = dict(scope["headers"]).get(b"authorization", b"").decode("latin-1")
            if not self.auth.allows(header):
                challenge = 'Basic realm="briefwatch"' if self.auth.basic else "Bearer"
                response = PlainTextResponse(
                    "authentication required\n", 401, headers={"WWW-Authenticate": challenge}
                )
                await response(scope, receive, send_with_headers)
                return
        await self.app(scope, receive, send_with_headers)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def _error(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": message, "status": status}, status_code=status)
    if request.url.path.endswith((".atom", ".csv")):
        return PlainTextResponse(message + "\n", status_code=status)
    templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )


async def _bad_request(request: Request, exc: BadRequest) -> Response:
    return _error(request, 400, str(exc))


async def _http_error(request: Request, exc: HTTPException) -> Response:
    return _error(request, exc.status_code, exc.detail or "error")


async def _storage_error(request: Request, exc: StorageError) -> Response:
    from scraper.cli.context import first_line

    logger.error("database error on %s: %s", request.url.path, first_line(exc))
    return _error(request, 503, f"database error: {first_line(exc)}")


def create_app(archive, watches=(), auth: Auth | None = None) -> Starlette:
    """The web application over an open :class:`~scraper.storage.Archive`.

    ``watches`` are the configured :class:`~scraper.watch.config.WatchConfig` rules.
    """
    routes = [
        *pages.routes,
        *feeds.routes,
        *api.routes,
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    # Each handler takes its own exception class (Starlette types them all as Exception).
    handlers: dict[Any, Any] = {
        BadRequest: _bad_request,
        HTTPException: _http_error,
        StorageError: _storage_error,
    }
    app = Starlette(
        routes=routes,
        middleware=[Middleware(Guard, auth=auth or Auth())],
        exception_handlers=handlers,
    )
    app.state.archive = archive
    app.state.watches = tuple(watches)
    app.state.templates = make_templates()
    return app
