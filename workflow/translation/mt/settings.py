"""The `machine_translation:` section of pubflow.yaml: providers, timeouts, retries, API keys.

```yaml
machine_translation:
  provider: libre            # the default for `pubflow suggest`
  timeout: 10                # seconds for a whole request: connect, headers, body (at most 600)
  retries: 2                 # extra attempts on timeouts, 429 and 5xx
  backoff: 0.5               # seconds before the first retry, doubled each time
  max_answer_kb: 1024        # the most one answer may hold; a larger one is refused unread
  providers:
    libre: {url: https://translate.example.org/, api_key_env: LIBRE_API_KEY}
    google: {}
    mymemory: {email_env: MYMEMORY_EMAIL}
    microsoft: {api_key_env: MICROSOFT_TRANSLATOR_KEY, region: westeurope}
    yandex: {api_key_env: YANDEX_API_KEY}
    qcri: {api_key_env: QCRI_API_KEY, domain: general}
```

API keys are read from the environment variable the config names, only
when a request is made (`api_key`), never from pubflow.yaml.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from workflow.errors import ExternalError, InvalidData, UsageError
from workflow.i18n import _

if TYPE_CHECKING:
    from workflow.core.config import Config
    from workflow.storage.newsroom import Newsroom

DEFAULT_TIMEOUT = 10.0
DEFAULT_RETRIES = 2
DEFAULT_BACKOFF = 0.5
DEFAULT_MAX_ANSWER_KB = 1024
# Upper bounds: a value past them is a typo (or a timer that could not be set).
LIMITS = {"timeout": 600.0, "retries": 10.0, "backoff": 60.0, "max_answer_kb": 65536.0}


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
COMMON_OPTIONS = frozenset({"url", "api_key_env", "languages", "timeout", "retries", "backoff", "max_answer_kb"})


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
    max_answer_kb: int = DEFAULT_MAX_ANSWER_KB  # the most one answer may hold (the body as received)

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


def _bad(what: str, hint: str | None = None) -> InvalidData:
    return InvalidData(f"pubflow.yaml: machine_translation: {what}", hint or _("see README, Machine translation"))


def _number(raw: Mapping[str, Any], key: str, default: float, where: str, integer: bool = False) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= LIMITS[key] or (
            integer and not isinstance(value, int)) or (key in ("timeout", "max_answer_kb") and value == 0):
        kind = (_("a whole number from 1 to {most:g}") if key == "max_answer_kb"
                else _("a whole number from 0 to {most:g}") if integer
                else _("a number of seconds > 0 and <= {most:g}") if key == "timeout"
                else _("a number from 0 to {most:g}")).format(most=LIMITS[key])
        raise _bad(_("{where}{key}: {value!r} is not {kind}").format(where=where, key=key, value=value, kind=kind))
    return float(value)


def mt_settings(config: Config) -> MTSettings:
    """Validate the `machine_translation:` section of pubflow.yaml."""
    raw: Mapping[str, Any] = config.machine_translation or {}
    unknown = set(raw) - {"provider", "providers", "timeout", "retries", "backoff", "max_answer_kb"}
    if unknown:
        raise _bad(_("unknown field {field!r}").format(field=sorted(unknown)[0]),
                   _("fields: provider, providers, timeout, retries, backoff, max_answer_kb"))
    timeout = _number(raw, "timeout", DEFAULT_TIMEOUT, "")
    retries = int(_number(raw, "retries", DEFAULT_RETRIES, "", integer=True))
    backoff = _number(raw, "backoff", DEFAULT_BACKOFF, "")
    max_answer_kb = int(_number(raw, "max_answer_kb", DEFAULT_MAX_ANSWER_KB, "", integer=True))
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
            backoff=_number(conf, "backoff", backoff, where),
            max_answer_kb=int(_number(conf, "max_answer_kb", max_answer_kb, where, integer=True)))
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
        conf = replace(conf, url=url)
    if conf.spec.needs_url and not conf.url:
        raise UsageError(_("{name} needs the URL of its server").format(name=name),
                         _("set machine_translation.providers.{name}.url or pass --url").format(name=name))
    return conf


def api_key(conf: ProviderConfig) -> str | None:
    """The provider's key from the environment variable pubflow.yaml names (None: it needs none)."""
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
