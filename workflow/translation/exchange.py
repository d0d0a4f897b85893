"""CAT exchange: export a release's segments as PO or XLIFF 1.2, import them back.

Export (pure `export_bytes`): one unit per segment, id = segment id, the
current source text, the translation (for a stale segment the old one, with
the old source as `#| msgid` or an `alt-trans` of type previous-version).

Status in the files:

=============  ===========================  ==========================================
status         PO                            XLIFF 1.2 (`target/@state`)
=============  ===========================  ==========================================
untranslated   empty msgstr                  no `<target>`
machine        fuzzy                         needs-review-translation (+ leveraged-mt/-tm)
stale          fuzzy + `#| msgid` old source needs-translation + alt-trans previous-version
translated     (no flag)                     translated
approved       `#. pubflow: status=approved` signed-off, trans-unit approved="yes"
=============  ===========================  ==========================================

Import (`import_file`) parses and validates the whole file first: a
malformed file, entity tricks (refused by defusedxml), a file for another
release or language, or unknown segment ids apply NOTHING.  Then, under the
release lock, each confirmed unit (not fuzzy / state translated, final or
signed-off) whose source still matches the release is applied; a unit whose
source changed since the export is refused and listed, never applied.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow.core import segments as seg
from workflow.core.config import Config, Person
from workflow.core.model import Document, check_release_id, format_time, utc_now
from workflow.errors import Conflict, InvalidData, NotFound, PubflowError, Refused, UsageError
from workflow.i18n import _
from workflow.storage.newsroom import Newsroom
from workflow.translation.operations import (
    HUMAN,
    NEEDS_TRANSLATION,
    require_open,
    require_target,
    self_review_allowed,
    translated_segment,
    with_target,
)

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

    from workflow.i18n.pofile import CatalogError

FORMATS = ("po", "xliff")
XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MAX_BYTES = 20 * 1024 * 1024
PO_STATUS_RE = re.compile(r"^pubflow:\s*status=(\w+)(?:\s+origin=(\S+))?\s*$")
CONFIRMED_STATES = ("translated", "final", "signed-off")
STATE_OF = {  # our status -> XLIFF target state
    "machine": "needs-review-translation",
    "stale": "needs-translation",
    "translated": "translated",
    "approved": "signed-off",
}


@dataclass(frozen=True)
class Unit:
    """One segment as it travels in an exchange file."""

    segment: str
    source: str
    text: str = ""
    status: str = "untranslated"
    old_source: str | None = None
    origin: str = ""
    confirmed: bool = False  # does the file say a person stands by this text?
    approved: bool = False  # does the file say it was signed off?


@dataclass(frozen=True)
class ExchangeFile:
    format: str
    release: str
    language: str
    source_language: str
    units: tuple[Unit, ...]


# ---------------------------------------------------------------- export
def units_of(doc: Document, lang: str, include_all: bool = False) -> list[Unit]:
    """Units for `lang`: the segments needing translation, or all of them."""
    targets = doc.target(lang)
    out = []
    for s in doc.source:
        target = targets[s.id]
        status = target.effective_status(s.text)
        if not include_all and status not in NEEDS_TRANSLATION:
            continue
        out.append(Unit(
            segment=s.id, source=s.text, text=target.text, status=status,
            old_source=target.source if status == "stale" else None, origin=target.origin,
            confirmed=status in ("translated", "approved"), approved=status == "approved",
        ))
    return out


def _position(doc: Document, seg_id: str) -> str:
    ids = [s.id for s in doc.source]
    body = [i for i in ids if i.startswith("p")]
    if seg_id in body:
        return _("paragraph {n} of {total}").format(n=body.index(seg_id) + 1, total=len(body))
    if seg_id == seg.TITLE:
        return _("title")
    return _("source line")


def export_bytes(doc: Document, lang: str, fmt: str, include_all: bool = False) -> tuple[bytes, int]:
    """The exchange file for `lang` as bytes, and how many units it holds (pure)."""
    require_target(doc, lang)
    if fmt not in FORMATS:
        raise UsageError(_("unknown format {fmt!r}").format(fmt=fmt), _("use po or xliff"))
    units = units_of(doc, lang, include_all)
    if not units:
        raise Refused(_("nothing to translate in {id} ({lang}): every segment is translated").format(
            id=doc.release.id, lang=lang), _("pass --all to export every segment"))
    if fmt == "po":
        return _po_export(doc, lang, units), len(units)
    return _xliff_export(doc, lang, units), len(units)


def export_release(nr: Newsroom, release_id: str, lang: str, fmt: str, include_all: bool = False,
                   output: Path | None = None) -> tuple[bytes, int]:
    """`pubflow export`: the bytes (also written atomically to `output` if given)."""
    from workflow.storage import store

    nr.config.language(lang)
    data, count = export_bytes(nr.load(release_id), lang, fmt, include_all)
    if output is not None:
        store.atomic_write(output, data)
    return data, count


def _po_export(doc: Document, lang: str, units: Sequence[Unit]) -> bytes:
    from workflow.i18n.pofile import PoEntry, write_po

    rel = doc.release
    po_units = []
    for unit in units:
        comments = (
            _("release {id}: {title}").format(id=rel.id, title=" ".join(doc.title.split())[:80]),
            f"{unit.segment}: {_position(doc, unit.segment)}",
            f"pubflow: status={unit.status}" + (f" origin={unit.origin}" if unit.origin else ""),
        )
        po_units.append(PoEntry(context=unit.segment, msgid=unit.source, msgstr=unit.text,
                                fuzzy=unit.status in ("machine", "stale"), previous_msgid=unit.old_source,
                                comments=comments))
    metadata = {
        "Project-Id-Version": f"pubflow {rel.id}",
        "Report-Msgid-Bugs-To": "",
        "POT-Creation-Date": "",
        "PO-Revision-Date": "",
        "Last-Translator": "",
        "Language-Team": "",
        "Language": lang,
        "MIME-Version": "1.0",
        "X-Generator": "pubflow",
        "X-Pubflow-Release": rel.id,
        "X-Pubflow-Source-Language": rel.source_language,
    }
    return write_po(po_units, metadata)


def _q(name: str) -> str:
    return f"{{{XLIFF_NS}}}{name}"


def _xliff_export(doc: Document, lang: str, units: Sequence[Unit]) -> bytes:
    import xml.etree.ElementTree as ET

    from workflow import __version__

    ET.register_namespace("", XLIFF_NS)
    rel = doc.release
    root = ET.Element(_q("xliff"), {"version": "1.2"})
    file_el = ET.SubElement(root, _q("file"), {
        "original": rel.id, "source-language": rel.source_language, "target-language": lang,
        "datatype": "plaintext", "tool-id": "pubflow",
    })
    header = ET.SubElement(file_el, _q("header"))
    ET.SubElement(header, _q("tool"), {"tool-id": "pubflow", "tool-name": "pubflow",
                                       "tool-version": str(__version__)})
    note = ET.SubElement(header, _q("note"), {"from": "pubflow"})
    note.text = _("release {id}: {title}").format(id=rel.id, title=doc.title)
    body = ET.SubElement(file_el, _q("body"))
    space = f"{{{XML_NS}}}space"
    for unit in units:
        attrs = {"id": unit.segment, "resname": unit.segment, space: "preserve"}
        if unit.status == "approved":
            attrs["approved"] = "yes"
        tu = ET.SubElement(body, _q("trans-unit"), attrs)
        ET.SubElement(tu, _q("source")).text = unit.source
        if unit.status != "untranslated":
            target_attrs = {"state": STATE_OF[unit.status]}
            if unit.status == "machine":
                kind = unit.origin.split(":", 1)[0]
                target_attrs["state-qualifier"] = "leveraged-tm" if kind == "memory" else "leveraged-mt"
            ET.SubElement(tu, _q("target"), target_attrs).text = unit.text
        ET.SubElement(tu, _q("note"), {"from": "pubflow"}).text = _position(doc, unit.segment)
        if unit.old_source is not None:
            alt = ET.SubElement(tu, _q("alt-trans"), {"alttranstype": "previous-version"})
            ET.SubElement(alt, _q("source")).text = unit.old_source
            ET.SubElement(alt, _q("target")).text = unit.text
    ET.indent(root, space="  ")
    # indent() must not touch the texts: they live in xml:space="preserve" units
    # and never hold child elements, so only whitespace *between* elements changes.
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


# ---------------------------------------------------------------- parse
def detect_format(data: bytes) -> str:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return "xliff" if head.startswith(b"<") else "po"


def parse_exchange(data: bytes, where: str) -> ExchangeFile:
    """Read a PO or XLIFF exchange file; InvalidData for anything malformed."""
    if len(data) > MAX_BYTES:
        raise InvalidData(_("{where}: larger than {mb} MB").format(where=where, mb=MAX_BYTES // 2**20))
    if detect_format(data) == "xliff":
        parsed = _parse_xliff(data, where)
    else:
        parsed = _parse_po(data, where)
    seen: set[str] = set()
    for unit in parsed.units:
        if unit.segment in seen:
            raise InvalidData(_("{where}: segment {segment} appears twice").format(where=where, segment=unit.segment))
        seen.add(unit.segment)
        if not unit.source.strip():
            raise InvalidData(_("{where}: segment {segment} has no source text").format(
                where=where, segment=unit.segment))
    return parsed


def _status(text: str, confirmed: bool, approved: bool, stale: bool) -> str:
    if not text:
        return "untranslated"
    if not confirmed:
        return "stale" if stale else "machine"
    return "approved" if approved else "translated"


def _parse_po(data: bytes, where: str) -> ExchangeFile:
    from workflow.i18n.pofile import CatalogError, read_po_strict

    try:
        po_file = read_po_strict(data)
    except CatalogError as exc:
        raise _po_error(exc, where) from None
    metadata, po_units = po_file.metadata, [e for e in po_file.entries if not e.obsolete]
    release = metadata.get("X-Pubflow-Release", "").strip()
    lang = metadata.get("Language", "").strip()
    source_lang = metadata.get("X-Pubflow-Source-Language", "").strip()
    if not release or not lang:
        raise InvalidData(_("{where}: the PO header names no release or language").format(where=where),
                          _("export the file with `pubflow export`"))
    units = []
    for po in po_units:
        if not po.context:
            raise InvalidData(_("{where}: an entry has no msgctxt (segment id): {text!r}").format(
                where=where, text=po.msgid[:40]), _("export the file again with `pubflow export`"))
        declared, origin = "", ""
        for line in po.comments:
            match = PO_STATUS_RE.match(line.strip())
            if match:
                declared, origin = match.group(1), match.group(2) or ""
        text = seg.normalize(po.msgstr)
        confirmed = bool(text) and not po.fuzzy
        approved = confirmed and declared == "approved"
        status = _status(text, confirmed, approved, po.previous_msgid is not None)
        units.append(Unit(segment=po.context, source=seg.normalize(po.msgid), text=text, status=status,
                          old_source=seg.normalize(po.previous_msgid) if po.previous_msgid is not None else None,
                          origin=origin, confirmed=confirmed, approved=approved))
    return ExchangeFile("po", release, lang, source_lang, tuple(units))


def _po_error(exc: CatalogError, where: str) -> InvalidData:
    """What a translator reads about a PO file that cannot be imported."""
    from workflow.i18n.pofile import CatalogError

    reason = exc.reason
    if reason == CatalogError.NOT_UTF8:
        return InvalidData(_("{where}: not UTF-8 (byte {pos})").format(where=where, pos=exc.position),
                           _("save the file as UTF-8"))
    if reason == CatalogError.NUL:
        return InvalidData(_("{where}: contains a NUL character").format(where=where))
    if reason == CatalogError.BAD_LINE:
        return InvalidData(_("{where}: line {line} is not valid PO: {text!r}").format(
            where=where, line=exc.line, text=exc.text), _("fix the line, or export the file again"))
    if reason == CatalogError.NO_ENTRIES:
        return InvalidData(_("{where}: not a PO file (no msgid)").format(where=where),
                           _("export it again with `pubflow export`"))
    if reason == CatalogError.LOST_ENTRIES:
        return InvalidData(_("{where}: some entries could not be read").format(where=where),
                           _("check quotes and keywords, or export the file again"))
    return InvalidData(_("{where}: {error}").format(where=where, error=exc.detail or reason))


def _xml_text(element: Element, where: str) -> str:
    """Text of <source>/<target>: plain text, or text split by <mrk> only."""
    for child in element.iter():
        if child is not element and child.tag != _q("mrk"):
            name = child.tag.split("}")[-1] if isinstance(child.tag, str) else "?"
            raise InvalidData(_("{where}: inline element <{name}> is not supported in segment text").format(
                where=where, name=name), _("remove the markup; pubflow segments are plain text"))
    return "".join(element.itertext())


def _parse_xliff(data: bytes, where: str) -> ExchangeFile:
    import xml.etree.ElementTree as ET

    import defusedxml
    from defusedxml.ElementTree import fromstring

    try:
        root = fromstring(data, forbid_dtd=True)
    except defusedxml.DefusedXmlException:
        raise InvalidData(_("{where}: refused: the file declares a DTD or entities (they could read local files "
                            "or expand without end)").format(where=where),
                          _("XLIFF from a CAT tool needs neither; export it again")) from None
    except ET.ParseError as exc:
        raise InvalidData(_("{where}: not well-formed XML: {error}").format(where=where, error=exc),
                          _("check the file, or export it again")) from None
    if root.tag != _q("xliff") or root.get("version") != "1.2":
        raise InvalidData(_("{where}: not an XLIFF 1.2 file").format(where=where),
                          _("export XLIFF 1.2 with `pubflow export --format xliff`"))
    files = root.findall(_q("file"))
    if len(files) != 1:
        raise InvalidData(_("{where}: expected exactly one <file>, found {n}").format(where=where, n=len(files)))
    file_el = files[0]
    release = (file_el.get("original") or "").strip()
    lang = (file_el.get("target-language") or "").strip()
    source_lang = (file_el.get("source-language") or "").strip()
    if not release or not lang:
        raise InvalidData(_("{where}: <file> needs original (the release id) and target-language").format(
            where=where), _("export the file with `pubflow export`"))
    body = file_el.find(_q("body"))
    if body is None:
        raise InvalidData(_("{where}: <file> has no <body>").format(where=where))
    units = []
    for tu in body.iter(_q("trans-unit")):
        seg_id = tu.get("id") or ""
        at = f"{where}: trans-unit {seg_id!r}"
        source_el = tu.find(_q("source"))
        if not seg_id or source_el is None:
            raise InvalidData(_("{where}: a trans-unit lacks its id or <source>").format(where=where))
        target_el = tu.find(_q("target"))
        text = seg.normalize(_xml_text(target_el, at)) if target_el is not None else ""
        state = target_el.get("state") if target_el is not None else None
        old_source = None
        for alt in tu.findall(_q("alt-trans")):
            alt_source = alt.find(_q("source"))
            if alt.get("alttranstype") == "previous-version" and alt_source is not None:
                old_source = seg.normalize(_xml_text(alt_source, at))
        confirmed = bool(text) and (state is None or state in CONFIRMED_STATES)
        approved = confirmed and (tu.get("approved") == "yes" or state in ("signed-off", "final"))
        status = _status(text, confirmed, approved, old_source is not None and state == "needs-translation")
        qualifier = target_el.get("state-qualifier") if target_el is not None else None
        origin = {"leveraged-mt": "machine", "leveraged-tm": "memory"}.get(qualifier or "", "")
        units.append(Unit(segment=seg_id, source=seg.normalize(_xml_text(source_el, at)), text=text,
                          status=status, old_source=old_source if status == "stale" else None,
                          origin=origin, confirmed=confirmed, approved=approved))
    return ExchangeFile("xliff", release, lang, source_lang, tuple(units))


# ---------------------------------------------------------------- import
@dataclass(frozen=True)
class ImportResult:
    release: str
    language: str
    format: str
    applied: list[str] = field(default_factory=list)
    approved: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # not confirmed in the file, or empty
    refused: list[tuple[str, str]] = field(default_factory=list)  # source changed since the export

    def public(self) -> dict[str, Any]:
        return {
            "release": self.release, "language": self.language, "format": self.format,
            "applied": self.applied, "approved": self.approved, "unchanged": self.unchanged,
            "skipped": [{"segment": s, "reason": r} for s, r in self.skipped],
            "refused": [{"segment": s, "reason": r} for s, r in self.refused],
        }

    def problem(self) -> PubflowError | None:
        """The error to report after applying, when some units were refused."""
        if not self.refused:
            return None
        return Conflict(
            _("{n} unit(s) not applied because the source changed since the export: {ids}").format(
                n=len(self.refused), ids=", ".join(s for s, _r in self.refused)),
            _("export them again with `pubflow export {id} --lang {lang}`").format(id=self.release, lang=self.language))


def check_file_target(doc: Document, parsed: ExchangeFile, where: str, release_id: str | None,
                      lang: str | None) -> None:
    """Refuse a file for another release or language, or naming unknown segments."""
    if release_id is not None and parsed.release != release_id:
        raise Refused(_("{where} is for release {other}, not {id}").format(
            where=where, other=parsed.release, id=release_id), _("import it into its own release"))
    if lang is not None and parsed.language != lang:
        raise Refused(_("{where} is for language {other}, not {lang}").format(
            where=where, other=parsed.language, lang=lang), _("pass the language the file was exported for"))
    rel = doc.release
    if parsed.language not in rel.targets:
        raise Refused(_("{where} is for language {lang}, which is not a target of {id}").format(
            where=where, lang=parsed.language, id=rel.id),
            _("its target languages: {codes}").format(codes=", ".join(rel.targets) or "-"))
    if parsed.source_language and parsed.source_language != rel.source_language:
        raise Refused(_("{where} translates from {src}, but {id} is written in {have}").format(
            where=where, src=parsed.source_language, id=rel.id, have=rel.source_language))
    known = {s.id for s in doc.source}
    unknown = [u.segment for u in parsed.units if u.segment not in known]
    if unknown:
        raise InvalidData(_("{where}: {id} has no segment(s) {ids}; nothing was imported").format(
            where=where, id=rel.id, ids=", ".join(unknown[:8])), _("export the file again"))


def apply_units(doc: Document, config: Config, parsed: ExchangeFile, actor: Person, where: str = "file",
                now: dt.datetime | None = None) -> tuple[Document, ImportResult]:
    """Pure: apply the confirmed units of a parsed file to `doc`."""
    now = now or utc_now()
    lang = parsed.language
    check_file_target(doc, parsed, where, None, None)
    require_open(config, doc)
    is_translator = actor.has_role(f"translator:{lang}")
    is_reviewer = actor.has_role(f"reviewer:{lang}")
    if not (is_translator or is_reviewer):
        raise Refused(_("{actor} may not import {lang} translations: it needs the role translator:{lang}").format(
            actor=actor.name, lang=lang), _("ask someone with that role, or add the role in pubflow.yaml"))
    own_ok = self_review_allowed(config)
    targets = doc.target(lang)
    result = ImportResult(doc.release.id, lang, parsed.format)
    needs_translator: list[str] = []
    for unit in parsed.units:
        source = doc.source_text(unit.segment)
        if seg.normalize(unit.source) != source:
            result.refused.append((unit.segment, _("the source changed since the export")))
            continue
        if not unit.text:
            result.skipped.append((unit.segment, _("no translation")))
            continue
        if not unit.confirmed:
            result.skipped.append((unit.segment, _("still marked as needing translation or review")))
            continue
        current = targets[unit.segment]
        status = current.effective_status(source)
        same = current.text == unit.text and status in ("translated", "approved")
        if same:
            if unit.approved and status == "translated" and is_reviewer and (own_ok or current.by != actor.name):
                doc = with_target(doc, lang, replace(current, status="approved", reviewed_by=actor.name,
                                                     reviewed_at=format_time(now)))
                result.approved.append(unit.segment)
            else:
                result.unchanged.append(unit.segment)
            continue
        if not is_translator:
            needs_translator.append(unit.segment)
            continue
        origin = current.origin if (current.text == unit.text and status == "machine" and current.origin) else HUMAN
        doc = with_target(doc, lang, translated_segment(unit.segment, unit.text, source, actor, origin, now))
        result.applied.append(unit.segment)
    if needs_translator:
        raise Refused(
            _("{actor} may not change {lang} translations ({ids}): it needs the role translator:{lang}").format(
                actor=actor.name, lang=lang, ids=", ".join(needs_translator[:8])),
            _("nothing was imported"))
    return doc, result


def read_exchange_file(path: Path) -> tuple[bytes, str]:
    where = path.name
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise InvalidData(_("{where}: larger than {mb} MB").format(where=where, mb=MAX_BYTES // 2**20))
        return path.read_bytes(), where
    except FileNotFoundError:
        raise NotFound(_("no file {path}").format(path=path), _("check the path")) from None
    except IsADirectoryError:
        raise UsageError(_("{path} is a folder, not a file").format(path=path)) from None
    except OSError as exc:
        raise InvalidData(_("cannot read {path}: {error}").format(path=path, error=exc.strerror)) from None


def import_file(nr: Newsroom, path: Path, actor: Person, release_id: str | None = None, lang: str | None = None,
                now: dt.datetime | None = None) -> ImportResult:
    """`pubflow import`: validate the whole file, then apply it in one update."""
    data, where = read_exchange_file(path)
    parsed = parse_exchange(data, where)
    if release_id is not None:
        check_release_id(release_id)
    if lang is not None:
        nr.config.language(lang)
    if release_id is not None and parsed.release != release_id:
        raise Refused(_("{where} is for release {other}, not {id}").format(
            where=where, other=parsed.release, id=release_id), _("import it into its own release"))
    try:
        check_release_id(parsed.release)
    except UsageError:
        raise InvalidData(_("{where}: {id!r} is not a release id").format(where=where, id=parsed.release)) from None
    if not nr.exists(parsed.release):
        raise NotFound(_("{where} is for release {id}, which this newsroom does not have").format(
            where=where, id=parsed.release), _("see `pubflow list` for the ids"))
    check_file_target(nr.load(parsed.release), parsed, where, release_id, lang)

    def change(doc: Document) -> tuple[Document, ImportResult]:
        return apply_units(doc, nr.config, parsed, actor, where, now)

    return nr.update(parsed.release, change)
