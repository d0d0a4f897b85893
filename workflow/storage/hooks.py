"""After-write hooks: how a newsroom tells the application that a release was saved.

Storage knows nothing about git or any other listener.  Each `Newsroom` has
a registry, `nr.after_write`; after every successful `create` or `update`
that wrote files, and after every `delete`, every registered hook is called
with one `Written` record (the release id, the files written or removed, the
document before and after -- `after` is None when the release was deleted --,
and the optional `Action` the operation passed).  Hooks run in the order they were
added, in the writing process, still under the release's lock, so two
writers of one release reach their hooks in the order of their writes.

The files are already saved when a hook runs: a hook that raises reaches
the caller of `create`/`update` (the remaining hooks are not called), and
its error must say that the change is on disk.

The application decides which hooks a newsroom gets: the CLI and
`workflow.open_newsroom` call `workflow.collab.autocommit.install(nr)`,
which adds the git autocommit hook when `git.autocommit` is on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workflow.core.model import Document


@dataclass(frozen=True)
class Action:
    """What a change did, for the hooks, when it appends no event (e.g. a translation).

    Operations that record events need not pass one: the events say it all.
    """

    verb: str
    actor: str = ""  # "Name <email>" or a name from pubflow.yaml
    language: str | None = None
    summary: str = ""


@dataclass(frozen=True)
class Written:
    """One successful write of a release, as the hooks receive it."""

    release_id: str
    files: tuple[Path, ...]  # absolute paths, in the order they were written (deleted: the files removed)
    before: Document | None  # None: the release was created
    after: Document | None  # None: the release was deleted
    action: Action | None = None

    @property
    def deleted(self) -> bool:
        return self.after is None


AfterWrite = Callable[[Written], None]


class AfterWriteHooks:
    """The hooks of one newsroom, by name: adding a name again replaces its hook."""

    def __init__(self) -> None:
        self._hooks: dict[str, AfterWrite] = {}

    def add(self, name: str, hook: AfterWrite) -> None:
        self._hooks.pop(name, None)
        self._hooks[name] = hook

    def remove(self, name: str) -> None:
        self._hooks.pop(name, None)

    def names(self) -> list[str]:
        return list(self._hooks)

    def __contains__(self, name: object) -> bool:
        return name in self._hooks

    def __call__(self, written: Written) -> None:
        for hook in list(self._hooks.values()):
            hook(written)
