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

import contextlib
import os
import sys
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

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


# Per command: options taking a value, flags.  Anything else hands the command line to typer.
COMMANDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "list": (("--state", "--lang", "--limit"), ()),
    "pending": (("--lang", "--as"), ("--mine", "--json")),
    "inbox": (("--as",), ("--json",)),
}


def parse_argv(args: Sequence[str]) -> tuple[str, dict[str, str | None]] | None:
    """(command, options) of a plain fast-path command line, or None when typer should handle it.

    Options are keyed by their name without dashes (`ui-lang`, `as`); a given
    flag has the value "1".
    """
    opts: dict[str, str | None] = {"root": None, "ui-lang": None}
    i = 0
    try:
        while i < len(args) and args[i] not in COMMANDS:
            for name in ("--root", "--ui-lang"):
                taken = _take(args, i, name)
                if taken is not None:
                    opts[name[2:]], i = taken
                    break
            else:
                return None
        if i >= len(args):
            return None
        command = args[i]
        valued, flags = COMMANDS[command]
        opts.update({name[2:]: None for name in (*valued, *flags)})
        i += 1
        while i < len(args):
            if args[i] in flags:
                opts[args[i][2:]] = "1"
                i += 1
                continue
            for name in valued:
                taken = _take(args, i, name)
                if taken is not None:
                    opts[name[2:]], i = taken
                    break
            else:
                return None
    except ValueError:
        return None
    limit = opts.get("limit")
    if limit is not None and not (limit.isdigit() and int(limit) > 0):
        return None
    return command, opts


def parse_list_argv(args: Sequence[str]) -> dict[str, str | None] | None:
    """Options of a plain `list` command line, or None when typer should handle it."""
    parsed = parse_argv(args)
    if parsed is None or parsed[0] != "list":
        return None
    opts = parsed[1]
    return {"root": opts["root"], "ui_lang": opts["ui-lang"], "state": opts["state"], "lang": opts["lang"],
            "limit": opts["limit"]}


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
    root = _usable_root(opts["root"], opts["ui_lang"])
    if root is None:
        return None
    from workflow import i18n
    from workflow.cli import tables as listing
    from workflow.storage import index

    try:
        with _fresh_index(root) as conn:
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
    except Exception:  # anything unusual (index unavailable included): typer's path reports it properly
        return None
    return text


def _usable_root(root_opt: str | None, ui_lang: str | None) -> str | None:
    """The newsroom a fast path can serve (index enabled), with the interface language set."""
    root = _find_root(root_opt)
    if root is None:
        return None
    from workflow import i18n
    from workflow.storage import index

    if not index.enabled():
        return None
    i18n.set_language(ui_lang)
    return root


@contextlib.contextmanager
def _fresh_index(root: str) -> Iterator[sqlite3.Connection]:
    """The newsroom's index, refreshed against the files, closed afterwards."""
    from workflow.storage import index

    conn = index.connect(root)
    try:
        index.refresh(root, conn)
        yield conn
    finally:
        conn.close()


def _acting(as_name: str | None, root: str) -> str | None:
    """Who is acting, as `workflow.actors.resolve_actor` finds it (before looking the name up)."""
    who = (as_name or "").strip() or os.environ.get("PUBFLOW_USER", "").strip()
    if who:
        return who
    from pathlib import Path

    from workflow.editorial.actors import git_user_email

    return git_user_email(Path(root))


def _file_key(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return "-"
    return f"{st.st_ino}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_size}"


def fast_queue(command: str, opts: dict[str, str | None]) -> str | None:
    """The output of a plain `pubflow pending` or `pubflow inbox`, or None to let typer do it.

    Cached per index generation (any release or pubflow.yaml change makes a
    new one); an inbox also per glossary.yaml (the checks guard reads it) and
    only until the next embargo of any release ends (the embargo guard
    depends on the time).
    """
    root = _usable_root(opts["root"], opts["ui-lang"])
    if root is None:
        return None
    from workflow import i18n
    from workflow.storage import index

    who = _acting(opts["as"], root) if command == "inbox" or opts.get("mine") else None
    if not who and (command == "inbox" or opts.get("mine")):
        return None
    try:
        with _fresh_index(root) as conn:
            lang = opts.get("lang")
            if lang is not None and lang not in (index._meta(conn, "languages") or "").split():
                return None
            key = "\x1f".join([command, lang or "", opts.get("mine") or "", opts["json"] or "", who or "",
                                i18n.current_language(), i18n._("Nothing pending."), i18n._("to translate"),
                                _file_key(os.path.join(root, "glossary.yaml")) if command == "inbox" else ""])
            conn.execute("BEGIN")
            made_from = index.generation(conn)
            cached = index.cached_text(conn, key, made_from)
            conn.execute("COMMIT")
            if cached is not None:
                until, _sep, text = cached.partition("\n")
                if not until or time.time() < float(until):
                    return text
            text, valid_until = _queue_output(root, conn, command, opts, who)
            index.cache_text(conn, key, made_from,
                             ("" if valid_until is None else repr(valid_until)) + "\n" + text)
    except Exception:  # anything unusual (index unavailable included): typer's path reports it properly
        return None
    return text


def _queue_output(root: str, conn: sqlite3.Connection, command: str, opts: dict[str, str | None], who: str | None
                  ) -> tuple[str, float | None]:
    """(output, time until which it holds) computed from the refreshed index `conn`."""
    from pathlib import Path

    from workflow.cli import queue_view
    from workflow.core.config import find_person
    from workflow.core.model import parse_time, utc_now
    from workflow.storage import index
    from workflow.storage.newsroom import Newsroom
    from workflow.translation import queues

    nr = Newsroom.open(Path(root))
    person = find_person(nr.config, who) if who is not None else None
    if command == "pending":
        items = queues.pending(nr, opts.get("lang"), person, conn=conn)
        return queue_view.pending_text(items, bool(opts["json"])), None
    assert person is not None
    now = utc_now()
    box = queues.inbox(nr, person, now, conn=conn)
    later = [t for t in (parse_time(e, "embargo") for e in index.embargoes(conn)) if t > now]
    return queue_view.inbox_text(box, bool(opts["json"])), (min(later).timestamp() if later else None)


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
            parsed = parse_argv(args)
            text = None
            if parsed is not None:
                text = fast_list(args) if parsed[0] == "list" else fast_queue(*parsed)
            if text is not None:
                sys.stdout.write(text + "\n")
                sys.stdout.flush()
                return
        from workflow.cli.app import main as cli_main

        cli_main()
    except BrokenPipeError:
        sys.exit(stdout_closed())
