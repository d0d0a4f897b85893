"""XLIFF 1.2 exchange files: export units for a CAT tool, read them back (DTDs and entities refused).

One `trans-unit` per segment (id = segment id, `xml:space="preserve"`).
Status in `target/@state`: machine = needs-review-translation (with
state-qualifier leveraged-mt or leveraged-tm), stale = needs-translation
with the old source in an `alt-trans` of type previous-version,
translated = translated, approved = signed-off and `approved="yes"`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from workflow.core import segments as seg
from workflow.core.model import Document
from workflow.errors import InvalidData
from workflow.i18n import _
from workflow.translation.exchange.units import ExchangeFile, Unit, position, status_of

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

XLIFF_NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_NS = "http://www.w3.org/XML/1998/namespace"
CONFIRMED_STATES = ("translated", "final", "signed-off")
STATE_OF = {  # our status -> XLIFF target state
    "machine": "needs-review-translation",
    "stale": "needs-translation",
    "translated": "translated",
    "approved": "signed-off",
}


def _q(name: str) -> str:
    return f"{{{XLIFF_NS}}}{name}"


def export_xliff(doc: Document, lang: str, units: Sequence[Unit]) -> bytes:
    """The XLIFF 1.2 file of `units` (pure)."""
    import xml.etree.ElementTree as ET

    from workflow.version import __version__

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
        ET.SubElement(tu, _q("note"), {"from": "pubflow"}).text = position(doc, unit.segment)
        if unit.old_source is not None:
            alt = ET.SubElement(tu, _q("alt-trans"), {"alttranstype": "previous-version"})
            ET.SubElement(alt, _q("source")).text = unit.old_source
            ET.SubElement(alt, _q("target")).text = unit.text
    ET.indent(root, space="  ")
    # indent() must not touch the texts: they live in xml:space="preserve" units
    # and never hold child elements, so only whitespace *between* elements changes.
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"


def _xml_text(element: Element, where: str) -> str:
    """Text of <source>/<target>: plain text, or text split by <mrk> only."""
    for child in element.iter():
        if child is not element and child.tag != _q("mrk"):
            name = child.tag.split("}")[-1] if isinstance(child.tag, str) else "?"
            raise InvalidData(_("{where}: inline element <{name}> is not supported in segment text").format(
                where=where, name=name), _("remove the markup; pubflow segments are plain text"))
    return "".join(element.itertext())


def parse_xliff(data: bytes, where: str) -> ExchangeFile:
    """Read an XLIFF 1.2 exchange file; DTDs and entities refused (defusedxml), InvalidData for the rest."""
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
        status = status_of(text, confirmed, approved, old_source is not None and state == "needs-translation")
        qualifier = target_el.get("state-qualifier") if target_el is not None else None
        origin = {"leveraged-mt": "machine", "leveraged-tm": "memory"}.get(qualifier or "", "")
        units.append(Unit(segment=seg_id, source=seg.normalize(_xml_text(source_el, at)), text=text,
                          status=status, old_source=old_source if status == "stale" else None,
                          origin=origin, confirmed=confirmed, approved=approved))
    return ExchangeFile("xliff", release, lang, source_lang, tuple(units))
