"""A release's history: the hash chain over its events and appending to it.

Every event carries `hash`, a sha256 over the previous event's hash and the
event's own fields, so an edited or deleted past event shows.  Pure: no I/O.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace

from workflow.core.model import Document, Event


def chain_hash(previous: str, event: Event) -> str:
    """sha256 over the previous hash and the event's own fields (without `hash`)."""
    body = event.to_dict()
    body.pop("hash", None)
    payload = previous + "\n" + json.dumps(body, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def seal(history: Sequence[Event], event: Event) -> Event:
    """Give a new event its chain hash."""
    previous = history[-1].hash if history else ""
    return replace(event, hash=chain_hash(previous, event))


def record(doc: Document, event: Event) -> tuple[Document, Event]:
    """Append a sealed event to the history (pure)."""
    sealed = seal(doc.release.history, event)
    return replace(doc, release=replace(doc.release, history=(*doc.release.history, sealed))), sealed
