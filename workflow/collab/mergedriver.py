"""git merge driver for `releases/*/release.yaml`: concurrent histories merge, clashing moves do not.

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

from workflow.core.history import MergeRefused, merge_histories
from workflow.core.model import release_from_dict
from workflow.errors import PubflowError
from workflow.i18n import _
from workflow.storage import store, yamlio

DRIVER = "pubflow-history"
ATTRIBUTES_LINE = f"releases/*/release.yaml merge={DRIVER}"
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
        merged = merge_release_files(texts[0], texts[1], texts[2], where)
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
