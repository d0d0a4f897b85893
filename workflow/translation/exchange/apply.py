"""`pubflow export` and `pubflow import`: exchange files in and out of a newsroom.

Export writes the bytes of `formats.export_bytes` (atomically, when asked
to a file).  Import parses and validates the whole file first: a malformed
file, entity tricks (refused by defusedxml), a file for another release or
language, or unknown segment ids apply NOTHING.  Then, under the release
lock, each confirmed unit (not fuzzy / state translated, final or
signed-off) whose source still matches the release is applied; a unit whose
source changed since the export is refused and listed, never applied.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.core import segments as seg
from workflow.core.config import Config, Person
from workflow.core.model import Document, check_release_id, utc_now
from workflow.errors import Conflict, InvalidData, NotFound, PubflowError, Refused, UsageError
from workflow.i18n import _
from workflow.storage.newsroom import Newsroom
from workflow.translation.exchange.formats import export_bytes, parse_exchange
from workflow.translation.exchange.units import MAX_BYTES, ExchangeFile
from workflow.translation.operations import (
    HUMAN,
    approved_segment,
    log_segments,
    require_open,
    segment_findings,
    self_review_allowed,
    translated_segment,
    with_target,
)


def export_release(nr: Newsroom, release_id: str, lang: str, fmt: str, include_all: bool = False,
                   output: Path | None = None) -> tuple[bytes, int]:
    """`pubflow export`: the bytes (also written atomically to `output` if given)."""
    from workflow.storage import store

    nr.config.language(lang)
    if output is not None:
        store.check_output_path(output)  # not a FIFO, a device, a link or a folder
    data, count = export_bytes(nr.load(release_id), lang, fmt, include_all)
    if output is not None:
        store.atomic_write(output, data)
    return data, count


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
    findings: list[Any] = field(default_factory=list)  # check findings of what was applied or approved

    @property
    def errors(self) -> list[Any]:
        return [f for f in self.findings if f.severity == "error" and not f.waived_by]

    def public(self) -> dict[str, Any]:
        return {
            "release": self.release, "language": self.language, "format": self.format,
            "applied": self.applied, "approved": self.approved, "unchanged": self.unchanged,
            "skipped": [{"segment": s, "reason": r} for s, r in self.skipped],
            "refused": [{"segment": s, "reason": r} for s, r in self.refused],
            "findings": [f.public() for f in self.findings],
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
                errors = [f for f in segment_findings(doc, config, lang, unit.segment)
                          if f.severity == "error" and not f.waived_by]
                if errors:  # a reviewer's sign-off does not pass a check error: `pubflow review --waive`
                    result.skipped.append((unit.segment, _("check {check} found an error; not approved").format(
                        check=errors[0].check)))
                    result.findings.extend(errors)
                    continue
                doc = with_target(doc, lang, approved_segment(current, source, actor, now))
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
    for seg_id in result.applied:
        result.findings.extend(segment_findings(doc, config, lang, seg_id))
    doc = log_segments(doc, lang, "translated", actor, result.applied, now)
    doc = log_segments(doc, lang, "reviewed", actor, result.approved, now)
    return doc, result


def read_exchange_file(path: Path) -> tuple[bytes, str]:
    """The bytes of a PO/XLIFF file: a regular file of at most `limits.EXCHANGE_BYTES` (not a FIFO, not /dev/zero)."""
    from workflow.storage import limits

    return limits.read_input(path, MAX_BYTES), path.name


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
