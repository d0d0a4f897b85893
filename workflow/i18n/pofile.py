"""PO, POT and MO files: the only module of pubflow that imports polib or babel.messages.

Everything here works on bytes and plain data and knows nothing of pubflow's
interface language: it writes no file, prints nothing and raises only
`CatalogError` (a `ValueError` carrying a reason code and where, no
interface text).  Its callers turn that into their own translated errors:
`workflow.maintenance.catalogs` (pubflow's interface catalogs) and
`workflow.translation.exchange` (release segments exchanged as PO files).
Swapping or upgrading the PO library is a change to this file alone.

Sections:

* compiled catalogs - a .po to .mo bytes, stamped with the hash of its source
  (`X-Pubflow-Source`), what `workflow.i18n` reads at run time;
* PO entries - `read_po` / `read_po_strict` / `write_po` on the plain
  `PoEntry` and `PoFile` types;
* Babel catalogs - extraction (with the CLI-docstring extractor `babel.cfg`
  names), reading and writing templates, merging a template into a
  catalog (`pybabel update` / `init`, with the GNU plural rule for Arabic).

polib and babel.messages are imported inside the functions that use them,
so importing this module costs nothing.
"""

from __future__ import annotations

import ast
import hashlib
import io
import re
import struct
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

SOURCE_HEADER = "X-Pubflow-Source"
CATALOG_WIDTH = 76  # interface catalogs: pybabel's width
EXCHANGE_WIDTH = 78  # segment exchange files: always the same width, so re-exports give small diffs
KEYWORDS: dict[str, Any] = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
                            "NC_": ((1, "c"), 2)}
COMMENT_TAGS = ("TRANSLATORS:",)
# Babel's table orders Arabic forms 4 and 5 unlike GNU gettext and CLDR (babel
# issue 816): with its expression n=100 would pick the "many" form.  This is
# the GNU/CLDR rule: 0 zero, 1 one, 2 two, 3-10 few, 11-99 many, 100-102 other.
PLURAL_FORMS = {
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
          "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",
}


class CatalogError(ValueError):
    """A PO/POT file, or a source file to extract from, that cannot be read.

    No interface text: `reason` is one of the class constants and the other
    attributes say where (`detail` is the library's own description, in
    English, for a log or to quote).  Callers raise their own translated error.
    """

    NOT_UTF8 = "not-utf8"  # position: the first bad byte
    NUL = "nul"  # a NUL character in the text
    BAD_LINE = "bad-line"  # line (1-based), text: a line that is no PO syntax
    NO_ENTRIES = "no-entries"  # not a PO file at all (no msgid)
    UNREADABLE = "unreadable"  # detail: what the parser said
    LOST_ENTRIES = "lost-entries"  # the parser skipped entries it could not read
    EXTRACTION = "extraction"  # path, detail: a source file or template that does not parse

    def __init__(self, reason: str, *, detail: str = "", path: str = "", line: int = 0, position: int = 0,
                 text: str = "") -> None:
        self.reason = reason
        self.detail = detail
        self.path = path
        self.line = line
        self.position = position
        self.text = text
        where = "".join((f"{path}: " if path else "", f"line {line}: " if line else "",
                         f"byte {position}: " if position else ""))
        super().__init__(f"{where}{reason}" + (f": {detail}" if detail else ""))


def source_hash(po: bytes) -> str:
    """What a compiled catalog's `X-Pubflow-Source` header holds for the .po it came from."""
    return "sha256:" + hashlib.sha256(po).hexdigest()


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        raise CatalogError(CatalogError.NOT_UTF8, position=exc.start, detail=str(exc)) from None


def _polib_file(text: str, width: int) -> Any:
    import polib

    try:  # a leading newline: polib never takes the text for a file name
        return polib.pofile("\n" + text, encoding="utf-8", wrapwidth=width)
    except (OSError, ValueError) as exc:
        raise CatalogError(CatalogError.UNREADABLE, detail=str(exc)) from None


# ---------------------------------------------------------------- compiled catalogs
def read_mo(path: Path) -> list[tuple[str, str]]:
    """(msgid, msgstr) of every message of a compiled catalog (plural forms: the first);
    CatalogError UNREADABLE when it does not parse."""
    import polib

    try:
        catalog = polib.mofile(str(path))
    except (OSError, ValueError, UnicodeDecodeError, struct.error) as exc:
        raise CatalogError(CatalogError.UNREADABLE, detail=str(exc)) from None
    out = []
    for entry in catalog:
        text = entry.msgstr or (entry.msgstr_plural.get(0, "") if entry.msgstr_plural else "")
        out.append((entry.msgid, text))
    return out


def compile_mo(po: bytes, *, use_fuzzy: bool = False) -> bytes:
    """The .mo of one .po, as `msgfmt` builds it: no fuzzy, obsolete or untranslated entries.

    `use_fuzzy` takes fuzzy translations too.  The header gains
    `X-Pubflow-Source: sha256:<hash of the .po>`, so a reader can tell
    whether a .mo on disk still matches the .po beside it.
    """
    catalog = _polib_file(_decode(po), CATALOG_WIDTH)
    if use_fuzzy:
        for entry in catalog:
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
    catalog.metadata[SOURCE_HEADER] = source_hash(po)
    data: bytes = catalog.to_binary()
    return data


# ---------------------------------------------------------------- PO entries
@dataclass(frozen=True)
class PoEntry:
    """One entry of a PO file, without the PO library's types."""

    msgid: str
    msgstr: str = ""  # "" = untranslated
    context: str | None = None  # msgctxt (a segment id in exchange files)
    msgid_plural: str = ""
    msgstr_plural: Mapping[int, str] = field(default_factory=dict)
    fuzzy: bool = False
    obsolete: bool = False
    previous_msgid: str | None = None  # `#| msgid`: the source the old translation renders
    comments: tuple[str, ...] = ()  # extracted comments (`#.`)
    flags: tuple[str, ...] = ()  # flags other than fuzzy

    @property
    def translated(self) -> bool:
        """What msgfmt compiles: live, not fuzzy, every form filled in."""
        if self.obsolete or self.fuzzy:
            return False
        if self.msgid_plural:
            return bool(self.msgstr_plural) and all(self.msgstr_plural.values())
        return bool(self.msgstr)


@dataclass(frozen=True)
class PoFile:
    metadata: Mapping[str, str]
    header_fuzzy: bool  # the header entry is marked fuzzy (pybabel and msgfmt skip such a catalog)
    entries: tuple[PoEntry, ...]  # obsolete (`#~`) entries included, flagged

    @property
    def live(self) -> list[PoEntry]:
        return [e for e in self.entries if not e.obsolete and e.msgid]


def _entry(raw: Any) -> PoEntry:
    return PoEntry(
        msgid=raw.msgid, msgstr=raw.msgstr or "", context=raw.msgctxt, msgid_plural=raw.msgid_plural or "",
        msgstr_plural={int(k): v for k, v in (raw.msgstr_plural or {}).items()}, fuzzy="fuzzy" in raw.flags,
        obsolete=bool(raw.obsolete), previous_msgid=raw.previous_msgid,
        comments=tuple(raw.comment.split("\n")) if raw.comment else (),
        flags=tuple(f for f in raw.flags if f != "fuzzy"))


def _po_file(catalog: Any) -> PoFile:
    return PoFile(dict(catalog.metadata), bool(catalog.metadata_is_fuzzy), tuple(_entry(e) for e in catalog))


def read_po(data: bytes) -> PoFile:
    """A PO or POT file, read as msgfmt would accept it (pubflow's own catalogs)."""
    return _po_file(_polib_file(_decode(data), CATALOG_WIDTH))


_PO_STRING = r'"(?:[^"\\]|\\[\\"ntrabfv])*"'
_PO_LINE = re.compile(
    r"^(?:#.*|(?:msgctxt|msgid|msgid_plural|msgstr|msgstr\[\d+\])[ \t]+" + _PO_STRING + r"|" + _PO_STRING + r")[ \t]*$")
_PO_MSGID = re.compile(r"^msgid[ \t]")


def read_po_strict(data: bytes) -> PoFile:
    """A PO file from outside (a translator's CAT tool): every line checked, nothing skipped.

    polib silently drops what it cannot parse (an unterminated string loses
    the entry), so every line is checked first and the entries are counted.
    """
    text = _decode(data)
    if "\x00" in text:
        raise CatalogError(CatalogError.NUL)
    expected = 0
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        if not line.strip():
            continue
        if not _PO_LINE.match(line):
            raise CatalogError(CatalogError.BAD_LINE, line=number, text=line[:60])
        if _PO_MSGID.match(line):
            expected += 1
    if expected == 0:
        raise CatalogError(CatalogError.NO_ENTRIES)
    catalog = _polib_file(text, EXCHANGE_WIDTH)
    header = 1 if catalog.metadata else 0
    if sum(1 for e in catalog if not e.obsolete) + header != expected:
        raise CatalogError(CatalogError.LOST_ENTRIES)
    return _po_file(catalog)


def write_po(entries: Sequence[PoEntry], metadata: Mapping[str, str], width: int = EXCHANGE_WIDTH) -> bytes:
    """A UTF-8 PO file holding `entries`, with `metadata` in its header."""
    import polib

    catalog = polib.POFile(wrapwidth=width)
    catalog.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Content-Transfer-Encoding": "8bit",
                        **metadata}
    for entry in entries:
        flags = (["fuzzy"] if entry.fuzzy else []) + list(entry.flags)
        catalog.append(polib.POEntry(
            msgctxt=entry.context, msgid=entry.msgid, msgstr=entry.msgstr, msgid_plural=entry.msgid_plural,
            msgstr_plural=dict(entry.msgstr_plural), flags=flags, previous_msgid=entry.previous_msgid,
            comment="\n".join(entry.comments), obsolete=entry.obsolete))
    return str(catalog).encode("utf-8")


def without_dates(data: bytes) -> bytes:
    """A PO file without its creation and revision dates (to tell whether anything else changed)."""
    return re.sub(rb'"(POT-Creation-Date|PO-Revision-Date): [^"]*"', b"", data)


# ---------------------------------------------------------------- Babel catalogs: extraction
def extract_python(fileobj: IO[bytes], keywords: Any, comment_tags: Any,
                   options: Any) -> Iterator[tuple[int, str | None, Any, list[str]]]:
    """Babel's Python extractor plus the docstrings of CLI commands (named in babel.cfg).

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


def extract(root: Path, mapping: str, *, project: str, version: str, header_comment: str,
            mapping_name: str = "babel.cfg") -> Any:
    """Every marked string under `root`, as the mapping (babel.cfg's text) says: a Babel Catalog.

    Only the top folders the mapping's patterns name are walked (a big
    bench/ or .venv/ beside them costs nothing), and files starting with
    `.` or `_` are skipped.  A file that does not parse: CatalogError
    (EXTRACTION, with its path relative to `root`).
    """
    from babel.messages import frontend
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    parse_mapping_cfg: Any = frontend.parse_mapping_cfg
    method_map, options_map = parse_mapping_cfg(io.StringIO(mapping), mapping_name)
    catalog = Catalog(project=project, version=version, charset="utf-8", msgid_bugs_address="", fuzzy=False,
                      header_comment=header_comment)
    current = [""]
    tops = {pattern.split("/")[0] for pattern, _method in method_map}

    def note(filename: str, method: Any, options: Any) -> None:
        current[0] = filename

    def wanted(path: str) -> bool:
        rel = Path(path).relative_to(root).parts
        inside = rel[0] in tops or any("*" in top or "?" in top for top in tops)
        return inside and not rel[-1].startswith((".", "_"))

    try:
        found = list(extract_from_dir(str(root), method_map, options_map, keywords=KEYWORDS,
                                      comment_tags=COMMENT_TAGS, strip_comment_tags=True, callback=note,
                                      directory_filter=wanted))
    except Exception as exc:  # a Python file or template that does not parse (SyntaxError, TokenError, jinja2's)
        detail = " ".join(f"{type(exc).__name__}: {exc}".split())
        raise CatalogError(CatalogError.EXTRACTION, path=current[0], detail=detail) from None
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


# ---------------------------------------------------------------- Babel catalogs: read, write, merge
def read_catalog(data: bytes, locale: str | None = None) -> Any:
    """A Babel Catalog from a PO or POT file; CatalogError (UNREADABLE) for anything malformed."""
    from babel.messages.pofile import PoFileError
    from babel.messages.pofile import read_po as babel_read_po

    try:
        return babel_read_po(io.BytesIO(data), locale=locale, abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as exc:
        raise CatalogError(CatalogError.UNREADABLE, detail=str(exc)) from None


def catalog_bytes(catalog: Any, *, omit_header: bool = False, sort_output: bool = False,
                  ignore_obsolete: bool = False) -> bytes:
    """A Babel Catalog as PO text (without line numbers: moving code does not churn the files)."""
    from babel.messages.pofile import write_po as babel_write_po

    out = io.BytesIO()
    babel_write_po(out, catalog, width=CATALOG_WIDTH, include_lineno=False, omit_header=omit_header,
                   sort_output=sort_output, ignore_obsolete=ignore_obsolete)
    return out.getvalue()


def message_ids(catalog: Any) -> set[Any]:
    """The message ids of a Babel Catalog (a plural message's id is its (singular, plural) pair)."""
    return {m.id for m in catalog if m.id}


def message_label(msgid: Any) -> str:
    """A message id as text: the singular of a plural message."""
    return str(msgid[0] if isinstance(msgid, tuple) else msgid)


def is_known_locale(lang: str) -> bool:
    """Does Babel (CLDR) know this language code?"""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError, TypeError):
        return False
    return True


@dataclass(frozen=True)
class Merged:
    """A catalog after `merge_template`: its new text and what changed."""

    data: bytes
    added: int  # new messages, untranslated
    fuzzy: int  # messages newly marked fuzzy (their text changed)
    obsolete: int  # messages newly gone from the code (`#~`)


def merge_template(template: bytes, current: bytes | None, lang: str, *, header_comment: str,
                   fill_with_source: bool = False, no_fuzzy_matching: bool = False,
                   ignore_obsolete: bool = False) -> Merged:
    """Merge a template into a catalog, like `pybabel update` (`pybabel init` when `current` is None).

    New strings come in untranslated; strings whose text changed keep the old
    translation marked fuzzy (unless `no_fuzzy_matching`); strings gone from
    the code stay as obsolete `#~` entries (unless `ignore_obsolete`).  The
    Plural-Forms header is the GNU one where Babel's differs (`PLURAL_FORMS`).
    `fill_with_source`: the catalog of the code's own language translates each
    string to itself (a copy editor may reword one; a changed code text wins).
    """
    tpl = read_catalog(template)
    if current is None:
        catalog = _new_catalog(lang, tpl, header_comment)
        before_ids: set[Any] = set()
        before_fuzzy: set[Any] = set()
    else:
        catalog = read_catalog(current, locale=lang)
        before_ids = message_ids(catalog)
        before_fuzzy = {m.id for m in catalog if m.id and m.fuzzy}
    before_obsolete = set(catalog.obsolete)
    catalog.update(tpl, no_fuzzy_matching=no_fuzzy_matching, update_header_comment=False, keep_user_comments=True,
                   update_creation_date=True)
    _fix_plural_forms(catalog, lang)
    if fill_with_source:
        _fill_with_source(catalog)
    fuzzy_now = {m.id for m in catalog if m.id and m.fuzzy}
    return Merged(catalog_bytes(catalog, ignore_obsolete=ignore_obsolete),
                  added=len(message_ids(catalog) - before_ids - fuzzy_now),
                  fuzzy=len(fuzzy_now - before_fuzzy),
                  obsolete=0 if ignore_obsolete else len(set(catalog.obsolete) - before_obsolete))


def _new_catalog(lang: str, template: Any, header_comment: str) -> Any:
    """What `pybabel init` does (the Plural-Forms header is fixed after the merge)."""
    from babel.messages.catalog import Catalog

    catalog = Catalog(locale=lang, project=template.project, version=template.version, charset="utf-8",
                      msgid_bugs_address=template.msgid_bugs_address, fuzzy=False, header_comment=header_comment)
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


def _fill_with_source(catalog: Any) -> None:
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

