"""Gettext catalogs: the only module that imports polib or babel.messages.

Two independent sections live here, each owned by its own feature:

* interface catalogs - pubflow's own user-interface strings (`locales/`):
  extract, update, compile, stats, and the in-memory compile `workflow.i18n`
  falls back to when no up-to-date `.mo` exists;
* segment exchange - release segments exported to / imported from PO files
  for translators.

Heavy imports (polib, babel.messages) stay inside the functions that use them:
this module is imported lazily by the CLI and by `workflow.i18n`.
"""

from __future__ import annotations

# ---- interface catalogs ----
#
# Layout of a pubflow source checkout (also what the wheel carries, as
# workflow/_locales):
#   babel.cfg                              extraction mapping (python + jinja2)
#   locales/messages.pot                   the template, extracted from the code
#   locales/<lang>/LC_MESSAGES/pubflow.po  one catalog per language
#   locales/<lang>/LC_MESSAGES/pubflow.mo  compiled (git-ignored; optional)
#
# A .mo carries the sha256 of the .po it was compiled from in its header
# (X-Pubflow-Source); `workflow.i18n` uses a .mo only when that hash matches,
# and otherwise compiles the .po in memory with `compile_po_bytes`, so a fresh
# clone and a wheel install speak every language without a build step.
import ast
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from workflow import resources
from workflow.errors import InvalidData, NotFound, UsageError
from workflow.i18n import DOMAIN, _

TEMPLATE_NAME = "messages.pot"
MAPPING_NAME = "babel.cfg"
SOURCE_LANGUAGE = "en"
SOURCE_HEADER = "X-Pubflow-Source"
PO_WIDTH = 76
KEYWORDS: dict[str, Any] = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2)}
COMMENT_TAGS = ("TRANSLATORS:",)
# Babel's table orders Arabic forms 4 and 5 unlike GNU gettext and CLDR (babel
# issue 816): with its expression n=100 would pick the "many" form.  This is
# the GNU/CLDR rule: 0 zero, 1 one, 2 two, 3-10 few, 11-99 many, 100-102 other.
PLURAL_FORMS = {
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
          "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",
}
_FIELD = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)(?:[!:][^{}]*)?\}")


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


# -- extraction ------------------------------------------------------------
def extract_python(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                   options: Any) -> Iterator[tuple[int, str | None, Any, list[str]]]:
    """Babel's Python extractor plus the docstrings of CLI commands.

    typer turns a command's docstring into its help text; `workflow.cli`
    translates that text at run time, so the docstring is a message too.
    A function counts as a command when a decorator is a call of `.command`
    or `.callback` (`@app.command("list")`, `@app.callback()`).
    """
    from babel.messages import extract as babel_extract

    babel_extract_python: Any = babel_extract.extract_python
    data = fileobj.read()
    yield from babel_extract_python(io.BytesIO(data), keywords, comment_tags, options)
    try:
        tree = ast.parse(data)
    except SyntaxError:  # Babel's tokenizer already yielded what it could
        return
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and _is_command(node):
            doc = ast.get_docstring(node, clean=True)
            if doc:
                yield node.lineno, None, doc, []


def _is_command(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in node.decorator_list:
        func = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(func, ast.Attribute) and func.attr in ("command", "callback"):
            return True
    return False


def _read_mapping(tree: InterfaceTree) -> tuple[list[tuple[str, Any]], dict[str, Any]]:
    from babel.messages import frontend

    parse_mapping_cfg: Any = frontend.parse_mapping_cfg
    with tree.mapping.open(encoding="utf-8") as fh:
        method_map, options_map = parse_mapping_cfg(fh, str(tree.mapping))
    return method_map, options_map


def extract_catalog(tree: InterfaceTree) -> Any:
    """Extract every marked string of the code and templates into a Babel Catalog."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    from workflow import __version__

    method_map, options_map = _read_mapping(tree)
    catalog = Catalog(project="pubflow", version=__version__, charset="utf-8",
                      msgid_bugs_address="", fuzzy=False,
                      header_comment="# Interface strings of pubflow.\n"
                                     "# Extracted by `pubflow catalogs extract`; do not edit by hand.")
    current = [""]
    tops = {pattern.split("/")[0] for pattern, _method in method_map}  # walk only workflow/ and templates/

    def note(filename: str, method: Any, options: Any) -> None:
        current[0] = filename

    def wanted(path: str) -> bool:
        rel = Path(path).relative_to(tree.root).parts
        inside = rel[0] in tops or any("*" in top or "?" in top for top in tops)
        return inside and not rel[-1].startswith((".", "_"))

    try:
        found = list(extract_from_dir(str(tree.root), method_map, options_map, keywords=KEYWORDS,
                                      comment_tags=COMMENT_TAGS, strip_comment_tags=True, callback=note,
                                      directory_filter=wanted))
    except Exception as exc:  # a Python file or template that does not parse (SyntaxError, TokenError, jinja2's)
        error = " ".join(f"{type(exc).__name__}: {exc}".split())
        raise InvalidData(_("cannot extract messages from {path}: {error}").format(path=current[0], error=error),
                          _("fix that file and extract again")) from None
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


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


def _po_bytes(catalog: Any, **kwargs: Any) -> bytes:
    from babel.messages.pofile import write_po

    out = io.BytesIO()
    write_po(out, catalog, width=PO_WIDTH, include_lineno=False, **kwargs)
    return out.getvalue()


def _without_dates(data: bytes) -> bytes:
    return re.sub(rb'"(POT-Creation-Date|PO-Revision-Date): [^"]*"', b"", data)


def _read_catalog(path: Path, locale: str | None = None) -> Any:
    from babel.messages.pofile import PoFileError, read_po

    try:
        with path.open("rb") as fh:
            return read_po(fh, locale=locale, abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as exc:
        raise InvalidData(_("{path}: not a readable PO file: {error}").format(path=path, error=exc),
                          _("fix it by hand or restore it from git")) from None


def _ids(catalog: Any) -> set[Any]:
    return {m.id for m in catalog if m.id}


def _label(msgid: Any) -> str:
    return str(msgid[0] if isinstance(msgid, tuple) else msgid)


def extract_interface(tree: InterfaceTree) -> ExtractResult:
    """(Re)write locales/messages.pot; untouched when only its dates would change."""
    from workflow.storage import store

    catalog = extract_catalog(tree)
    new = _po_bytes(catalog, omit_header=False, sort_output=False)
    old_ids: set[Any] = set()
    written = False
    if tree.template.is_file():
        old = tree.template.read_bytes()
        old_ids = _ids(_read_catalog(tree.template))
        if _without_dates(old) != _without_dates(new):
            store.atomic_write(tree.template, new)
            written = True
    else:
        store.make_dirs(tree.locales)
        store.atomic_write(tree.template, new)
        written = True
    new_ids = _ids(catalog)
    return ExtractResult(tree.template, len(new_ids), tuple(sorted(_label(i) for i in new_ids - old_ids)),
                         tuple(sorted(_label(i) for i in old_ids - new_ids)), written)


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
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError, TypeError):
        raise UsageError(_("unknown language {lang!r}").format(lang=lang),
                         _("use a language code Babel knows, e.g. ar, en, fr")) from None
    return lang


def _new_catalog(lang: str, template: Any) -> Any:
    """What `pybabel init` does, with a correct Plural-Forms header."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale=lang, project=template.project, version=template.version, charset="utf-8",
                      msgid_bugs_address=template.msgid_bugs_address, fuzzy=False,
                      header_comment=f"# {lang} interface strings of pubflow.\n"
                                     "# Kept in step with the code by `pubflow catalogs update`.")
    catalog.creation_date = template.creation_date
    catalog.revision_date = template.creation_date
    catalog.last_translator = "pubflow"
    catalog.language_team = lang
    return catalog


def _fix_plural_forms(catalog: Any, lang: str) -> None:
    expected = PLURAL_FORMS.get(lang.split("_")[0])
    if expected is None:
        return
    nplurals = re.search(r"nplurals=(\d+)", expected)
    plural = re.search(r"plural=(.*);\s*$", expected)
    assert nplurals is not None
    assert plural is not None
    catalog._num_plurals = int(nplurals.group(1))
    catalog._plural_expr = plural.group(1)


def _fill_source_language(catalog: Any) -> None:
    """The source-language catalog translates each string to itself.

    A copy editor may reword a msgstr there; when the code's text changes
    (a fuzzy match), the catalog takes the code's new text.
    """
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if message.fuzzy or not all(message.string or ()):
                n = catalog.num_plurals
                message.string = tuple([message.id[0]] + [message.id[1]] * (n - 1))
        elif message.fuzzy or not message.string:
            message.string = message.id
        message.flags.discard("fuzzy")


def update_interface(tree: InterfaceTree, languages: Sequence[str] | None = None, *,
                     ignore_obsolete: bool = False, no_fuzzy_matching: bool = False) -> list[UpdateResult]:
    """Merge locales/messages.pot into each catalog, like `pybabel update`.

    Missing catalogs of the named languages are created (`pybabel init`).
    New strings come in untranslated; strings whose text changed get the old
    translation marked fuzzy (unless `no_fuzzy_matching`); strings gone from
    the code stay as obsolete `#~` entries (unless `ignore_obsolete`).
    """
    from workflow.storage import store

    if not tree.template.is_file():
        raise NotFound(_("no template {path}").format(path=tree.template), _("run `pubflow catalogs extract` first"))
    wanted = list(languages) if languages else catalog_languages(tree.locales)
    results = []
    for lang in wanted:
        check_catalog_language(lang)
        template = _read_catalog(tree.template)  # fresh each time: update() adopts its messages
        path = tree.po(lang)
        created = not path.is_file()
        if created:
            catalog = _new_catalog(lang, template)
            old = b""
            before_ids: set[Any] = set()
            before_fuzzy: set[Any] = set()
        else:
            old = path.read_bytes()
            catalog = _read_catalog(path, locale=lang)
            before_ids = _ids(catalog)
            before_fuzzy = {m.id for m in catalog if m.id and m.fuzzy}
        before_obsolete = set(catalog.obsolete)
        catalog.update(template, no_fuzzy_matching=no_fuzzy_matching, update_header_comment=False,
                       keep_user_comments=True, update_creation_date=True)
        _fix_plural_forms(catalog, lang)
        if lang == SOURCE_LANGUAGE:
            _fill_source_language(catalog)
        new = _po_bytes(catalog, ignore_obsolete=ignore_obsolete)
        written = created or _without_dates(old) != _without_dates(new)
        if written:
            store.make_dirs(path.parent)
            store.atomic_write(path, new)
        fuzzy_now = {m.id for m in catalog if m.id and m.fuzzy}
        results.append(UpdateResult(
            lang, path, created, len(_ids(catalog) - before_ids - fuzzy_now), len(fuzzy_now - before_fuzzy),
            0 if ignore_obsolete else len(set(catalog.obsolete) - before_obsolete), written))
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


def _load_polib(path: Path) -> Any:
    import polib

    try:
        return polib.pofile(str(path), encoding="utf-8", wrapwidth=PO_WIDTH)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InvalidData(_("{path}: not a readable PO file: {error}").format(path=path, error=exc),
                          _("fix it by hand or restore it from git")) from None


def source_hash(po_bytes: bytes) -> str:
    return "sha256:" + hashlib.sha256(po_bytes).hexdigest()


def compile_po_bytes(path: Path, use_fuzzy: bool = False) -> bytes:
    """The .mo for one .po, as `msgfmt` builds it: no fuzzy, obsolete or untranslated entries.

    The header gains `X-Pubflow-Source: sha256:<hash of the .po>` so a reader
    can tell whether a .mo on disk still matches its .po.
    """
    raw = path.read_bytes()
    po = _load_polib(path)
    if use_fuzzy:
        for entry in po:
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    po.metadata[SOURCE_HEADER] = source_hash(raw)
    data: bytes = po.to_binary()
    return data


def placeholder_problems(path: Path, include_fuzzy: bool = False) -> list[str]:
    """Translations whose {placeholders} differ from their message id's.

    A singular translation must use exactly the message's placeholders; a
    plural form may leave one out (Arabic writes "one" and "two" without the
    number) but may not invent one, or `.format()` would fail at run time.
    """
    problems = []
    for entry in _load_polib(path):
        if entry.obsolete or not entry.msgid or ("fuzzy" in entry.flags and not include_fuzzy):
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
    from workflow.storage import store

    wanted = list(languages) if languages else catalog_languages(locales)
    results = []
    for lang in wanted:
        path = po_path(locales, lang)
        mo = path.with_suffix(".mo")
        if not path.is_file():
            raise NotFound(_("no catalog for {lang} at {path}").format(lang=lang, path=path),
                           _("create it with `pubflow catalogs update --lang {lang}`").format(lang=lang))
        stats = catalog_stats(path, lang)
        po = _load_polib(path)
        if po.metadata_is_fuzzy and not use_fuzzy:
            results.append(CompileResult(lang, mo, 0, stats.fuzzy, stats.untranslated, False,
                                         _("the catalog header is marked fuzzy")))
            continue
        problems = placeholder_problems(path, include_fuzzy=use_fuzzy)
        if problems:
            raise InvalidData(_("{path}: {problem}").format(path=path, problem=problems[0]),
                              _("keep every {{name}} of the English text in the translation"))
        data = compile_po_bytes(path, use_fuzzy=use_fuzzy)
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
    po = _load_polib(path)
    live = [e for e in po if not e.obsolete and e.msgid]
    fuzzy = [e for e in live if "fuzzy" in e.flags]
    translated = [e for e in live if e.translated()]
    missing = len(template_ids - {e.msgid for e in live}) if template_ids is not None else None
    return CatalogStats(lang, path, len(live), len(translated), len(fuzzy), len(live) - len(translated) - len(fuzzy),
                        len(po.obsolete_entries()), missing, po.metadata.get("Plural-Forms", ""))


def interface_stats(locales: Path, languages: Sequence[str] | None = None) -> list[CatalogStats]:
    """Completeness of each catalog; `missing` counts template strings not yet merged in."""
    template = locales / TEMPLATE_NAME
    template_ids = {e.msgid for e in _load_polib(template) if e.msgid} if template.is_file() else None
    wanted = list(languages) if languages else catalog_languages(locales)
    out = []
    for lang in wanted:
        path = po_path(locales, lang)
        if not path.is_file():
            raise NotFound(_("no catalog for {lang} at {path}").format(lang=lang, path=path),
                           _("create it with `pubflow catalogs update --lang {lang}`").format(lang=lang))
        out.append(catalog_stats(path, lang, template_ids))
    return out

# ---- end interface catalogs ----


# ---- segment exchange (PO units) ----
# Owned by the translators' flow (workflow/exchange.py); the interface-catalog
# part of this module is separate.  polib is imported only in this module.
# Uses the module-level imports above: re, dataclass, Sequence, InvalidData, _.

PO_WRAP = 78  # always the same width, so re-exports give small diffs
_PO_STRING = r'"(?:[^"\\]|\\[\\"ntrabfv])*"'
_PO_LINE = re.compile(
    r"^(?:#.*|(?:msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\])[ \t]+" + _PO_STRING + r"|" + _PO_STRING + r")[ \t]*$")
_PO_MSGID = re.compile(r"^msgid[ \t]")


@dataclass(frozen=True)
class PoUnit:
    """One PO entry of a segment exchange file."""

    context: str  # msgctxt: the segment id
    msgid: str  # the source text
    msgstr: str = ""  # the translation ("" = untranslated)
    fuzzy: bool = False
    previous_msgid: str | None = None  # `#| msgid`: the source the old translation renders
    comments: tuple[str, ...] = ()  # extracted comments (`#.`)
    flags: tuple[str, ...] = ()  # flags other than fuzzy


def po_bytes(units: Sequence[PoUnit], metadata: dict[str, str]) -> bytes:
    """A UTF-8 PO file holding `units` with `metadata` in its header."""
    import polib

    po = polib.POFile(wrapwidth=PO_WRAP)
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit",
                   **metadata}
    for unit in units:
        flags = (["fuzzy"] if unit.fuzzy else []) + list(unit.flags)
        po.append(polib.POEntry(msgctxt=unit.context, msgid=unit.msgid, msgstr=unit.msgstr, flags=flags,
                                previous_msgid=unit.previous_msgid, comment="\n".join(unit.comments)))
    return str(po).encode("utf-8")


def read_po_units(data: bytes, where: str) -> tuple[dict[str, str], list[PoUnit]]:
    """Header metadata and entries of a PO file; InvalidData for anything malformed.

    polib silently drops what it cannot parse (an unterminated string loses
    the entry), so every line is checked first and the entry count compared.
    """
    import polib

    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidData(_("{where}: not UTF-8 (byte {pos})").format(where=where, pos=exc.start),
                          _("save the file as UTF-8")) from None
    text = text.removeprefix("\ufeff")
    if "\x00" in text:
        raise InvalidData(_("{where}: contains a NUL character").format(where=where))
    expected = 0
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        if not _PO_LINE.match(line):
            raise InvalidData(_("{where}: line {line} is not valid PO: {text!r}").format(
                where=where, line=number, text=line[:60]), _("fix the line, or export the file again"))
        if _PO_MSGID.match(line):
            expected += 1
    if expected == 0:
        raise InvalidData(_("{where}: not a PO file (no msgid)").format(where=where),
                          _("export it again with `pubflow export`"))
    try:
        po = polib.pofile("\n" + text)  # a leading newline: never taken for a file name
    except (OSError, ValueError) as exc:
        raise InvalidData(_("{where}: {error}").format(where=where, error=exc)) from None
    header = 1 if po.metadata else 0
    if sum(1 for e in po if not e.obsolete) + header != expected:
        raise InvalidData(_("{where}: some entries could not be read").format(where=where),
                          _("check quotes and keywords, or export the file again"))
    units = []
    for entry in po:
        if entry.obsolete:
            continue
        flags = tuple(f for f in entry.flags if f != "fuzzy")
        comments = tuple(entry.comment.split("\n")) if entry.comment else ()
        units.append(PoUnit(context=entry.msgctxt or "", msgid=entry.msgid, msgstr=entry.msgstr,
                            fuzzy="fuzzy" in entry.flags, previous_msgid=entry.previous_msgid,
                            comments=comments, flags=flags))
    return dict(po.metadata), units
# ---- end segment exchange (PO units) ----
