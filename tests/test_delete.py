"""`pubflow delete`: a draft made by mistake goes, in one step, through the store and its hooks."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EDITOR, TRANSLATOR, WRITER, Cli
from tests.test_gitsync import git, init_repo, make_newsroom, status
from workflow.errors import Refused
from workflow.storage import store
from workflow.storage.hooks import Written
from workflow.storage.newsroom import Newsroom

RID = "2024-03-01-ceasefire-talks"


def new_release(cli: Cli) -> str:
    result: Any = cli("new", "--title", "Ceasefire talks", "--body", "First paragraph.\n\nSecond one.",
                      "--date", "2024-03-01", as_=WRITER)
    assert result.exit_code == 0, result.output
    return RID


def test_a_writer_deletes_a_draft(cli: Cli, newsroom: Path) -> None:
    new_release(cli)
    assert cli("list", "--json").stdout.count(RID) == 1  # type: ignore[attr-defined]
    result: Any = cli("delete", RID, "--yes", as_=WRITER)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"Deleted {RID} (3 files).\n"
    assert not (newsroom / "releases" / RID).exists()
    assert list((newsroom / "releases").iterdir()) == []  # nothing left behind, not even a hidden folder
    assert json.loads(cli("list", "--json").stdout) == []  # type: ignore[attr-defined]
    shown: Any = cli("show", RID)
    assert shown.exit_code == 3
    assert cli("verify").exit_code == 0  # type: ignore[attr-defined]
    # The id is free again.
    new_release(cli)
    assert json.loads(cli("show", RID, "--json").stdout)["id"] == RID  # type: ignore[attr-defined]


@pytest.mark.parametrize(("answer", "deleted"), [("ن\n", True), ("نعم\n", True), ("y\n", True), ("ل\n", False),
                                                 ("لا\n", False), ("\n", False), ("maybe\nn\n", False)])
def test_delete_asks_first_in_either_language(cli: Cli, newsroom: Path, answer: str, deleted: bool) -> None:
    new_release(cli)
    result: Any = cli("delete", RID, input=answer, as_=WRITER)
    assert result.exit_code == 0, result.output
    assert "Delete 2024-03-01-ceasefire-talks (Ceasefire talks) for good? [y/N]" in result.stdout
    assert (newsroom / "releases" / RID).exists() is not deleted
    assert ("Please answer y or n." in result.stdout) is (answer == "maybe\nn\n")
    assert ("Nothing deleted." in result.stdout) is not deleted


def test_no_answer_is_a_usage_error(cli: Cli, newsroom: Path) -> None:
    new_release(cli)
    result: Any = cli("delete", RID, input="", as_=WRITER)
    assert result.exit_code == 2
    assert "error: no answer (pass --yes to go ahead without being asked)" in result.stderr
    assert (newsroom / "releases" / RID / "release.yaml").is_file()


def test_delete_in_arabic(cli: Cli, newsroom: Path) -> None:
    new_release(cli)
    result: Any = cli("--ui-lang", "ar", "delete", RID, input="نعم\n", as_=WRITER)
    assert result.exit_code == 0, result.output
    assert not (newsroom / "releases" / RID).exists()


# ------------------------------------------------------------------ bad input: refused, nothing changed
def test_a_release_past_draft_cannot_be_deleted(cli: Cli, newsroom: Path,
                                                snapshot: Callable[[Path], dict[str, str]]) -> None:
    new_release(cli)
    assert cli("submit", RID, as_=WRITER).exit_code == 0  # type: ignore[attr-defined]
    before = snapshot(newsroom)
    result: Any = cli("delete", RID, "--yes", as_=EDITOR)
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [
        f"error: {RID} is review: only a release in draft can be deleted (a release past draft keeps its "
        "record; `pubflow reject` sends one in review back)"]
    assert snapshot(newsroom) == before
    asked: Any = cli("delete", RID, input="y\n", as_=EDITOR)  # refused before any question
    assert asked.exit_code == 4
    assert "for good?" not in asked.stdout
    assert snapshot(newsroom) == before


def test_a_translator_cannot_delete(cli: Cli, newsroom: Path, snapshot: Callable[[Path], dict[str, str]]) -> None:
    new_release(cli)
    before = snapshot(newsroom)
    result: Any = cli("delete", RID, "--yes", as_=TRANSLATOR)
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [
        "error: Rami Haddad may not delete releases: it needs the role writer or editor (ask a writer or an editor)"]
    assert snapshot(newsroom) == before


def test_unknown_release_and_bad_id(cli: Cli) -> None:
    missing: Any = cli("delete", "2024-01-01-nothing", "--yes")
    assert missing.exit_code == 3
    hostile: Any = cli("delete", "../../etc", "--yes")
    assert hostile.exit_code == 2


# ------------------------------------------------------------------ through the store and its hooks
def test_delete_goes_through_the_hooks(newsroom: Path) -> None:
    cli = Cli(newsroom)
    new_release(cli)
    nr = Newsroom.open(newsroom)
    seen: list[Written] = []
    nr.after_write.add("record", seen.append)
    doc = nr.load(RID)

    def refuse(_doc: Any) -> None:
        raise Refused("no")

    with pytest.raises(Refused):
        nr.delete(RID, refuse)
    assert seen == []
    assert nr.exists(RID)
    before, files = nr.delete(RID, lambda _doc: None)
    assert before == doc
    assert [(w.release_id, w.before, w.after, w.deleted) for w in seen] == [(RID, doc, None, True)]
    assert sorted(p.name for p in seen[0].files) == ["ar.yaml", "en.yaml", "release.yaml"]
    assert sorted(files) == sorted(seen[0].files)


def test_a_delete_killed_halfway_leaves_no_release(newsroom: Path) -> None:
    """After the rename the release is gone for every reader; the hidden rest is swept by the next delete."""
    cli = Cli(newsroom)
    new_release(cli)
    releases = newsroom / "releases"
    # What a process killed between the rename and the removal leaves behind:
    os.replace(releases / RID, releases / f".{RID}.999{store.DELETED}")
    assert json.loads(cli("list", "--json").stdout) == []  # type: ignore[attr-defined]
    assert cli("verify").exit_code == 0  # type: ignore[attr-defined]
    new_release(cli)
    assert cli("delete", RID, "--yes", as_=WRITER).exit_code == 0  # type: ignore[attr-defined]
    assert list(releases.iterdir()) == []


# ------------------------------------------------------------------ git: the deletion is one commit
@pytest.mark.slow
def test_delete_is_committed_when_autocommit_is_on(tmp_path: Path) -> None:
    root = make_newsroom(tmp_path / "desk")
    init_repo(root)
    cli = Cli(root)
    new_release(cli)
    head = git(root, "rev-parse", "HEAD")
    result: Any = cli("delete", RID, "--yes", "-m", "imported twice", as_=WRITER)
    assert result.exit_code == 0, result.output
    assert git(root, "rev-parse", "HEAD^").strip() == head.strip()
    message = git(root, "log", "-1", "--format=%B")
    assert message.startswith(f"pubflow: delete {RID} (imported twice)\n")
    assert f"Release: {RID}" in message
    assert "State: draft" in message
    assert git(root, "log", "-1", "--format=%an <%ae>").strip() == "Sami Khoury <sami.khoury@example.org>"
    removed = git(root, "show", "--name-status", "--format=", "HEAD").split("\n")
    assert sorted(line for line in removed if line) == [
        f"D\treleases/{RID}/{name}" for name in ("ar.yaml", "en.yaml", "release.yaml")]
    assert status(root) == ""
    assert git(root, "ls-files", "releases") == ""


@pytest.mark.slow
def test_a_never_committed_release_is_deleted_without_a_commit(tmp_path: Path) -> None:
    root = make_newsroom(tmp_path / "desk", autocommit=False)
    init_repo(root)
    cli = Cli(root)
    new_release(cli)  # not committed: autocommit is off
    with (root / "pubflow.yaml").open("a", encoding="utf-8") as fh:
        fh.write("git:\n  autocommit: true\n")
    subprocess.run(["git", "commit", "-qam", "autocommit on"], cwd=root, check=True)
    head = git(root, "rev-parse", "HEAD")
    result: Any = cli("delete", RID, "--yes", as_=WRITER)
    assert result.exit_code == 0, result.output
    assert git(root, "rev-parse", "HEAD") == head
    assert not (root / "releases" / RID).exists()
