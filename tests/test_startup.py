"""Ending quietly when the reader of our output goes away, and whole titles in a pipe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EDITOR


def run(root: Path, *args: str, indexed: bool = True, columns: str | None = None,
        close_stdout: bool = False) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBFLOW") and k != "COLUMNS"}
    env["PUBFLOW_USER"] = EDITOR
    if columns:
        env["COLUMNS"] = columns
    if not indexed:
        env["PUBFLOW_NO_INDEX"] = "1"
    command = [sys.executable, "-c", "from workflow.cli.app import main; main()", "--root", str(root), *args]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    assert proc.stdout is not None
    assert proc.stderr is not None
    if close_stdout:  # like `| head -0`: the reader is gone before we write
        proc.stdout.close()
        err = proc.stderr.read()
        proc.wait(timeout=60)
        return proc.returncode, "", err.decode()
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out.decode(), err.decode()


LONG = "A statement on " + " ".join(f"item{n}" for n in range(40))


@pytest.fixture
def long_room(newsroom: Path, cli: Any) -> Path:
    for n in range(3):
        result = cli("new", "--title", f"{LONG} {n}", "--body", "Body.\n\nMore body.", "--date", f"2024-01-0{n + 1}")
        assert result.exit_code == 0, result.stderr
    return newsroom


@pytest.mark.parametrize("indexed", [True, False])
@pytest.mark.parametrize("args", [("list",), ("pending",), ("history", "nope-x"), ("people",), ("list", "--json")])
def test_closed_stdout_ends_quietly(long_room: Path, indexed: bool, args: tuple[str, ...]) -> None:
    if args[0] == "history":  # an id that exists, so it prints
        args = ("history", run(long_room, "list", "--json")[1].split('"id": "')[1].split('"')[0])
    code, _, err = run(long_room, *args, indexed=indexed, close_stdout=True)
    assert code in (0, 141), err
    assert "error" not in err
    assert "Traceback" not in err
    assert "Exception ignored" not in err


@pytest.mark.parametrize("indexed", [True, False])
def test_list_into_a_pipe_keeps_whole_titles(long_room: Path, indexed: bool) -> None:
    code, out, err = run(long_room, "list", indexed=indexed)
    assert code == 0, err
    assert f"{LONG} 2" in out
    assert "…" not in out
    code, narrow, err = run(long_room, "list", indexed=indexed, columns="90")
    assert code == 0, err
    assert f"{LONG} 2" not in narrow
    assert "…" in narrow
