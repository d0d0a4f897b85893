"""Issue 10, "Bad input": hand edits of every kind are named by `verify` (file and field) and
nothing unapproved is written to dist/ (build refuses that release, exit 5; the bytes stay).

Also scenario 9 (forged approvals: a writer's or a stranger's approve event with the chain
recomputed, time going backwards or into 2999, a deleted language file) and scenario 10
(half a publish: a write that fails leaves neither the event nor any output).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EDITOR, Cli
from tests.test_integrity import AR_NEW, AR_OLD, NEW, OLD, RID, dist, make_room, one_error_line, room  # noqa: F401
from workflow.core.history import chain_hash
from workflow.core.model import event_from_dict
from workflow.storage.yamlio import format_yaml

REPO = Path(__file__).resolve().parents[1]


def folder(root: Path) -> Path:
    return root / "releases" / RID


def replace_in(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def rewrite_history(path: Path, change: Callable[[list[dict[str, Any]]], None], reseal_from: int | None = None,
                    ) -> None:
    """Change the history of a YAML file; with `reseal_from`, recompute every chain hash from that event
    on, as a forger who knows the scheme would."""
    data = yaml.safe_load(path.read_text("utf-8"))
    history = data["history"]
    change(history)
    if reseal_from is not None:
        kinds = ("translated", "machine", "confirmed", "reviewed", "waived", "migrate") if path.name != \
            "release.yaml" else ("create", "transition", "comment", "edit", "release", "migrate")
        previous = history[reseal_from - 1]["hash"] if reseal_from else ""
        for item in history[reseal_from:]:
            item["hash"] = chain_hash(previous, event_from_dict(item, "x", kinds))
            previous = item["hash"]
    path.write_text(format_yaml(data), encoding="utf-8")


def snapshot_file(root: Path, lang: str) -> Path:
    [path] = sorted((folder(root) / "published").glob(f"{lang}-*.yaml"))
    return path


def edit_source(root: Path) -> None:
    replace_in(folder(root) / "en.yaml", OLD, NEW)


def edit_translation(root: Path) -> None:
    replace_in(folder(root) / "ar.yaml", AR_OLD, AR_NEW)


def edit_snapshot(root: Path) -> None:
    replace_in(snapshot_file(root, "en"), OLD, NEW)


def swap_snapshot(root: Path) -> None:
    """A well-formed snapshot under the name of another: its hash is not the one recorded."""
    en, ar = snapshot_file(root, "en"), snapshot_file(root, "ar")
    data = yaml.safe_load(ar.read_text("utf-8"))
    data["segments"][3]["text"] = data["segments"][3]["text"].replace("50", "57")
    ar.write_text(format_yaml(data), encoding="utf-8")
    assert en.is_file()


def edit_middle_event(root: Path) -> None:
    replace_in(folder(root) / "release.yaml", "comment: Checked against the Media Department's original.",
               "comment: Approved without reading.")


def edit_embargo(root: Path) -> None:
    replace_in(folder(root) / "release.yaml", "embargo: null", "embargo: '2031-01-01T09:00:00+03:00'")


def edit_state(root: Path) -> None:
    replace_in(folder(root) / "release.yaml", "state: published", "state: translation")


def edit_date(root: Path) -> None:
    replace_in(folder(root) / "release.yaml", "date: '2019-07-22'", "date: '2019-07-23'")


def forge_reviewed_by(root: Path) -> None:
    replace_in(folder(root) / "ar.yaml", "reviewed_by: Lina Aziz", "reviewed_by: Rami Haddad")


def forge_status(root: Path) -> None:
    """A segment promoted by hand: its recorded status is approved, the file says so, but not bound."""
    path = folder(root) / "ar.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["segments"][2]["approved"] = "0" * 16 + ":" + "0" * 16
    path.write_text(format_yaml(data), encoding="utf-8")


CASES = [
    ("a source segment", edit_source, "en.yaml", "segments[p3]", "differs from the last recorded content"),
    ("an approved translation", edit_translation, "ar.yaml", "segments[p3].text", "differs from what the history"),
    ("a snapshot", edit_snapshot, "published/en-", "", "does not match the hash"),
    ("a snapshot whose hash does not match", swap_snapshot, "published/ar-", "", "does not match the hash"),
    ("an event in the middle of a history", edit_middle_event, "release.yaml", "history[2]", "was altered"),
    ("the embargo", edit_embargo, "release.yaml", "embargo", "but the history recorded None"),
    ("the date", edit_date, "release.yaml", "date", "but the history recorded '2019-07-22'"),
    ("the state field", edit_state, "release.yaml", "state", "history ends in published"),
    ("a forged reviewed_by", forge_reviewed_by, "ar.yaml", "segments[title].reviewed_by", "reviewer:ar"),
    ("a forged approval hash", forge_status, "ar.yaml", "segments[p2].approved", "not the approval the history"),
]


@pytest.mark.parametrize(("what", "change", "file", "field", "words"), CASES, ids=[c[0] for c in CASES])
def test_a_hand_edit_is_named_and_nothing_unapproved_goes_out(room: Path, what: str, change: Callable[[Path], None],  # noqa: F811
                                                              file: str, field: str, words: str) -> None:
    cli = Cli(room)
    before = dist(room)
    change(room)
    r: Any = cli("verify", "--json")
    assert r.exit_code == 5, r.output
    problems = json.loads(r.stdout)["problems"]
    assert any(p["release"] == RID and p["file"].startswith(file) and p["field"] == field and words in p["message"]
               for p in problems), problems
    for command in (("build",), ("build", "--force"), ("publish", RID),
                    ("correct", RID, "-m", "x", "--message-ar", "تصحيح.")):
        r = cli(*command)
        assert r.exit_code == 5, (command, r.output)
        assert one_error_line(r).startswith(f"error: {RID} is not what its history recorded: ")
    assert dist(room) == before


# ---------------------------------------------------------------- 9. forged approvals
@pytest.fixture
def approved(room: Path) -> tuple[Path, str]:  # noqa: F811
    """A second release of the sample newsroom, approved by the editor, translated and reviewed."""
    from tests.pubhelp import approved_sample

    rid = approved_sample(room, slug="second-release", title="A second release")
    return room, rid


def _approve_index(path: Path) -> int:
    history = yaml.safe_load(path.read_text("utf-8"))["history"]
    return next(i for i, e in enumerate(history) if e.get("transition") == "approve")


@pytest.mark.parametrize(("forge", "words"), [
    (lambda e: e.update(actor="Sami Khoury", role="writer"), "role 'writer' may not approve"),
    (lambda e: e.update(actor="Sami Khoury"), "Sami Khoury does not hold the role 'editor'"),
    (lambda e: e.update(actor="Somebody Else"), "Somebody Else is not one of this newsroom's people"),
    (lambda e: e.update(at="2019-07-22T05:00:00Z"), "its time is before the event above it"),
    (lambda e: e.update(at="2999-01-01T00:00:00Z"), "its time lies in the future"),
], ids=["writer", "not-an-editor", "stranger", "backwards", "2999"])
def test_9_a_forged_approve_event_with_the_chain_recomputed_is_refused(approved: tuple[Path, str],
                                                                        forge: Callable[[dict[str, Any]], None],
                                                                        words: str) -> None:
    root, rid = approved
    path = root / "releases" / rid / "release.yaml"
    index = _approve_index(path)
    rewrite_history(path, lambda history: forge(history[index]), reseal_from=index)
    cli = Cli(root)
    r: Any = cli("verify", "--json")
    assert r.exit_code == 5
    assert any(p["release"] == rid and p["file"] == "release.yaml" and p["field"].startswith("history[")
               and words in p["message"] for p in json.loads(r.stdout)["problems"]), r.stdout
    r = cli("publish", rid)
    assert r.exit_code == 5
    assert words in one_error_line(r)
    assert not (root / "dist" / "en" / rid).exists()
    assert json.loads(cli("show", rid, "--json").stdout)["state"] == "translation"


def test_9_a_forged_review_event_by_the_translator_is_refused(approved: tuple[Path, str]) -> None:
    root, rid = approved
    path = root / "releases" / rid / "ar.yaml"

    def forge(history: list[dict[str, Any]]) -> None:
        history[-1]["actor"] = "Rami Haddad"  # the translator, recorded as reviewing his own text

    rewrite_history(path, forge, reseal_from=len(yaml.safe_load(path.read_text("utf-8"))["history"]) - 1)
    replace_in(path, "reviewed_by: Lina Aziz", "reviewed_by: Rami Haddad", count=-1)
    r: Any = Cli(root)("verify")
    assert r.exit_code == 5
    assert "Rami Haddad does not hold the role 'reviewer:ar'" in r.stdout
    assert Cli(root)("publish", rid).exit_code == 5


def test_9_a_deleted_language_file_of_a_published_release_is_refused(room: Path) -> None:  # noqa: F811
    before = dist(room)
    (folder(room) / "ar.yaml").unlink()
    r: Any = Cli(room)("verify", "--json")
    assert r.exit_code == 5
    assert [(p["file"], p["message"]) for p in json.loads(r.stdout)["problems"]] == [
        ("ar.yaml", "is missing; restore it from git")]
    assert Cli(room)("build").exit_code == 5
    assert dist(room) == before


# ---------------------------------------------------------------- 10. all or nothing
def _state(root: Path, rid: str) -> tuple[str, list[str]]:
    data = yaml.safe_load((root / "releases" / rid / "release.yaml").read_text("utf-8"))
    return data["state"], [e.get("transition") or e["kind"] for e in data["history"]]


def _leftovers(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*pubflow-tmp*"))


def test_10_a_publish_whose_outputs_cannot_be_written_leaves_nothing_behind(approved: tuple[Path, str]) -> None:
    root, rid = approved
    before_dist = dist(root)
    state_before = _state(root, rid)
    (root / "dist" / "ar" / rid).write_text("not a folder", encoding="utf-8")  # the Arabic bundle cannot go there
    r: Any = Cli(root)("publish", rid, "-m", "Out.")
    assert r.exit_code == 5
    assert "cannot write" in one_error_line(r)
    assert _state(root, rid) == state_before  # no event, still in translation
    (root / "dist" / "ar" / rid).unlink()
    assert dist(root) == before_dist  # not one output of it (no English bundle, no zip, no index entry)
    assert not list((root / "releases" / rid).glob("published/*"))
    assert _leftovers(root) == []
    r = Cli(root)("publish", rid, "-m", "Out.")  # once the folder is writable, it goes out whole
    assert r.exit_code == 0, r.output


FILL_UP = """
import os, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)   # writes past the limit fail with EFBIG, like a full disk
limit = int(sys.argv[1])
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
from workflow.cli.app import main
sys.argv = ["pubflow", *sys.argv[2:]]
main()
"""


def test_10_a_publish_whose_event_cannot_be_written_takes_its_staged_outputs_back(approved: tuple[Path, str],
                                                                                 ) -> None:
    root, rid = approved
    before_dist = dist(root)
    state_before = _state(root, rid)
    (root / "releases" / rid / "published").write_text("not a folder", encoding="utf-8")  # no snapshot fits
    r: Any = Cli(root)("publish", rid, "-m", "Out.")
    assert r.exit_code == 5
    assert "cannot write" in one_error_line(r)
    assert _state(root, rid) == state_before
    assert dist(root) == before_dist  # every staged output taken back
    assert _leftovers(root) == []


def test_10_a_full_disk_during_publish_leaves_neither_event_nor_output(approved: tuple[Path, str]) -> None:
    """Writes past a size limit fail as on a full disk (RLIMIT_FSIZE, in a child process): the limit
    lets every file of the release through (the snapshots it will write included) but not the bundle."""
    from workflow.core import snapshot
    from workflow.storage.newsroom import Newsroom

    root, rid = approved
    doc = Newsroom.open(root).load(rid)
    record = max(len(format_yaml(snapshot.take(doc, lang).to_dict()).encode()) for lang in ("en", "ar"))
    limit = max(record, (root / "releases" / rid / "release.yaml").stat().st_size + 4096) + 1
    biggest = max(len(data) for name, data in dist(root).items() if RID in name)
    if biggest <= limit:
        pytest.skip(f"this sample's bundles ({biggest} bytes) are not larger than its records ({limit})")
    before_dist = dist(root)
    state_before = _state(root, rid)
    env = {**os.environ, "PUBFLOW_USER": EDITOR, "PUBFLOW_ROOT": str(root), "PUBFLOW_NO_INDEX": "1"}
    proc = subprocess.run([sys.executable, "-c", FILL_UP, str(limit), "publish", rid, "-m", "Out."],
                          capture_output=True, text=True, env=env, cwd=REPO, timeout=300, check=False)
    assert proc.returncode == 5, proc.stdout + proc.stderr
    assert len(proc.stderr.splitlines()) == 1
    assert "File too large" in proc.stderr
    assert _state(root, rid) == state_before
    assert dist(root) == before_dist
    assert _leftovers(root) == []
    assert Cli(root)("verify").exit_code == 0


def test_10_a_full_output_disk_leaves_nothing_behind(approved: tuple[Path, str], tmp_path: Path) -> None:
    """A real full file system (a 256 KB tmpfs for dist/), when this machine lets us mount one."""
    root, rid = approved
    mount = tmp_path / "small"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mount)], capture_output=True,
                      check=False).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        config = root / "pubflow.yaml"
        config.write_text(config.read_text("utf-8").replace("  dir: dist", f"  dir: {mount}"), encoding="utf-8")
        assert Cli(root)("build").exit_code == 0  # the sample fits
        filler = mount / "filler"
        free = os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize
        filler.write_bytes(b"x" * max(0, free - 8192))  # leave 8 KB: a bundle does not fit
        before = {str(p.relative_to(mount)): p.read_bytes() for p in mount.rglob("*") if p.is_file() and p != filler}
        state_before = _state(root, rid)
        r: Any = Cli(root)("publish", rid, "-m", "Out.")
        assert r.exit_code == 5
        assert "No space left on device" in one_error_line(r)
        assert _state(root, rid) == state_before
        assert {str(p.relative_to(mount)): p.read_bytes() for p in mount.rglob("*")
                if p.is_file() and p != filler} == before
        assert not [p for p in mount.rglob("*pubflow-tmp*")]
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_a_hand_edit_of_a_snapshot_is_seen_by_an_incremental_build(room: Path) -> None:  # noqa: F811
    """The build's memory trusts a release whose files did not change (stat stamps): the snapshots
    are among those files, so editing one by hand is never taken for "nothing changed"."""
    import time

    time.sleep(1.1)  # older than the racy second: the build state is trusted again
    assert Cli(room)("build").exit_code == 0
    before = dist(room)
    edit_snapshot(room)
    time.sleep(1.1)
    r: Any = Cli(room)("build")
    assert r.exit_code == 5
    assert "does not match the hash" in one_error_line(r)
    assert dist(room) == before
