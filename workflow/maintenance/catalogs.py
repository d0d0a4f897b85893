"""pubflow's own interface catalogs: extract, update, compile, stats (`pubflow catalogs ...`).

Layout of a pubflow source checkout (also what the wheel carries, as
workflow/_locales):

    babel.cfg                              extraction mapping (python + jinja2)
    locales/messages.pot                   the template, extracted from the code
    locales/<lang>/LC_MESSAGES/pubflow.po  one catalog per language
    locales/<lang>/LC_MESSAGES/pubflow.mo  compiled (git-ignored; optional)

A .mo carries the sha256 of the .po it was compiled from in its header
(X-Pubflow-Source); `workflow.i18n` uses a .mo only when that hash matches,
and otherwise compiles the .po in memory, so a fresh clone and a wheel
install speak every language without a build step.

The PO work itself is `workflow.i18n.pofile`'s (the only polib/Babel user);
this module picks the files, turns `CatalogError` into translated errors,
and writes only through `workflow.storage.store`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow import resources
from workflow.errors import InvalidData, NotFound, UsageError
from workflow.i18n import DOMAIN, SOURCE_LANGUAGE, _, pofile
from workflow.i18n.pofile import CatalogError
from workflow.storage import store

TEMPLATE_NAME = "messages.pot"
MAPPING_NAME = "babel.cfg"
SOURCE_HEADER = pofile.SOURCE_HEADER
PLURAL_FORMS = pofile.PLURAL_FORMS
_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?:[!:][^{}]*)?\}")
_TEMPLATE_HEADER = ("# Interface strings of pubflow.\n"
                    "# Extracted by `pubflow catalogs extract`; do not edit by hand.")
_CATALOG_HEADER = ("# {lang} interface strings of pubflow.\n"
                   "# Kept in step with the code by `pubflow catalogs update`.")


@dataclass(frozen=True)
class InterfaceTree:
    """Where pubflow's interface catalogs and the code they come from live."""

    root: Path

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    @property
    def template(self) -> Path:
        return self.locales / TEMPLATE_NAME

    @property
    def mapping(self) -> Path:
        return self.root / MAPPING_NAME

    def po(self, lang: str) -> Path:
        return po_path(self.locales, lang)

    def mo(self, lang: str) -> Path:
        return po_path(self.locales, lang).with_suffix(".mo")


def po_path(locales: Path, lang: str) -> Path:
    return locales / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def source_tree(source: Path | None = None) -> InterfaceTree:
    """The pubflow source checkout: `source`, else the one this code runs from."""
    root = (source or resources.SOURCE_ROOT).resolve()
    if not (root / MAPPING_NAME).is_file() or not (root / "workflow").is_dir():
        raise NotFound(_("no pubflow source checkout at {path} (no {mapping} next to workflow/)").format(
            path=root, mapping=MAPPING_NAME),
            _("run from a git checkout of pubflow or pass --source with its folder"))
    return InterfaceTree(root)


def catalog_languages(locales: Path) -> list[str]:
    """Languages that have a catalog, sorted."""
    if not locales.is_dir():
        return []
    return sorted(p.name for p in locales.iterdir() if po_path(locales, p.name).is_file())


def _unreadable(path: Path, exc: CatalogError) -> InvalidData:
    return InvalidData(_("{path}: not a readable PO file: {error}").format(path=path, error=exc.detail or exc.reason),
                       _("fix it by hand or restore it from git"))


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InvalidData(_("cannot read {path}: {error}").format(path=path, error=exc.strerror)) from None


def _read_po(path: Path) -> pofile.PoFile:
    try:
        return pofile.read_po(_read_bytes(path))
    except CatalogError as exc:
        raise _unreadable(path, exc) from None


def _read_catalog(path: Path) -> Any:
    try:
        return pofile.read_catalog(_read_bytes(path))
    except CatalogError as exc:
        raise _unreadable(path, exc) from None


# -- extraction ------------------------------------------------------------
def extract_catalog(tree: InterfaceTree) -> Any:
    """Extract every marked string of the code and templates into a Babel Catalog."""
    from workflow.version import __version__

    mapping = _read_bytes(tree.mapping).decode("utf-8", errors="replace")
    try:
        return pofile.extract(tree.root, mapping, project="pubflow", version=str(__version__),
                              header_comment=_TEMPLATE_HEADER, mapping_name=str(tree.mapping))
    except CatalogError as exc:
        raise InvalidData(_("cannot extract messages from {path}: {error}").format(path=exc.path, error=exc.detail),
                          _("fix that file and extract again")) from None


@dataclass(frozen=True)
class ExtractResult:
    template: Path
    messages: int
    added: tuple[str, ...]
    removed: tuple[str, ...]
    written: bool

    def public(self) -> dict[str, Any]:
        return {"template": str(self.template), "messages": self.messages, "added": list(self.added),
                "removed": list(self.removed), "written": self.written}


def extract_interface(tree: InterfaceTree) -> ExtractResult:
    """(Re)write locales/messages.pot; untouched when only its dates would change."""
    catalog = extract_catalog(tree)
    new = pofile.catalog_bytes(catalog)
    old_ids: set[Any] = set()
    written = False
    if tree.template.is_file():
        old = _read_bytes(tree.template)
        old_ids = pofile.message_ids(_read_catalog(tree.template))
        if pofile.without_dates(old) != pofile.without_dates(new):
            store.atomic_write(tree.template, new)
            written = True
    else:
        store.make_dirs(tree.locales)
        store.atomic_write(tree.template, new)
        written = True
    new_ids = pofile.message_ids(catalog)
    return ExtractResult(tree.template, len(new_ids),
                         tuple(sorted(pofile.message_label(i) for i in new_ids - old_ids)),
                         tuple(sorted(pofile.message_label(i) for i in old_ids - new_ids)), written)


# -- update (pybabel update / init) -----------------------------------------
@dataclass(frozen=True)
class UpdateResult:
    language: str
    path: Path
    created: bool
    added: int
    fuzzy: int
    obsolete: int
    written: bool

    def public(self) -> dict[str, Any]:
        return {"language": self.language, "path": str(self.path), "created": self.created, "added": self.added,
                "fuzzy": self.fuzzy, "obsolete": self.obsolete, "written": self.written}


def check_catalog_language(lang: str) -> str:
    if not pofile.is_known_locale(lang):
        raise UsageError(_("unknown language {lang!r}").format(lang=lang),
                         _("use a language code Babel knows, e.g. ar, en, fr"))
    return lang


def update_interface(tree: InterfaceTree, languages: Sequence[str] | None = None, *,
                     ignore_obsolete: bool = False, no_fuzzy_matching: bool = False) -> list[UpdateResult]:
    """Merge locales/messages.pot into each catalog, like `pybabel update`.

    Missing catalogs of the named languages are created (`pybabel init`).
    New strings come in untranslated; strings whose text changed get the old
    translation marked fuzzy (unless `no_fuzzy_matching`); strings gone from
    the code stay as obsolete `#~` entries (unless `ignore_obsolete`).  The
    English catalog translates each string to itself.
    """
    if not tree.template.is_file():
        raise NotFound(_("no template {path}").format(path=tree.template), _("run `pubflow catalogs extract` first"))
    wanted = list(languages) if languages else catalog_languages(tree.locales)
    for lang in wanted:
        check_catalog_language(lang)
    template = _read_bytes(tree.template)
    try:
        pofile.read_catalog(template)  # a broken template is named as such, before any catalog is touched
    except CatalogError as exc:
        raise _unreadable(tree.template, exc) from None
    results = []
    for lang in wanted:
        path = tree.po(lang)
        created = not path.is_file()
        old = None if created else _read_bytes(path)
        try:
            merged = pofile.merge_template(
                template, old, lang, header_comment=_CATALOG_HEADER.format(lang=lang),
                fill_with_source=lang == SOURCE_LANGUAGE, no_fuzzy_matching=no_fuzzy_matching,
                ignore_obsolete=ignore_obsolete)
        except CatalogError as exc:
            raise _unreadable(path, exc) from None
        written = old is None or pofile.without_dates(old) != pofile.without_dates(merged.data)
        if written:
            store.make_dirs(path.parent)
            store.atomic_write(path, merged.data)
        results.append(UpdateResult(lang, path, created, merged.added, merged.fuzzy, merged.obsolete, written))
    return results


# -- compile (pybabel compile / msgfmt) -------------------------------------
@dataclass(frozen=True)
class CompileResult:
    language: str
    path: Path
    messages: int
    fuzzy: int
    untranslated: int
    written: bool
    skipped: str | None = None

    def public(self) -> dict[str, Any]:
        return {"language": self.language, "path": str(self.path), "messages": self.messages, "fuzzy": self.fuzzy,
                "untranslated": self.untranslated, "written": self.written, "skipped": self.skipped}


def source_hash(po_bytes: bytes) -> str:
    return pofile.source_hash(po_bytes)


def compile_po_bytes(path: Path, use_fuzzy: bool = False) -> bytes:
    """The .mo for one .po, as `msgfmt` builds it, stamped with the .po's hash (`pofile.compile_mo`)."""
    try:
        return pofile.compile_mo(_read_bytes(path), use_fuzzy=use_fuzzy)
    except CatalogError as exc:
        raise _unreadable(path, exc) from None


def placeholder_problems(path: Path, include_fuzzy: bool = False) -> list[str]:
    """Translations whose {placeholders} differ from their message id's.

    A singular translation must use exactly the message's placeholders; a
    plural form may leave one out (Arabic writes "one" and "two" without the
    number) but may not invent one, or `.format()` would fail at run time.
    """
    return _placeholder_problems(_read_po(path), include_fuzzy)


def _placeholder_problems(po: pofile.PoFile, include_fuzzy: bool) -> list[str]:
    problems = []
    for entry in po.live:
        if entry.fuzzy and not include_fuzzy:
            continue
        if entry.msgid_plural:
            allowed = _fields(entry.msgid) | _fields(entry.msgid_plural)
            for index, text in sorted(entry.msgstr_plural.items()):
                extra = _fields(text) - allowed
                if text and extra:
                    problems.append(_("{msgid!r} form {index}: unknown placeholder(s) {names}").format(
                        msgid=entry.msgid, index=index, names=", ".join(sorted(extra))))
        elif entry.msgstr and _fields(entry.msgstr) != _fields(entry.msgid):
            problems.append(_("{msgid!r}: placeholders {expected} but the translation has {found}").format(
                msgid=entry.msgid, expected=", ".join(sorted(_fields(entry.msgid))) or "-",
                found=", ".join(sorted(_fields(entry.msgstr))) or "-"))
    return problems


def _fields(text: str) -> set[str]:
    return set(_FIELD.findall(text))


def compile_interface(locales: Path, languages: Sequence[str] | None = None, *,
                      use_fuzzy: bool = False) -> list[CompileResult]:
    """Write <locales>/<lang>/LC_MESSAGES/pubflow.mo for each catalog, like `pybabel compile`.

    `locales` is pubflow's own folder (`InterfaceTree.locales`) or a
    newsroom's `locales/` holding overrides of single strings.  A catalog
    whose header is marked fuzzy is skipped unless `use_fuzzy` (pybabel does
    the same); a catalog with broken placeholders is refused.
    """
    wanted = list(languages) if languages else catalog_languages(locales)
    results = []
    for lang in wanted:
        path = po_path(locales, lang)
        mo = path.with_suffix(".mo")
        if not path.is_file():
            raise NotFound(_("no catalog for {lang} at {path}").format(lang=lang, path=path),
                           _("create it with `pubflow catalogs update --lang {lang}`").format(lang=lang))
        raw = _read_bytes(path)
        try:
            po = pofile.read_po(raw)
        except CatalogError as exc:
            raise _unreadable(path, exc) from None
        stats = _stats(po, path, lang)
        if po.header_fuzzy and not use_fuzzy:
            results.append(CompileResult(lang, mo, 0, stats.fuzzy, stats.untranslated, False,
                                         _("the catalog header is marked fuzzy")))
            continue
        problems = _placeholder_problems(po, include_fuzzy=use_fuzzy)
        if problems:
            raise InvalidData(_("{path}: {problem}").format(path=path, problem=problems[0]),
                              _("keep every {{name}} of the English text in the translation"))
        try:
            data = pofile.compile_mo(raw, use_fuzzy=use_fuzzy)
        except CatalogError as exc:
            raise _unreadable(path, exc) from None
        store.atomic_write(mo, data)
        results.append(CompileResult(lang, mo, stats.translated + (stats.fuzzy if use_fuzzy else 0),
                                     stats.fuzzy, stats.untranslated, True))
    return results


# -- stats ------------------------------------------------------------------
@dataclass(frozen=True)
class CatalogStats:
    language: str
    path: Path
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    obsolete: int
    missing: int | None
    plural_forms: str

    @property
    def percent(self) -> float:
        return round(100.0 * self.translated / self.total, 1) if self.total else 100.0

    def public(self) -> dict[str, Any]:
        return {"language": self.language, "path": str(self.path), "total": self.total,
                "translated": self.translated, "fuzzy": self.fuzzy, "untranslated": self.untranslated,
                "obsolete": self.obsolete, "missing": self.missing, "percent": self.percent,
                "plural_forms": self.plural_forms}


def catalog_stats(path: Path, lang: str, template_ids: set[str] | None = None) -> CatalogStats:
    return _stats(_read_po(path), path, lang, template_ids)


def _stats(po: pofile.PoFile, path: Path, lang: str, template_ids: set[str] | None = None) -> CatalogStats:
    live = po.live
    fuzzy = sum(1 for e in live if e.fuzzy)
    translated = sum(1 for e in live if e.translated)
    missing = len(template_ids - {e.msgid for e in live}) if template_ids is not None else None
    return CatalogStats(lang, path, len(live), translated, fuzzy, len(live) - translated - fuzzy,
                        sum(1 for e in po.entries if e.obsolete), missing, po.metadata.get("Plural-Forms", ""))


def interface_stats(locales: Path, languages: Sequence[str] | None = None) -> list[CatalogStats]:
    """Completeness of each catalog; `missing` counts template strings not yet merged in."""
    template = locales / TEMPLATE_NAME
    template_ids = {e.msgid for e in _read_po(template).live} if template.is_file() else None
    wanted = list(languages) if languages else catalog_languages(locales)
    out = []
    for lang in wanted:
        path = po_path(locales, lang)
        if not path.is_file():
            raise NotFound(_("no catalog for {lang} at {path}").format(lang=lang, path=path),
                           _("create it with `pubflow catalogs update --lang {lang}`").format(lang=lang))
        out.append(catalog_stats(path, lang, template_ids))
    return out
