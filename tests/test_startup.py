"""Start-up: commands convert their option values without importing pydantic (workflow.plainparams)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EDITOR

PROBE = """
import sys
sys.argv = ["pubflow", *sys.argv[1:]]
from workflow.cli.launch import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stderr.write("\\nPYDANTIC=%s CODE=%s\\n" % ("pydantic" in sys.modules, code))
"""


def probe(root: Path, *args: str) -> tuple[str, str]:
    done = subprocess.run([sys.executable, "-c", PROBE, "--root", str(root), *args], capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin", "COLUMNS": "100"}, check=False)
    return done.stdout, done.stderr


@pytest.mark.parametrize("args", [("people",), ("list", "--help"), ("show", "--help"), ("history", "nope"),
                                  ("list", "--json"), ("new", "--from", "missing.md", "--as", "Hala Darwish")])
def test_commands_do_not_import_pydantic(newsroom: Path, args: tuple[str, ...]) -> None:
    _, err = probe(newsroom, *args)
    assert "PYDANTIC=False" in err, err


def test_path_and_text_values_are_converted_as_before(newsroom: Path, tmp_path: Path) -> None:
    text = tmp_path / "note.md"
    text.write_text("Plain title\n\nA body paragraph.\n", encoding="utf-8")
    out, err = probe(newsroom, "new", "--from", str(text), "--as", "Hala Darwish", "--date", "2024-01-02", "--json")
    assert "CODE=0" in err, err
    assert '"title": "Plain title"' in out
    _, err = probe(newsroom, "new", "--from", str(tmp_path / "absent.md"), "--as", "Hala Darwish")
    assert "CODE=0" not in err
    assert "absent.md" in err


def run(root: Path, *args: str, fast: bool = True, columns: str | None = None,
        close_stdout: bool = False) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBFLOW") and k != "COLUMNS"}
    env["PUBFLOW_USER"] = EDITOR
    if columns:
        env["COLUMNS"] = columns
    if not fast:
        env["PUBFLOW_NO_FASTPATH"] = "1"
    command = [sys.executable, "-c", "from workflow.cli.launch import main; main()", "--root", str(root), *args]
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


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("args", [("list",), ("pending",), ("history", "nope-x"), ("people",), ("list", "--json")])
def test_closed_stdout_ends_quietly(long_room: Path, fast: bool, args: tuple[str, ...]) -> None:
    if args[0] == "history":  # an id that exists, so it prints
        args = ("history", run(long_room, "list", "--json")[1].split('"id": "')[1].split('"')[0])
    code, _, err = run(long_room, *args, fast=fast, close_stdout=True)
    assert code in (0, 141), err
    assert "error" not in err
    assert "Traceback" not in err
    assert "Exception ignored" not in err


@pytest.mark.parametrize("fast", [True, False])
def test_list_into_a_pipe_keeps_whole_titles(long_room: Path, fast: bool) -> None:
    code, out, err = run(long_room, "list", fast=fast)
    assert code == 0, err
    assert f"{LONG} 2" in out
    assert "…" not in out
    code, narrow, err = run(long_room, "list", fast=fast, columns="90")
    assert code == 0, err
    assert f"{LONG} 2" not in narrow
    assert "…" in narrow
