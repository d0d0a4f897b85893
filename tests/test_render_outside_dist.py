"""`render` and `build -o` never write into the published outputs (issue 10: what is out is what was approved).

`pubflow render DRAFT -o dist` wrote a draft nobody approved into `dist/` and replaced the
site's index and feed with ones that list it; `build --at ... -o dist` wrote another moment's
view over what is out.  Only `build` and `publish` (and `correct`, `retract`) write the
outputs folder: any `-o` that is it, or inside it (through a link too), is refused with one
line and nothing is written.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import WRITER, BuiltRooms, Cli
from tests.test_integrity import dist, make_room

DRAFT = "2019-07-24-secret"


def _make_room_with_a_draft(root: Path) -> None:
    make_room(root)
    cli = Cli(root)
    r: Any = cli("build")
    assert r.exit_code == 0, r.output
    draft = root.parent / "draft.txt"
    draft.write_text("Draft nobody approved\n\nSecret draft text 999.\n", encoding="utf-8")
    r = cli("new", "--from", str(draft), "--slug", "secret", "--date", "2019-07-24", as_=WRITER)
    assert r.exit_code == 0, r.output


@pytest.fixture
def room(tmp_path: Path, built_rooms: BuiltRooms) -> Path:
    """The sample newsroom built, then a draft nobody approved added (made once per test process)."""
    return built_rooms.copy("room-with-a-draft", _make_room_with_a_draft, tmp_path / "room")


@pytest.mark.parametrize("where", ["dist", "dist/en", "dist/en/new-folder", "./dist/../dist", "{abs}/dist"])
def test_render_into_the_outputs_is_refused(room: Path, where: str) -> None:
    before = dist(room)
    r: Any = Cli(room)("render", DRAFT, "-o", where.format(abs=room) if where.startswith("{") else str(room / where))
    assert r.exit_code == 2, r.output
    [line] = r.stderr.splitlines()
    assert line.startswith("error: "), line
    assert "outputs" in line, line
    assert dist(room) == before
    assert not any(b"Secret draft" in data for data in dist(room).values())


def test_render_through_a_link_into_the_outputs_is_refused(room: Path, tmp_path: Path) -> None:
    before = dist(room)
    link = tmp_path / "look"
    os.symlink(room / "dist", link)
    r: Any = Cli(room)("render", DRAFT, "-o", str(link / "en"))
    assert r.exit_code == 2, r.output
    assert dist(room) == before


def test_build_at_another_moment_into_the_outputs_is_refused(room: Path) -> None:
    before = dist(room)
    r: Any = Cli(room)("build", "--at", "2019-07-01T00:00+00:00", "-o", str(room / "dist"))
    assert r.exit_code == 2, r.output
    assert "outputs" in r.stderr
    assert dist(room) == before


def test_render_and_build_elsewhere_still_work(room: Path, tmp_path: Path) -> None:
    cli = Cli(room)
    r: Any = cli("render", DRAFT, "-o", str(tmp_path / "look"))
    assert r.exit_code == 0, r.output
    assert b"Secret draft" in (tmp_path / "look" / "en" / DRAFT / "index.html").read_bytes()
    r = cli("build", "-o", str(tmp_path / "copy"))
    assert r.exit_code == 0, r.output


def test_the_api_build_at_another_moment_writes_nothing(tmp_path: Path) -> None:
    """`workflow.build(nr, at=...)` is what `pubflow build --at` is: a look, nothing written.
    It rebuilt dist/ as of that moment: at a past moment every published release vanished
    from dist/ with no `retract` and no event."""
    import datetime as dt

    import workflow

    root = make_room(tmp_path / "room")
    assert Cli(root)("build").exit_code == 0  # type: ignore[attr-defined]
    before = dist(root)
    nr = workflow.open_newsroom(root)
    result = workflow.build(nr, at=dt.datetime(2019, 1, 1, tzinfo=dt.UTC))
    assert result.dry_run
    assert result.out == {}
    assert dist(root) == before
