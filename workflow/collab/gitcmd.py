"""Running the real `git` program: one function, with a timeout, no prompts, C locale.

Every failure becomes an `ExternalError` (exit 7) with git's last line,
secrets redacted.  `repo_root` tells whether a newsroom is inside a git
work tree; `git_lock` is the lock every pubflow process takes around git
commands that change the repository (commits, sync).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from workflow.errors import ExternalError
from workflow.i18n import _
from workflow.redact import redact

if TYPE_CHECKING:
    from workflow.storage.newsroom import Newsroom

GIT_TIMEOUT = 120.0


def _env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "LANGUAGE": "C"})
    env.update(extra or {})
    return env


def git(root: Path, *args: str, check: bool = True, env: dict[str, str] | None = None,
        timeout: float = GIT_TIMEOUT) -> subprocess.CompletedProcess[str]:
    """Run `git args` in `root`; a failure becomes an ExternalError (exit 7) with git's last line."""
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
            command=args[0], error=redact(last_line(proc.stderr or proc.stdout))),
            _("run the git command by hand to see the details"))
    return proc


def last_line(text: str) -> str:
    """The last non-empty line of git's output (where it says what went wrong)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


_TOPLEVEL: dict[Path, Path] = {}


def repo_root(root: Path) -> Path | None:
    """The top of the git work tree holding `root`, or None outside git.

    A work tree found is remembered for the process; "not in git" is asked
    again next time (someone may run `git init` while a long-lived app runs).
    """
    if root in _TOPLEVEL:
        return _TOPLEVEL[root]
    try:
        proc = git(root, "rev-parse", "--show-toplevel", check=False, timeout=10)
    except ExternalError:
        return None
    top = proc.stdout.strip()
    if proc.returncode != 0 or not top:
        return None
    _TOPLEVEL[root] = Path(top)
    return _TOPLEVEL[root]


def git_lock(nr: Newsroom) -> Path:
    return nr.config.state_dir / "locks" / "git.lock"
