"""Every command answers --help (found by walking the command tree, so new commands are covered)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from workflow.cli.app import app

ROOT = Path(__file__).resolve().parents[1]


def command_paths() -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []

    def walk(command: Any, path: tuple[str, ...]) -> None:
        paths.append(path)
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return paths


PATHS = command_paths()
EDITOR_COMMANDS = {"init", "new", "list", "show", "submit", "approve", "reject", "publish", "correct", "retract",
                   "move", "comment", "history", "people", "workflow", "verify", "edit"}


def test_the_editor_commands_are_registered():
    assert EDITOR_COMMANDS <= {p[0] for p in PATHS if len(p) == 1}


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "pubflow")
def test_every_command_has_help(path):
    result = CliRunner().invoke(app, [*path, "--help"], prog_name="pubflow", catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(" ".join(("Usage: pubflow", *path)) + " ")
    assert "Traceback" not in result.output
    if path:
        # The one-line summary a user sees in `pubflow --help` is not empty.
        assert len([line for line in result.stdout.splitlines() if line.strip()]) >= 3


def test_python_dash_m_workflow_help():
    result = subprocess.run([sys.executable, "-m", "workflow", "--help"], capture_output=True, text=True,
                            cwd=ROOT, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Usage: pubflow ")
    for name in ("new", "list", "verify"):
        assert f"\n  {name} " in result.stdout
    assert result.stderr == ""


def test_python_dash_m_workflow_runs_commands(newsroom):
    result = subprocess.run([sys.executable, "-m", "workflow", "--root", str(newsroom), "people", "--json"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert '"name": "Hala Darwish"' in result.stdout
    bad = subprocess.run([sys.executable, "-m", "workflow", "--root", str(newsroom), "show", "../x"],
                         capture_output=True, text=True, timeout=60, check=False)
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: '../x' is not a release id")
    assert bad.stderr.count("\n") == 1
