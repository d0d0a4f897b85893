"""The public Python API (`import workflow`): the same operations as the CLI, for another front end."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import workflow
from tests.conftest import EDITOR, SAMPLE, WRITER
from tests.pubhelp import arabic_texts
from tests.test_gitsync import git, init_repo, make_newsroom
from workflow.storage.newsroom import Newsroom

ROOT = Path(__file__).resolve().parents[1]


def test_importing_workflow_loads_only_the_error_classes_and_version() -> None:
    done = subprocess.run([sys.executable, "-c", "import sys, workflow\n"
                           "print(sorted(m for m in sys.modules if m.startswith(('workflow', 'typer', 'yaml'))))"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60, check=True)
    assert ast.literal_eval(done.stdout) == ["workflow", "workflow.errors", "workflow.version"]


def test_every_name_of_the_api_is_there() -> None:
    for name in workflow.__all__:
        assert getattr(workflow, name) is not None, name
    assert issubclass(workflow.NotFound, workflow.PubflowError)


def _draft(nr: Newsroom) -> str:
    from workflow.core.config import find_person
    from workflow.editorial.create import create_release

    result = create_release(nr, find_person(nr.config, WRITER), from_file=SAMPLE, slug="api-sample",
                            title="Coalition statement", date="2019-07-22")
    return result.release.id


def test_a_release_from_draft_to_built(newsroom: Path) -> None:
    nr = workflow.open_newsroom(newsroom)
    rid = _draft(nr)
    assert [r.id for r in workflow.list_releases(nr)] == [rid]
    assert workflow.list_releases(nr, state="review") == []
    workflow.transition(nr, rid, "submit", actor=WRITER)
    moved = workflow.transition(nr, rid, "approve", actor="Hala Darwish")
    assert moved.release.state == "translation"
    assert moved.event.transition == "approve"
    view = workflow.show_release(nr, rid)
    assert view.summary.state == "translation"
    segments = [row["id"] for row in view.segments]
    for segment, text in zip(segments, arabic_texts(), strict=False):
        saved = workflow.set_segment(nr, rid, segment, "ar", text, actor="Rami Haddad")
        assert saved.status == "translated"
    reviewed = workflow.review_segments(nr, rid, "ar", actor="lina.aziz@example.org")
    assert set(reviewed.done) == set(segments[: len(arabic_texts())])
    with pytest.raises(workflow.Refused):  # a writer may not publish
        workflow.transition(nr, rid, "publish", actor=WRITER)
    workflow.transition(nr, rid, "publish", actor=EDITOR)
    built = workflow.build(nr)
    assert any(name.endswith("-ar.zip") for name in built.bundles)
    assert workflow.show_release(nr, rid).summary.state == "published"


def test_errors_are_the_documented_classes_in_the_language_asked(newsroom: Path) -> None:
    nr = workflow.open_newsroom(newsroom)
    with pytest.raises(workflow.NotFound) as missing:
        workflow.show_release(nr, "2019-07-22-nothing-here")
    assert missing.value.exit_code == 3
    assert "pubflow list" in missing.value.line()
    with workflow.use_language("ar"), pytest.raises(workflow.NotFound) as arabic:
        workflow.show_release(nr, "2019-07-22-nothing-here")
    assert arabic.value.line() != missing.value.line()
    with pytest.raises(workflow.Refused):
        workflow.transition(nr, _draft(nr), "submit", actor="nobody@example.org")
    with pytest.raises(workflow.UsageError):
        workflow.transition(nr, "2019-07-22-api-sample", "submit", actor="  ")
    with pytest.raises(workflow.NotFound):
        workflow.open_newsroom(newsroom / "releases")


@pytest.mark.slow
def test_opening_a_newsroom_installs_git_autocommit(tmp_path: Path) -> None:
    root = make_newsroom(tmp_path / "desk")
    init_repo(root)
    nr = workflow.open_newsroom(root)
    rid = _draft(nr)
    workflow.transition(nr, rid, "submit", actor=WRITER)
    log = git(root, "log", "--format=%s%n%b")
    assert "Transition: submit" in log
    assert f"Release: {rid}" in log
    assert git(root, "status", "--porcelain") == ""


def test_autocommit_outside_git_says_so_once_through_notify(tmp_path: Path) -> None:
    root = make_newsroom(tmp_path / "desk")  # autocommit on, but no repository
    notes: list[str] = []
    nr = workflow.open_newsroom(root, notify=notes.append)
    rid = _draft(nr)
    workflow.transition(nr, rid, "submit", actor=WRITER)
    assert len(notes) == 1
    assert "git" in notes[0]
