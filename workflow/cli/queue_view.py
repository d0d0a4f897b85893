"""Text and JSON output of `pubflow pending` and `pubflow inbox` (`workflow.cli.translate`).

Each function returns the whole output without its final newline, so the
command can keep it (`workflow.cli.rendered`) and print it again unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from workflow.i18n import _

if TYPE_CHECKING:
    from workflow.translation.queues import Inbox, PendingItem


def json_text(data: Any) -> str:
    """What `print_json` prints (without the newline)."""
    from workflow.core.textrules import json_safe

    # JSON escapes C0 controls itself; C1 and bidi controls are escaped too (still the same JSON).
    return json_safe(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False))


def json_list_bytes(items: Iterable[Any]) -> bytes:
    """`json_text` of a list as UTF-8, encoded item by item: the same text, without holding every item and
    the indenting encoder's pieces of all of them at once (~900,000 strings for `list --json` of 10,000),
    nor a str of it (4 bytes a character once one character is beyond U+FFFF, 2 beyond U+00FF)."""
    # Raw newlines in JSON text come only from the indentation (a newline in a string is written \\n).
    parts = [json_text(item).replace("\n", "\n  ").encode("utf-8") for item in items]
    if not parts:
        return b"[]"
    parts[0] = b"[\n  " + parts[0]
    parts[-1] += b"\n]"
    return b",\n  ".join(parts)


def _short(text: str, width: int = 70) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def item_lines(items: Sequence[PendingItem], labels: dict[str, str] | None = None) -> list[str]:
    """Per release: its line, then an aligned table of its segments: language, segment, what to do, the text.

    The text is what the person acts on: the source to translate, or the translation to approve (its
    source on the next line, indented, so a reviewer compares them).  `labels` names the states.
    """
    from workflow.cli.tables import cell_len
    from workflow.translation.queues import group_by_release

    todo = {"untranslated": _("translate"), "machine": _("confirm the suggestion"),
            "stale": _("update: the source changed")}
    header = (_("lang"), _("segment"), _("to do"), _("text"))
    out: list[str] = []
    for release, group in group_by_release(items):
        first = group[0]
        state = (labels or {}).get(first.state, first.state)
        out.append(f"{release}  [{state}]  {_short(first.title, 60)}")
        rows = []
        for item in group:
            review = item.needs == "review"
            need = _("approve") if review else todo.get(item.status, item.status)
            rows.append((item.language, item.segment, need, _short(item.text if review else item.source), review,
                         item.source))
        widths = [max(cell_len(str(row[i])) for row in [header, *rows]) for i in range(3)]

        out.append(_row(header, widths))
        for language, segment, need, text, review, source in rows:
            out.append(_row((language, segment, need, text), widths))
            if review:
                out.append(_row(("", "", "", "← " + _short(source)), widths))
    return out


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    from workflow.cli.tables import cell_len

    padded = [cell + " " * (width - cell_len(cell)) for cell, width in zip(cells[:3], widths, strict=True)]
    return "  " + "  ".join([*padded, cells[3]]).rstrip()


def pending_text(items: Sequence[PendingItem], as_json: bool = False, labels: dict[str, str] | None = None) -> str:
    if as_json:
        return json_text([i.public() for i in items])
    if not items:
        return _("Nothing pending.")
    lines = item_lines(items, labels)
    releases = len({i.release for i in items})
    lines.append(_("{n} segment(s) pending in {r} release(s).").format(n=len(items), r=releases))
    return "\n".join(lines)


def inbox_text(box: Inbox, as_json: bool = False, labels: dict[str, str] | None = None) -> str:
    if as_json:
        return json_text(box.public())
    lines: list[str] = []
    if box.translate:
        lines.append(_("To translate ({n}):").format(n=len(box.translate)))
        lines.extend(item_lines(box.translate, labels))
    if box.review:
        lines.append(_("To approve ({n}):").format(n=len(box.review)))
        lines.extend(item_lines(box.review, labels))
    names = labels or {}
    ready = [a for a in box.actions if a.ready]
    waiting = [a for a in box.actions if not a.ready]
    if ready:
        lines.append(_("Ready for you to move ({n}):").format(n=len(ready)))
        for action in ready:
            lines.append(f"  {action.release}  [{names.get(action.state, action.state)}]  "
                         f"pubflow {action.transition} {action.release}")
    if waiting:
        lines.append(_("Waiting ({n}):").format(n=len(waiting)))
        for action in waiting:
            lines.append(f"  {action.release}  [{names.get(action.state, action.state)}]  {action.transition}: "
                         f"{action.reason}")
    if box.empty and not waiting:
        lines.append(_("Nothing awaits {name}.").format(name=box.person))
    return "\n".join(lines)
