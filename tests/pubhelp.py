"""Helpers for the rendering and publishing tests: a release with approved Arabic."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import replace
from pathlib import Path
from typing import Any

from workflow.core.config import find_person
from workflow.core.model import Document, TargetSegment
from workflow.editorial.create import create_release
from workflow.editorial.transitions import apply_transition
from workflow.storage.newsroom import Newsroom

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_EN = Path(__file__).parent / "fixtures" / "coalition-news-2019-07-22.txt"
SAMPLE_AR = ROOT / "samples" / "coalition-news-2019-07-22.ar.txt"
TITLE = "Coalition: Assad regime and Russia's crimes in northwestern Syria are international crimes"
SAMPLE_ID = "2019-07-22-assad-russia-crimes-international"
T0 = dt.datetime(2019, 7, 22, 6, 0, tzinfo=dt.UTC)


def at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def arabic_texts() -> list[str]:
    return [p.strip() for p in SAMPLE_AR.read_text("utf-8").strip().split("\n\n")]


def set_translation(nr: Newsroom, release_id: str, texts: dict[str, str] | list[str], lang: str = "ar",
                    status: str = "approved") -> None:
    """Write target segments as a translator and a reviewer would leave them (approved, bound to the
    current source and text, both recorded in the language file's history), whatever the checks say:
    tests of the publish gate need approved text with a check error."""
    from workflow.core.segments import pair_hash
    from workflow.translation.operations import log_segments

    translator, reviewer = ("Rami Haddad", "Lina Aziz") if lang == "ar" else ("Rami Haddad", "Nour Kassem")

    def change(doc: Document) -> tuple[Document, None]:
        mapping = texts if isinstance(texts, dict) else dict(zip([s.id for s in doc.source], texts, strict=True))
        segs = tuple(TargetSegment(s.id, text=mapping[s.id], status=status, source=s.text, origin="human",
                                   by=translator, at="2019-07-22T07:00:00Z",
                                   reviewed_by=reviewer if status == "approved" else "",
                                   reviewed_at="2019-07-22T07:30:00Z" if status == "approved" else "",
                                   approved=pair_hash(s.text, mapping[s.id]) if status == "approved" else "")
                     for s in doc.source if s.id in mapping)
        doc = replace(doc, targets={**doc.targets, lang: segs})
        ids = [s.id for s in segs]
        doc = log_segments(doc, lang, "translated", translator, ids, T0)
        if status == "approved":
            doc = log_segments(doc, lang, "reviewed", reviewer, ids, T0)
        return doc, None

    nr.update(release_id, change)


def approved_sample(root: Path, *, embargo: str | None = None, text: str | None = None,
                    title: str = TITLE, category: str | None = None, slug: str = "assad-russia-crimes-international",
                    arabic: list[str] | dict[str, str] | None = None) -> str:
    """The sample release, submitted, approved and translated, ready to publish (fixed times)."""
    nr = Newsroom.open(root)
    editor = find_person(nr.config, "hala.darwish@example.org")
    result = create_release(nr, editor, title=title, from_file=None if text else SAMPLE_EN, text=text,
                            slug=slug, embargo=embargo, category=category, date="2019-07-22", now=at(0))
    rid = result.release.id
    apply_transition(nr, rid, "submit", editor, now=at(1))
    apply_transition(nr, rid, "approve", editor, now=at(2))
    set_translation(nr, rid, arabic if arabic is not None else arabic_texts())
    return rid


def one_line(result: Any, code: int) -> str:
    """A refused command's one stderr line, after checking the rules: exit `code`, no traceback,
    exactly one line, starting with `error: `."""
    output = result.stdout + result.stderr
    assert "Traceback" not in output
    assert result.exit_code == code, output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return str(lines[0])


def schema_not_utf8(path: Path, name: bytes) -> None:
    """Damage a SQLite file the way a bad sector or a half-copied file can: one byte of the SQL of
    table `name` in sqlite_master is no longer UTF-8."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    raw = path.read_bytes()
    old = b"CREATE TABLE " + name
    assert raw.count(old) == 1
    path.write_bytes(raw.replace(old, b"CREATE TAB\x82E " + name))


def files_of(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (path relative to it -> bytes): outputs compared byte for byte."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def published(cli: Any, root: Path) -> str:
    """The sample release approved in both languages and published through the CLI; its id."""
    rid = approved_sample(root)
    result = cli("publish", rid)
    assert result.exit_code == 0, result.output
    return rid
