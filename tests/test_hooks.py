"""After-write hooks: storage tells the application what it wrote; git autocommit is one such hook."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from tests.conftest import EDITOR, WRITER, Cli
from workflow.collab import autocommit
from workflow.core.history import record
from workflow.core.model import Document, Event
from workflow.errors import Conflict, ExternalError, InvalidData
from workflow.storage.hooks import Action, Written
from workflow.storage.newsroom import Newsroom

RID = "2024-03-01-ceasefire-talks"


def _new_release(root: Path) -> None:
    r = Cli(root)("new", "--title", "Ceasefire talks", "--body", "First paragraph.\n\nSecond one.",
                  "--date", "2024-03-01", as_=WRITER)
    assert r.exit_code == 0, r.output


def _comment(text: str) -> object:
    def change(doc: Document) -> tuple[Document, None]:
        event = Event(at="2024-03-01T10:00:00Z", actor="Hala Darwish", role="editor", kind="comment",
                      comment=text)
        return record(doc, event)[0], None
    return change


def test_hooks_get_what_each_write_wrote(newsroom: Path) -> None:
    nr = Newsroom.open(newsroom)
    seen: list[Written] = []
    nr.after_write.add("record", seen.append)
    _new_release(newsroom)  # another Newsroom (the CLI's): this one's hooks are not called
    assert seen == []
    doc = nr.load(RID)
    clone = dataclasses.replace(doc, release=dataclasses.replace(doc.release, id="2024-03-02-other"))
    nr.create(clone, Action("import", actor="Sami Khoury"))
    assert [w.release_id for w in seen] == ["2024-03-02-other"]
    created = seen[0]
    assert created.before is None
    assert created.after == clone
    assert created.action == Action("import", actor="Sami Khoury")
    assert sorted(p.name for p in created.files) == ["ar.yaml", "en.yaml", "release.yaml"]
    assert all(p.is_file() and p.parent == nr.release_dir("2024-03-02-other") for p in created.files)

    nr.update(RID, _comment("looks fine"))
    updated = seen[1]
    assert updated.release_id == RID
    assert [p.name for p in updated.files] == ["release.yaml"]  # only what changed
    assert updated.before == doc
    assert updated.after.release.history[-1].comment == "looks fine"
    assert updated.action is None

    nr.update(RID, lambda d: (d, None))  # nothing changed: nothing written, no hook
    with pytest.raises(Conflict):
        nr.update(RID, _comment("too late"), expected_revision=1)
    assert len(seen) == 2
    nr.after_write.remove("record")
    nr.update(RID, _comment("unheard"))
    assert len(seen) == 2


def test_a_failing_hook_reaches_the_caller_after_the_files_are_saved(newsroom: Path) -> None:
    _new_release(newsroom)
    nr = Newsroom.open(newsroom)
    calls: list[str] = []

    def broken(written: Written) -> None:
        calls.append("broken")
        raise ExternalError("saved, but the listener failed")

    nr.after_write.add("broken", broken)
    nr.after_write.add("second", lambda written: calls.append("second"))
    with pytest.raises(ExternalError):
        nr.update(RID, _comment("kept"))
    assert calls == ["broken"]
    assert Newsroom.open(newsroom).load(RID).release.history[-1].comment == "kept"


def test_adding_a_hook_name_again_replaces_it(newsroom: Path) -> None:
    nr = Newsroom.open(newsroom)
    nr.after_write.add("a", lambda w: None)
    nr.after_write.add("b", lambda w: None)
    nr.after_write.add("a", lambda w: None)
    assert nr.after_write.names() == ["b", "a"]
    assert "a" in nr.after_write


def test_install_only_when_autocommit_is_on(newsroom: Path) -> None:
    nr = Newsroom.open(newsroom)
    assert autocommit.install(nr) is False
    assert autocommit.HOOK not in nr.after_write
    with (newsroom / "pubflow.yaml").open("a", encoding="utf-8") as fh:
        fh.write("git:\n  autocommit: true\n")
    nr = Newsroom.open(newsroom)
    assert Newsroom.open(newsroom).after_write.names() == []  # opening alone registers nothing
    assert autocommit.install(nr) is True
    assert autocommit.install(nr) is True
    assert nr.after_write.names() == [autocommit.HOOK]


@pytest.mark.parametrize(("section", "message"), [
    ("git:\n  autocommit: 'yes'\n", "git.autocommit: expected true or false"),
    ("git:\n  remote: --upload-pack=evil\n", "git.remote: '--upload-pack=evil' is not a git name"),
    ('git:\n  branch: "main\\x01"\n', "git.branch: 'main\\x01' is not a git name"),  # a control character
    ("git:\n  push: always\n", "git: unknown field push"),
])
def test_a_bad_git_section_is_refused_on_load(newsroom: Path, section: str, message: str) -> None:
    with (newsroom / "pubflow.yaml").open("a", encoding="utf-8") as fh:
        fh.write(section)
    with pytest.raises(InvalidData) as info:  # before any hook is installed or git is run
        Newsroom.open(newsroom)
    assert message in info.value.message


def test_outside_git_the_notice_goes_to_notify_once_per_newsroom(newsroom: Path) -> None:
    with (newsroom / "pubflow.yaml").open("a", encoding="utf-8") as fh:
        fh.write("git:\n  autocommit: true\n")
    _new_release(newsroom)
    nr = Newsroom.open(newsroom)
    notes: list[str] = []
    assert autocommit.install(nr, notify=notes.append)
    nr.update(RID, _comment("one"))
    nr.update(RID, _comment("two"))
    assert len(notes) == 1
    assert "not a git repository" in notes[0]
    assert [e.comment for e in nr.load(RID).release.history[-2:]] == ["one", "two"]


def test_the_cli_installs_the_hook(newsroom: Path) -> None:
    """The CLI registers autocommit for every command (tests/test_gitsync.py checks the commits)."""
    with (newsroom / "pubflow.yaml").open("a", encoding="utf-8") as fh:
        fh.write("git:\n  autocommit: true\n")
    _new_release(newsroom)
    r = Cli(newsroom)("comment", RID, "-m", "hello", as_=EDITOR)
    assert r.exit_code == 0
    assert r.stderr.count("not a git repository") == 1
