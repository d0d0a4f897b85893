"""The `pubflow` console script: a fast path for `list`, typer for everything else.

Importing typer (which loads pydantic to convert option values) costs more
than answering `pubflow list` from the index, so the plainest, most frequent
read is served here without typer: `pubflow [--root DIR] [--ui-lang L] list
[--state S] [--lang L] [--limit N]`.  It only handles the happy path: any
other word, `--help`, `--json`, an unknown state or language, a missing
newsroom, a release that no longer parses or an index that cannot be used
hands the whole command line to the typer application, which gives the
canonical output and error message.  Both paths render with
`workflow.listing`, so they print the same bytes (tests compare them).
Set PUBFLOW_NO_FASTPATH=1 to always use typer.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

FAST_ENV = "PUBFLOW_NO_FASTPATH"


def _take(args: Sequence[str], i: int, name: str) -> tuple[str | None, int] | None:
    """Value of option `name` at args[i] (`--x V` or `--x=V`); None if args[i] is not it."""
    arg = args[i]
    if arg == name:
        if i + 1 >= len(args):
            raise ValueError(name)
        return args[i + 1], i + 2
    if arg.startswith(name + "="):
        return arg.split("=", 1)[1], i + 1
    return None


def parse_list_argv(args: Sequence[str]) -> dict[str, str | None] | None:
    """Options of a plain `list` command line, or None when typer should handle it."""
    opts: dict[str, str | None] = {"root": None, "ui_lang": None, "state": None, "lang": None, "limit": None}
    i = 0
    try:
        while i < len(args) and args[i] != "list":
            for name, key in (("--root", "root"), ("--ui-lang", "ui_lang")):
                taken = _take(args, i, name)
                if taken is not None:
                    opts[key], i = taken
                    break
            else:
                return None
        if i >= len(args):
            return None
        i += 1
        while i < len(args):
            for name, key in (("--state", "state"), ("--lang", "lang"), ("--limit", "limit")):
                taken = _take(args, i, name)
                if taken is not None:
                    opts[key], i = taken
                    break
            else:
                return None
    except ValueError:
        return None
    limit = opts["limit"]
    if limit is not None and not (limit.isdigit() and int(limit) > 0):
        return None
    return opts


def _find_root(explicit: str | None) -> str | None:
    given = explicit or os.environ.get("PUBFLOW_ROOT")
    if given:
        root = os.path.realpath(os.path.expanduser(given))
        return root if os.path.isfile(os.path.join(root, "pubflow.yaml")) else None
    here = os.path.realpath(os.getcwd())
    while True:
        if os.path.isfile(os.path.join(here, "pubflow.yaml")):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def fast_list(args: Sequence[str]) -> str | None:
    """The output of a plain `pubflow list`, or None to let typer do it."""
    opts = parse_list_argv(args)
    if opts is None:
        return None
    root = _find_root(opts["root"])
    if root is None:
        return None
    from workflow import i18n, index, listing

    if not index.enabled():
        return None
    i18n.set_language(opts["ui_lang"])
    try:
        conn = index.connect(root)
    except index.IndexUnavailable:
        return None
    try:
        index.refresh(root, conn)
        states = (index._meta(conn, "states") or "").split()
        languages = (index._meta(conn, "languages") or "").split()
        if opts["state"] is not None and opts["state"] not in states:
            return None
        if opts["lang"] is not None and opts["lang"] not in languages:
            return None
        limit = int(opts["limit"]) if opts["limit"] else None
        width = listing.output_width()
        # Same releases, options, width and interface words: the same bytes as last time.
        key = "\x1f".join([opts["state"] or "", opts["lang"] or "", str(limit or ""), str(width),
                            *listing.header_words(), i18n._("No releases.")])
        conn.execute("BEGIN")  # one snapshot: the generation and the rows it names
        made_from = index.generation(conn)
        text = index.cached_text(conn, key, made_from)
        rows = index.list_rows(conn, opts["state"], opts["lang"], limit) if text is None else []
        conn.execute("COMMIT")
        if text is None:
            text = listing.release_lines(rows, width) if rows else i18n._("No releases.")
            index.cache_text(conn, key, made_from, text)
    except Exception:  # anything unusual: typer's path reports it properly
        return None
    finally:
        conn.close()
    return text


PIPE_CLOSED = 141  # what a shell reports for a process ended by SIGPIPE, like `yes | head`


def stdout_closed() -> int:
    """The reader of our output went away (`pubflow list | head`): stop quietly.

    Later writes (and the interpreter's final flush) go to /dev/null, so no
    "Exception ignored" noise either; returns the exit code to end with.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (tests' captured output)
        pass
    return PIPE_CLOSED


def main() -> None:
    args = sys.argv[1:]
    try:
        if not os.environ.get(FAST_ENV):
            text = fast_list(args)
            if text is not None:
                sys.stdout.write(text + "\n")
                sys.stdout.flush()
                return
        from workflow.cli import main as cli_main

        cli_main()
    except BrokenPipeError:
        sys.exit(stdout_closed())
