"""Segments: splitting a body into translatable units, hashing, aligning.

A segment is the title, one paragraph, or the source line.  Its id is
stable: when the source is edited, `align` keeps the id of every paragraph
that is unchanged or merely edited, and gives new paragraphs fresh ids, so
translations follow their paragraph when others are inserted or removed.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

TITLE = "title"
SOURCE_LINE = "source"
STATUSES = ("untranslated", "machine", "stale", "translated", "approved")
DONE = ("translated", "approved")
SOURCE_LINE_RE = re.compile(r"\s*\((?:Source|المصدر)\s*[:：]\s*[^()]+\)\s*$")
SIMILAR_ENOUGH = 0.5


def normalize(text: str) -> str:
    """NFC, unified line ends, trimmed: the form that is stored and hashed."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.strip()


def text_hash(text: str) -> str:
    """Short, stable hash of a segment's source text."""
    return hashlib.sha256(normalize(text).encode("utf-8")).hexdigest()[:16]


def pair_hash(source: str, text: str) -> str:
    """The hashes of a segment's source and of its translation, `source16:text16`: what an
    approval, a waiver and a segment event bind (a changed byte in either shows)."""
    return f"{text_hash(source)}:{text_hash(text)}"


def content_hash(pairs: Sequence[tuple[str, str]]) -> str:
    """Hash of a release's source content (ids and texts, in order)."""
    digest = hashlib.sha256()
    for seg_id, text in pairs:
        digest.update(seg_id.encode("utf-8"))
        digest.update(b"\x1f")
        digest.update(normalize(text).encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()


def split_paragraphs(body: str) -> list[str]:
    """The body's Markdown blocks, one segment each (`workflow.core.blocks`): a paragraph
    (its lines joined), a subhead, a whole list, a whole block quote."""
    from workflow.core.blocks import split_blocks

    return [normalize(block) for block in split_blocks(body)]


def split_source_line(paragraphs: list[str]) -> tuple[list[str], str | None]:
    """Take a trailing "(Source: ...)" off the last paragraph, as its own segment."""
    if not paragraphs:
        return paragraphs, None
    last = paragraphs[-1]
    match = SOURCE_LINE_RE.search(last)
    if not match:
        return paragraphs, None
    rest = last[: match.start()].strip()
    source = match.group(0).strip()
    head = paragraphs[:-1] + ([rest] if rest else [])
    return head, source


@dataclass(frozen=True)
class SourceSegment:
    id: str
    text: str

    @property
    def hash(self) -> str:
        return text_hash(self.text)


def build(title: str, paragraphs: Sequence[str], source_line: str | None) -> list[SourceSegment]:
    """Fresh segments for a new release: title, p1..pN, source."""
    segments = [SourceSegment(TITLE, normalize(title))]
    segments += [SourceSegment(f"p{i}", normalize(p)) for i, p in enumerate(paragraphs, start=1)]
    if source_line:
        segments.append(SourceSegment(SOURCE_LINE, normalize(source_line)))
    return segments


def _next_number(ids: Sequence[str]) -> int:
    numbers = [int(i[1:]) for i in ids if re.fullmatch(r"p\d+", i)]
    return max(numbers, default=0) + 1


def similar(before: str, after: str) -> bool:
    """Whether `after` reads as an edit of `before` (at least half the words in common)."""
    matcher = difflib.SequenceMatcher(a=before.split(), b=after.split(), autojunk=False)
    # The quick upper bounds first: most unrelated paragraphs stop here.
    return (matcher.real_quick_ratio() >= SIMILAR_ENOUGH and matcher.quick_ratio() >= SIMILAR_ENOUGH
            and matcher.ratio() >= SIMILAR_ENOUGH)


def align(old: Sequence[SourceSegment], title: str, paragraphs: Sequence[str],
          source_line: str | None) -> list[SourceSegment]:
    """New segments for edited text, keeping ids of unchanged or edited paragraphs."""
    old_paras = [s for s in old if s.id not in (TITLE, SOURCE_LINE)]
    new_paras = [normalize(p) for p in paragraphs]
    next_no = _next_number([s.id for s in old])
    ids: list[str | None] = [None] * len(new_paras)
    matcher = difflib.SequenceMatcher(a=[s.text for s in old_paras], b=new_paras, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                ids[j1 + k] = old_paras[i1 + k].id
        elif tag == "replace":
            # Pair edited paragraphs in order while they still look alike.
            for k in range(min(i2 - i1, j2 - j1)):
                if similar(old_paras[i1 + k].text, new_paras[j1 + k]):
                    ids[j1 + k] = old_paras[i1 + k].id
    result = [SourceSegment(TITLE, normalize(title))]
    for index, text in enumerate(new_paras):
        seg_id = ids[index]
        if seg_id is None:
            seg_id = f"p{next_no}"
            next_no += 1
        result.append(SourceSegment(seg_id, text))
    if source_line:
        result.append(SourceSegment(SOURCE_LINE, normalize(source_line)))
    return result
