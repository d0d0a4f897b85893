"""Interface-string translation for the CLI (stdlib gettext at run time).

Every user-facing string in the package is wrapped in `_()` (or `ngettext`).
The catalogs live in `locales/<lang>/LC_MESSAGES/pubflow.po`; this module only
*reads* compiled catalogs - building them is `workflow.catalogs`' job.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
from pathlib import Path

from workflow import resources
from workflow.errors import PubflowError

DOMAIN = "pubflow"
_translations: _gettext.NullTranslations = _gettext.NullTranslations()
_current = "en"


def locales_dir() -> Path:
    """Where the interface catalogs are: inside the wheel, else the source tree."""
    return resources.locales_dir()


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
    """The catalog of `code` from `locales_dir()`; English text when there is none.

    A compiled `pubflow.mo` is used when its `X-Pubflow-Source` header holds
    the hash of the `.po` beside it (as `pubflow catalogs compile` writes it);
    otherwise the `.po` is compiled in memory, so a fresh clone or a wheel
    without `.mo` files still speaks every language.  English is the text of
    the code itself: its catalog (copy edits of the English wording) is only
    read once compiled, so English runs never pay for an in-memory compile.
    """
    folder = locales_dir() / code / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    key = (code, _stamp(po), _stamp(mo))  # one process loads a catalog once, until its files change
    if key not in _loaded:
        _loaded[key] = _read_catalog(code, po, mo)
    return _loaded[key]


_loaded: dict[tuple[str, str, str], _gettext.NullTranslations] = {}


def _stamp(path: Path) -> str:
    try:
        st = path.stat()
    except OSError:
        return f"{path}:-"
    return f"{path}:{st.st_mtime_ns}:{st.st_size}"


def _read_catalog(code: str, po: Path, mo: Path) -> _gettext.NullTranslations:
    try:
        po_bytes = po.read_bytes() if po.is_file() else None
        if mo.is_file():
            with mo.open("rb") as fh:
                compiled = _gettext.GNUTranslations(fh)
            if po_bytes is None or compiled.info().get("x-pubflow-source") == _source_hash(po_bytes):
                return compiled
        if po_bytes is not None and code != "en":
            from workflow.maintenance.catalogs import compile_po_bytes

            return _gettext.GNUTranslations(io.BytesIO(compile_po_bytes(po)))
    except (OSError, ValueError, LookupError, PubflowError):
        pass  # an unreadable catalog must not stop the CLI: English it is
    return _gettext.NullTranslations()


def _source_hash(data: bytes) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(data).hexdigest()


def _(message: str) -> str:
    """Translate an interface string into the current UI language."""
    return _translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _translations.ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


_page_cache: dict[tuple[str, str], _gettext.NullTranslations] = {}


def translations_for(lang: str, newsroom_locales: Path | None = None) -> _gettext.NullTranslations:
    """Catalog for a rendered PAGE in `lang` (not the UI language).

    A newsroom's own `locales/<lang>/LC_MESSAGES/pubflow.mo` wins; the packaged
    catalog is its fallback, so a newsroom may override single strings.
    """
    code = lang.replace("_", "-").split("-")[0].lower()
    stamps = ";".join(f"{p}:{p.stat().st_mtime_ns}" for p in catalog_files(code, newsroom_locales))
    key = (code, f"{newsroom_locales or ''}|{stamps}")
    if key in _page_cache:
        return _page_cache[key]
    result = _load(code)
    if newsroom_locales is not None and newsroom_locales.resolve() != locales_dir().resolve():
        own = newsroom_locales / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
        if own.is_file():
            try:
                with own.open("rb") as fh:
                    local = _gettext.GNUTranslations(fh)
                local.add_fallback(result)
                result = local
            except (OSError, ValueError):
                pass
    _page_cache[key] = result
    return result


def catalog_files(lang: str, newsroom_locales: Path | None = None) -> list[Path]:
    """The catalog files `translations_for(lang)` may read (for build hashes)."""
    code = lang.replace("_", "-").split("-")[0].lower()
    dirs = [locales_dir()] + ([newsroom_locales] if newsroom_locales is not None else [])
    names = (f"{DOMAIN}.po", f"{DOMAIN}.mo")
    return [p for d in dirs for p in (d / code / "LC_MESSAGES" / n for n in names) if p.is_file()]
