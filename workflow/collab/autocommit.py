"""git autocommit: every action that changes a release becomes one commit.

With `git: {autocommit: true}` in pubflow.yaml, each create, transition,
comment, edit or translation is committed holding exactly the files it
wrote, with a structured message and trailers git can parse (Release,
Transition, Actor, Language, State), authored by the person acting.

Storage knows nothing about git: this is an after-write hook
(`workflow.storage.hooks`) that the application registers when it opens a
newsroom:

    nr = Newsroom.open(root)
    workflow.collab.autocommit.install(nr, notify=print_note)

`install` validates the `git:` section (so a bad one stops the command
before anything is written) and adds the hook only when autocommit is on.
The message is derived from the events the change appended, or from the
`Action` an operation passed for a change without an event (else from the
translations it changed).  One-line notes for the user (autocommit on
outside a git repository) go to `notify`, each text once per newsroom.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from workflow.errors import ExternalError, NotFound
from workflow.i18n import _
from workflow.storage.hooks import Action, Written

if TYPE_CHECKING:
    from workflow.core.model import Document, Event, TargetSegment
    from workflow.storage.newsroom import Newsroom

HOOK = "git-autocommit"
Notify = Callable[[str], None]


def install(nr: Newsroom, notify: Notify | None = None) -> bool:
    """Validate `git:` and, when `git.autocommit` is on, add the autocommit hook to `nr`.

    Call it once after opening a newsroom (the CLI and `workflow.open_newsroom`
    do); calling it again replaces the hook.  `notify` receives the one-line
    notes meant for the user.  Returns whether the hook is installed.
    """
    if not nr.config.git.autocommit:
        nr.after_write.remove(HOOK)
        return False
    said: set[str] = set()

    def note(text: str) -> None:
        if text not in said:
            said.add(text)
            if notify is not None:
                notify(text)

    def hook(written: Written) -> None:
        commit(nr, written, note)

    nr.after_write.add(HOOK, hook)
    return True


def commit(nr: Newsroom, written: Written, notify: Notify | None = None) -> str | None:
    """Commit exactly the files of `written` as one commit; returns the commit id (None: nothing to commit)."""
    from workflow.collab.gitcmd import git, git_lock, last_line, repo_root
    from workflow.redact import redact
    from workflow.storage import store

    paths = written.files
    if not paths:
        return None
    if repo_root(nr.root) is None:
        if notify is not None:
            notify(_("git.autocommit is on but {root} is not a git repository: changes are saved, "
                     "not committed (run `git init` there)").format(root=nr.root))
        return None
    before, after, action = written.before, written.after, written.action
    names = [os.path.relpath(p, nr.root) for p in paths]
    if after is None:  # deleted: commit the removal of the files git knows
        assert before is not None
        new_events: list[Event] = []
        action = action or Action("delete")
        shown = before
    else:
        old = before.release.history if before is not None else ()
        new_events = list(after.release.history[len(old):])
        if action is None and not new_events and before is not None:
            action = derive_action(before, after)
        shown = after
    message = commit_message(nr, written.release_id, new_events, shown, paths, action)
    author = _author(nr, new_events, action)
    with store.locked(git_lock(nr)):
        extra: dict[str, str] = {}
        if author:
            extra = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1]}
            if not git(nr.root, "config", "user.email", check=False).stdout.strip():
                extra.update({"GIT_COMMITTER_NAME": author[0], "GIT_COMMITTER_EMAIL": author[1]})
        if after is None:
            names = [n for n in git(nr.root, "ls-files", "-z", "--", *names).stdout.split("\0") if n]
            if not names:
                return None  # never committed: nothing for git to record
            git(nr.root, "rm", "--cached", "--quiet", "--ignore-unmatch", "--", *names)
        else:
            git(nr.root, "add", "--", *names)
        proc = git(nr.root, "commit", "--quiet", "-m", message, "--", *names, env=extra, check=False)
        if proc.returncode != 0:
            if "nothing to commit" in proc.stdout + proc.stderr:
                return None
            raise ExternalError(_("saved, but git commit failed: {error}").format(
                error=redact(last_line(proc.stderr or proc.stdout))),
                _("the change is on disk; commit it with git"))
        return git(nr.root, "rev-parse", "HEAD").stdout.strip()


def derive_action(before: Document, after: Document) -> Action | None:
    """Describe a change that appended no event from the translations it changed.

    Target segments carry who translated (`by`) and reviewed them, and their
    status says what happened: machine -> suggest, approved -> review, else translate.
    """
    changed: list[tuple[str, TargetSegment]] = []
    for lang, segments in after.targets.items():
        old = {s.id: s for s in before.targets.get(lang, ())}
        changed += [(lang, s) for s in segments if old.get(s.id) != s]
    if not changed:
        return None
    statuses = {s.status for _lang, s in changed}
    verb = "suggest" if statuses == {"machine"} else "review" if statuses == {"approved"} else "translate"
    people = [(s.reviewed_by if s.status == "approved" and s.reviewed_by else s.by) for _lang, s in changed]
    people = [p for p in people if p]
    actor = max(set(people), key=people.count) if people else ""
    languages = sorted({lang for lang, _s in changed})
    n = len(changed)
    summary = f"{n} segment" + ("" if n == 1 else "s")
    return Action(verb, actor=actor, language=", ".join(languages), summary=summary)


def _person(nr: Newsroom, who: str) -> tuple[str, str] | None:
    """(name, e-mail) for git from a name or e-mail in pubflow.yaml, or from "Name <email>"."""
    from workflow.core.config import find_person

    try:
        person = find_person(nr.config, who)
    except NotFound:
        pass
    else:
        return person.name, person.email or f"{person.name.replace(' ', '.').lower()}@pubflow.invalid"
    if "<" in who and who.rstrip().endswith(">"):
        name, _sep, email = who.rstrip()[:-1].partition("<")
        return name.strip(), email.strip()
    return None


def _author(nr: Newsroom, events: Sequence[Event], action: Action | None) -> tuple[str, str] | None:
    who = action.actor if action is not None and action.actor else (events[-1].actor if events else "")
    return _person(nr, who) if who else None


def commit_message(nr: Newsroom, release_id: str, events: Sequence[Event], doc: Document,
                   paths: Sequence[Path], action: Action | None = None) -> str:
    """Subject, optional body (the comment), and trailers git can parse."""
    rel = doc.release
    transitions = [e for e in events if e.kind == "transition"]
    main = transitions[-1] if transitions else (events[-1] if events else None)
    languages: list[str] = []
    if action is not None and action.language:
        languages = [action.language]
    elif any(e.language for e in events):
        languages = sorted({e.language for e in events if e.language})
    elif any(e.kind in ("create", "edit") for e in events):
        languages = [rel.source_language]
    elif action is None or action.verb != "delete":
        languages = sorted(p.stem for p in paths if p.name != "release.yaml")
    if main is not None and main.kind == "transition":
        subject = f"{main.transition} {release_id}: {main.source} -> {main.target}"
    elif main is not None and main.kind == "comment":
        subject = f"comment on {release_id}"
    elif main is not None:
        subject = f"{main.kind} {release_id}"
        if main.kind == "release" and main.language:
            subject += f" [{main.language}]"
    else:
        verb = action.verb if action is not None else "update"
        subject = f"{verb} {release_id}" + (f" [{', '.join(languages)}]" if languages else "")
    if action is not None and action.summary:
        subject += f" ({action.summary})"
    body = ""
    comment = main.comment if main is not None else None
    if comment:
        body = comment.strip()
    trailers = [("Release", release_id)]
    if transitions:
        trailers.append(("Transition", ", ".join(str(e.transition) for e in transitions)))
    author = _author(nr, events, action)
    if author:
        trailers.append(("Actor", f"{author[0]} <{author[1]}>"))
    if languages:
        trailers.append(("Language", ", ".join(languages)))
    trailers.append(("State", rel.state))
    parts = ["pubflow: " + " ".join(subject.split())]
    if body:
        parts.append(body)
    parts.append("\n".join(f"{k}: {' '.join(v.split())}" for k, v in trailers))
    return "\n\n".join(parts) + "\n"
