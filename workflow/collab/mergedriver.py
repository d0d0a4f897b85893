"""git merge driver for release files: concurrent histories merge, clashing changes do not.

`release.yaml`: the rule is `workflow.core.history.merge_histories` (at most
one side moved the release).  A target language file (`<lang>.yaml`): each
segment merges three-way (both sides changing one segment is a conflict), its
history through `merge_logs` (both sides' segment events, by time).  A source
language file (no statuses, no history): git's own line merge (`git merge-file`).

git runs it as `python -m workflow.collab.mergedriver %O %A %B %P` (base,
ours, theirs, path); it writes the merge into %A and exits 0, or explains
on stderr and exits 1, which git reports as a conflict.  The rule itself is
pure and lives in `workflow.core.history.merge_histories`.

`register` adds the driver to a clone (its local config and
`.git/info/attributes`); `pubflow sync` calls it every time, so a clone
registered with an older command gets the current one on its next sync.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from workflow.core.history import MergeRefused, merge_histories, merge_logs
from workflow.core.model import log_from_dict, release_from_dict
from workflow.errors import PubflowError
from workflow.i18n import _
from workflow.storage import store, yamlio

DRIVER = "pubflow-history"
ATTRIBUTES_LINE = f"releases/*/*.yaml merge={DRIVER}"  # release.yaml and each <lang>.yaml (not snapshots)
MODULE = "workflow.collab.mergedriver"
USAGE = f"usage: python -m {MODULE} BASE OURS THEIRS PATH"


def merge_release_files(base_text: str, ours_text: str, theirs_text: str, where: str) -> str:
    """The merged text of three versions of one release.yaml, or MergeRefused."""
    try:
        sides = [release_from_dict(yamlio.parse(text, f"{where} ({name})"), f"{where} ({name})")
                 for name, text in (("base", base_text), ("ours", ours_text), ("theirs", theirs_text))]
    except PubflowError as exc:
        raise MergeRefused(exc.line()) from None
    merged = merge_histories(*sides)
    return yamlio.format_yaml(merged.to_dict())


def _is_target(data: Any) -> bool:
    return isinstance(data, dict) and ("history" in data or any(
        isinstance(seg, dict) and "status" in seg for seg in data.get("segments") or []))


def merge_language_files(base_text: str, ours_text: str, theirs_text: str, where: str) -> str | None:
    """The merged text of three versions of one target language file, or MergeRefused;
    None for a source language file (no statuses, no history): git merges those by lines."""
    try:
        sides = [yamlio.parse(text, f"{where} ({name})")
                 for name, text in (("base", base_text), ("ours", ours_text), ("theirs", theirs_text))]
        if not any(_is_target(side) for side in sides):
            return None
        logs = [log_from_dict(side, f"{where} ({name})") for side, name in zip(sides, ("base", "ours", "theirs"),
                                                                              strict=True)]
    except PubflowError as exc:
        raise MergeRefused(exc.line()) from None
    base, ours, theirs = (side if isinstance(side, dict) else {} for side in sides)
    for key in ("release", "language"):
        if ours.get(key) != theirs.get(key):
            raise MergeRefused(_("the two sides of {where} belong to different releases or languages").format(
                where=where))
    by_id = [{seg.get("id"): seg for seg in side.get("segments") or [] if isinstance(seg, dict)}
             for side in (base, ours, theirs)]
    b, o, t = by_id
    merged: dict[Any, Any] = {}
    for seg_id in [*o, *(k for k in t if k not in o)]:
        bv, ov, tv = b.get(seg_id), o.get(seg_id), t.get(seg_id)
        if ov == tv or tv == bv:
            value = ov
        elif ov == bv:
            value = tv
        else:
            raise MergeRefused(_("both sides changed segment {segment} of {where}").format(segment=seg_id,
                                                                                        where=where))
        if value is not None:
            merged[seg_id] = value
    history = merge_logs(logs[0], logs[1], logs[2], where)
    data: dict[str, Any] = {"schema": max(int(side.get("schema") or 1) for side in (ours, theirs)),
                            "release": ours.get("release"), "language": ours.get("language"),
                            "segments": list(merged.values())}
    if history:
        data["history"] = [event.to_dict() for event in history]
    return yamlio.format_yaml(data)


def _merge_lines(base: str, ours: str, theirs: str, where: str) -> str:
    """git's own three-way line merge of a file; MergeRefused on conflicting lines."""
    import subprocess

    proc = subprocess.run(["git", "merge-file", "-p", "--quiet", ours, base, theirs], capture_output=True,
                          check=False)
    if proc.returncode != 0:
        raise MergeRefused(_("both sides changed the same lines of {where}").format(where=where))
    return yamlio.decode(proc.stdout, where)


def main(argv: Sequence[str]) -> int:
    """`%O %A %B %P`: writes the merge into %A; 0 merged, 1 conflict, 2 usage."""
    if len(argv) != 4:
        print(USAGE, file=sys.stderr)
        return 2
    base, ours, theirs, where = argv
    try:
        texts = []
        for path in (base, ours, theirs):
            raw = Path(path).read_bytes()
            if not raw.strip():
                raise MergeRefused(_("{where} exists on one side only").format(where=where))
            texts.append(yamlio.decode(raw, where))
        if Path(where).name == "release.yaml":
            merged = merge_release_files(texts[0], texts[1], texts[2], where)
        else:
            merged = merge_language_files(texts[0], texts[1], texts[2], where) or _merge_lines(
                base, ours, theirs, where)
        store.write_text(Path(ours), merged)
    except (MergeRefused, PubflowError, OSError) as exc:
        print(f"pubflow: {where}: {exc}", file=sys.stderr)
        return 1
    return 0


def command() -> str:
    """The driver command git runs, with this Python."""
    return f"{shlex.quote(sys.executable)} -m {MODULE} %O %A %B %P"


def register(root: Path) -> None:
    """Register the history merge driver for this clone (local config + info/attributes)."""
    from workflow.collab.gitcmd import git

    wanted = command()
    current = git(root, "config", "--local", "--get", f"merge.{DRIVER}.driver", check=False).stdout.strip()
    if current != wanted:
        git(root, "config", "--local", f"merge.{DRIVER}.name", "pubflow append-only release history")
        git(root, "config", "--local", f"merge.{DRIVER}.driver", wanted)
    info = Path(git(root, "rev-parse", "--git-path", "info/attributes").stdout.strip())
    if not info.is_absolute():
        info = root / info
    try:
        existing = info.read_text(encoding="utf-8")
    except FileNotFoundError:
        existing = ""
    if ATTRIBUTES_LINE not in existing.splitlines():
        text = existing + ("" if not existing or existing.endswith("\n") else "\n") + ATTRIBUTES_LINE + "\n"
        store.write_text(info, text)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
