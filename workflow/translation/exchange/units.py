"""The units of an exchange file: one segment as it travels to a CAT tool and back (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from workflow.core import segments as seg
from workflow.core.model import Document
from workflow.i18n import _
from workflow.storage import limits
from workflow.translation.operations import NEEDS_TRANSLATION

FORMATS = ("po", "xliff")
MAX_BYTES = limits.EXCHANGE_BYTES


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


def position(doc: Document, seg_id: str) -> str:
    """Where a segment sits, for the translator's note: "paragraph 2 of 5", "title"."""
    ids = [s.id for s in doc.source]
    body = [i for i in ids if i.startswith("p")]
    if seg_id in body:
        return _("paragraph {n} of {total}").format(n=body.index(seg_id) + 1, total=len(body))
    if seg_id == seg.TITLE:
        return _("title")
    return _("source line")


def status_of(text: str, confirmed: bool, approved: bool, stale: bool) -> str:
    """Our segment status for a unit read from a file."""
    if not text:
        return "untranslated"
    if not confirmed:
        return "stale" if stale else "machine"
    return "approved" if approved else "translated"
