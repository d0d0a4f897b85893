"""PO exchange files: export units as a gettext PO file for a CAT tool (Poedit, Lokalize), read one back.

One entry per segment: msgctxt = segment id, msgid = the current source,
msgstr = the translation.  A machine suggestion or a stale translation is
`#, fuzzy` (a stale one keeps its old source as `#| msgid`); an approved
one says so in `#. pubflow: status=approved`.  The PO syntax itself is
`workflow.i18n.pofile`'s; this module words its errors for the translator.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from workflow.core import segments as seg
from workflow.core.model import Document
from workflow.errors import InvalidData
from workflow.i18n import _
from workflow.i18n.pofile import CatalogError, PoEntry, read_po_strict, write_po
from workflow.translation.exchange.units import ExchangeFile, Unit, position, status_of

PO_STATUS_RE = re.compile(r"^pubflow:\s*status=(\w+)(?:\s+origin=(\S+))?\s*$")


def export_po(doc: Document, lang: str, units: Sequence[Unit]) -> bytes:
    """The PO file of `units` (pure)."""
    rel = doc.release
    entries = []
    for unit in units:
        comments = (
            _("release {id}: {title}").format(id=rel.id, title=" ".join(doc.title.split())[:80]),
            f"{unit.segment}: {position(doc, unit.segment)}",
            f"pubflow: status={unit.status}" + (f" origin={unit.origin}" if unit.origin else ""),
        )
        entries.append(PoEntry(context=unit.segment, msgid=unit.source, msgstr=unit.text,
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
    return write_po(entries, metadata)


def parse_po(data: bytes, where: str) -> ExchangeFile:
    """Read a PO exchange file; InvalidData (in the reader's language) for anything malformed."""
    try:
        po_file = read_po_strict(data)
    except CatalogError as exc:
        raise _po_error(exc, where) from None
    metadata = po_file.metadata
    release = metadata.get("X-Pubflow-Release", "").strip()
    lang = metadata.get("Language", "").strip()
    source_lang = metadata.get("X-Pubflow-Source-Language", "").strip()
    if not release or not lang:
        raise InvalidData(_("{where}: the PO header names no release or language").format(where=where),
                          _("export the file with `pubflow export`"))
    units = []
    for entry in po_file.entries:
        if entry.obsolete:
            continue
        if not entry.context:
            raise InvalidData(_("{where}: an entry has no msgctxt (segment id): {text!r}").format(
                where=where, text=entry.msgid[:40]), _("export the file again with `pubflow export`"))
        declared, origin = "", ""
        for line in entry.comments:
            match = PO_STATUS_RE.match(line.strip())
            if match:
                declared, origin = match.group(1), match.group(2) or ""
        text = seg.normalize(entry.msgstr)
        confirmed = bool(text) and not entry.fuzzy
        approved = confirmed and declared == "approved"
        status = status_of(text, confirmed, approved, entry.previous_msgid is not None)
        units.append(Unit(segment=entry.context, source=seg.normalize(entry.msgid), text=text, status=status,
                          old_source=seg.normalize(entry.previous_msgid) if entry.previous_msgid is not None
                          else None, origin=origin, confirmed=confirmed, approved=approved))
    return ExchangeFile("po", release, lang, source_lang, tuple(units))


def _po_error(exc: CatalogError, where: str) -> InvalidData:
    """What a translator reads about a PO file that cannot be imported."""
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
