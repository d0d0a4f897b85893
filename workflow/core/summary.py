"""The summary of one release that `list`, the index and `build` share (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workflow.core import segments as seg
from workflow.core.model import Document


@dataclass(frozen=True)
class ReleaseSummary:
    id: str
    title: str
    state: str
    source_language: str
    languages: list[str]
    date: str
    category: str
    progress: dict[str, dict[str, int]]
    published_languages: list[str] = field(default_factory=list)
    embargo: str | None = None
    revision: int = 0

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id, "title": self.title, "state": self.state,
            "source_language": self.source_language, "languages": self.languages,
            "date": self.date, "category": self.category, "progress": self.progress,
            "published_languages": self.published_languages, "embargo": self.embargo,
            "revision": self.revision,
        }


def summarize(doc: Document) -> ReleaseSummary:
    """Metadata and per-language segment counts by effective status."""
    rel = doc.release
    progress: dict[str, dict[str, int]] = {}
    for code in rel.targets:
        statuses = doc.statuses(code)
        counts = {status: 0 for status in seg.STATUSES}
        for status in statuses.values():
            counts[status] += 1
        counts["total"] = len(statuses)
        progress[code] = counts
    return ReleaseSummary(
        id=rel.id, title=doc.title, state=rel.state, source_language=rel.source_language,
        languages=list(rel.languages), date=rel.date, category=rel.category, progress=progress,
        published_languages=list(rel.published_languages), embargo=rel.embargo, revision=rel.revision,
    )


def progress_text(progress: Mapping[str, Mapping[str, int]], published: Sequence[str]) -> str:
    """`ar 5/8` per target language, `✓` when that language is published (no words: any interface language).

    A published language that is not translated (the source, out first under `publish_policy:
    source_first`) shows as `en ✓`.
    """
    parts = [f"{code} ✓" for code in published if code not in progress]
    for code, counts in progress.items():
        done = counts["translated"] + counts["approved"]
        mark = "✓" if code in published else ""
        parts.append(f"{code} {done}/{counts['total']}{mark}")
    return " ".join(parts)
