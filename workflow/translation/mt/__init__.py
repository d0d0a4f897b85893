"""Machine translation suggestions through deep-translator.

Modules: `settings` (the `machine_translation:` section of pubflow.yaml and
API keys from the environment), `provider` (the deep-translator adapter:
timeouts, retries, redacted errors; the only module importing deep_translator
or requests), `cache` (`.pubflow/mt-cache.json`: the same text is never sent
twice), `suggest` (one text, or every untranslated segment of a release).

No message pubflow prints contains an API key.  Suggestions are saved with
status `machine`; they count as translated only once a person confirms them.
"""

from workflow.translation.mt.cache import cache_key
from workflow.translation.mt.provider import redact, translate_once
from workflow.translation.mt.settings import (
    PROVIDERS,
    MTSettings,
    ProviderConfig,
    ProviderSpec,
    is_configured,
    mt_settings,
    provider_config,
)
from workflow.translation.mt.suggest import Suggestion, SuggestResult, suggest_release, suggest_text

__all__ = [
    "PROVIDERS", "MTSettings", "ProviderConfig", "ProviderSpec", "SuggestResult", "Suggestion", "cache_key",
    "is_configured", "mt_settings", "provider_config", "redact", "suggest_release", "suggest_text",
    "translate_once",
]
