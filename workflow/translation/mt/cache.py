"""The machine-translation cache: every answer kept in `.pubflow/mt-cache.json`, so no text is sent twice.

Keyed by provider, languages and text (a sha256); a `storage.cache.JsonCache`
(versioned, checked on read, written atomically, re-read under a lock so
parallel runs keep each other's answers).  Deleting it costs only requests.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from workflow.storage.cache import JsonCache
from workflow.translation.mt.provider import ECHOED_KEY

if TYPE_CHECKING:
    from workflow.storage.newsroom import Newsroom

CACHE_NAME = "mt-cache.json"
CACHE_VERSION = 1
MAX_CACHED_CHARS = 1024 * 1024


def _cache(nr: Newsroom) -> JsonCache[dict[str, str]]:
    return JsonCache(nr.config.state_dir / CACHE_NAME, CACHE_VERSION, _entries)


def _entries(data: dict[str, Any]) -> dict[str, str] | None:
    entries = data["entries"]
    if not isinstance(entries, dict):
        return None
    # Answers stored before the provider checked them (an echoed API key, a runaway answer) are dropped.
    return {k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, str)
            and len(v) <= MAX_CACHED_CHARS and not ECHOED_KEY.search(v)}


def cache_key(provider: str, source: str, target: str, text: str) -> str:
    payload = json.dumps([provider, source, target, text], ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def read_cache(nr: Newsroom) -> dict[str, str]:
    """Every cached answer, by `cache_key` ({} when there is no cache or it is damaged)."""
    return _cache(nr).load() or {}


def remember(nr: Newsroom, answers: Mapping[str, str]) -> None:
    """Add answers to the cache (re-read under a lock so parallel runs keep each other's answers).

    A cache that cannot be written is no error: it only costs a repeated request.
    """
    if not answers:
        return

    def change(entries: dict[str, str] | None) -> dict[str, Any]:
        return {"entries": {**(entries or {}), **answers}}

    _cache(nr).update(nr.config.state_dir / "locks" / "mt-cache.lock", change)
