"""Plain-text rendering of `pubflow list`: aligned columns, no rich.

Ten thousand rows through rich's Table take seconds; aligned text takes
milliseconds and reads the same in a terminal, a pager or a file.  Widths
are counted in terminal cells (combining marks take none, wide characters
two), so Arabic titles with harakat line up too.  The title column is cut to
fit the terminal (or $COLUMNS), like the rich table it replaces; a pipe or a
file gets whole titles.  Typer-free: the index also uses `progress_text`.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping, Sequence

from workflow import i18n

GAP = "  "
MIN_TITLE = 12
MIN_ID = 22  # the date and the slug's first 10 cells: the id column never gets shorter than this
ROOMY_TITLE = 24  # ids stay whole while titles still get this many cells


def progress_text(progress: Mapping[str, Mapping[str, int]], published: Sequence[str]) -> str:
    """`workflow.core.summary.progress_text` (imported when called: this module loads on the fast path)."""
    from workflow.core.summary import progress_text as text

    return text(progress, published)


_SPECIAL: re.Pattern[str] | None = None


def _special() -> re.Pattern[str]:
    """Characters that are not one cell wide: combining marks (Arabic harakat among
    them) below U+0800, and anything from U+0800 on (wide, format, rarer scripts)."""
    global _SPECIAL
    if _SPECIAL is None:
        import unicodedata

        marks = "".join(chr(c) for c in range(0x300, 0x800) if unicodedata.combining(chr(c)))
        _SPECIAL = re.compile(f"[{re.escape(marks)}\u0800-\U0010ffff]")
    return _SPECIAL


def cell_len(text: str) -> int:
    """Terminal cells `text` takes: combining marks none, wide characters two."""
    if text.isascii() or not _special().search(text):
        return len(text)
    import unicodedata

    width = 0
    for char in text:
        if unicodedata.combining(char) or unicodedata.category(char) == "Cf":
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def cut(text: str, room: int) -> str:
    """`text` cut to `room` cells, with an ellipsis when something was left out."""
    if cell_len(text) <= room:
        return text
    if text.isascii() or not _special().search(text):
        return text[: room - 1].rstrip() + "…"
    out = []
    used = 0
    for char in text:
        step = cell_len(char)
        if used + step > room - 1:
            break
        out.append(char)
        used += step
    return "".join(out).rstrip() + "…"


def output_width() -> int | None:
    """$COLUMNS when set; else the terminal's columns; None (no limit) when not writing to a terminal.

    A pipe or a file gets whole titles: scripts and pagers want the full data.
    """
    value = os.environ.get("COLUMNS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    try:
        if sys.stdout.isatty():
            return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError, AttributeError):
        pass
    return None


def header_words() -> list[str]:
    _ = i18n._
    return [_("id"), _("title"), _("state"), _("source"), _("progress")]


TERMINAL = -1  # release_lines' default width: ask output_width()


def release_lines(rows: Sequence[Sequence[str]], width: int | None = TERMINAL, wide: bool = False) -> str:
    """The `pubflow list` table for rows of (id, title, state, source, progress).

    Ids and titles are cut to fit `width` columns (default: `output_width()`); None keeps them
    whole.  Ids stay whole while titles keep `ROOMY_TITLE` cells; in a narrower terminal the id
    column gets half the room ids and titles share (never less than `MIN_ID`), the title the
    rest; `wide` keeps every id whole (titles are still cut).
    """
    from workflow.core.textrules import terminal

    header = header_words()
    limit = output_width() if width == TERMINAL else width
    # The one terminal sanitiser, cell by cell so columns still line up (a title is one line).
    rows = [[terminal(cell, one_line=True) for cell in row] for row in rows]
    search = _special().search
    known: dict[str, int] = {}

    def cells(value: str) -> int:
        if value.isascii():
            return len(value)
        n = known.get(value)
        if n is None:
            n = known[value] = len(value) if not search(value) else cell_len(value)
        return n

    widths = [cells(h) for h in header]
    for i in (0, 2, 3, 4):
        widths[i] = max([widths[i], *(cells(row[i]) for row in rows)])
    ids = [row[0] for row in rows]
    if limit is not None and not wide:
        shared = limit - (widths[2] + widths[3] + widths[4] + len(GAP) * (len(header) - 1))
        id_room = max(MIN_ID, cells(header[0]), shared // 2)
        if widths[0] > id_room and shared - widths[0] - len(GAP) < ROOMY_TITLE:  # whole ids leave titles too little
            ids = [i if cells(i) <= id_room else cut(i, id_room) for i in ids]
            widths[0] = max([cells(header[0]), *(cells(i) for i in ids)])
    others = sum(widths) - widths[1] + len(GAP) * (len(header) - 1)
    room = None if limit is None else max(MIN_TITLE, limit - others)
    titles = [row[1] if room is None or cells(row[1]) <= room else cut(row[1], room) for row in rows]
    widths[1] = max([cells(header[1]), *(cells(t) for t in titles)])

    def pad(value: str, n: int) -> str:
        return value + " " * (n - cells(value))

    w0, w1, w2, w3 = widths[:4]
    out = [GAP.join([pad(header[0], w0), pad(header[1], w1), pad(header[2], w2), pad(header[3], w3),
                     header[4]]).rstrip(),
           GAP.join("─" * w for w in widths)]
    out.extend(f"{pad(ident, w0)}{GAP}{pad(title, w1)}{GAP}{pad(row[2], w2)}{GAP}{pad(row[3], w3)}{GAP}{row[4]}"
               .rstrip() for row, ident, title in zip(rows, ids, titles, strict=True))
    return "\n".join(out)


def text_table(columns: Sequence[str], rows: Sequence[Sequence[str]], title: str | None = None) -> str:
    """Any small table (people, workflow, checks, catalog stats) as aligned text, like `list`.

    Cells are padded by terminal cells; the last column is never padded or cut, so long
    messages stay whole in a pipe and wrap in a terminal.
    """
    from workflow.core.textrules import terminal

    rows = [[terminal(cell, one_line=True) for cell in row] for row in rows]
    widths = [max([cell_len(c), *(cell_len(row[i]) for row in rows)]) for i, c in enumerate(columns)]

    def line(cells: Sequence[str]) -> str:
        padded = [value + " " * (widths[i] - cell_len(value)) for i, value in enumerate(cells[:-1])]
        return GAP.join([*padded, cells[-1]]).rstrip()

    out = [title] if title else []
    out += [line(columns), GAP.join("─" * w for w in widths)]
    out += [line(row) for row in rows]
    return "\n".join(out)
