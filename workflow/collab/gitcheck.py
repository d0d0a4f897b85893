"""What git remembers of the histories: every version must carry the one before it on.

A history is append-only.  In the working tree, the events committed at HEAD
must still be there, unchanged and in order, at the start of each history
(`regressions`).  From one commit to the next, every event of the parent's
history must still be there, unchanged and in order (`commit_regressions`;
merged histories may interleave the other side's events by time, see
`core.history.extends`).  A truncated history (the last events deleted, the
state set back by hand) is invisible to the hash chain alone, but not to git.
`verify`, `build` and `publish` check the working tree and the commits not
pushed yet; `sync` checks what it would take in and what it would push.
Only release files that changed are read (one `git cat-file --batch` for all).
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from workflow.core.history import extends
from workflow.core.integrity import Problem
from workflow.core.model import EVENT_KINDS, ID_RE, SEGMENT_EVENT_KINDS, Event, event_from_dict
from workflow.errors import PubflowError
from workflow.i18n import _
from workflow.storage import yamlio

TIMEOUT = 120.0


def _git(root: Path, *args: str, data: bytes | None = None) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return subprocess.run(["git", *args], cwd=root, input=data, capture_output=True, timeout=TIMEOUT,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None


def is_repository(root: Path) -> bool:
    proc = _git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
    return proc is not None and proc.returncode == 0


def changed_release_files(root: Path) -> list[str]:
    """Release history files (release.yaml, <lang>.yaml) that differ from HEAD, relative to `root`."""
    proc = _git(root, "diff", "--name-only", "--relative", "--no-renames", "HEAD", "--", "releases")
    if proc is None or proc.returncode != 0:
        return []
    return [line for line in proc.stdout.decode("utf-8", "replace").splitlines() if _history_file(line)]


def head_texts(root: Path, paths: Sequence[str]) -> dict[str, str]:
    """The text of each path at HEAD (paths missing there are left out)."""
    texts = blobs(root, [("HEAD", path) for path in paths])
    return {path: text for (_rev, path), text in texts.items()}


def _prefix(root: Path) -> str:
    proc = _git(root, "rev-parse", "--show-prefix")
    return proc.stdout.decode().strip() if proc is not None and proc.returncode == 0 else ""


def blobs(root: Path, wanted: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The text of each (revision, path relative to `root`), from one `git cat-file --batch`;
    those missing are left out."""
    if not wanted:
        return {}
    base = _prefix(root)
    request = "".join(f"{rev}:{base}{path}\n" for rev, path in wanted).encode("utf-8")
    proc = _git(root, "cat-file", "--batch", data=request)
    if proc is None or proc.returncode != 0:
        return {}
    out: dict[tuple[str, str], str] = {}
    data = proc.stdout
    position = 0
    for path in wanted:
        end = data.find(b"\n", position)
        if end < 0:
            break
        header = data[position:end].decode("utf-8", "replace").split()
        position = end + 1
        if len(header) != 3 or not header[2].isdigit():
            continue  # "<object> missing"
        size = int(header[2])
        out[path] = data[position:position + size].decode("utf-8", "replace")
        position += size + 1
    return out


def _events(text: str, where: str, language_file: bool) -> tuple[Event, ...]:
    data = yamlio.parse(text, where)
    raw = data.get("history") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        return ()
    kinds = SEGMENT_EVENT_KINDS if language_file else EVENT_KINDS
    return tuple(event_from_dict(e, f"{where}: history[{i}]", kinds) for i, e in enumerate(raw))


def commit_regressions(root: Path, revisions: str) -> list[Problem]:
    """Commits of `revisions` (e.g. `A..B`) whose release histories do not carry on their parents'."""
    proc = _git(root, "log", "--format=@%H %P", "--name-only", "--relative", "--no-renames", revisions,
                "--", "releases")
    if proc is None or proc.returncode != 0:
        return []
    commits: list[tuple[str, list[str], list[str]]] = []
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        if line.startswith("@"):
            commit, *parents = line[1:].split()
            commits.append((commit, parents, []))
        elif line.strip() and commits and _history_file(line.strip()):
            commits[-1][2].append(line.strip())
    wanted = [(rev, path) for commit, parents, paths in commits for path in paths for rev in (commit, *parents)]
    texts = blobs(root, wanted)
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for commit, parents, paths in reversed(commits):  # oldest first: the first commit that broke it
        for path in paths:
            _releases, release_id, name = path.split("/")
            if (release_id, name) in seen:
                continue
            language_file = name != "release.yaml"
            for parent in parents:
                if (parent, path) not in texts:
                    continue  # new in this commit
                try:
                    before = _events(texts[(parent, path)], f"{parent[:8]}:{path}", language_file)
                except PubflowError:
                    continue
                if (commit, path) not in texts:
                    reason = _("the file was deleted")
                else:
                    try:
                        after = _events(texts[(commit, path)], f"{commit[:8]}:{path}", language_file)
                    except PubflowError as exc:
                        reason = exc.line()
                    else:
                        reason = extends(before, after) or ""
                if reason:
                    seen.add((release_id, name))
                    problems.append(Problem(release_id, name, "history", _(
                        "commit {commit} does not carry on the history of its parent commit: {reason}; the history "
                        "is append-only: revert that commit").format(commit=commit[:10], reason=reason)))
                    break
    return problems


def _history_file(path: str) -> bool:
    parts = path.split("/")
    return len(parts) == 3 and parts[0] == "releases" and bool(ID_RE.match(parts[1])) and parts[2].endswith(".yaml")


CHECKED = "git-checked"  # under .pubflow/: the last HEAD whose commits were all found append-only


def _rev(root: Path, ref: str) -> str | None:
    proc = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    return proc.stdout.decode().strip() if proc is not None and proc.returncode == 0 else None


def to_check(root: Path, state_dir: Path | None) -> str:
    """The commits to check: those after the last HEAD found clean (derived data under .pubflow/),
    else those not on the upstream branch yet, else all of HEAD."""
    if state_dir is not None:
        try:
            checked = (state_dir / CHECKED).read_text("ascii").strip()
        except (OSError, UnicodeDecodeError):
            checked = ""
        if checked and _rev(root, checked) and (proc := _git(root, "merge-base", "--is-ancestor", checked, "HEAD")) \
                is not None and proc.returncode == 0:
            return f"{checked}..HEAD"
    return "@{upstream}..HEAD" if _rev(root, "@{upstream}") else "HEAD"


def regressions(root: Path, state_dir: Path | None = None) -> list[Problem]:
    """Histories in the working tree that do not carry on what HEAD committed, and commits not
    checked yet that do not carry on their parents' (exit 5 in verify; build writes nothing for them).
    With `state_dir`, a HEAD found clean is remembered there, so the next check starts after it."""
    if not is_repository(root):
        return []
    problems = commit_regressions(root, to_check(root, state_dir))
    head = _rev(root, "HEAD")
    if not problems and state_dir is not None and head:
        from workflow.storage import store

        try:
            store.atomic_write(state_dir / CHECKED, (head + "\n").encode("ascii"))
        except PubflowError:
            pass  # derived data: the next check starts further back
    paths = changed_release_files(root)
    committed = head_texts(root, paths)
    for path in paths:
        if path not in committed:
            continue
        _releases, release_id, name = path.split("/")
        language_file = name != "release.yaml"
        try:
            before = _events(committed[path], f"HEAD:{path}", language_file)
        except PubflowError:
            continue
        file = root / path
        if not file.is_file():
            if before:
                problems.append(Problem(release_id, name, "", _("is in git HEAD but was deleted; restore it with "
                                                                "`git checkout -- {path}`").format(path=path)))
            continue
        try:
            now = _events(yamlio.decode(file.read_bytes(), path), path, language_file)
        except PubflowError:
            continue  # the file itself is reported by the release checks
        for index, event in enumerate(before):
            if index >= len(now) or now[index] != event:
                problems.append(Problem(release_id, name, f"history[{index}]", _(
                    "event {n} ({kind} at {at}) is in git HEAD but was removed or changed here; the history is "
                    "append-only: restore it with `git checkout -- {path}`").format(
                    n=index + 1, kind=event.transition or event.kind, at=event.at, path=path)))
                break
    return problems
