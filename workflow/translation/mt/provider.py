"""The deep-translator adapter: the only module of pubflow that imports deep_translator or requests.

deep-translator has no timeouts, raises unrelated exception types and puts
API keys into URLs and error texts.  This adapter gives every request a
timeout, retries transient failures with a backoff, passes keys explicitly
(deep-translator would otherwise read its own variables at import time) and
describes every failure from its type and HTTP status only, never from the
exception text (the Libre key is in the request URL; Microsoft's and
Yandex's errors echo it): one redacted `ExternalError` line.
deep_translator (~140 ms) and requests are imported only when a request is made.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from workflow.errors import ExternalError
from workflow.i18n import _
from workflow.translation.mt.settings import ProviderConfig, api_key

MAX_BACKOFF = 8.0


_scope = threading.local()


def _install_timeout() -> None:
    """Give requests made inside `_http_scope` a default timeout, and remember their status."""
    import requests

    if getattr(requests.Session.request, "_pubflow", False):
        return
    original = requests.Session.request

    def request(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        timeout = getattr(_scope, "timeout", None)
        if timeout is not None and kwargs.get("timeout") is None and len(args) < 7:
            kwargs["timeout"] = timeout
        response = original(self, method, url, *args, **kwargs)
        if timeout is not None:
            _scope.status = response.status_code
        return response

    request._pubflow = True  # type: ignore[attr-defined]
    requests.Session.request = request  # type: ignore[method-assign,assignment]


@contextlib.contextmanager
def _http_scope(timeout: float) -> Iterator[None]:
    _install_timeout()
    _scope.timeout = timeout
    _scope.status = None
    try:
        yield
    finally:
        _scope.timeout = None


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


def _classify(exc: BaseException, status: int | None, conf: ProviderConfig, source: str, target: str) -> _Failure:
    """Describe a failure from its type and HTTP status only (exception texts may hold the key)."""
    import deep_translator.exceptions as dte
    import requests

    name = conf.name
    retry_hint = _("try again later, or use another provider with --provider")
    if isinstance(exc, requests.exceptions.Timeout):
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
        try:
            with _http_scope(conf.timeout):
                translator = _translator(conf, source, target, key)
                kwargs = {"domain": conf.options.get("domain", "general")} if conf.name == "qcri" else {}
                result = translator.translate(text, **kwargs)
            if isinstance(result, list):
                result = result[0] if result else None
            if not isinstance(result, str) or not result.strip():
                raise _NoTranslation()
            return result
        except Exception as exc:  # noqa: BLE001 - every failure becomes one redacted line
            failure = _classify(exc, getattr(_scope, "status", None), conf, source, target)
            if failure.transient and attempt + 1 < attempts:
                sleep(min(MAX_BACKOFF, conf.backoff * (2 ** attempt)))
                continue
            tries = _(" after {n} attempts").format(n=attempts) if attempts > 1 and failure.transient else ""
            raise ExternalError(redact(f"machine translation: {failure.message}{tries}", key),
                                redact(failure.hint, key)) from None
    raise AssertionError("unreachable")  # pragma: no cover
