"""What went out is a witness too: a history rolled back behind what `dist/` shows is refused.

Scenario 8 of issue 10 without git's help: the sample newsroom as a new user clones it has
`git.autocommit` off (and a newsroom need not be a repository at all), so a retraction that
was never committed is invisible to git.  Deleting the `retract` event and setting `state:
published` leaves a valid hash chain; only the outputs remember the retraction.  The build
records the last event of every release it wrote (`.pubflow/out-heads.json`) and refuses a
release whose history no longer holds it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import BuiltRooms, Cli
from tests.test_integrity import OLD, RID, dist, make_room, one_error_line
from workflow.storage.yamlio import format_yaml


def _make_built_room(root: Path) -> None:
    make_room(root)
    r: Any = Cli(root)("build")
    assert r.exit_code == 0, r.output


@pytest.fixture
def room(tmp_path: Path, built_rooms: BuiltRooms) -> Path:
    """A copy of the sample newsroom (no git), built: the sample release is out in English and Arabic
    (built once per test process: `tests.conftest.BuiltRooms`)."""
    return built_rooms.copy("rollback-room", _make_built_room, tmp_path / "room")


def truncate(root: Path, events: int, state: str) -> None:
    path = root / "releases" / RID / "release.yaml"
    data = yaml.safe_load(path.read_text("utf-8"))
    data["history"] = data["history"][:-events]
    data["state"] = state
    data["revision"] = data["revision"] - events
    path.write_text(format_yaml(data), encoding="utf-8")


def test_8_without_git_a_truncated_retraction_does_not_bring_the_text_back(room: Path) -> None:
    cli = Cli(room)
    assert cli("retract", RID, "-m", "Withdrawn.", "--message-ar", "سُحب.").exit_code == 0
    tombstone = dist(room)
    assert OLD.encode() not in tombstone[f"en/{RID}/index.html"]
    truncate(room, 1, "published")
    r: Any = cli("verify")
    assert r.exit_code == 5, r.output
    assert "release.yaml: history" in r.stdout
    assert "retract" in r.stdout
    for args in (("build",), ("build", "--force"), ("publish", RID),
                 ("correct", RID, "-m", "back", "--message-ar", "عاد")):
        r = cli(*args)
        assert r.exit_code == 5, (args, r.output)
        line = one_error_line(r) if args[0] != "build" else r.stderr.splitlines()[-1]
        assert RID in line, line
        assert "retract" in line, line
        assert dist(room) == tombstone, args  # the withdrawn text stays withdrawn


def test_a_correction_that_went_out_cannot_be_dropped_from_the_history(room: Path) -> None:
    cli = Cli(room)
    assert cli("correct", RID, "-m", "Clarified the source line.", "--message-ar", "وُضّح سطر المصدر.").exit_code == 0
    out = dist(room)
    truncate(room, 1, "published")
    r: Any = cli("build")
    assert r.exit_code == 5
    assert dist(room) == out


def test_histories_that_carry_on_still_build(room: Path) -> None:
    cli = Cli(room)
    assert cli("correct", RID, "-m", "Clarified the source line.", "--message-ar", "وُضّح سطر المصدر.").exit_code == 0
    assert cli("comment", RID, "-m", "Checked again.").exit_code == 0
    r: Any = cli("build", "--force")
    assert r.exit_code == 0, r.output
    assert cli("verify").exit_code == 0
