"""`store.confine`: a folder reached through a link out of its fence is refused; the quick path (no
link on the way) and the full one (links resolved) agree."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from workflow.errors import InvalidData
from workflow.storage import store


@pytest.fixture
def room(tmp_path: Path) -> Path:
    root = tmp_path / "room"
    (root / "releases" / "2024-01-01-a").mkdir(parents=True)
    (root / "inner").mkdir()
    (tmp_path / "outside").mkdir()
    os.symlink(root / "inner", root / "releases" / "2024-01-02-in")  # a link that stays inside
    os.symlink(tmp_path / "outside", root / "releases" / "2024-01-03-out")  # a link that leads out
    return root


@pytest.mark.parametrize(("name", "inside"), [
    ("releases/2024-01-01-a", True), ("releases/2024-01-02-in", True), ("releases/not-yet/made", True),
    ("releases/2024-01-03-out", False), ("releases/2024-01-03-out/deeper", False), ("releases/../../outside", False),
])
def test_confine_refuses_exactly_what_leads_out(room: Path, name: str, inside: bool) -> None:
    folder = os.path.join(room, *name.split("/"))
    if inside:
        store.confine(folder, room)
    else:
        with pytest.raises(InvalidData, match="leads outside"):
            store.confine(folder, room)


def test_release_yaml_a_fifo_is_no_hang_for_the_schedule_prefilter(sample: Path) -> None:
    from tests.conftest import SAMPLE_ID
    from workflow.storage.newsroom import Newsroom

    nr = Newsroom.open(sample)
    path = sample / "releases" / SAMPLE_ID / "release.yaml"
    path.unlink()
    os.mkfifo(path)
    assert nr.release_file_mentions(SAMPLE_ID, b"schedule") is True  # unreadable: the caller loads and reports
