"""`pubflow pending` and `pubflow inbox` from the fast path print what the typer commands print."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workflow.cli.launch import parse_argv
from workflow.storage.newsroom import Newsroom

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    root = tmp_path_factory.mktemp("gen") / "newsroom"
    module.generate(30, root, seed=11)
    return root


@pytest.fixture
def room(generated: Path, tmp_path: Path) -> Path:
    shutil.copytree(generated, tmp_path / "newsroom")
    return tmp_path / "newsroom"


def _run(room: Path, *args: str, fast: bool) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBFLOW")}
    if not fast:
        env["PUBFLOW_NO_FASTPATH"] = "1"
    done = subprocess.run([sys.executable, "-c", "from workflow.cli.launch import main; main()", "--root", str(room),
                           *args], capture_output=True, text=True, env=env, check=False)
    return done.returncode, done.stdout, done.stderr


def _command_lines(room: Path) -> list[list[str]]:
    people = [p.email for p in Newsroom.open(room).config.people]
    lines = [["pending"], ["pending", "--lang", "ar"], ["pending", "--lang=en", "--json"], ["pending", "--json"],
             ["pending", "--lang", "xx"], ["pending", "--mine", "--as", "nobody@example.org"],
             ["inbox", "--as", "nobody@example.org"], ["--ui-lang", "ar", "pending"], ["inbox"]]
    for email in people:
        lines += [["pending", "--mine", "--as", email], ["inbox", "--as", email], ["inbox", "--json", f"--as={email}"],
                  ["--ui-lang", "ar", "inbox", "--as", email]]
    return lines


def _assert_same(room: Path) -> None:
    for args in _command_lines(room):
        slow = _run(room, *args, fast=False)
        assert _run(room, *args, fast=True) == slow, args  # computed
        assert _run(room, *args, fast=True) == slow, args  # served from the cached output


def test_parse_argv_takes_only_plain_command_lines() -> None:
    assert parse_argv(["pending", "--lang", "ar", "--mine", "--json"]) == ("pending", {
        "root": None, "ui-lang": None, "lang": "ar", "as": None, "mine": "1", "json": "1"})
    assert parse_argv(["--root", "x", "inbox", "--as=a"]) == ("inbox", {"root": "x", "ui-lang": None, "as": "a",
                                                                        "json": None})
    for args in (["pending", "2026-01-01-x"], ["inbox", "--mine"], ["pending", "--help"], ["pending", "--lang"]):
        assert parse_argv(args) is None, args


@pytest.mark.slow
def test_fast_queues_print_what_typer_prints_on_a_generated_newsroom(room: Path) -> None:
    _assert_same(room)


@pytest.mark.slow
def test_fast_queues_print_what_typer_prints_on_the_fixture(newsroom: Path, sample_id: str) -> None:
    _assert_same(newsroom)


@pytest.mark.slow
def test_fast_queues_see_a_hand_edit_at_once(room: Path) -> None:
    editor = next(p.email for p in Newsroom.open(room).config.people if "editor" in p.roles)
    before = {args[0]: _run(room, *args, fast=True)[1] for args in (["pending"], ["inbox", "--as", editor])}
    paths = [p for p in sorted(room.glob("releases/*/*.yaml"))
             if p.name != "release.yaml" and "status: machine" in p.read_text(encoding="utf-8")]
    assert paths
    path = paths[0]
    path.write_text(path.read_text(encoding="utf-8").replace("status: machine", "status: translated", 1),
                    encoding="utf-8")
    for args in (["pending"], ["inbox", "--as", editor]):
        after = _run(room, *args, fast=True)
        assert after == _run(room, *args, fast=False), args
    assert _run(room, "pending", fast=True)[1] != before["pending"]
