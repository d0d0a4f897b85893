"""`pubflow sync`: collaboration through git (see `workflow.collab.sync`)."""

from __future__ import annotations

from workflow.cli.common import Area, JsonOpt, echo, newsroom, print_json
from workflow.i18n import _

app = Area()


@app.command("sync")
def sync_cmd(as_json: JsonOpt = False) -> None:
    """Pull (rebase) from the git remote, re-validate changed releases, push.

    Conflicting moves on one release stop the sync with exit 6: your commits
    are kept on a branch pubflow/conflict-..., the folder matches the remote.
    """
    from workflow.collab.sync import sync
    from workflow.publishing.render import shared_file_problems

    result = sync(newsroom(), check_shared=shared_file_problems)
    if as_json:
        print_json(result.public())
        return
    echo(_("Synced with {remote}/{branch}: received {received} commit(s), sent {sent}, "
                 "{checked} release(s) re-validated.").format(
        remote=result.remote, branch=result.branch, received=result.received, sent=result.sent,
        checked=len(result.checked)))

