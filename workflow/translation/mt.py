"""Machine translation suggestions: the only module that uses deep-translator.

```yaml
machine_translation:
  provider: libre            # the default for `pubflow suggest`
  timeout: 10                # seconds per request (deep-translator has none)
  retries: 2                 # extra attempts on timeouts, 429 and 5xx
  backoff: 0.5               # seconds before the first retry, doubled each time
  providers:
    libre: {url: https://translate.example.org/, api_key_env: LIBRE_API_KEY}
    google: {}
    mymemory: {email_env: MYMEMORY_EMAIL}
    microsoft: {api_key_env: MICROSOFT_TRANSLATOR_KEY, region: westeurope}
    yandex: {api_key_env: YANDEX_API_KEY}
    qcri: {api_key_env: QCRI_API_KEY, domain: general}
```

API keys are read from the environment variable the config names, only
when a request is made, and passed to deep-translator explicitly (it would
otherwise read its own variables at import time).  No message pubflow
prints contains a key: errors are described from their type and HTTP
status, never from the exception text (deep-translator puts the Libre key
in the request URL and the Microsoft/Yandex errors echo it).

Every answer is cached in `.pubflow/mt-cache.json` keyed by provider,
languages and text, so the same source text is never sent twice.
Suggestions are saved with status `machine` and origin
`machine:<provider>`; they count as translated only once a person confirms
them (`pubflow set`, `pubflow translate`).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from workflow.errors import ExternalError, InvalidData, PubflowError, UsageError
from workflow.i18n import _

if TYPE_CHECKING:
    from workflow.core.config import Config, Person
    from workflow.storage.newsroom import Newsroom
    from workflow.translation.checks import Finding

CACHE_NAME = "mt-cache.json"
CACHE_VERSION = 1
DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF = 0.5
MAX_BACKOFF = 8.0
SAVE_EVERY = 25  # suggestions per write of the language file
SAVE_SECONDS = 5.0


@dataclass(frozen=True)
class ProviderSpec:
    """What pubflow knows about one deep-translator provider."""

    name: str
    cls: str  # deep_translator class name
    needs_key: bool
    needs_url: bool = False
    codes: Mapping[str, str] = field(default_factory=dict)  # our code -> the provider's
    options: frozenset[str] = frozenset()
    host: str = ""


PROVIDERS: dict[str, ProviderSpec] = {
    "libre": ProviderSpec("libre", "LibreTranslator", needs_key=False, needs_url=True),
    "google": ProviderSpec("google", "GoogleTranslator", needs_key=False, host="translate.google.com"),
    "mymemory": ProviderSpec("mymemory", "MyMemoryTranslator", needs_key=False,
                             codes={"ar": "ar-SA", "en": "en-GB", "fr": "fr-FR", "de": "de-DE", "tr": "tr-TR"},
                             options=frozenset({"email_env"}), host="api.mymemory.translated.net"),
    "microsoft": ProviderSpec("microsoft", "MicrosoftTranslator", needs_key=True, options=frozenset({"region"}),
                              host="api.cognitive.microsofttranslator.com"),
    "yandex": ProviderSpec("yandex", "YandexTranslator", needs_key=True, host="translate.yandex.net"),
    "qcri": ProviderSpec("qcri", "QcriTranslator", needs_key=True, options=frozenset({"domain"}),
                         host="mt.qcri.org"),
}
COMMON_OPTIONS = frozenset({"url", "api_key_env", "languages", "timeout", "retries", "backoff"})


@dataclass(frozen=True)
class ProviderConfig:
    spec: ProviderSpec
    url: str | None
    api_key_env: str | None
    languages: Mapping[str, str]
    options: Mapping[str, str]
    timeout: float
    retries: int
    backoff: float

    @property
    def name(self) -> str:
        return self.spec.name

    def code(self, lang: str) -> str:
        """The provider's code for one of our language codes (GUIDE §4: MyMemory wants ar-SA)."""
        return self.languages.get(lang) or self.spec.codes.get(lang) or lang

    def where(self) -> str:
        """Scheme, host and port only: safe to print."""
        if self.url:
            parts = urlsplit(self.url)
            return f"{parts.scheme}://{parts.hostname or ''}" + (f":{parts.port}" if parts.port else "")
        return self.spec.host or self.spec.name


@dataclass(frozen=True)
class MTSettings:
    provider: str | None
    providers: Mapping[str, ProviderConfig]


# ------------------------------------------------------------------ configuration
def _bad(what: str, hint: str | None = None) -> InvalidData:
    return InvalidData(f"pubflow.yaml: machine_translation: {what}", hint or _("see README, Machine translation"))


def _number(raw: Mapping[str, Any], key: str, default: float, where: str, integer: bool = False) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0 or (integer and not isinstance(
            value, int)) or (key == "timeout" and value == 0):
        kind = _("a whole number >= 0") if integer else _("a number of seconds > 0") if key == "timeout" else _(
            "a number >= 0")
        raise _bad(_("{where}{key}: {value!r} is not {kind}").format(where=where, key=key, value=value, kind=kind))
    return float(value)


def mt_settings(config: Config) -> MTSettings:
    """Validate the `machine_translation:` section of pubflow.yaml."""
    raw: Mapping[str, Any] = config.machine_translation or {}
    unknown = set(raw) - {"provider", "providers", "timeout", "retries", "backoff"}
    if unknown:
        raise _bad(_("unknown field {field!r}").format(field=sorted(unknown)[0]),
                   _("fields: provider, providers, timeout, retries, backoff"))
    timeout = _number(raw, "timeout", DEFAULT_TIMEOUT, "")
    retries = int(_number(raw, "retries", DEFAULT_RETRIES, "", integer=True))
    backoff = _number(raw, "backoff", DEFAULT_BACKOFF, "")
    section = raw.get("providers") or {}
    if not isinstance(section, dict):
        raise _bad(_("providers must map provider names to their settings"))
    providers: dict[str, ProviderConfig] = {}
    for name in PROVIDERS:
        spec = PROVIDERS[name]
        conf = section.get(name) or {}
        if not isinstance(conf, dict):
            raise _bad(_("providers.{name} must be a mapping").format(name=name))
        where = f"providers.{name}."
        extra = set(conf) - COMMON_OPTIONS - spec.options
        if extra:
            raise _bad(_("{where}{field}: unknown setting").format(where=where, field=sorted(extra)[0]),
                       _("settings: {known}").format(known=", ".join(sorted(COMMON_OPTIONS | spec.options))))
        url = conf.get("url")
        if url is not None and (not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https")
                                or not urlsplit(url).hostname):
            raise _bad(_("{where}url: {url!r} is not an http(s) URL").format(where=where, url=url))
        key_env = conf.get("api_key_env")
        if key_env is not None and (not isinstance(key_env, str) or not key_env.replace("_", "").isalnum()):
            raise _bad(_("{where}api_key_env: {value!r} is not an environment variable name").format(
                where=where, value=key_env), _("name the variable that holds the key, e.g. LIBRE_API_KEY; "
                                               "never put the key itself in pubflow.yaml"))
        languages = conf.get("languages") or {}
        if not isinstance(languages, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                      for k, v in languages.items()):
            raise _bad(_("{where}languages must map language codes to the provider's codes").format(where=where),
                       _("e.g. languages: {{ar: ar-SA}}"))
        options = {k: conf[k] for k in spec.options if k in conf}
        for key, value in options.items():
            if not isinstance(value, str):
                raise _bad(_("{where}{key}: expected text").format(where=where, key=key))
        providers[name] = ProviderConfig(
            spec=spec, url=url, api_key_env=key_env, languages=dict(languages), options=options,
            timeout=_number(conf, "timeout", timeout, where), retries=int(_number(conf, "retries", retries, where,
                                                                                  integer=True)),
            backoff=_number(conf, "backoff", backoff, where))
    for name in section:
        if name not in PROVIDERS:
            raise _bad(_("providers: unknown provider {name!r}").format(name=name),
                       _("providers: {known}").format(known=", ".join(PROVIDERS)))
    provider = raw.get("provider")
    if provider is not None and provider not in PROVIDERS:
        raise _bad(_("provider: unknown provider {name!r}").format(name=provider),
                   _("providers: {known}").format(known=", ".join(PROVIDERS)))
    return MTSettings(provider, providers)


def is_configured(nr: Newsroom) -> bool:
    """True when pubflow.yaml names a default provider (its key may still be missing)."""
    return mt_settings(nr.config).provider is not None


def provider_config(config: Config, provider: str | None = None, url: str | None = None) -> ProviderConfig:
    """The provider to use (`provider` or the configured default), with `url` overriding its URL."""
    settings = mt_settings(config)
    name = provider or settings.provider
    if name is None:
        raise UsageError(_("no machine translation provider is configured"),
                         _("set machine_translation.provider in pubflow.yaml or pass --provider"))
    if name not in PROVIDERS:
        raise UsageError(_("unknown provider {name!r}").format(name=name),
                         _("providers: {known}").format(known=", ".join(PROVIDERS)))
    conf = settings.providers[name]
    if url is not None:
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
            raise UsageError(_("{url!r} is not an http(s) URL").format(url=url))
        if not conf.spec.needs_url:
            raise UsageError(_("--url applies to self-hosted providers (libre), not {name}").format(name=name))
        conf = ProviderConfig(conf.spec, url, conf.api_key_env, conf.languages, conf.options, conf.timeout,
                              conf.retries, conf.backoff)
    if conf.spec.needs_url and not conf.url:
        raise UsageError(_("{name} needs the URL of its server").format(name=name),
                         _("set machine_translation.providers.{name}.url or pass --url").format(name=name))
    return conf


def _api_key(conf: ProviderConfig) -> str | None:
    if not conf.api_key_env:
        if conf.spec.needs_key:
            raise ExternalError(_("{name} needs an API key but no environment variable is named").format(
                name=conf.name), _("set machine_translation.providers.{name}.api_key_env in pubflow.yaml").format(
                name=conf.name))
        return None
    key = os.environ.get(conf.api_key_env, "").strip()
    if not key:
        raise ExternalError(
            _("{name}: the environment variable {env} holding its API key is not set").format(
                name=conf.name, env=conf.api_key_env),
            _("export {env}=<your key> and run the command again").format(env=conf.api_key_env))
    return key


# ------------------------------------------------------------------ HTTP scope
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
    key = _api_key(conf)
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


# ------------------------------------------------------------------ cache
def _cache_path(nr: Newsroom) -> Path:
    return nr.config.state_dir / CACHE_NAME


def cache_key(provider: str, source: str, target: str, text: str) -> str:
    payload = json.dumps([provider, source, target, text], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _read_cache(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != CACHE_VERSION or not isinstance(
            data.get("entries"), dict):
        return {}
    return {k: v for k, v in data["entries"].items() if isinstance(v, str)}


def _remember(nr: Newsroom, answers: Mapping[str, str]) -> None:
    """Add answers to the cache (re-read under a lock so parallel runs keep each other's answers)."""
    from workflow.storage import store

    if not answers:
        return
    path = _cache_path(nr)
    try:
        with store.locked(nr.config.state_dir / "locks" / "mt-cache.lock"):
            entries = _read_cache(path)
            entries.update(answers)
            store.write_text(path, json.dumps({"version": CACHE_VERSION, "entries": entries},
                                              ensure_ascii=False, indent=0))
    except PubflowError:
        pass  # a cache that cannot be written only costs a repeated request


@dataclass(frozen=True)
class Suggestion:
    text: str
    provider: str
    cached: bool = False


def suggest_text(nr: Newsroom, text: str, source_lang: str, target_lang: str, provider: str | None = None,
                 url: str | None = None) -> Suggestion:
    """A machine translation of `text` (from the cache when this text was asked before)."""
    from workflow.core.segments import normalize

    nr.config.language(source_lang)
    nr.config.language(target_lang)
    conf = provider_config(nr.config, provider, url)
    clean = normalize(text)
    if not clean:
        raise UsageError(_("nothing to translate"))
    key = cache_key(conf.name, source_lang, target_lang, clean)
    hit = _read_cache(_cache_path(nr)).get(key)
    if hit is not None:
        return Suggestion(hit, conf.name, cached=True)
    answer = normalize(translate_once(conf, clean, source_lang, target_lang))
    _remember(nr, {key: answer})
    return Suggestion(answer, conf.name)


# ------------------------------------------------------------------ whole release
@dataclass(frozen=True)
class SuggestResult:
    release: str
    language: str
    provider: str
    total: int  # untranslated segments found
    filled: tuple[tuple[str, str], ...] = ()  # (segment, origin)
    from_memory: int = 0
    from_cache: int = 0
    requests: int = 0  # texts sent to the provider
    skipped: tuple[str, ...] = ()  # translated by someone else meanwhile
    findings: tuple[Finding, ...] = ()  # checks on the suggestions

    def public(self) -> dict[str, Any]:
        return {"release": self.release, "language": self.language, "provider": self.provider,
                "untranslated": self.total, "filled": [{"segment": s, "origin": o} for s, o in self.filled],
                "from_memory": self.from_memory, "from_cache": self.from_cache, "requests": self.requests,
                "skipped": list(self.skipped), "findings": [f.public() for f in self.findings]}


def suggest_release(nr: Newsroom, release_id: str, lang: str, actor: Person, provider: str | None = None,
                    url: str | None = None, progress: Callable[[int, int, str], None] | None = None,
                    use_memory: bool = True) -> SuggestResult:
    """Pre-fill every untranslated segment of `release_id` in `lang` with a suggestion (status machine).

    Exact translation-memory matches are used first (origin memory:<release>),
    then the cache, then the provider.  Each suggestion is saved at once, so an
    error halfway keeps what was done; running again continues.
    """
    from workflow.core.model import Document, TargetSegment, format_time, utc_now
    from workflow.core.segments import normalize
    from workflow.translation.checks import Finding, check_text
    from workflow.translation.glossary import load_glossary
    from workflow.translation.operations import require_open, require_role, require_target, with_target

    nr.config.language(lang)
    conf = provider_config(nr.config, provider, url)
    doc = nr.load(release_id)
    require_target(doc, lang)
    require_role(actor, "translator", lang)
    require_open(nr.config, doc)
    src_lang = doc.release.source_language
    todo = [s for s in doc.source if doc.target(lang)[s.id].effective_status(s.text) == "untranslated"]
    memory = None
    if use_memory and todo:
        from workflow.translation.memory import open_memory

        memory = open_memory(nr)
    glossary = load_glossary(nr.root, tuple(nr.config.languages))
    cache = _read_cache(_cache_path(nr))
    filled: list[tuple[str, str]] = []
    skipped: list[str] = []
    findings: list[Finding] = []
    counts = {"memory": 0, "cache": 0, "requests": 0}
    pending: list[TargetSegment] = []
    answers: dict[str, str] = {}
    last_save = time.monotonic()

    def change(current: Document) -> tuple[Document, list[bool]]:
        saved = []
        for new in pending:
            unit = current.target(lang).get(new.id)
            ok = (unit is not None and current.source_text(new.id) == new.source
                  and unit.effective_status(new.source) == "untranslated")
            if ok:
                current = with_target(current, lang, new)
            saved.append(ok)
        return current, saved

    def save() -> None:
        """One write for a batch of suggestions (each atomic write is fsynced: batching keeps it fast)."""
        nonlocal last_save
        _remember(nr, answers)
        answers.clear()
        if not pending:
            return
        for new, ok in zip(pending, nr.update(release_id, change), strict=True):
            if ok:
                filled.append((new.id, new.origin))
                for check_id, severity, message in check_text(nr.config, new.source, new.text, src_lang, lang,
                                                              glossary):
                    findings.append(Finding(release_id, lang, new.id, check_id, severity, message))
            else:
                skipped.append(new.id)
        pending.clear()
        last_save = time.monotonic()

    try:
        for done, seg in enumerate(todo):
            origin = f"machine:{conf.name}"
            text: str | None = None
            if memory is not None:
                matches = [m for m in memory.lookup(seg.text, src_lang, lang, limit=1) if m.score == 100]
                if matches:
                    text, origin = matches[0].target, f"memory:{matches[0].release}"
                    counts["memory"] += 1
            if text is None:
                key = cache_key(conf.name, src_lang, lang, seg.text)
                if key in cache:
                    text = cache[key]
                    counts["cache"] += 1
                else:
                    text = normalize(translate_once(conf, seg.text, src_lang, lang))
                    counts["requests"] += 1
                    cache[key] = answers[key] = text
            pending.append(TargetSegment(id=seg.id, text=normalize(text), status="machine", source=seg.text,
                                         origin=origin, by=actor.name, at=format_time(utc_now())))
            if len(pending) >= SAVE_EVERY or time.monotonic() - last_save > SAVE_SECONDS:
                save()
            if progress is not None:
                progress(done + 1, len(todo), seg.id)
    except ExternalError as exc:
        save()
        if filled:
            raise ExternalError(exc.message, _("{saved} of {total} suggestions were saved; run the command again "
                                               "to continue").format(saved=len(filled), total=len(todo))) from None
        raise
    except BaseException:
        save()  # Ctrl-C keeps what was fetched
        raise
    save()
    return SuggestResult(release_id, lang, conf.name, len(todo), tuple(filled), counts["memory"], counts["cache"],
                         counts["requests"], tuple(skipped), tuple(findings))
