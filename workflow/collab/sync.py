"""`pubflow sync`: fetch, rebase onto the remote, re-validate what changed, push.

Every release that changed on either side is re-validated after the rebase
(`pubflow verify`'s checks of each release) before anything is pushed, and
histories are append-only both ways: a commit coming in, or going out, whose
release histories do not carry on its parent's (truncated, rewritten,
reordered: `workflow.collab.gitcheck`) stops the sync before anything moves
(exit 6).  Two incompatible moves on one release (one editor
approved, another rejected) stop the sync: the local commits are kept on a
branch `pubflow/conflict-<time>`, the working tree is reset to the remote's
state (never a merged file with an impossible history) and a `Conflict`
(exit 6) names the release and both events.  Concurrent comments merge
through the history merge driver (`workflow.collab.mergedriver`), which
each sync registers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow.collab import mergedriver
from workflow.collab.gitcmd import git, git_lock, last_line, repo_root
from workflow.core.history import describe
from workflow.core.model import ID_RE, release_from_dict
from workflow.editorial.verify import release_check
from workflow.errors import Conflict, ExternalError, InvalidData, PubflowError, UsageError
from workflow.i18n import _, ngettext
from workflow.redact import redact
from workflow.storage import store, yamlio
from workflow.storage.newsroom import Newsroom

if TYPE_CHECKING:
    from workflow.core.model import Event

CONFLICT_BRANCH = "pubflow/conflict-"


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
    out: set[str] = set()
    for path in paths:
        parts = path.split("/")
        if len(parts) >= 3 and parts[0] == "releases" and ID_RE.match(parts[1]):
            out.add(parts[1])
    return sorted(out)


def _changed(root: Path, old: str, new: str) -> list[str]:
    out = git(root, "diff", "--name-only", "--no-renames", old, new, "--", "releases").stdout
    return [line for line in out.splitlines() if line]


def _touched(root: Path, old: str, new: str, folders: Sequence[str]) -> bool:
    out = git(root, "diff", "--name-only", "--no-renames", old, new, "--", *folders).stdout
    return bool(out.strip())


def _history_at(root: Path, rev: str, release_id: str) -> tuple[Event, ...]:
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
    """First problem of each release that is not what its histories recorded (`pubflow verify`)."""
    problems: dict[str, str] = {}
    for release_id in release_ids:
        if not nr.exists(release_id):
            continue
        found = release_check(nr, release_id)
        if found:
            problems[release_id] = found[0].line().removeprefix(f"{release_id}: ")
    return problems


def sync(nr: Newsroom, now: dt.datetime | None = None,
         check_shared: Callable[[Path], list[str]] | None = None) -> SyncResult:
    """fetch, rebase onto the remote, re-validate what changed, push.

    `check_shared(root)` lists the problems of the newsroom's templates and catalogs (the
    publishing layer's `render.shared_file_problems`); it runs when either side changed them,
    and any problem stops the push like an invalid release does."""
    cfg = nr.config.git
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
                           _("commit them, or turn on git.autocommit, and sync again"))
        mergedriver.register(root)
        received = sent = 0
        checked: list[str] = []
        for _attempt in range(3):
            git(root, "fetch", "--quiet", cfg.remote)
            remote_ref = f"refs/remotes/{cfg.remote}/{branch}"
            theirs = _rev(root, remote_ref)
            head = _rev(root, "HEAD")
            if theirs is None:  # first push of this branch
                sent = _count(root, "HEAD") if head else 0
                if head:
                    _refuse_rewritten(root, "HEAD", _("not pushed"))
                checked = _release_ids(git(root, "ls-files", "--", "releases").stdout.splitlines())
                _refuse_invalid(nr, checked)
                _refuse_shared(root, check_shared)
            else:
                if head is None:
                    raise UsageError(_("this clone has no commits yet"), _("clone the remote instead"))
                base = git(root, "merge-base", "HEAD", theirs, check=False).stdout.strip()
                if not base:
                    raise Conflict(_("this clone and {remote}/{branch} share no history").format(
                        remote=cfg.remote, branch=branch), _("clone the remote again"))
                incoming = _count(root, f"HEAD..{theirs}")
                received += incoming
                # Append-only, both ways: what comes in and what would go out must carry every
                # history on (nothing truncated, rewritten or reordered), checked before anything moves.
                _refuse_rewritten(root, f"{base}..{theirs}", _("not taken in from {remote}/{branch}").format(
                    remote=cfg.remote, branch=branch))
                _refuse_rewritten(root, f"{base}..{head}", _("not pushed"))
                if incoming:
                    proc = git(root, "rebase", "--quiet", theirs, check=False)
                    if proc.returncode != 0:
                        unmerged = git(root, "diff", "--name-only", "--diff-filter=U", check=False).stdout.split()
                        git(root, "rebase", "--abort", check=False)
                        raise _conflict(root, head, theirs, base, unmerged, cfg.remote, branch, now)
                fresh = Newsroom.open(root)
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
                                      _("fix it as `pubflow verify` says, commit, and sync again"))
                if _touched(root, base, head, SHARED_FOLDERS) or _touched(root, base, theirs, SHARED_FOLDERS):
                    _refuse_shared(root, check_shared)
                sent = _count(root, f"{theirs}..HEAD")
                _refuse_rewritten(root, f"{theirs}..HEAD", _("not pushed"))
            if not sent:
                break
            push = git(root, "push", "--quiet", cfg.remote, f"HEAD:refs/heads/{branch}", check=False)
            if push.returncode == 0:
                break
            if "rejected" not in push.stderr and "fetch first" not in push.stderr:
                raise ExternalError(_("git push failed: {error}").format(
                    error=redact(last_line(push.stderr))), _("check the remote and try again"))
        else:
            raise Conflict(_("{remote}/{branch} kept moving while syncing").format(
                remote=cfg.remote, branch=branch), _("run `pubflow sync` again"))
        return SyncResult(cfg.remote, branch, received, sent, checked)


def _refuse_rewritten(root: Path, revisions: str, what: str) -> None:
    """Conflict (exit 6) when a commit of `revisions` truncates, rewrites or reorders a history."""
    from workflow.collab.gitcheck import commit_regressions

    problems = commit_regressions(root, revisions)
    if problems:
        raise Conflict(_("{what}: {problem}").format(what=what, problem=problems[0].line()),
                       _("histories are append-only; revert the commit that changed it and sync again"))


SHARED_FOLDERS = ("templates", "locales")


def _refuse_shared(root: Path, check_shared: Callable[[Path], list[str]] | None) -> None:
    problems = check_shared(root) if check_shared is not None else []
    if problems:
        raise InvalidData(_("not pushed: {problem}").format(problem=problems[0]),
                          _("fix it as `pubflow verify` says, commit, and sync again"))


def _refuse_invalid(nr: Newsroom, release_ids: Sequence[str]) -> None:
    problems = _validate(nr, release_ids)
    if problems:
        first = sorted(problems)[0]
        raise InvalidData(_("not pushed: {id}: {problem}").format(id=first, problem=problems[first]),
                          _("fix it as `pubflow verify` says, commit, and sync again"))


def ngettext_files(n: int) -> str:
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
