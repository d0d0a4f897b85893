"""Collaboration through git: one commit per action, sync, conflicting moves refused cleanly.

Real `git`, a bare repository in tmp_path as the remote and two clones of it
(two people on two machines).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EDITOR, FIXTURES, WRITER, Cli
from workflow.core.history import MergeRefused, chain_hash, merge_histories, seal
from workflow.core.model import Event, Release, release_from_dict
from workflow.storage import yamlio

pytestmark = pytest.mark.slow
RID = "2024-03-01-ceasefire-talks"


def git(root: Path, *args: str) -> str:
    out = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return out.stdout


def status(root: Path) -> str:
    return git(root, "status", "--porcelain")


def make_newsroom(root: Path, autocommit: bool = True) -> Path:
    shutil.copytree(FIXTURES / "newsroom", root)
    if autocommit:
        with (root / "pubflow.yaml").open("a", encoding="utf-8") as fh:
            fh.write("git:\n  autocommit: true\n")
    (root / ".gitignore").write_text(".pubflow/\ndist/\n*.pubflow-tmp\n", encoding="utf-8")
    return root


def init_repo(root: Path) -> None:
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", EDITOR)
    git(root, "config", "user.name", "Hala Darwish")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "newsroom")


@pytest.fixture
def gitroom(tmp_path: Path) -> Path:
    root = make_newsroom(tmp_path / "desk")
    init_repo(root)
    return root


@pytest.fixture
def clones(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A seeded bare remote with one release in review, and two clones of it."""
    seed = make_newsroom(tmp_path / "seed")
    init_repo(seed)
    r = Cli(seed)("new", "--title", "Ceasefire talks", "--body", "First paragraph.\n\nSecond one.",
                  "--date", "2024-03-01", as_=WRITER)
    assert r.exit_code == 0, r.output
    assert Cli(seed)("submit", RID, as_=WRITER).exit_code == 0
    bare = tmp_path / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(bare)], check=True)
    out = []
    for name in ("alpha", "beta"):
        clone = tmp_path / name
        subprocess.run(["git", "clone", "-q", str(bare), str(clone)], check=True)
        git(clone, "config", "user.email", EDITOR)
        git(clone, "config", "user.name", "Hala Darwish")
        out.append(clone)
    return bare, out[0], out[1]


def history(root: Path) -> list[dict[str, object]]:
    r = Cli(root)("history", RID, "--json")
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


# ---------------------------------------------------------------- autocommit
def test_each_action_is_one_commit_with_trailers(gitroom):
    cli = Cli(gitroom)
    before = int(git(gitroom, "rev-list", "--count", "HEAD"))
    assert cli("new", "--title", "Ceasefire talks", "--body", "Body.", "--date", "2024-03-01",
               as_=WRITER).exit_code == 0
    assert cli("submit", RID, "-m", "ready for you", as_=WRITER).exit_code == 0
    assert cli("comment", RID, "-m", "second paragraph is thin").exit_code == 0
    assert cli("approve", RID).exit_code == 0
    assert int(git(gitroom, "rev-list", "--count", "HEAD")) == before + 4
    assert status(gitroom) == ""
    releases = git(gitroom, "log", "-4", "--format=%(trailers:key=Release,valueonly,separator=)").split()
    assert releases == [RID] * 4
    transitions = git(gitroom, "log", "-4", "--format=[%(trailers:key=Transition,valueonly,separator=)]").split()
    assert transitions == ["[approve]", "[]", "[submit]", "[]"]
    actors = git(gitroom, "log", "-4", "--format=%(trailers:key=Actor,valueonly,separator=)").splitlines()
    assert actors == ["Hala Darwish <hala.darwish@example.org>"] * 2 + ["Sami Khoury <sami.khoury@example.org>"] * 2
    assert git(gitroom, "log", "-1", "--format=%an <%ae>", "HEAD~2").strip() == \
        "Sami Khoury <sami.khoury@example.org>"
    subjects = git(gitroom, "log", "-4", "--format=%s").splitlines()
    assert subjects == [f"pubflow: approve {RID}: review -> translation", f"pubflow: comment on {RID}",
                        f"pubflow: submit {RID}: draft -> review", f"pubflow: create {RID}"]
    assert "ready for you" in git(gitroom, "log", "-1", "--format=%b", "HEAD~2")
    # The create commit holds exactly the release's files; the comment only the history.
    assert sorted(git(gitroom, "show", "--name-only", "--format=", "HEAD~3").split()) == [
        f"releases/{RID}/ar.yaml", f"releases/{RID}/en.yaml", f"releases/{RID}/release.yaml"]
    assert git(gitroom, "show", "--name-only", "--format=", "HEAD~1").split() == [f"releases/{RID}/release.yaml"]


def test_autocommit_leaves_other_staged_work_alone(gitroom):
    (gitroom / "notes.txt").write_text("draft notes\n", encoding="utf-8")
    git(gitroom, "add", "notes.txt")
    assert Cli(gitroom)("new", "--title", "Ceasefire talks", "--body", "Body.", "--date", "2024-03-01",
                        as_=WRITER).exit_code == 0
    assert "notes.txt" not in git(gitroom, "show", "--name-only", "--format=", "HEAD")
    assert status(gitroom) == "A  notes.txt\n"


def test_translation_commit_names_the_language(gitroom):
    translation = pytest.importorskip("workflow.translation.operations")
    from workflow.collab import autocommit
    from workflow.core.config import find_person
    from workflow.storage.newsroom import Newsroom

    cli = Cli(gitroom)
    assert cli("new", "--title", "Ceasefire talks", "--body", "Body.", "--date", "2024-03-01",
               as_=WRITER).exit_code == 0
    assert cli("submit", RID).exit_code == 0
    assert cli("approve", RID).exit_code == 0
    nr = Newsroom.open(gitroom)
    assert autocommit.install(nr)  # the application registers the hook (the CLI does it for each command)
    translation.set_translation(nr, RID, "title", "ar", "محادثات وقف إطلاق النار",
                                find_person(nr.config, "rami.haddad@example.org"))
    assert git(gitroom, "show", "--name-only", "--format=", "HEAD").split() == [f"releases/{RID}/ar.yaml"]
    assert git(gitroom, "log", "-1", "--format=%(trailers:key=Language,valueonly,separator=)").strip() == "ar"
    assert git(gitroom, "log", "-1", "--format=%s").strip() == f"pubflow: translate {RID} [ar] (1 segment)"
    assert git(gitroom, "log", "-1", "--format=%an <%ae>").strip() == "Rami Haddad <rami.haddad@example.org>"
    assert status(gitroom) == ""


def test_autocommit_outside_git_says_so_once_and_saves(tmp_path):
    root = make_newsroom(tmp_path / "plain")
    cli = Cli(root)
    r = cli("new", "--title", "Ceasefire talks", "--body", "Body.", "--date", "2024-03-01", as_=WRITER)
    assert r.exit_code == 0
    assert r.stderr.count("not a git repository") == 1
    assert len(r.stderr.splitlines()) == 1
    assert (root / "releases" / RID / "release.yaml").is_file()


def test_autocommit_must_be_a_boolean(gitroom, snapshot):
    text = (gitroom / "pubflow.yaml").read_text(encoding="utf-8").replace("autocommit: true", "autocommit: 'yes'")
    (gitroom / "pubflow.yaml").write_text(text, encoding="utf-8")
    before = snapshot(gitroom)
    r = Cli(gitroom)("new", "--title", "Ceasefire talks", "--body", "Body.", "--date", "2024-03-01", as_=WRITER)
    assert r.exit_code == 5
    assert "git.autocommit: expected true or false" in r.stderr
    assert snapshot(gitroom) == before


# ---------------------------------------------------------------- sync
def test_concurrent_comments_merge_and_both_histories_survive(clones):
    _bare, alpha, beta = clones
    assert Cli(alpha)("comment", RID, "-m", "from alpha").exit_code == 0
    assert Cli(beta)("comment", RID, "-m", "from beta").exit_code == 0
    assert Cli(beta)("comment", RID, "-m", "beta again").exit_code == 0
    r = Cli(alpha)("sync", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["sent"] == 1
    r = Cli(beta)("sync", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert (data["received"], data["sent"], data["checked"]) == (1, 2, [RID])
    assert Cli(alpha)("sync").exit_code == 0
    for clone in (alpha, beta):
        comments = [e["comment"] for e in history(clone) if e["kind"] == "comment"]
        assert sorted(comments) == ["beta again", "from alpha", "from beta"]
        assert Cli(clone)("verify").exit_code == 0
        assert status(clone) == ""
    assert git(alpha, "rev-parse", "HEAD") == git(beta, "rev-parse", "HEAD")


def test_sync_replaces_an_old_merge_driver_registration(clones):
    """Clones set up by pubflow 0.1 run `-m workflow.gitsync merge-driver`: the next sync updates them."""
    import sys

    _bare, alpha, beta = clones
    assert Cli(alpha)("sync").exit_code == 0
    old = f"{sys.executable} -m workflow.gitsync merge-driver %O %A %B %P"
    git(alpha, "config", "--local", "merge.pubflow-history.driver", old)
    assert Cli(alpha)("comment", RID, "-m", "from alpha").exit_code == 0
    assert Cli(beta)("comment", RID, "-m", "from beta").exit_code == 0
    assert Cli(beta)("sync").exit_code == 0
    r = Cli(alpha)("sync")
    assert r.exit_code == 0, r.output
    assert git(alpha, "config", "--get", "merge.pubflow-history.driver").strip() == \
        f"{sys.executable} -m workflow.collab.mergedriver %O %A %B %P"
    comments = [e["comment"] for e in history(alpha) if e["kind"] == "comment"]
    assert sorted(comments) == ["from alpha", "from beta"]
    attributes = (alpha / ".git" / "info" / "attributes").read_text(encoding="utf-8")
    assert attributes.count("releases/*/*.yaml merge=pubflow-history") == 1


def test_edit_on_one_side_and_comment_on_the_other_merge(clones, tmp_path):
    _bare, alpha, beta = clones
    new_text = tmp_path / "new.md"
    new_text.write_text("---\ntitle: Ceasefire talks\n---\nFirst paragraph, revised.\n\nSecond one.\n",
                        encoding="utf-8")
    assert Cli(alpha)("edit", RID, "--from", str(new_text)).exit_code == 0
    assert Cli(beta)("comment", RID, "-m", "looks fine").exit_code == 0
    assert Cli(alpha)("sync").exit_code == 0
    r = Cli(beta)("sync")
    assert r.exit_code == 0, r.output
    kinds = [e["kind"] for e in history(beta)]
    assert kinds == ["create", "transition", "edit", "comment"]  # in time order (issue 10)
    assert Cli(beta)("verify").exit_code == 0


def test_conflicting_moves_stop_sync_and_keep_local_work(clones):
    _bare, alpha, beta = clones
    assert Cli(alpha)("approve", RID).exit_code == 0
    assert Cli(beta)("reject", RID, "-m", "needs sources").exit_code == 0
    assert Cli(beta)("comment", RID, "-m", "see my notes").exit_code == 0
    local_head = git(beta, "rev-parse", "HEAD").strip()
    assert Cli(alpha)("sync").exit_code == 0
    r = Cli(beta)("sync")
    assert r.exit_code == 6
    lines = r.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"error: conflicting moves on {RID}: here reject by Hala Darwish at ")
    assert "on origin/main approve by Hala Darwish at " in lines[0]
    assert "Traceback" not in r.output
    branches = git(beta, "branch", "--list", "pubflow/conflict-*", "--format=%(refname:short)").split()
    assert len(branches) == 1
    assert branches[0] in lines[0]
    assert git(beta, "rev-parse", branches[0]).strip() == local_head  # local work kept
    assert status(beta) == ""  # clean, no conflict markers, no rebase in progress
    assert git(beta, "rev-parse", "HEAD") == git(beta, "rev-parse", "origin/main")
    assert not (beta / ".git" / "rebase-merge").exists()
    release = yamlio.read(beta / "releases" / RID / "release.yaml")
    assert release["state"] == "translation"
    assert [e.get("transition") for e in release["history"]] == [None, "submit", "approve"]
    assert Cli(beta)("verify").exit_code == 0
    # Syncing again now works: nothing left to push.
    assert Cli(beta)("sync").exit_code == 0


def test_sync_refuses_uncommitted_changes(clones, snapshot):
    _bare, alpha, _beta = clones
    path = alpha / "releases" / RID / "en.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# note\n", encoding="utf-8")
    before = snapshot(alpha)
    r = Cli(alpha)("sync")
    assert r.exit_code == 6
    assert r.stderr.startswith(f"error: uncommitted change in releases/{RID}/en.yaml")
    assert len(r.stderr.splitlines()) == 1
    assert snapshot(alpha) == before


def test_sync_outside_git_is_a_usage_error(newsroom, cli):
    r = cli("sync")
    assert r.exit_code == 2
    assert "is not a git repository" in r.stderr


def test_sync_will_not_push_a_history_that_does_not_replay(clones):
    _bare, alpha, _beta = clones
    path = alpha / "releases" / RID / "release.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("state: review", "state: published"),
                    encoding="utf-8")
    git(alpha, "commit", "-qam", "by hand")
    r = Cli(alpha)("sync")
    assert r.exit_code == 5
    assert f"not pushed: {RID}: release.yaml: state: history ends in review but the release says published" in r.stderr
    assert git(alpha, "rev-parse", "origin/main") != git(alpha, "rev-parse", "HEAD")


# ---------------------------------------------------------------- merge driver, pure
def _release(events: list[Event], state: str = "review") -> Release:
    history: list[Event] = []
    for event in events:
        history.append(seal(history, event))
    return Release(id=RID, date="2024-03-01", category="", source_language="en", languages=("en", "ar"),
                   state=state, revision=len(history), history=tuple(history))


BASE_EVENTS = [Event(at="2024-03-01T09:00:00Z", kind="create", actor="Sami Khoury", target="draft"),
               Event(at="2024-03-01T09:05:00Z", kind="transition", actor="Sami Khoury", transition="submit",
                     source="draft", target="review")]


def _comment(at: str, text: str) -> Event:
    return Event(at=at, kind="comment", actor="Hala Darwish", source="review", target="review", comment=text)


def test_merge_of_comments_is_ordered_by_time_and_rechained():
    base = _release(BASE_EVENTS)
    ours = _release([*BASE_EVENTS, _comment("2024-03-01T10:02:00Z", "b")])
    theirs = _release([*BASE_EVENTS, _comment("2024-03-01T10:01:00Z", "a"), _comment("2024-03-01T10:03:00Z", "c")])
    merged = merge_histories(base, ours, theirs)
    assert [e.comment for e in merged.history[2:]] == ["a", "b", "c"]
    previous = ""
    for event in merged.history:
        assert event.hash == chain_hash(previous, event)
        previous = event.hash
    assert merged.revision == max(ours.revision, theirs.revision) + 1
    assert release_from_dict(merged.to_dict(), "x") == merged


def test_merge_refuses_two_moves_and_altered_sides():
    base = _release(BASE_EVENTS)
    approve = Event(at="2024-03-01T10:00:00Z", kind="transition", actor="Hala Darwish", transition="approve",
                    source="review", target="translation")
    reject = Event(at="2024-03-01T10:01:00Z", kind="transition", actor="Hala Darwish", transition="reject",
                   source="review", target="draft", comment="no")
    ours = _release([*BASE_EVENTS, approve], "translation")
    theirs = _release([*BASE_EVENTS, reject], "draft")
    with pytest.raises(MergeRefused, match="conflicting moves on .*approve by Hala Darwish.*reject by Hala"):
        merge_histories(base, ours, theirs)
    tampered = _release([*BASE_EVENTS, _comment("2024-03-01T10:02:00Z", "b")])
    bad = tampered.history[-1].__class__(**{**tampered.history[-1].__dict__, "comment": "changed"})
    tampered = Release(**{**tampered.__dict__, "history": (*tampered.history[:-1], bad)})
    with pytest.raises(MergeRefused, match="altered event"):
        merge_histories(base, tampered, ours)
    rewritten = _release([BASE_EVENTS[0], _comment("2024-03-01T10:02:00Z", "b")])
    with pytest.raises(MergeRefused, match="rewrote the common history"):
        merge_histories(base, rewritten, ours)
