"""What went out is a witness: where each release's history stood when its outputs were written.

`.pubflow/out-heads.json` maps a release id to the last event of its `release.yaml`
history (hash, what it was, when) as of the last time the default output folder was
written for it.  A history may only grow: when the history on disk no longer holds that
event (events deleted or rewritten: a retraction truncated away with `state: published`
set back by hand), `build`, `publish`, `correct`, `retract` and `verify` refuse the
release, so the outputs keep what really went out.  Git sees the same when the event was
committed (`collab.gitcheck`); this needs no repository and no commit.

The file is derived data like the rest of `.pubflow/`: deleting it forgets the witness
(it is never needed to build); a damaged one reads as empty.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from workflow.core.integrity import Problem
from workflow.core.model import Document
from workflow.errors import PubflowError
from workflow.i18n import _
from workflow.storage import limits, store

FILE = "out-heads.json"


@dataclass(frozen=True, slots=True)
class Head:
    hash: str  # the chain hash of the release's last event when its outputs were written
    what: str  # the event's transition, or its kind
    at: str

    @classmethod
    def of(cls, doc: Document) -> Head | None:
        if not doc.release.history:
            return None
        last = doc.release.history[-1]
        return cls(last.hash, last.transition or last.kind, last.at)


def load(state_dir: Path) -> dict[str, Head]:
    try:  # through the input limits: a FIFO or a link to /dev/zero in its place hung verify and build
        data = json.loads(limits.read_regular(state_dir / FILE, limits.CACHE_BYTES).decode("utf-8"))
        return {rid: Head(str(h["hash"]), str(h["what"]), str(h["at"]))
                for rid, h in data["releases"].items() if isinstance(rid, str)}
    except (OSError, PubflowError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return {}


def record(state_dir: Path, heads: Mapping[str, Head]) -> None:
    """Remember the heads of the releases just written (others keep theirs); callers hold the build lock."""
    if not heads:
        return
    known = load(state_dir)
    merged = {**known, **heads}
    if merged == known:
        return
    payload = {"releases": {rid: {"hash": h.hash, "what": h.what, "at": h.at} for rid, h in sorted(merged.items())}}
    store.write_text(state_dir / FILE, json.dumps(payload, ensure_ascii=False, indent=1) + "\n")


def problems(heads: Mapping[str, Head], doc: Document) -> list[Problem]:
    """The release's history no longer holds the event its outputs were written at."""
    head = heads.get(doc.release.id)
    if head is None or any(event.hash == head.hash for event in doc.release.history):
        return []
    return [Problem(doc.release.id, "release.yaml", "history", _(
        "the {what} at {at} is out (in the outputs), but the history no longer holds it: events were "
        "removed or rewritten; restore release.yaml from git or a backup").format(what=head.what, at=head.at))]
