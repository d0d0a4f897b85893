"""pubflow's own words in the reader's language: the gettext runtime (stdlib only).

Every user-facing string of the package is wrapped in `_()` (or `ngettext`;
`N_()` marks a string for extraction only).  The interface language is kept
in a `contextvars.ContextVar`, never in a process global the operations read:

* the CLI chooses it once, at start: `set_language(--ui-lang)` (then
  PUBFLOW_LANG, then LANGUAGE, then English);
* a server chooses it per request: `with use_language("ar"): ...`; each
  thread, asyncio task or copied context keeps its own;
* a thread started without the context (`threading.Thread` before Python
  3.14) speaks English: start it with `contextvars.copy_context().run` to pass
  the language on.

Both return the language actually served: one without a catalog falls back
to English; `available_languages()` lists those that have one.  Pages are
translated into the page's language with `translations_for`, never with the
interface language.

Catalogs live in `locales/<lang>/LC_MESSAGES/pubflow.po` (in a wheel:
`workflow/_locales`).  A compiled `pubflow.mo` beside it is used when its
`X-Pubflow-Source` header holds the hash of that `.po` (as `pubflow catalogs
compile` and the wheel build write it); otherwise the `.po` is compiled in
memory by `workflow.i18n.pofile`, so a fresh clone speaks every language.
Building catalogs is `workflow.maintenance.catalogs`' job.
"""

from __future__ import annotations

import gettext as _gettext
import io
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from workflow import resources
from workflow.filestamp import is_racy, racy_cutoff, stamp, stamp_text

DOMAIN = "pubflow"
SOURCE_LANGUAGE = "en"  # the language of the code's own strings


class _Active:
    """The interface language of one context and its catalog."""

    __slots__ = ("key", "language", "translations")

    def __init__(self, language: str, translations: _gettext.NullTranslations, key: str | None) -> None:
        self.language = language
        self.translations = translations
        self.key = key  # the catalog's files and their stamps; None: changed too recently to trust


_ENGLISH = _Active(SOURCE_LANGUAGE, _gettext.NullTranslations(), f"{SOURCE_LANGUAGE}|code")
_active: ContextVar[_Active | None] = ContextVar("pubflow_interface_language", default=None)  # None: English


def locales_dir() -> Path:
    """Where the interface catalogs are: inside the wheel, else the source tree."""
    return resources.locales_dir()


def requested_language(explicit: str | None = None) -> str:
    """--ui-lang, else PUBFLOW_LANG, else the first entry of LANGUAGE, else English.

    Only the language subtag counts: `ar_SY.UTF-8`, `ar-EG` and `AR` are `ar`.
    """
    for value in (explicit, os.environ.get("PUBFLOW_LANG"), os.environ.get("LANGUAGE")):
        if value:
            first = value.split(":")[0].strip()
            if first:
                return first.split(".")[0].replace("_", "-").split("-")[0].lower()
    return SOURCE_LANGUAGE


def available_languages() -> list[str]:
    """The interface languages pubflow can speak: English and each language with a catalog, sorted."""
    found = {SOURCE_LANGUAGE}
    root = locales_dir()
    try:
        folders = list(root.iterdir()) if root.is_dir() else []
    except OSError:
        folders = []
    for folder in folders:
        messages = folder / "LC_MESSAGES"
        if (messages / f"{DOMAIN}.po").is_file() or (messages / f"{DOMAIN}.mo").is_file():
            found.add(folder.name)
    return sorted(found)


def _activate(lang: str | None) -> _Active:
    code = requested_language(lang)
    catalog, key = _catalog(code)
    if catalog is None:  # no (readable) catalog: the code's own words
        if code != SOURCE_LANGUAGE:
            catalog, key = _catalog(SOURCE_LANGUAGE)
        return _Active(SOURCE_LANGUAGE, catalog or _gettext.NullTranslations(), key)
    return _Active(code, catalog, key)


def set_language(lang: str | None) -> str:
    """Switch the interface language of the current context; returns the language served.

    A language without a catalog is served in English and "en" is returned:
    compare the result with what was asked, or check `available_languages()`.
    """
    active = _activate(lang)
    _active.set(active)
    return active.language


@contextmanager
def use_language(lang: str | None) -> Iterator[str]:
    """Speak `lang` inside the block (one request, one task); yields the language served."""
    active = _activate(lang)
    token = _active.set(active)
    try:
        yield active.language
    finally:
        _active.reset(token)


def current_language() -> str:
    """The interface language served in this context."""
    return (_active.get() or _ENGLISH).language


def catalog_key() -> str | None:
    """What identifies the words served in this context: the language and its catalog files' stamps.

    Output cached under this key is stale once the catalog changes (a new
    .po, a recompiled .mo).  None when a catalog file changed within the last
    second (the racy rule of `workflow.filestamp`): do not cache then.
    """
    return (_active.get() or _ENGLISH).key


def _(message: str) -> str:
    """Translate an interface string into the current interface language."""
    return (_active.get() or _ENGLISH).translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return (_active.get() or _ENGLISH).translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """Translate `message` in `context` (msgctxt): one English word, several meanings
    ("untranslated" of a segment, "untranslated" of a catalog's messages)."""
    return (_active.get() or _ENGLISH).translations.pgettext(context, message)


# Answers to a yes/no question, in every interface language (a translator may answer in either).
YES = frozenset({"y", "yes", "ن", "نعم", "أجل", "اجل"})
NO = frozenset({"n", "no", "ل", "لا", "كلا"})


def yes_no(answer: str) -> bool | None:
    """True for yes (y, yes, ن, نعم), False for no (n, no, ل, لا), None for anything else."""
    word = " ".join(answer.split()).casefold()
    if word in YES:
        return True
    if word in NO:
        return False
    return None


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def NC_(context: str, message: str) -> str:  # noqa: N802 - gettext's naming
    """Mark a string with its context (msgctxt) for extraction; translate it later with `pgettext`."""
    return message


# ---------------------------------------------------------------- loading catalogs
_loaded: dict[str, _gettext.GNUTranslations | None] = {}


def _catalog(code: str) -> tuple[_gettext.GNUTranslations | None, str | None]:
    """The catalog of `code` from `locales_dir()` (None when there is none or it cannot be read), and its key.

    English is the text of the code itself: its catalog (copy edits of the
    English wording) is only read once compiled, so English runs never pay
    for an in-memory compile.  One process loads a catalog once, until its
    files change (their `workflow.filestamp` stamps; a racy one is read again
    each time and its key is None).
    """
    if not code or "/" in code or "\\" in code or code.startswith("."):
        return None, f"{SOURCE_LANGUAGE}|code"
    folder = locales_dir() / code / "LC_MESSAGES"
    po, mo = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    cutoff = racy_cutoff()
    stamps = stamp(po), stamp(mo)
    key = f"{code}|{po}|{stamp_text(stamps[0])}|{stamp_text(stamps[1])}"
    if any(is_racy(s, cutoff) for s in stamps):
        return _read_catalog(code, po, mo), None
    if key not in _loaded:
        _loaded[key] = _read_catalog(code, po, mo)
    return _loaded[key], key


def _load(code: str) -> _gettext.NullTranslations:
    """The catalog of `code`, or English text (a NullTranslations) when there is none."""
    return _catalog(code)[0] or _gettext.NullTranslations()


def _read_catalog(code: str, po: Path, mo: Path) -> _gettext.GNUTranslations | None:
    try:
        po_bytes = po.read_bytes() if po.is_file() else None
        if mo.is_file():
            with mo.open("rb") as fh:
                compiled = _gettext.GNUTranslations(fh)
            if po_bytes is None:
                return compiled
            from workflow.i18n.pofile import SOURCE_HEADER, source_hash

            if compiled.info().get(SOURCE_HEADER.lower()) == source_hash(po_bytes):
                return compiled
        if po_bytes is not None and code != SOURCE_LANGUAGE:
            from workflow.i18n.pofile import compile_mo

            return _gettext.GNUTranslations(io.BytesIO(compile_mo(po_bytes)))
    except (OSError, ValueError, LookupError):
        pass  # an unreadable catalog must not stop the CLI: English it is (pofile.CatalogError is a ValueError)
    return None


# ---------------------------------------------------------------- page catalogs
_page_cache: dict[tuple[str, str], _gettext.NullTranslations] = {}


def translations_for(lang: str, newsroom_locales: Path | None = None) -> _gettext.NullTranslations:
    """Catalog for a rendered PAGE in `lang` (not the interface language).

    A newsroom's own `locales/<lang>/LC_MESSAGES/pubflow.mo` wins; the packaged
    catalog is its fallback, so a newsroom may override single strings.
    """
    code = lang.replace("_", "-").split("-")[0].lower()
    cutoff = racy_cutoff()
    stamps = [(p, stamp(p)) for p in catalog_files(code, newsroom_locales)]
    key = (code, f"{newsroom_locales or ''}|" + ";".join(f"{p}:{stamp_text(s)}" for p, s in stamps))
    trusted = not any(is_racy(s, cutoff) for _p, s in stamps)
    if trusted and key in _page_cache:
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
    if trusted:
        _page_cache[key] = result
    return result


def catalog_files(lang: str, newsroom_locales: Path | None = None) -> list[Path]:
    """The catalog files `translations_for(lang)` may read (for build hashes)."""
    code = lang.replace("_", "-").split("-")[0].lower()
    dirs = [locales_dir()] + ([newsroom_locales] if newsroom_locales is not None else [])
    names = (f"{DOMAIN}.po", f"{DOMAIN}.mo")
    return [p for d in dirs for p in (d / code / "LC_MESSAGES" / n for n in names) if p.is_file()]
