"""`pubflow new`: create a draft release from a file, from text, or from a title."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path

from workflow.core import segments as seg
from workflow.core.config import Person
from workflow.core.history import seal
from workflow.core.model import Document, Event, Release, check_release_id, format_time, parse_time, utc_now
from workflow.core.summary import ReleaseSummary, summarize
from workflow.editorial.actors import main_role, may_write
from workflow.editorial.sourcetext import parse_source_text, read_source_file
from workflow.errors import InvalidData, Refused, UsageError
from workflow.i18n import _
from workflow.storage.newsroom import Newsroom


@dataclass(frozen=True)
class CreateResult:
    release: ReleaseSummary
    segments: int
    ignored: list[str]


def slugify(title: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(r"[a-z0-9]+", ascii_text)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            break
        slug = candidate
    return slug


def create_release(
    nr: Newsroom,
    actor: Person,
    *,
    title: str | None = None,
    language: str | None = None,
    from_file: Path | None = None,
    text: str | None = None,
    date: str | None = None,
    category: str | None = None,
    slug: str | None = None,
    embargo: str | None = None,
    now: dt.datetime | None = None,
) -> CreateResult:
    """Create a draft from a file, from text, or from a title and body given inline."""
    now = now or utc_now()
    if not may_write(actor):
        raise Refused(_("{actor} may not create releases: it needs the role writer or editor").format(
            actor=actor.name), _("ask a writer or an editor"))
    if from_file is not None:
        imported = read_source_file(from_file)
    elif text is not None:
        imported = parse_source_text(text, "<text>")
    else:
        raise UsageError(_("no body given"), _("pass --from FILE"))
    if title:
        imported.title = seg.normalize(title)
    lang = language or imported.language or nr.config.source_language
    nr.config.language(lang)
    when = date or imported.date or now.date().isoformat()
    try:
        when = dt.date.fromisoformat(str(when)).isoformat()
    except ValueError:
        raise UsageError(_("{date!r} is not a date").format(date=when), _("use YYYY-MM-DD")) from None
    stop = embargo or imported.embargo
    if stop:
        stop = stop.strip()
        try:
            parse_time(stop, "--embargo" if embargo else "embargo")
        except InvalidData as exc:
            if embargo:  # given on the command line: a usage error
                raise UsageError(exc.message, exc.hint) from None
            raise
    # An Arabic title has no Latin letters to slug: a short hash of it keeps ids distinct.
    base = slug or slugify(imported.title) or f"release-{seg.text_hash(imported.title)[:8]}"
    release_id = check_release_id(f"{when}-{base}")
    segments = seg.build(imported.title, imported.paragraphs, imported.source_line)
    languages = (lang, *nr.config.targets_for(lang))
    release = Release(
        id=release_id, date=when, category=seg.normalize(category or imported.category or ""),
        source_language=lang, languages=languages, state=nr.config.workflow.initial,
        revision=1, embargo=stop or None,
    )
    doc = Document(release, tuple(segments), {code: () for code in release.targets})
    event = seal((), Event(at=format_time(now), kind="create", actor=actor.name, role=main_role(actor),
                           target=release.state, content=doc.content_hash()))
    doc = replace(doc, release=replace(release, history=(event,)))
    nr.create(doc)
    return CreateResult(summarize(doc), len(segments), imported.ignored)
