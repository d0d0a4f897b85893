"""`pubflow delete`: remove a draft made by mistake (a wrong file, a wrong language).

Only a release in the workflow's initial state (a draft) can go, and only a
writer or an editor may remove it.  The release folder disappears in one
step under the release's lock (`Newsroom.delete`), and the after-write hooks
hear of it like any write: with `git: {autocommit: true}` the removal is one
commit, authored by the person acting, whose body says why.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflow.core.config import Person
from workflow.core.model import Document
from workflow.core.summary import ReleaseSummary, summarize
from workflow.editorial.actors import may_write
from workflow.errors import Refused, UsageError
from workflow.i18n import _
from workflow.storage.hooks import Action
from workflow.storage.newsroom import Newsroom


@dataclass(frozen=True)
class DeleteResult:
    release: ReleaseSummary  # as it was just before it was removed
    files: int  # files removed

    def public(self) -> dict[str, object]:
        return {**self.release.public(), "deleted": True, "files": self.files}


def deletable(nr: Newsroom, release_id: str, actor: Person) -> ReleaseSummary:
    """The release `delete_release` would remove, or the refusal it would give (nothing is changed)."""
    _require_writer(actor)
    doc = nr.load(release_id)
    _require_draft(nr, doc)
    return summarize(doc)


def delete_release(nr: Newsroom, release_id: str, actor: Person, reason: str | None = None) -> DeleteResult:
    """Remove the draft `release_id`; anything else is refused and left untouched."""
    _require_writer(actor)
    reason = " ".join((reason or "").split())
    if "\x00" in reason:
        raise UsageError(_("the reason contains a NUL character"))
    action = Action("delete", actor=actor.name, summary=reason)
    before, files = nr.delete(release_id, lambda doc: _require_draft(nr, doc), action)
    return DeleteResult(summarize(before), len(files))


def _require_writer(actor: Person) -> None:
    if not may_write(actor):
        raise Refused(_("{actor} may not delete releases: it needs the role writer or editor").format(
            actor=actor.name), _("ask a writer or an editor"))


def _require_draft(nr: Newsroom, doc: Document) -> None:
    initial = nr.config.workflow.initial
    if doc.release.state != initial:
        raise Refused(_("{id} is {state}: only a release in {initial} can be deleted").format(
            id=doc.release.id, state=doc.release.state, initial=initial),
            _("a release past {initial} keeps its record; `pubflow reject` sends one in review back").format(
                initial=initial))
