"""What keeps a local web app safe on a laptop.

* `Guard` (pure ASGI, outermost): answers only requests whose Host header is
  this server's own address (a page on another site that re-points its DNS
  name at 127.0.0.1 -- DNS rebinding -- sends its own name and is refused);
  sets the security headers on every answer; turns a crash in one request
  into a 500 with one logged line, and the server keeps serving.
* `Sessions`: a random session cookie (HttpOnly, SameSite=Strict) and the
  CSRF token derived from it with this process's secret; every POST must
  carry the token (form field `csrf` or header `X-CSRF-Token`), and an Origin
  header, when the browser sends one, must be this server's.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from workflow.i18n import _
from workflow.redact import redact

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger("pubflow.workspace")

# No inline script or style: the one script and the one style sheet come from this server.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'self'; base-uri 'none'")
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cache-control", b"no-store"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


MAX_BODY = 1024 * 1024  # bytes of one request body: a form holds a paragraph or two


class BodyTooLarge(Exception):
    """A request body past `MAX_BODY` (announced or streamed)."""


class Guard:
    """Host check, body size limit, security headers and the crash handler around the whole application."""

    def __init__(self, app: ASGIApp, port: int) -> None:
        self.app = app
        self.port = port
        self.hosts = {f"127.0.0.1:{port}".encode(), f"localhost:{port}".encode()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan is off; websockets are not served
            return
        host = dict(scope.get("headers") or []).get(b"host", b"").lower()
        if host not in self.hosts:
            await plain(send, 421, _("this workspace answers only at http://127.0.0.1:{port}/ (the Host header "
                                     "names another server)").format(port=self.port))
            return
        started = False
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message.get("type") == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY:
                    raise BodyTooLarge
            return message

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers") or [])
                names = {name.lower() for name, _value in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                headers += [h for h in HEADERS if h[0] not in names]
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await plain(send, 413, _("refused: the request is too large; nothing was changed"))
        except Exception as exc:  # noqa: BLE001 -- the one place a request's crash stops
            log.error("%s", redact(f"internal error on {scope.get('method')} {scope.get('path')}: "
                                   f"{type(exc).__name__}: {exc}"))
            if not started:
                await plain(send, 500, _("internal error: the request failed and changed nothing it had not "
                                         "saved; the workspace keeps running (see its terminal for the error)"))


async def plain(send: Send, status: int, text: str) -> None:
    body = (text + "\n").encode("utf-8")
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *HEADERS]})
    await send({"type": "http.response.body", "body": body})


class Sessions:
    """Session cookies and CSRF tokens of one server process."""

    def __init__(self, port: int) -> None:
        self.secret = secrets.token_bytes(32)
        self.cookie = f"pubflow_session_{port}"  # cookies are per host, not per port: one name per server
        self.origins = {f"http://127.0.0.1:{port}", f"http://localhost:{port}"}

    def new_session(self) -> str:
        return secrets.token_urlsafe(32)

    def token(self, session: str) -> str:
        return hmac.new(self.secret, session.encode("utf-8"), hashlib.sha256).hexdigest()

    def valid(self, session: str | None, token: str | None, origin: str | None) -> bool:
        if origin is not None and origin not in self.origins:
            return False
        if not session or not token:
            return False
        return hmac.compare_digest(self.token(session), token)
