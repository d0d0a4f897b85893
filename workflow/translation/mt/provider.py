"""The deep-translator adapter: the only module of pubflow that imports deep_translator or requests.

deep-translator has no timeouts, raises unrelated exception types and puts
API keys into URLs and error texts.  This adapter gives every request a
total time limit (connecting, headers and body: a watchdog ends a server
that trickles its answer), reads the body itself with a size limit
(`max_answer_kb`; no compression asked for, a compressed answer inflated
within the same limit), refuses answers that cannot be a translation (far
longer than the text, or echoing the API key back), retries transient failures with a backoff, passes keys explicitly
(deep-translator would otherwise read its own variables at import time) and
describes every failure from its type and HTTP status only, never from the
exception text (the Libre key is in the request URL; Microsoft's and
Yandex's errors echo it): one redacted `ExternalError` line.
deep_translator (~140 ms) and requests are imported only when a request is made.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from workflow.errors import ExternalError
from workflow.i18n import _
from workflow.translation.mt.settings import ProviderConfig, api_key

MAX_BACKOFF = 8.0
CHUNK = 64 * 1024
# An answer is a translation of the text sent: at most ANSWER_RATIO times as long, plus ANSWER_SLACK characters.
ANSWER_RATIO = 10
ANSWER_SLACK = 1000
# "api_key=" in an answer means the server echoed the request (the key with it): never stored.
ECHOED_KEY = re.compile(r"(?i)\bapi[_-]?key=")


class _Request:
    """The limits of one request in flight: a total deadline and a body size.

    `timeout` is the time for the whole request: connecting, the headers and
    every byte of the body.  requests' own timeout is per socket read, so a
    server sending one byte a second would never trip it: at the deadline a
    watchdog shuts the request's sockets down, which ends any read at once.
    """

    def __init__(self, timeout: float, max_bytes: int) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.status: int | None = None
        self.expired = False
        self.too_large = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(timeout, self.expire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def watch(self, sock: socket.socket) -> None:
        """Shut `sock` down at the deadline (a duplicate is kept: TLS wrapping detaches the original)."""
        with self._lock:
            try:
                dup = sock.dup()
            except OSError:
                return
            self._sockets.append(dup)
            if self.expired:
                _shutdown(dup)

    def expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                _shutdown(sock)

    def close(self) -> None:
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.close()
            self._sockets.clear()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _TooLarge(Exception):
    pass


class _Expired(Exception):
    pass


_scope = threading.local()


def _current() -> _Request | None:
    return getattr(_scope, "request", None)


def _install_limits() -> None:
    """Make requests made inside `_http_scope` obey its `_Request`: deadline, size, no compression."""
    import requests
    import urllib3.util.connection as connection

    if getattr(requests.Session.request, "_pubflow", False):
        return
    original = requests.Session.request
    create_connection = connection.create_connection

    def connect(*args: Any, **kwargs: Any) -> Any:
        sock = create_connection(*args, **kwargs)
        limits = _current()
        if limits is not None:
            limits.watch(sock)
        return sock

    def request(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        limits = _current()
        if limits is None:
            return original(self, method, url, *args, **kwargs)
        if kwargs.get("timeout") is None and len(args) < 7:
            kwargs["timeout"] = limits.timeout
        kwargs["stream"] = True
        kwargs["headers"] = {**(kwargs.get("headers") or {}), "Accept-Encoding": "identity"}
        response = original(self, method, url, *args, **kwargs)
        limits.status = response.status_code
        try:
            response._content = _read_body(response, limits)  # noqa: SLF001 - what .content would hold
            response._content_consumed = True  # type: ignore[attr-defined]  # noqa: SLF001
        finally:
            response.close()
        return response

    request._pubflow = True  # type: ignore[attr-defined]
    requests.Session.request = request  # type: ignore[method-assign,assignment]
    connection.create_connection = connect


def _read_body(response: Any, limits: _Request) -> bytes:
    """The body, read here (not by requests) so its size and the deadline are enforced while it arrives."""
    declared = response.headers.get("Content-Length", "")
    if declared.strip().isdigit() and int(declared) > limits.max_bytes:
        limits.too_large = True
        raise _TooLarge()
    encoding = response.headers.get("Content-Encoding", "identity").strip().lower()
    if encoding not in ("", "identity", "gzip", "deflate", "x-gzip"):
        raise _TooLarge()  # we asked for none; one we cannot bound is refused like an oversized answer
    inflate = zlib.decompressobj(47) if encoding not in ("", "identity") else None  # 47: zlib or gzip header
    parts: list[bytes] = []
    size = 0
    while True:
        if limits.expired:
            raise _Expired()
        chunk = response.raw.read(CHUNK, decode_content=False)
        if not chunk:
            break
        if inflate is not None:
            chunk = inflate.decompress(chunk, limits.max_bytes + 1 - size)
        size += len(chunk)
        if size > limits.max_bytes or (inflate is not None and inflate.unconsumed_tail):
            limits.too_large = True
            raise _TooLarge()
        parts.append(chunk)
    if limits.expired:
        raise _Expired()
    return b"".join(parts)


@contextlib.contextmanager
def _http_scope(timeout: float, max_bytes: int) -> Iterator[_Request]:
    _install_limits()
    limits = _Request(timeout, max_bytes)
    _scope.request = limits
    limits.start()
    try:
        yield limits
    finally:
        _scope.request = None
        limits.close()


def redact(text: str, *secrets: str | None) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


@dataclass(frozen=True)
class _Failure:
    transient: bool
    message: str
    hint: str


def _classify(exc: BaseException, limits: _Request | None, conf: ProviderConfig, source: str,
              target: str) -> _Failure:
    """Describe a failure from its type and HTTP status only (exception texts may hold the key)."""
    import deep_translator.exceptions as dte
    import requests

    name = conf.name
    status = limits.status if limits is not None else None
    retry_hint = _("try again later, or use another provider with --provider")
    url_hint = _("check machine_translation.providers.{name}.url: it should be a translation server").format(
        name=name)
    if isinstance(exc, _TooLarge) or (limits is not None and limits.too_large):
        return _Failure(False, _("{name} at {where} answered with more than {kb} KB").format(
            name=name, where=conf.where(), kb=conf.max_answer_kb),
            _("check the provider's url, or raise machine_translation.max_answer_kb if such answers are real"))
    if isinstance(exc, _TooLong):
        return _Failure(False, _("{name} answered with {got} characters for a text of {sent}: not a "
                                 "translation").format(name=name, got=exc.got, sent=exc.sent), url_hint)
    if isinstance(exc, _Echo):
        return _Failure(False, _("{name} answered with the request's API key in the text (a server echoing "
                                 "requests?); nothing was saved").format(name=name), url_hint)
    if isinstance(exc, requests.exceptions.Timeout | _Expired) or (limits is not None and limits.expired):
        return _Failure(True, _("{name} at {where} did not answer within {seconds:g} s").format(
            name=name, where=conf.where(), seconds=conf.timeout),
            _("try again later or raise machine_translation.timeout"))
    if isinstance(exc, requests.exceptions.ConnectionError):
        return _Failure(True, _("cannot connect to {name} at {where} (offline, or a wrong URL?)").format(
            name=name, where=conf.where()), _("check the network connection and the provider's url"))
    if isinstance(exc, dte.LanguageNotSupportedException | dte.InvalidSourceOrTargetLanguage):
        return _Failure(False, _("{name} does not support {source} -> {target}").format(
            name=name, source=conf.code(source), target=conf.code(target)),
            _("map the codes in machine_translation.providers.{name}.languages").format(name=name))
    if isinstance(exc, dte.NotValidLength | dte.NotValidPayload):
        return _Failure(False, _("{name} refuses a text this long").format(name=name),
                        _("shorten the segment or use another provider"))
    if isinstance(exc, dte.ApiKeyException):
        return _Failure(False, _("{name} needs an API key").format(name=name),
                        _("set machine_translation.providers.{name}.api_key_env").format(name=name))
    if isinstance(exc, dte.AuthorizationException) or status in (401, 403):
        env = conf.api_key_env or "api_key_env"
        return _Failure(False, _("{name} refused the API key (HTTP {status})").format(name=name, status=status or 403),
                        _("check the key in {env}").format(env=env))
    if status == 429 or isinstance(exc, dte.TooManyRequests):
        return _Failure(True, _("{name} says too many requests (HTTP 429)").format(name=name), retry_hint)
    if status is not None and status >= 500:
        return _Failure(True, _("{name} at {where} failed with HTTP {status}").format(
            name=name, where=conf.where(), status=status), retry_hint)
    if status is not None and status >= 400:
        return _Failure(False, _("{name} rejected the request (HTTP {status})").format(name=name, status=status),
                        _("check the provider's settings in pubflow.yaml"))
    if isinstance(exc, requests.exceptions.RequestException):
        return _Failure(True, _("request to {name} failed ({kind})").format(name=name, kind=type(exc).__name__),
                        retry_hint)
    if isinstance(exc, dte.TranslationNotFound | dte.ElementNotFoundInGetRequest | ValueError | KeyError
                  | TypeError | AttributeError | IndexError | _NoTranslation):
        return _Failure(False, _("{name} answered without a translation").format(name=name), retry_hint)
    return _Failure(False, _("{name} failed ({kind})").format(name=name, kind=type(exc).__name__), retry_hint)


class _NoTranslation(Exception):
    pass


class _TooLong(Exception):
    def __init__(self, got: int, sent: int) -> None:
        super().__init__()
        self.got, self.sent = got, sent


class _Echo(Exception):
    pass


def _checked_answer(result: object, text: str, key: str | None) -> str:
    """The translation in a provider's answer, refused when it cannot be one.

    A server that echoes the request (a wrong URL, a test server, a hostile
    one) would have the API key stored in the language file and the cache:
    an answer that holds the key, or an `api_key=` the text sent did not
    have, is refused.  So is one far longer than the text sent.
    """
    if isinstance(result, list):
        result = result[0] if result else None
    if not isinstance(result, str) or not result.strip():
        raise _NoTranslation()
    if (key and len(key) >= 4 and key in result) or (ECHOED_KEY.search(result) and not ECHOED_KEY.search(text)):
        raise _Echo()
    if len(result) > ANSWER_RATIO * len(text) + ANSWER_SLACK:
        raise _TooLong(len(result), len(text))
    return result


def _translator(conf: ProviderConfig, source: str, target: str, key: str | None) -> Any:
    import deep_translator

    cls = getattr(deep_translator, conf.spec.cls)
    src, tgt = conf.code(source), conf.code(target)
    if conf.name == "libre":
        # deep-translator refuses an empty key; a self-hosted server without keys ignores it.
        return cls(source=src, target=tgt, api_key=key or "no-key", custom_url=_slash(conf.url or ""))
    if conf.name == "mymemory":
        email_env = conf.options.get("email_env")
        email = os.environ.get(email_env) if email_env else None
        return cls(source=src, target=tgt, email=email) if email else cls(source=src, target=tgt)
    if conf.name == "microsoft":
        region = conf.options.get("region")
        return cls(source=src, target=tgt, api_key=key, region=region) if region else cls(
            source=src, target=tgt, api_key=key)
    if conf.spec.needs_key:
        return cls(source=src, target=tgt, api_key=key)
    return cls(source=src, target=tgt)


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def translate_once(conf: ProviderConfig, text: str, source: str, target: str,
                   sleep: Callable[[float], None] = time.sleep) -> str:
    """Ask the provider, with a timeout and retries; ExternalError with one clean line on failure."""
    key = api_key(conf)
    attempts = conf.retries + 1
    for attempt in range(attempts):
        limits: _Request | None = None
        try:
            with _http_scope(conf.timeout, conf.max_answer_kb * 1024) as limits:
                translator = _translator(conf, source, target, key)
                kwargs = {"domain": conf.options.get("domain", "general")} if conf.name == "qcri" else {}
                result = translator.translate(text, **kwargs)
                if limits.expired:
                    raise _Expired()
            return _checked_answer(result, text, key)
        except Exception as exc:  # noqa: BLE001 - every failure becomes one redacted line
            failure = _classify(exc, limits, conf, source, target)
            if failure.transient and attempt + 1 < attempts:
                sleep(min(MAX_BACKOFF, conf.backoff * (2 ** attempt)))
                continue
            tries = _(" after {n} attempts").format(n=attempts) if attempts > 1 and failure.transient else ""
            raise ExternalError(redact(f"machine translation: {failure.message}{tries}", key),
                                redact(failure.hint, key)) from None
    raise AssertionError("unreachable")  # pragma: no cover
