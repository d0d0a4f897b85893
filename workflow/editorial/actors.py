"""Who is acting: --as NAME, else $PUBFLOW_USER, else `git config user.email`."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from workflow.core.config import Config, Person, find_person
from workflow.errors import NotFound, Refused, UsageError
from workflow.i18n import _


def git_user_email(cwd: Path) -> str | None:
    try:
        out = subprocess.run(["git", "config", "user.email"], cwd=cwd, capture_output=True, text=True,
                             timeout=5, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def resolve_actor(config: Config, as_name: str | None) -> Person:
    """The acting person; an unknown name or e-mail is refused (exit 4)."""
    who = (as_name or "").strip() or os.environ.get("PUBFLOW_USER", "").strip() or git_user_email(config.root)
    if not who:
        raise UsageError(_("who is acting? no --as, no PUBFLOW_USER and no git user.email"),
                         _("pass --as NAME or set PUBFLOW_USER"))
    try:
        return find_person(config, who)
    except NotFound as exc:
        raise Refused(exc.message, exc.hint) from None


WRITING_ROLES = ("writer", "editor")  # may create a release and change its source text


def may_write(actor: Person) -> bool:
    return any(role in WRITING_ROLES for role in actor.roles)


def writing_role(actor: Person, live: bool = False) -> str:
    """The role recorded on a change of the source text or metadata: editor on a release that is
    out (only an editor may change one), else the first of editor, writer the actor holds."""
    for role in (("editor",) if live else ("editor", "writer")):
        if role in actor.roles:
            return role
    return main_role(actor)


def main_role(actor: Person) -> str:
    """The role recorded on events that no single role permits (create, edit, comment)."""
    return actor.roles[0] if actor.roles else ""
