"""What stands in front of every request: API keys, upload and concurrency limits, and a log without bodies."""

from __future__ import annotations

import asyncio
import hmac
import logging
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("pepdocs.service")

WORK = frozenset({"/render", "/parse", "/convert", "/merge", "/check", "/qa"})
"""The calls that read or write documents: these wait for one of the service's working slots."""

OPEN = frozenset({"/", "/healthz", "/openapi.json", "/favicon.ico"})
"""What anyone may fetch without a key: the page, its files and the API description hold no child's data."""

HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cache-control", b"no-store"),
    (
        b"content-security-policy",
        b"default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
        b"form-action 'self'",
    ),
]


def api_keys(text: str) -> frozenset[str]:
    """The keys in a comma-separated list (PEPDOCS_API_KEYS)."""
    return frozenset(key.strip() for key in text.split(",") if key.strip())


@dataclass(frozen=True)
class Settings:
    """How the service runs: who may call it, how much it takes in, how much it does at once, and the home form."""

    api_keys: frozenset[str] = field(default_factory=frozenset, repr=False)
    max_upload: int = 20 * 2**20
    concurrency: int = 2
    queue_seconds: float = 30.0
    home_form: str = "southwark-full"

    @classmethod
    def from_env(cls, **overrides: Any) -> Settings:
        """Settings with the API keys taken from PEPDOCS_API_KEYS (comma-separated), never from a command line."""
        return cls(api_keys=api_keys(os.environ.get("PEPDOCS_API_KEYS", "")), **overrides)


def problem(
    status: int,
    type: str,
    title: str,
    detail: str,
    instance: str,
    *,
    file: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """An RFC 9457 problem details response."""
    body: dict[str, Any] = {"type": type, "title": title, "status": status, "instance": instance}
    if detail:
        body["detail"] = detail
    if file:
        body["file"] = file
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status, headers=headers, media_type="application/problem+json")


class _TooLarge(Exception):
    pass


class Guard:
    """ASGI middleware: keys, upload size, working slots, security headers, and one log line per request."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.settings = settings
        self._slots: asyncio.Semaphore | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status, size = 0, 0

        async def secured(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *HEADERS]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self._guarded(scope, receive, secured)
        except Exception as error:  # answered here, so that no traceback (which may quote a value) reaches a log
            log.error("failed method=%s path=%s error=%s", scope["method"], scope["path"], type(error).__name__)
            if status:
                return  # the answer had begun; the connection closes
            failed = problem(
                500, "about:blank", "Internal Server Error", "the server failed; its log names the kind of failure",
                scope["path"],
            )  # fmt: skip
            await failed(scope, receive, secured)
        finally:
            # Method, path, status and sizes only: never a query string (it may hold a password) or a body.
            log.info(
                "request method=%s path=%s status=%d bytes_out=%d ms=%d",
                scope["method"], scope["path"], status, size, (time.perf_counter() - started) * 1000,
            )  # fmt: skip

    def _slots_here(self) -> asyncio.Semaphore:
        """The working slots, made again if the app now runs in another event loop (as tests do)."""
        loop = asyncio.get_running_loop()
        if self._slots is None or self._loop is not loop:
            self._slots, self._loop = asyncio.Semaphore(self.settings.concurrency), loop
        return self._slots

    async def _guarded(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope["path"]
        headers = {name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]}
        if self.settings.api_keys and path not in OPEN and not path.startswith("/static/") and not self._known(headers):
            log.warning("refused method=%s path=%s reason=api-key", scope["method"], path)
            response = problem(
                401, "about:blank", "Unauthorized",
                "send an API key as `Authorization: Bearer KEY` or `X-API-Key: KEY`",
                path, headers={"WWW-Authenticate": 'Bearer realm="pepdocs"'},
            )  # fmt: skip
            await response(scope, receive, send)
            return
        length = headers.get("content-length")
        if length is not None and (not length.isdigit() or int(length) > self.settings.max_upload):
            await self._too_large(scope, receive, send)
            return
        if path not in WORK:
            await self._limited(scope, receive, send)
            return
        slots = self._slots_here()
        try:
            await asyncio.wait_for(slots.acquire(), self.settings.queue_seconds)
        except TimeoutError:
            log.warning("refused method=%s path=%s reason=busy", scope["method"], path)
            busy = problem(
                503, "about:blank", "Service Unavailable", "every working slot is busy; try again shortly", path,
                headers={"Retry-After": "5"},
            )  # fmt: skip
            await busy(scope, receive, send)
            return
        try:
            await self._limited(scope, receive, send)
        finally:
            slots.release()

    def _known(self, headers: dict[str, str]) -> bool:
        given = headers.get("x-api-key", "")
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer":
            given = token.strip()
        if not given:
            return False
        # Compare with every key, in time that does not depend on where the keys differ.
        return any([hmac.compare_digest(given.encode(), key.encode()) for key in self.settings.api_keys])

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        log.warning("refused method=%s path=%s reason=too-large", scope["method"], scope["path"])
        limit = self.settings.max_upload
        response = problem(
            413, "about:blank", "Content Too Large", f"the service takes at most {limit // 2**20} MB in one request",
            scope["path"],
        )  # fmt: skip
        await response(scope, receive, send)

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The app, with the body cut off (and a 413 sent instead) once it passes the upload limit."""
        received, over, answered = 0, False, False

        async def counted() -> Message:
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.settings.max_upload:
                    over = True
                    raise _TooLarge
            return message

        async def sending(message: Message) -> None:
            nonlocal answered
            if over:  # the app's answer to a body it never got whole is replaced by the 413
                if not answered:
                    answered = True
                    await self._too_large(scope, receive, send)
                return
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except _TooLarge:
            if not answered:
                await self._too_large(scope, receive, send)
