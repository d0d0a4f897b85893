"""Collaboration through git: one commit per action, `pubflow sync`, a history merge driver.

git is the newsroom's shared database; pubflow only drives the real `git`
program.  With `git: {autocommit: true}` in pubflow.yaml every action that
changes a release (create, transition, comment, edit, translation) becomes
one commit holding exactly the files it wrote, with a structured message and
trailers (Release, Transition, Actor, Language, State).  Operations know
nothing about git: `Newsroom.update`/`create` call `autocommit` after their
lock-protected write, and the message is derived from the events the change
appended (or from an optional `Action` for changes without an event).

`sync` fetches, rebases local commits onto the remote, re-validates every
release that changed (its history replays, its state is legal, approvals
match the text) and pushes.  Two incompatible moves on one release (one
editor approved, another rejected) stop the sync: the local commits are kept
on a branch `pubflow/conflict-<time>`, the working tree is reset to the
remote's state (never a merged file with an impossible history) and a
`Conflict` (exit 6) names the release and both events.

`release.yaml` histories are append-only, so concurrent comments merge: a
merge driver (`python -m workflow.collab.gitsync merge-driver ...`, registered in
`.git/info/attributes` and the repository's config by `setup_merge_driver`)
accepts a merge when both sides only appended to the common history, at most
one side moved the release (anything but comments), and the chains of both
sides are intact; it appends the comment-only side first, re-seals the chain
and refuses everything else, which git reports as a conflict.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow.core.history import MergeRefused, describe, merge_histories
from workflow.errors import Conflict, ExternalError, InvalidData, PubflowError, UsageError
from workflow.i18n import _
from workflow.storage import store

if TYPE_CHECKING:
    from workflow.core.config import Config
    from workflow.core.model import Document, Event, TargetSegment
    from workflow.storage.newsroom import Newsroom

DRIVER = "pubflow-history"
ATTRIBUTES_LINE = f"releases/*/release.yaml merge={DRIVER}"
CONFLICT_BRANCH = "pubflow/conflict-"
GIT_TIMEOUT = 120.0
SETTINGS_FIELDS = {"autocommit", "remote", "branch"}

# One-line notes for the user (e.g. autocommit on outside a git repository);
# the CLI prints them once after the command.  The domain never prints.
NOTICES: list[str] = []


def notice_once(text: str) -> None:
    if text not in NOTICES:
        NOTICES.append(text)


@dataclass(frozen=True)
class Action:
    """What an operation did, for its commit when it appends no event.

    Operations that record events need not pass one: the events say it all.
    """

    verb: str
    actor: str = ""  # "Name <email>" or a name from pubflow.yaml
    language: str | None = None
    summary: str = ""


@dataclass(frozen=True)
class GitSettings:
    autocommit: bool = False
    remote: str = "origin"
    branch: str | None = None


def settings(config: Config) -> GitSettings:
    """The `git:` section of pubflow.yaml, validated."""
    raw = dict(config.git)
    where = "pubflow.yaml: git"
    unknown = sorted(str(k) for k in raw if k not in SETTINGS_FIELDS)
    if unknown:
        raise InvalidData(_("{where}: unknown field {field}").format(where=where, field=unknown[0]),
                          _("known fields: {known}").format(known=", ".join(sorted(SETTINGS_FIELDS))))
    autocommit = raw.get("autocommit", False)
    if not isinstance(autocommit, bool):
        raise InvalidData(_("{where}.autocommit: expected true or false, not {value!r}").format(
            where=where, value=autocommit), _("fix pubflow.yaml"))
    names: dict[str, str | None] = {}
    for key, default in (("remote", "origin"), ("branch", None)):
        value = raw.get(key, default)
        if value is not None and (not isinstance(value, str) or not value.strip() or value.startswith("-")
                                  or any(c.isspace() or c in "~^:?*[\\" for c in value)):
            raise InvalidData(_("{where}.{key}: {value!r} is not a git name").format(
                where=where, key=key, value=value), _("fix pubflow.yaml"))
        names[key] = value
    return GitSettings(autocommit, names["remote"] or "origin", names["branch"])


# ---------------------------------------------------------------- running git
def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANGUAGE": "C"})
    env.update(extra or {})
    return env


def git(root: Path, *args: str, check: bool = True, env: dict[str, str] | None = None,
        timeout: float = GIT_TIMEOUT) -> subprocess.CompletedProcess[str]:
    """Run `git args` in `root`; a failure becomes an ExternalError (exit 7) with git's last line."""
    from workflow.core.redact import redact

    try:
        proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, errors="replace",
                              timeout=timeout, env=_env(env), check=False)
    except FileNotFoundError:
        raise ExternalError(_("git is not installed"), _("install git, or turn off git.autocommit")) from None
    except subprocess.TimeoutExpired:
        raise ExternalError(_("git {command} did not finish in {n} seconds").format(
            command=args[0], n=int(timeout)), _("check the network and the remote, then try again")) from None
    if check and proc.returncode != 0:
        raise ExternalError(_("git {command} failed: {error}").format(
            command=args[0], error=redact(_last_line(proc.stderr or proc.stdout))),
            _("run the git command by hand to see the details"))
    return proc


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


_TOPLEVEL: dict[Path, Path | None] = {}


def repo_root(root: Path) -> Path | None:
    """The top of the git work tree holding `root`, or None outside git."""
    if root not in _TOPLEVEL:
        try:
            proc = git(root, "rev-parse", "--show-toplevel", check=False, timeout=10)
        except ExternalError:
            return None
        _TOPLEVEL[root] = Path(proc.stdout.strip()) if proc.returncode == 0 and proc.stdout.strip() else None
    return _TOPLEVEL[root]


def git_lock(nr: Newsroom) -> Path:
    return nr.config.state_dir / "locks" / "git.lock"


# ---------------------------------------------------------------- autocommit
def autocommit(nr: Newsroom, release_id: str, paths: Sequence[Path], before: Document | None,
               after: Document, action: Action | None = None) -> str | None:
    """Commit exactly `paths` as one commit when git.autocommit is on; returns the commit id."""
    if not paths or not settings(nr.config).autocommit:
        return None
    if repo_root(nr.root) is None:
        notice_once(_("git.autocommit is on but {root} is not a git repository: changes are saved, "
                      "not committed (run `git init` there)").format(root=nr.root))
        return None
    old = before.release.history if before is not None else ()
    new_events = list(after.release.history[len(old):])
    if action is None and not new_events and before is not None:
        action = derive_action(before, after)
    message = commit_message(nr, release_id, new_events, after, paths, action)
    author = _author(nr, new_events, action)
    names = [os.path.relpath(p, nr.root) for p in paths]
    with store.locked(git_lock(nr)):
        extra: dict[str, str] = {}
        if author:
            extra = {"GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1]}
            if not git(nr.root, "config", "user.email", check=False).stdout.strip():
                extra.update({"GIT_COMMITTER_NAME": author[0], "GIT_COMMITTER_EMAIL": author[1]})
        git(nr.root, "add", "--", *names)
        proc = git(nr.root, "commit", "--quiet", "-m", message, "--", *names, env=extra, check=False)
        if proc.returncode != 0:
            if "nothing to commit" in proc.stdout + proc.stderr:
                return None
            from workflow.core.redact import redact

            raise ExternalError(_("saved, but git commit failed: {error}").format(
                error=redact(_last_line(proc.stderr or proc.stdout))),
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
    key = who.strip().casefold()
    for person in nr.config.people:
        if key in (person.name.casefold(), person.email.casefold()):
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
    else:
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


# ---------------------------------------------------------------- merge driver
# The merge itself is pure: `workflow.core.history.merge_histories`.
def merge_release_files(base_text: str, ours_text: str, theirs_text: str, where: str) -> str:
    from workflow.core.model import release_from_dict
    from workflow.storage import yamlio

    try:
        sides = [release_from_dict(yamlio.parse(text, f"{where} ({name})"), f"{where} ({name})")
                 for name, text in (("base", base_text), ("ours", ours_text), ("theirs", theirs_text))]
    except PubflowError as exc:
        raise MergeRefused(exc.line()) from None
    merged = merge_histories(*sides)
    return yamlio.format_yaml(merged.to_dict())


def merge_driver_main(argv: Sequence[str]) -> int:
    """git merge driver: `%O %A %B %P`; writes the merge into %A, exit 0, or 1 = conflict."""
    if len(argv) != 4:
        print("usage: python -m workflow.collab.gitsync merge-driver BASE OURS THEIRS PATH", file=sys.stderr)
        return 2
    base, ours, theirs, where = argv
    try:
        texts = []
        for path in (base, ours, theirs):
            raw = Path(path).read_bytes()
            if not raw.strip():
                raise MergeRefused(_("{where} exists on one side only").format(where=where))
            from workflow.storage import yamlio

            texts.append(yamlio.decode(raw, where))
        merged = merge_release_files(texts[0], texts[1], texts[2], where)
        store.write_text(Path(ours), merged)
    except MergeRefused as exc:
        print(f"pubflow: {where}: {exc}", file=sys.stderr)
        return 1
    except (PubflowError, OSError) as exc:
        print(f"pubflow: {where}: {exc}", file=sys.stderr)
        return 1
    return 0


def setup_merge_driver(root: Path) -> None:
    """Register the history merge driver for this clone (local config + info/attributes)."""
    command = f"{shlex.quote(sys.executable)} -m workflow.collab.gitsync merge-driver %O %A %B %P"
    current = git(root, "config", "--local", "--get", f"merge.{DRIVER}.driver", check=False).stdout.strip()
    if current != command:
        git(root, "config", "--local", f"merge.{DRIVER}.name", "pubflow append-only release history")
        git(root, "config", "--local", f"merge.{DRIVER}.driver", command)
    info = Path(git(root, "rev-parse", "--git-path", "info/attributes").stdout.strip())
    if not info.is_absolute():
        info = root / info
    try:
        existing = info.read_text(encoding="utf-8")
    except FileNotFoundError:
        existing = ""
    if ATTRIBUTES_LINE not in existing.splitlines():
        text = existing + ("" if not existing or existing.endswith("\n") else "\n") + ATTRIBUTES_LINE + "\n"
        store.write_text(info, text)


# ---------------------------------------------------------------- sync
@dataclass(frozen=True)
class SyncResult:
    remote: str
    branch: str
    received: int
    sent: int
    checked: list[str] = field(default_factory=list)

    def public(self) -> dict[str, Any]:
        return {"remote": self.remote, "branch": self.branch, "received": self.received,
                "sent": self.sent, "checked": self.checked}


def _rev(root: Path, ref: str) -> str | None:
    proc = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    return proc.stdout.strip() if proc.returncode == 0 else None


def _count(root: Path, spec: str) -> int:
    return int(git(root, "rev-list", "--count", spec).stdout.strip() or 0)


def _release_ids(paths: Sequence[str]) -> list[str]:
    from workflow.core.model import ID_RE

    out: set[str] = set()
    for path in paths:
        parts = path.split("/")
        if len(parts) >= 3 and parts[0] == "releases" and ID_RE.match(parts[1]):
            out.add(parts[1])
    return sorted(out)


def _changed(root: Path, old: str, new: str) -> list[str]:
    out = git(root, "diff", "--name-only", "--no-renames", old, new, "--", "releases").stdout
    return [line for line in out.splitlines() if line]


def _history_at(root: Path, rev: str, release_id: str) -> tuple[Event, ...]:
    from workflow.core.model import release_from_dict
    from workflow.storage import yamlio

    proc = git(root, "show", f"{rev}:releases/{release_id}/release.yaml", check=False)
    if proc.returncode != 0:
        return ()
    try:
        return release_from_dict(yamlio.parse(proc.stdout, release_id), release_id).history
    except PubflowError:
        return ()


def _events_since(root: Path, base: str, rev: str, release_id: str) -> list[Event]:
    old = _history_at(root, base, release_id)
    new = _history_at(root, rev, release_id)
    return list(new[len(old):]) if new[:len(old)] == old else list(new)


def _validate(nr: Newsroom, release_ids: Sequence[str]) -> dict[str, str]:
    """First problem of each release that does not load, replay or match its approval."""
    from workflow.editorial.verify import approval_problems, replay

    problems: dict[str, str] = {}
    for release_id in release_ids:
        if not nr.exists(release_id):
            continue
        try:
            doc = nr.load(release_id)
        except PubflowError as exc:
            problems[release_id] = exc.line()
            continue
        found = replay(nr, doc.release) + approval_problems(nr, doc)
        if found:
            problems[release_id] = found[0]
    return problems


def sync(nr: Newsroom, now: dt.datetime | None = None) -> SyncResult:
    """fetch, rebase onto the remote, re-validate what changed, push."""
    from workflow.storage.newsroom import Newsroom as _Newsroom

    cfg = settings(nr.config)
    top = repo_root(nr.root)
    if top is None:
        raise UsageError(_("{root} is not a git repository").format(root=nr.root),
                         _("clone the newsroom with git, or run `git init` and add a remote"))
    root = nr.root
    with store.locked(git_lock(nr)):
        branch = cfg.branch
        if branch is None:
            proc = git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False)
            branch = proc.stdout.strip()
            if proc.returncode != 0 or not branch:
                raise UsageError(_("HEAD is detached; cannot tell which branch to sync"),
                                 _("check out a branch, or set git.branch in pubflow.yaml"))
        if git(root, "remote", "get-url", cfg.remote, check=False).returncode != 0:
            raise UsageError(_("no git remote {remote!r}").format(remote=cfg.remote),
                             _("add one with `git remote add {remote} URL`, or set git.remote").format(
                                 remote=cfg.remote))
        dirty = [line[3:] for line in git(root, "status", "--porcelain", "--", ".").stdout.splitlines() if line]
        if dirty:
            raise Conflict(ngettext_files(len(dirty)).format(n=len(dirty), first=dirty[0]),
                           _("commit them (or turn on git.autocommit) and sync again"))
        setup_merge_driver(root)
        received = sent = 0
        checked: list[str] = []
        for _attempt in range(3):
            git(root, "fetch", "--quiet", cfg.remote)
            remote_ref = f"refs/remotes/{cfg.remote}/{branch}"
            theirs = _rev(root, remote_ref)
            head = _rev(root, "HEAD")
            if theirs is None:  # first push of this branch
                sent = _count(root, "HEAD") if head else 0
                checked = _release_ids(git(root, "ls-files", "--", "releases").stdout.splitlines())
                _refuse_invalid(nr, checked)
            else:
                if head is None:
                    raise UsageError(_("this clone has no commits yet"), _("clone the remote instead"))
                base = git(root, "merge-base", "HEAD", theirs, check=False).stdout.strip()
                if not base:
                    raise Conflict(_("this clone and {remote}/{branch} share no history").format(
                        remote=cfg.remote, branch=branch), _("clone the remote again"))
                incoming = _count(root, f"HEAD..{theirs}")
                received += incoming
                if incoming:
                    proc = git(root, "rebase", "--quiet", theirs, check=False)
                    if proc.returncode != 0:
                        unmerged = git(root, "diff", "--name-only", "--diff-filter=U", check=False).stdout.split()
                        git(root, "rebase", "--abort", check=False)
                        raise _conflict(root, head, theirs, base, unmerged, cfg.remote, branch, now)
                fresh = _Newsroom.open(root)
                mine = set(_release_ids(_changed(root, base, head)))
                remote_side = set(_release_ids(_changed(root, base, theirs)))
                checked = sorted(mine | remote_side)
                problems = _validate(fresh, checked)
                both = [r for r in problems if r in mine and r in remote_side]
                if both:
                    raise _conflict(root, head, theirs, base, [f"releases/{both[0]}/release.yaml"],
                                    cfg.remote, branch, now, reason=problems[both[0]])
                if problems:
                    first = sorted(problems)[0]
                    raise InvalidData(_("not pushed: {id}: {problem}").format(id=first, problem=problems[first]),
                                      _("fix it (see `pubflow verify`), commit, and sync again"))
                sent = _count(root, f"{theirs}..HEAD")
            if not sent:
                break
            push = git(root, "push", "--quiet", cfg.remote, f"HEAD:refs/heads/{branch}", check=False)
            if push.returncode == 0:
                break
            if "rejected" not in push.stderr and "fetch first" not in push.stderr:
                from workflow.core.redact import redact

                raise ExternalError(_("git push failed: {error}").format(
                    error=redact(_last_line(push.stderr))), _("check the remote and try again"))
        else:
            raise Conflict(_("{remote}/{branch} kept moving while syncing").format(
                remote=cfg.remote, branch=branch), _("run `pubflow sync` again"))
        return SyncResult(cfg.remote, branch, received, sent, checked)


def _refuse_invalid(nr: Newsroom, release_ids: Sequence[str]) -> None:
    problems = _validate(nr, release_ids)
    if problems:
        first = sorted(problems)[0]
        raise InvalidData(_("not pushed: {id}: {problem}").format(id=first, problem=problems[first]),
                          _("fix it (see `pubflow verify`), commit, and sync again"))


def ngettext_files(n: int) -> str:
    from workflow.i18n import ngettext

    return ngettext("uncommitted change in {first}", "{n} uncommitted changes, first {first}", n)


def _conflict(root: Path, head: str, theirs: str, base: str, files: Sequence[str], remote: str, branch: str,
              now: dt.datetime | None, reason: str | None = None) -> Conflict:
    """Keep local work on a branch, reset to the remote, and describe the clash."""
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    name = f"{CONFLICT_BRANCH}{moment.strftime('%Y%m%d-%H%M%S')}-{head[:7]}"
    git(root, "branch", "--force", name, head)
    git(root, "reset", "--quiet", "--hard", theirs)
    ids = _release_ids(list(files))
    where = ids[0] if ids else (files[0] if files else "?")
    if ids:
        mine = _events_since(root, base, head, ids[0])
        other = _events_since(root, base, theirs, ids[0])
        mine_text = "; ".join(describe(e) for e in mine if e.kind != "comment") or \
            "; ".join(describe(e) for e in mine) or _("edits to {files}").format(files=", ".join(files))
        other_text = "; ".join(describe(e) for e in other if e.kind != "comment") or \
            "; ".join(describe(e) for e in other) or _("other edits")
        message = _("conflicting moves on {id}: here {mine}, on {remote}/{branch} {theirs}").format(
            id=where, mine=mine_text, remote=remote, branch=branch, theirs=other_text)
    else:
        message = _("conflicting changes to {file}").format(file=where)
    if reason:
        message += f" ({reason})"
    return Conflict(message, _("your commits are kept on branch {name}; the folder now matches "
                               "{remote}/{branch}: redo what still applies").format(
                                   name=name, remote=remote, branch=branch))


if __name__ == "__main__":  # the merge driver: python -m workflow.collab.gitsync merge-driver %O %A %B %P
    if len(sys.argv) >= 2 and sys.argv[1] == "merge-driver":
        sys.exit(merge_driver_main(sys.argv[2:]))
    print("usage: python -m workflow.collab.gitsync merge-driver BASE OURS THEIRS PATH", file=sys.stderr)
    sys.exit(2)
