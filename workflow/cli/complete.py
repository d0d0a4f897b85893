"""Shell completion of values (typer's `autocompletion=`): release ids, languages, states, transitions, people.

Completion runs on every Tab, so it must be fast and must never fail:

* release ids come from the index as it is (`.pubflow/index.sqlite`, opened
  read-only, never refreshed: a fresh clone would parse every release), or,
  without an index, from the names of the folders in `releases/`;
* languages, states, transitions and people come from `pubflow.yaml` read
  with the C loader, without validation;
* any error (no newsroom, a broken file, a locked index) completes nothing.

The newsroom is the one the command line names (`--root`), else
$PUBFLOW_ROOT, else the nearest folder upwards with pubflow.yaml.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import typer

Items = list[tuple[str, str]]  # (value, help shown by zsh and fish)
MAX_ITEMS = 200  # a shell shows no more usefully; the index is asked for no more


def _safe(fn: Callable[[typer.Context, str], Items]) -> Callable[[typer.Context, str], Items]:
    def wrapper(ctx: typer.Context, incomplete: str) -> Items:
        try:
            return fn(ctx, incomplete)
        except Exception:  # noqa: BLE001 - completion never fails: it completes nothing
            return []

    wrapper.__name__ = fn.__name__
    wrapper.__doc__ = fn.__doc__
    return wrapper


def _root(ctx: typer.Context) -> Path | None:
    given = ctx.find_root().params.get("root") or os.environ.get("PUBFLOW_ROOT")
    if given:
        root = Path(given).expanduser()
        return root if (root / "pubflow.yaml").is_file() else None
    here = Path.cwd()
    for folder in (here, *here.parents):
        if (folder / "pubflow.yaml").is_file():
            return folder
    return None


def _config(ctx: typer.Context) -> dict[str, Any]:
    root = _root(ctx)
    if root is None:
        return {}
    import yaml

    from workflow.storage import limits

    # Bounded, regular files only (a FIFO in its place would hang every Tab); errors: no completion.
    raw = limits.read_regular(root / "pubflow.yaml", limits.YAML_BYTES)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(raw.decode("utf-8"), Loader=loader)  # noqa: S506 - a safe loader
    return data if isinstance(data, dict) else {}


def _text(value: Any) -> str:
    """A scalar of pubflow.yaml as text; anything else as nothing.  The file is read here without
    pubflow's checks: str() of a list built from YAML aliases (a "billion laughs" under a label)
    would take forever, on every Tab."""
    return str(value) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


def _texts(values: Any) -> list[str]:
    values = [values] if isinstance(values, str) else values
    return [_text(v) for v in values] if isinstance(values, list) else []


def _shown(text: str) -> str:
    """What the shell prints: one line, control and bidi characters as <U+XXXX> (a label or title
    written by hand can hold an escape sequence; the shell prints descriptions to the terminal)."""
    from workflow.core.textrules import terminal

    return terminal(" ".join(text.split()), one_line=True)


def _matching(values: Iterable[tuple[Any, Any]], incomplete: str) -> Items:
    out = [(_shown(_text(value)), _shown(_text(text))) for value, text in values
           if _text(value) and _text(value).startswith(incomplete)]
    return out[:MAX_ITEMS]


def _release_rows(root: Path, incomplete: str) -> Items:
    """(id, title) of releases whose id starts with `incomplete`, id order, from the index or the folders."""
    import sqlite3

    from workflow.storage import index

    try:
        rows = index.peek(root, "SELECT id, title FROM releases WHERE id >= ? AND id < ? ORDER BY id LIMIT ?",
                          (incomplete, incomplete + "\U0010ffff", MAX_ITEMS))
        if rows:
            return [(_shown(str(r[0])), _shown(str(r[1]))) for r in rows]
    except (sqlite3.Error, OSError):
        pass
    # A folder name is put on the command line as it is: one with a control or bidi character (an
    # escape sequence, a line break that would make two words of it) is no release id; it is left out.
    with os.scandir(root / "releases") as entries:
        names = sorted(e.name for e in entries
                       if e.name.startswith(incomplete) and not e.name.startswith(".") and _shown(e.name) == e.name)
    return [(name, "") for name in names[:MAX_ITEMS]]


@_safe
def release_ids(ctx: typer.Context, incomplete: str) -> Items:
    """Release ids (with their titles) from the index."""
    root = _root(ctx)
    return [] if root is None else _release_rows(root, incomplete)


@_safe
def languages(ctx: typer.Context, incomplete: str) -> Items:
    """The newsroom's languages (with their names)."""
    langs = _config(ctx).get("languages") or {}
    if isinstance(langs, list):
        return _matching(((code, "") for code in langs), incomplete)
    return _matching(((code, (info or {}).get("name", "") if isinstance(info, dict) else "")
                      for code, info in langs.items()), incomplete)


def _workflow(ctx: typer.Context) -> dict[str, Any]:
    flow = _config(ctx).get("workflow")
    if not isinstance(flow, dict):
        from workflow.core.statemachine import DEFAULT_WORKFLOW

        flow = DEFAULT_WORKFLOW
    return flow


@_safe
def states(ctx: typer.Context, incomplete: str) -> Items:
    """The workflow's states (with their labels)."""
    found = _workflow(ctx).get("states") or {}
    return _matching(((name, (info or {}).get("label", "") if isinstance(info, dict) else "")
                      for name, info in found.items()), incomplete)


def _state_of(ctx: typer.Context, release_id: str) -> str | None:
    root = _root(ctx)
    if root is None:
        return None
    import sqlite3

    from workflow.storage import index

    try:
        rows = index.peek(root, "SELECT state FROM releases WHERE id = ?", (release_id,))
    except (sqlite3.Error, OSError):
        return None  # no usable index: every transition
    return str(rows[0][0]) if rows else None


@_safe
def transitions(ctx: typer.Context, incomplete: str) -> Items:
    """The workflow's transitions; those allowed from the release's state when the index knows it."""
    found = _workflow(ctx).get("transitions") or {}
    release_id = ctx.params.get("release_id")
    state = _state_of(ctx, release_id) if isinstance(release_id, str) and release_id else None
    out = []
    for name, info in found.items():
        info = info if isinstance(info, dict) else {}
        sources = _texts(info.get("from") or [])
        if state is not None and state not in sources:
            continue
        out.append((name, f"{', '.join(sources)} → {_text(info.get('to', ''))}"))
    return _matching(out, incomplete)


@_safe
def people(ctx: typer.Context, incomplete: str) -> Items:
    """The newsroom's people: e-mail addresses and names (with their roles)."""
    out: list[tuple[str, str]] = []
    for person in _config(ctx).get("people") or []:
        if not isinstance(person, dict):
            continue
        roles = ", ".join(_texts(person.get("roles") or []))
        for key in ("email", "name"):
            value = person.get(key)
            if isinstance(value, str) and value:
                out.append((value, roles))
    return _matching(out, incomplete)
