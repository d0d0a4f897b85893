"""Exchange files as bytes: pick the format, export, read back (pure; no file is touched here)."""

from __future__ import annotations

from workflow.core.model import Document
from workflow.errors import InvalidData, Refused, UsageError
from workflow.i18n import _
from workflow.translation.exchange.po import export_po, parse_po
from workflow.translation.exchange.units import FORMATS, MAX_BYTES, ExchangeFile, units_of
from workflow.translation.exchange.xliff import export_xliff, parse_xliff
from workflow.translation.operations import require_target


def export_bytes(doc: Document, lang: str, fmt: str, include_all: bool = False) -> tuple[bytes, int]:
    """The exchange file for `lang` as bytes, and how many units it holds."""
    require_target(doc, lang)
    if fmt not in FORMATS:
        raise UsageError(_("unknown format {fmt!r}").format(fmt=fmt), _("use po or xliff"))
    units = units_of(doc, lang, include_all)
    if not units:
        raise Refused(_("nothing to translate in {id} ({lang}): every segment is translated").format(
            id=doc.release.id, lang=lang), _("pass --all to export every segment"))
    if fmt == "po":
        return export_po(doc, lang, units), len(units)
    return export_xliff(doc, lang, units), len(units)


def detect_format(data: bytes) -> str:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    return "xliff" if head.startswith(b"<") else "po"


def parse_exchange(data: bytes, where: str) -> ExchangeFile:
    """Read a PO or XLIFF exchange file; InvalidData for anything malformed."""
    if len(data) > MAX_BYTES:
        raise InvalidData(_("{where}: larger than {mb} MB").format(where=where, mb=MAX_BYTES // 2**20))
    parsed = parse_xliff(data, where) if detect_format(data) == "xliff" else parse_po(data, where)
    seen: set[str] = set()
    for unit in parsed.units:
        if unit.segment in seen:
            raise InvalidData(_("{where}: segment {segment} appears twice").format(where=where, segment=unit.segment))
        seen.add(unit.segment)
        if not unit.source.strip():
            raise InvalidData(_("{where}: segment {segment} has no source text").format(
                where=where, segment=unit.segment))
    return parsed
