"""Text and JSON output of `pubflow pending` and `pubflow inbox` (`workflow.cli.translate`).

Each function returns the whole output without its final newline, so the
command can keep it (`workflow.cli.rendered`) and print it again unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from workflow.i18n import _

if TYPE_CHECKING:
    from workflow.translation.queues import Inbox, PendingItem


def json_text(data: Any) -> str:
    """What `print_json` prints (without the newline)."""
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)


def _short(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def item_lines(items: Sequence[PendingItem]) -> list[str]:
    from workflow.translation.queues import describe_need, group_by_release

    out: list[str] = []
    for release, group in group_by_release(items):
        first = group[0]
        out.append(f"{release}  [{first.state}]  {_short(first.title, 60)}")
        for item in group:
            out.append(f"  {item.language}  {item.segment:<6} {item.status:<12} {describe_need(item):<13} "
                       f"{_short(item.source)}")
    return out


def pending_text(items: Sequence[PendingItem], as_json: bool = False) -> str:
    if as_json:
        return json_text([i.public() for i in items])
    if not items:
        return _("Nothing pending.")
    lines = item_lines(items)
    releases = len({i.release for i in items})
    lines.append(_("{n} segment(s) pending in {r} release(s).").format(n=len(items), r=releases))
    return "\n".join(lines)


def inbox_text(box: Inbox, as_json: bool = False) -> str:
    if as_json:
        return json_text(box.public())
    lines: list[str] = []
    if box.translate:
        lines.append(_("To translate ({n}):").format(n=len(box.translate)))
        lines.extend(item_lines(box.translate))
    if box.review:
        lines.append(_("To approve ({n}):").format(n=len(box.review)))
        lines.extend(item_lines(box.review))
    ready = [a for a in box.actions if a.ready]
    waiting = [a for a in box.actions if not a.ready]
    if ready:
        lines.append(_("Ready for you to move ({n}):").format(n=len(ready)))
        for action in ready:
            lines.append(f"  {action.release}  [{action.state}]  pubflow {action.transition} {action.release}")
    if waiting:
        lines.append(_("Waiting ({n}):").format(n=len(waiting)))
        for action in waiting:
            lines.append(f"  {action.release}  [{action.state}]  {action.transition}: {action.reason}")
    if box.empty and not waiting:
        lines.append(_("Nothing awaits {name}.").format(name=box.person))
    return "\n".join(lines)
