"""Interface-string translation for the CLI (stdlib gettext at run time).

Every user-facing string in the package is wrapped in `_()` (or `ngettext`).
The catalogs live in `locales/<lang>/LC_MESSAGES/pubflow.po`; this module only
*reads* compiled catalogs - building them is `workflow.catalogs`' job.
"""

from __future__ import annotations

import gettext as _gettext
import os
from pathlib import Path

DOMAIN = "pubflow"
_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_current = "en"


def locales_dir() -> Path:
    """Where the interface catalogs are: inside the wheel, else the source tree."""
    packaged = Path(__file__).parent / "_locales"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "locales"


def requested_language(explicit: str | None = None) -> str:
    """--ui-lang, else PUBFLOW_LANG, else the first entry of LANGUAGE, else English."""
    for value in (explicit, os.environ.get("PUBFLOW_LANG"), os.environ.get("LANGUAGE")):
        if value:
            first = value.split(":")[0].strip()
            if first:
                return first.split(".")[0].replace("_", "-").split("-")[0].lower()
    return "en"


def set_language(lang: str | None) -> str:
    """Switch the interface language; unknown languages fall back to English."""
    global _translations, _current
    code = requested_language(lang)
    _translations = _load(code)
    _current = code if not isinstance(_translations, _gettext.NullTranslations) or code == "en" else "en"
    if type(_translations) is _gettext.NullTranslations:
        _current = "en"
    return _current


def current_language() -> str:
    return _current


def _load(code: str) -> _gettext.NullTranslations:
    if code == "en":
        return _gettext.NullTranslations()
    directory = locales_dir()
    mo = directory / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if mo.is_file():
        try:
            with mo.open("rb") as fh:
                return _gettext.GNUTranslations(fh)
        except (OSError, ValueError):
            return _gettext.NullTranslations()
    return _gettext.NullTranslations()


def _(message: str) -> str:
    """Translate an interface string into the current UI language."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message
