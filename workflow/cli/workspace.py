"""`pubflow workspace`: the browser desk for translators and reviewers (workflow.workspace)."""

from __future__ import annotations

from typing import Annotated

import typer

from workflow.cli.common import Area, AsOpt, actor, current_run, echo, newsroom
from workflow.errors import UsageError
from workflow.i18n import N_, _, current_language

app = Area()


@app.command("workspace")
def workspace_cmd(
    port: Annotated[int, typer.Option("--port", help=N_("Port on 127.0.0.1 (0: any free port)."))] = 8040,
    as_name: AsOpt = None,
    open_browser: Annotated[bool, typer.Option("--open", help=N_("Open the workspace in the web browser."))] = False,
) -> None:
    """Translate and review in the browser: a local web app on 127.0.0.1 until Ctrl-C."""
    from workflow.workspace import server

    nr = newsroom()
    person = actor(nr, as_name)  # who works here, checked now: an unknown name is refused before serving
    if not 0 <= port <= 65535:
        raise UsageError(_("--port must be between 0 and 65535"))
    try:
        sock = server.bind(port)
    except OSError as exc:
        raise UsageError(_("cannot listen on 127.0.0.1:{port}: {error}").format(port=port, error=exc.strerror),
                         _("pass another --port, or --port 0 for any free one")) from None

    def ready(url: str) -> None:
        echo(url)
        echo(_("Workspace of {name} on {url} — press Ctrl-C to stop.").format(name=person.name, url=url),
                   err=True)
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    server.serve(sock, current_run().root, person.email, current_language(), ready)
    echo(_("stopped"), err=True)
