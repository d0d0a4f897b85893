"""The commands that only read: list, show, history, people, workflow, pending, inbox.

In an area of their own, apart from the commands that write (`editor`, `translate`): a command's
area is built whole when it runs or shows its help, and these run most often (scripts, the
workspace's readers, a shell prompt).  `list`, `pending` and `inbox` read the index first.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Annotated

import typer

from workflow.cli import complete
from workflow.cli.common import (
    Area,
    AsOpt,
    IdArg,
    JsonOpt,
    actor,
    current_run,
    echo,
    newsroom,
    print_json,
    state_label,
    table,
)
from workflow.i18n import N_, _

if TYPE_CHECKING:
    import sqlite3

    from workflow.core.model import Event
    from workflow.core.summary import ReleaseSummary
    from workflow.storage.newsroom import Newsroom

app = Area()


def progress_text(summary: ReleaseSummary) -> str:
    from workflow.cli.tables import progress_text as text

    return text(summary.progress, summary.published_languages)


def echo_event(event: Event) -> None:
    from workflow.core.history import event_note

    if event.source and event.target and event.source != event.target:
        move = f"{event.source} → {event.target}"
    else:
        move = event.target or event.source or ""
    what = event.kind if event.kind in ("schedule", "unschedule") else event.transition or event.kind
    if event.segments:  # a segment event: which segments, not a state
        move = ", ".join(event.segment_ids())
        if len(move) > 26:
            move = move[:24] + " …"
    line = f"{event.at}  {what:<10} {move:<26} {event.actor}"
    if event.language:
        line += f" [{event.language}]"
    if event.check:
        line += f" ({event.check})"
    note = event_note(event)
    if note:
        line += f"  “{note}”"
    echo(line)


@app.command("list")
def list_cmd(
    state: Annotated[str | None, typer.Option("--state", help=N_("Only releases in this state."),
        autocompletion=complete.states)] = None,
    lang: Annotated[str | None, typer.Option(
        "--lang", "-l", help=N_("Only releases with this source language."),
        autocompletion=complete.languages)] = None,
    limit: Annotated[int | None, typer.Option("--limit", min=1, help=N_("Only the first N releases."))] = None,
    wide: Annotated[bool, typer.Option("--wide", "-w", help=N_(
        "Whole ids in a terminal (they are cut to fit its width otherwise; --json and a pipe always have them)."))
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """List releases with their state and translation progress."""
    from workflow.cli import rendered
    from workflow.cli.tables import output_width, release_lines
    from workflow.storage import index
    from workflow.storage.config_file import find_root

    # Index first: the rows as stored, their text (or JSON) as printed last time if nothing changed.
    width = None if as_json else output_width()

    def render() -> tuple[str | bytes, None]:
        text: str | bytes
        if as_json:
            from workflow.cli.queue_view import json_list_bytes

            text = json_list_bytes(index.public_rows(conn, state, lang, limit))  # row by row: less memory
            empty = text == b"[]"
        else:
            found = index.list_rows(conn, state, lang, limit)
            text, empty = (release_lines(found, width, wide) if found else _("No releases.")), not found
        if empty and (state or lang):
            from workflow.editorial.queries import list_releases

            list_releases(newsroom(), state, lang)  # an unknown state or language: says so
        return text, None

    try:
        with index.opened(find_root(current_run().root)) as conn:
            list_key = rendered.key("list", state, lang, limit, width, wide, as_json)
            if as_json:
                rendered.print_cached_json(conn, list_key, render)
            else:
                echo(rendered.cached(conn, list_key, render))
            return
    except index.IndexUnavailable:
        pass  # no usable index here: the operation reads the files
    from workflow.editorial.queries import list_releases

    releases = list_releases(newsroom(), state, lang)[:limit]
    if as_json:
        print_json([r.public() for r in releases])
        return
    if not releases:
        echo(_("No releases."))
        return
    echo(release_lines([[r.id, r.title, r.state, r.source_language, progress_text(r)] for r in releases],
                       wide=wide))


@app.command("show")
def show_cmd(release_id: IdArg, as_json: JsonOpt = False) -> None:
    """Show one release: metadata, segments, allowed transitions."""
    from workflow.core.labels import status_label
    from workflow.editorial.queries import show_release

    nr = newsroom()
    view = show_release(nr, release_id)
    if as_json:
        print_json(view.public())
        return
    s = view.summary
    echo(f"{s.id}  [{state_label(nr, s.state)}]  r{s.revision}")
    title, date, category, source, embargo = _("title"), _("date"), _("category"), _("source"), _("embargo")
    echo(f"{title}: {s.title}")
    echo(f"{date}: {s.date}   {category}: {s.category or '-'}   {source}: {s.source_language}   "
               f"{embargo}: {s.embargo or '-'}")
    progress, out = _("progress"), _("out")
    echo(f"{progress}: {progress_text(s) or '-'}")
    if s.published_languages:
        echo(f"{out}: {', '.join(s.published_languages)}")
    allowed = _("next steps")
    echo(f"{allowed}: {', '.join(view.allowed) or '-'}")
    for row in view.segments:
        echo("")
        echo(f"[{row['id']}] {row['text']}")
        for code, tr in row["translations"].items():
            echo(f"  {code} ({status_label(tr['status'])}): {tr['text'] or '-'}")


@app.command("history")
def history_cmd(release_id: IdArg,
                lang: Annotated[str | None, typer.Option(
                    "--lang", "-l", help=N_("Only the segment events of this language (with the release's)."),
        autocompletion=complete.languages)] = None,
                as_json: JsonOpt = False) -> None:
    """Show every event of a release, its translations' and reviews' too, oldest first."""
    from workflow.editorial.queries import history

    events = history(newsroom(), release_id, lang)
    if as_json:
        print_json([e.public() for e in events])
        return
    for event in events:
        echo_event(event)


@app.command("people")
def people_cmd(as_json: JsonOpt = False) -> None:
    """List the newsroom's people and their roles."""
    people = newsroom().config.people
    if as_json:
        print_json([{"name": p.name, "email": p.email, "roles": list(p.roles)} for p in people])
        return
    table(None, [_("name"), _("e-mail"), _("roles")], [[p.name, p.email, ", ".join(p.roles)] for p in people])


@app.command("workflow")
def workflow_cmd(
    fmt: Annotated[str, typer.Option("--format", "-f", help=N_("table, mermaid or json."))] = "table",
) -> None:
    """Show the workflow's states and transitions (or a Mermaid diagram)."""
    from workflow.editorial.queries import workflow_description, workflow_mermaid
    from workflow.errors import UsageError

    nr = newsroom()
    if fmt == "mermaid":
        echo(workflow_mermaid(nr), nl=False)
        return
    data = workflow_description(nr)
    if fmt == "json":
        print_json(data)
        return
    if fmt != "table":
        raise UsageError(_("unknown format {fmt!r}").format(fmt=fmt), _("use table, mermaid or json"))
    table(_("States"), [_("state"), _("label"), _("flags")],
          [[s["name"], s["label"], " ".join(f for f in ("final", "live") if s[f]) +
            (" initial" if s["name"] == data["initial"] else "")] for s in data["states"]])
    table(_("Transitions"), [_("transition"), _("from"), _("to"), _("roles"), _("comment"), _("requires")],
          [[t["name"], ", ".join(t["from"]), t["to"], ", ".join(t["roles"]), t["comment"],
            ", ".join(t["requires"])] for t in data["transitions"]])


def state_labels(nr: Newsroom) -> dict[str, str]:
    """Each workflow state's label in the interface language."""
    from workflow.cli.common import state_label

    return {name: state_label(nr, name) for name in nr.config.workflow.states}


@app.command("pending")
def pending_cmd(
    release_id: Annotated[str | None, typer.Argument(help=N_("Only this release."), show_default=False)] = None,
    lang: Annotated[str | None, typer.Option("--lang", "-l", help=N_("Only this target language."),
        autocompletion=complete.languages)] = None,
    mine: Annotated[bool, typer.Option("--mine", help=N_("Only what the acting person may do."))] = False,
    as_name: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List segments that need translation or review, by release, oldest first."""
    from workflow.cli import rendered
    from workflow.storage import index
    from workflow.storage.config_file import find_root

    # The newsroom (pubflow.yaml read and checked) only when it is needed: the index checks pubflow.yaml's
    # stamp itself, and the text printed last time needs nothing else (~90 ms of YAML and model).
    nr = functools.cache(newsroom)
    person = actor(nr(), as_name) if mine else None

    def render(conn: sqlite3.Connection | None = None) -> tuple[str, None]:
        from workflow.cli.queue_view import pending_text  # (with the queues: not needed for a kept text)
        from workflow.translation.queues import pending

        room = nr()
        return pending_text(pending(room, lang, person, release_id, conn=conn), as_json, state_labels(room)), None

    try:
        with index.opened(find_root(current_run().root)) as conn:  # index first; the text printed last time
            who = person.email if person else None
            key = rendered.key("pending", release_id, lang, who, as_json)
            text = rendered.cached(conn, key, lambda: render(conn))
    except index.IndexUnavailable:
        text = render()[0]
    echo(text)


@app.command("inbox")
def inbox_cmd(as_name: AsOpt = None, as_json: JsonOpt = False) -> None:
    """What awaits you: segments to translate, segments to approve, releases to move."""
    from workflow.cli import rendered
    from workflow.storage import index

    nr = newsroom()
    person = actor(nr, as_name)

    def render(conn: sqlite3.Connection | None = None) -> tuple[str, float | None]:
        from workflow.cli.queue_view import inbox_text  # (with the queues: not needed for a kept text)
        from workflow.core.model import parse_time, utc_now
        from workflow.translation.queues import inbox

        now = utc_now()
        text = inbox_text(inbox(nr, person, now, conn=conn), as_json, state_labels(nr))
        if conn is None:
            return text, None
        # Which releases may move depends on the clock (embargoes): the text holds until the next one ends.
        later = [t for t in (parse_time(e, "embargo") for e in index.embargoes(conn)) if t > now]
        return text, (min(later).timestamp() if later else None)

    try:
        with index.opened(nr) as conn:  # index first; the text printed last time while nothing changed
            # The checks guard reads glossary.yaml: a change there changes what may move.
            key = rendered.key("inbox", person.email, as_json, rendered.file_part(nr.root / "glossary.yaml"))
            text = rendered.cached(conn, key, lambda: render(conn))
    except index.IndexUnavailable:
        text = render()[0]
    echo(text)
