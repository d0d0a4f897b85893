"""`pubflow sync`: collaboration through git (see workflow.collab.sync)."""

from __future__ import annotations

from typing import Any

import typer

from workflow.cli.app import STATE, JsonOpt, app, newsroom, print_json
from workflow.i18n import _


@app.command("sync")
def sync_cmd(as_json: JsonOpt = False) -> None:
    """Pull (rebase) from the git remote, re-validate changed releases, push.

    Conflicting moves on one release stop the sync with exit 6: your commits
    are kept on a branch pubflow/conflict-..., the folder matches the remote.
    """
    from workflow.collab.sync import sync

    result = sync(newsroom())
    if as_json:
        print_json(result.public())
        return
    typer.echo(_("Synced with {remote}/{branch}: received {received} commit(s), sent {sent}, "
                 "{checked} release(s) re-validated.").format(
        remote=result.remote, branch=result.branch, received=result.received, sent=result.sent,
        checked=len(result.checked)))


def _print_notices(*_args: Any, **_kwargs: Any) -> None:
    """After a successful command: the one-line notes the hooks sent (e.g. autocommit outside git)."""
    for note in STATE.notices:
        typer.echo(_("note: {text}").format(text=note), err=True)
    STATE.notices.clear()


app.info.result_callback = _print_notices
