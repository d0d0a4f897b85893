"""Issue 10 in a git newsroom: append-only for real.

Scenario 8 (truncating a history undoes a retraction unseen), the "last event" bad input
(git remembers it), the sync halves of scenarios 5 (histories merged in time order) and 7
(a clone's unreviewed paragraph merges but does not go out), and `sync` refusing incoming
or outgoing histories that do not extend the previous commit's (exit 6, one line).
Real `git`, a bare repository in tmp_path as the remote.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REVIEWER, TRANSLATOR, BuiltRooms, Cli
from tests.test_integrity import OLD, RID, dist, edited_source, make_room, one_error_line
from workflow.storage.yamlio import format_yaml

pytestmark = pytest.mark.slow


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def init(root: Path) -> Path:
    with (root / "pubflow.yaml").open("a", encoding="utf-8") as fh:
        fh.write("git:\n  autocommit: true\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.email", "hala.darwish@example.org")
    git(root, "config", "user.name", "Hala Darwish")
    assert Cli(root)("migrate").exit_code == 0  # nothing to do once the repository's sample is migrated
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "newsroom")
    return root


def _make_gitroom(root: Path) -> None:
    init(make_room(root))
    assert Cli(root)("build").exit_code == 0


@pytest.fixture
def gitroom(tmp_path: Path, built_rooms: BuiltRooms) -> Path:
    """The sample newsroom in a git repository (autocommit on), built; made once per test process and copied
    (`tests.conftest.BuiltRooms`; git keeps no path of its work tree)."""
    return built_rooms.copy("gitroom", _make_gitroom, tmp_path / "desk")


def _make_clones(top: Path) -> None:
    top.mkdir(parents=True)
    seed = init(make_room(top / "seed"))
    bare = top / "remote.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(seed), str(bare)], check=True)
    for name in ("alpha", "beta"):
        clone = top / name
        subprocess.run(["git", "clone", "-q", str(bare), str(clone)], check=True)
        git(clone, "config", "user.email", "hala.darwish@example.org")
        git(clone, "config", "user.name", "Hala Darwish")
        assert Cli(clone)("build").exit_code == 0


def _point_at_the_copies(_master: Path, top: Path) -> None:
    git(top / "remote.git", "remote", "set-url", "origin", str(top / "seed"))
    for name in ("alpha", "beta"):
        git(top / name, "remote", "set-url", "origin", str(top / "remote.git"))


@pytest.fixture
def clones(tmp_path: Path, built_rooms: BuiltRooms) -> tuple[Path, Path]:
    """A bare remote seeded with the sample newsroom and two clones of it (alpha, beta), each built.

    Made once per test process and copied (`tests.conftest.BuiltRooms`), the clones' remote set to
    the copied bare repository."""
    top = built_rooms.copy("clones", _make_clones, tmp_path / "git", after=_point_at_the_copies)
    return top / "alpha", top / "beta"


def truncate(root: Path, events: int, state: str) -> None:
    path = root / "releases" / RID / "release.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["history"] = data["history"][:-events]
    data["state"] = state
    path.write_text(format_yaml(data), encoding="utf-8")


# ---------------------------------------------------------------- 8. truncating a history
def test_8_truncating_a_retraction_is_caught_by_git_and_the_tombstone_stays(gitroom: Path) -> None:
    cli = Cli(gitroom)
    assert cli("retract", RID, "-m", "Withdrawn.", "--message-ar", "سُحب.").exit_code == 0
    tombstone = dist(gitroom)
    assert OLD not in (gitroom / "dist" / "en" / RID / "index.html").read_text("utf-8")
    truncate(gitroom, 1, "published")  # the retraction deleted, the state set back: the chain is intact
    r: Any = cli("verify", "--json")
    assert r.exit_code == 5
    problems = json.loads(r.stdout)["problems"]  # git and the record of what is out both catch it
    assert {(p["release"], p["file"]) for p in problems} == {(RID, "release.yaml")}
    by_git = [p["message"] for p in problems if "is in git HEAD but was removed or changed here" in p["message"]]
    assert len(by_git) == 1
    assert "(retract at " in by_git[0]
    assert any("the retract at " in p["message"] and "is out" in p["message"] for p in problems)
    r = cli("build")
    assert r.exit_code == 5
    assert "(retract at " in one_error_line(r)
    assert dist(gitroom) == tombstone  # the withdrawn text does not come back
    git(gitroom, "commit", "-qam", "undo the retraction")  # committing it does not make it true
    r = cli("verify")
    assert r.exit_code == 5
    assert "does not carry on the history of its parent commit" in r.stdout
    assert cli("build", "--force").exit_code == 5
    assert dist(gitroom) == tombstone


def test_deleting_the_last_event_is_detected_with_git(gitroom: Path) -> None:
    cli = Cli(gitroom)
    assert cli("comment", RID, "-m", "Checked the figures again.").exit_code == 0
    truncate(gitroom, 1, "published")
    r: Any = cli("verify", "--json")
    assert r.exit_code == 5
    [problem] = json.loads(r.stdout)["problems"]
    assert problem["file"] == "release.yaml"
    assert problem["field"].startswith("history[")
    assert "(comment at " in problem["message"]


def test_8_sync_refuses_to_push_a_truncated_history(clones: tuple[Path, Path]) -> None:
    alpha, beta = clones
    assert Cli(alpha)("retract", RID, "-m", "Withdrawn.", "--message-ar", "سُحب.").exit_code == 0
    assert Cli(alpha)("sync").exit_code == 0
    truncate(alpha, 1, "published")
    git(alpha, "commit", "-qam", "undo the retraction")
    r: Any = Cli(alpha)("sync")
    assert r.exit_code == 6
    line = one_error_line(r)
    assert f"{RID}" in line
    assert "does not carry on" in line
    assert git(alpha, "rev-parse", "HEAD") != git(alpha, "rev-parse", "origin/main")  # not pushed


def test_8_sync_refuses_an_incoming_truncated_history(clones: tuple[Path, Path]) -> None:
    alpha, beta = clones
    assert Cli(alpha)("retract", RID, "-m", "Withdrawn.", "--message-ar", "سُحب.").exit_code == 0
    assert Cli(alpha)("sync").exit_code == 0
    assert Cli(beta)("sync").exit_code == 0
    assert Cli(beta)("build").exit_code == 0
    tombstone = dist(beta)
    truncate(alpha, 1, "published")
    git(alpha, "commit", "-qam", "undo the retraction")
    git(alpha, "push", "-q", "origin", "HEAD:main")  # around pubflow
    head = git(beta, "rev-parse", "HEAD")
    r: Any = Cli(beta)("sync")
    assert r.exit_code == 6
    assert "does not carry on" in one_error_line(r)
    assert git(beta, "rev-parse", "HEAD") == head  # nothing taken in
    assert git(beta, "status", "--porcelain") == ""
    assert Cli(beta)("build").exit_code == 0
    assert dist(beta) == tombstone


# ---------------------------------------------------------------- 5 and 7 through sync
def test_5_histories_merged_by_sync_are_in_time_order(clones: tuple[Path, Path], tmp_path: Path) -> None:
    alpha, beta = clones
    v2 = edited_source(tmp_path, room=alpha, add="A new closing paragraph.")
    assert Cli(alpha)("edit", RID, "--from", str(v2)).exit_code == 0
    time.sleep(1.1)  # times are to the second: the comment is later
    assert Cli(beta)("comment", RID, "-m", "Seen.").exit_code == 0
    assert Cli(beta)("sync").exit_code == 0  # pushed first: alpha's earlier edit must go before it
    r: Any = Cli(alpha)("sync")
    assert r.exit_code == 0, r.output
    for clone in (alpha, beta):
        if clone is beta:
            assert Cli(beta)("sync").exit_code == 0
        events = json.loads(Cli(clone)("history", RID, "--json").stdout)
        times = [e["at"] for e in events]
        assert times == sorted(times)
        assert [e["kind"] for e in events][-2:] == ["edit", "comment"]  # was: the comment first
        assert Cli(clone)("verify").exit_code == 0


def test_7_an_unreviewed_paragraph_merged_by_sync_does_not_go_out(clones: tuple[Path, Path], tmp_path: Path) -> None:
    alpha, beta = clones
    before = dist(beta)
    v2 = edited_source(tmp_path, room=alpha, add="Talks resume on Tuesday.")
    assert Cli(alpha)("edit", RID, "--from", str(v2)).exit_code == 0
    r: Any = Cli(alpha)("set", RID, "p10", "--lang", "ar", "--text", "تستأنف المحادثات يوم الثلاثاء.", as_=TRANSLATOR)
    assert r.exit_code == 0, r.output
    assert Cli(alpha)("sync").exit_code == 0
    r = Cli(beta)("sync")
    assert r.exit_code == 0, r.output
    assert Cli(beta)("verify").exit_code == 0
    assert Cli(beta)("build", "--force").exit_code == 0
    assert dist(beta) == before
    # Once reviewed and corrected, it goes out everywhere it is built.
    assert Cli(beta)("review", RID, "--lang", "ar", as_=REVIEWER).exit_code == 0
    r = Cli(beta)("correct", RID, "-m", "Added the date of the talks.", "--message-ar", "تصحيح.")
    assert r.exit_code == 0, r.output
    assert "Talks resume on Tuesday." in (beta / "dist" / "en" / RID / "index.html").read_text("utf-8")


def test_two_translators_in_two_clones_merge_their_segment_histories(clones: tuple[Path, Path]) -> None:
    """The language file's history merges by time (not a line conflict at its end); each side's
    segment keeps its text and its event; the merged file verifies."""
    alpha, beta = clones

    def text_of(root: Path, seg: str) -> str:
        show: Any = Cli(root)("show", RID, "--json")
        return str(next(r for r in json.loads(show.stdout)["segments"] if r["id"] == seg)["translations"]["ar"]["text"])

    a_text = text_of(alpha, "p1").replace("الوطني", "الوطني السوري")
    b_text = text_of(beta, "p6").rstrip(".") + "، بحسب البيان."
    assert Cli(alpha)("set", RID, "p1", "--lang", "ar", "--text", a_text, as_=TRANSLATOR).exit_code == 0
    time.sleep(1.1)
    assert Cli(beta)("set", RID, "p6", "--lang", "ar", "--text", b_text, as_=TRANSLATOR).exit_code == 0
    assert Cli(beta)("sync").exit_code == 0
    r: Any = Cli(alpha)("sync")
    assert r.exit_code == 0, r.output
    events = json.loads(Cli(alpha)("history", RID, "--lang", "ar", "--json").stdout)
    assert [(e["kind"], list(e["segments"] or [])) for e in events[-2:]] == [("translated", ["p1"]),
                                                                             ("translated", ["p6"])]
    assert (text_of(alpha, "p1"), text_of(alpha, "p6")) == (a_text, b_text)
    assert Cli(alpha)("verify").exit_code == 0
    assert Cli(beta)("sync").exit_code == 0
    assert Cli(beta)("verify").exit_code == 0
