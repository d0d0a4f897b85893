"""Keep secrets out of messages: API keys come from the environment only.

`redact(text)` replaces the value of every secret-looking environment
variable (names ending in _KEY, _TOKEN, _SECRET or _PASSWORD, or starting
with PUBFLOW_MT_) and credentials in URLs (`api_key=...`, `user:pass@host`)
with `***`.  The CLI passes every error line through it, so an exception
that quotes a request URL (deep-translator puts the LibreTranslate key in
the query string) cannot print the key.
"""

from __future__ import annotations

import os
import re

SECRET_NAME = re.compile(r"(?:_KEY|_TOKEN|_SECRET|_PASSWORD|APIKEY|API_KEY)$|^PUBFLOW_MT_", re.IGNORECASE)
URL_SECRET = re.compile(r"(?i)((?:api[_-]?key|key|token|secret|password|auth_key)=)[^&\s'\"]+")
URL_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://)[^/@\s:]+:[^/@\s]+@", re.IGNORECASE)
MIN_SECRET = 6  # shorter values would redact ordinary words


def secret_values() -> list[str]:
    values = [v for k, v in os.environ.items() if SECRET_NAME.search(k) and len(v) >= MIN_SECRET]
    return sorted(set(values), key=len, reverse=True)


def redact(text: str) -> str:
    for value in secret_values():
        text = text.replace(value, "***")
    text = URL_SECRET.sub(r"\1***", text)
    return URL_USERINFO.sub(r"\1***@", text)
