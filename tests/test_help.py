"""Every command answers --help (found by walking the command tree, so new commands are covered).

The tree is walked with click's public `list_commands`/`get_command`, as
`pubflow --help` sees it: the root group loads command modules lazily.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from workflow.cli.app import COMMANDS, app

ROOT = Path(__file__).resolve().parents[1]


def command_paths() -> list[tuple[str, ...]]:
    paths: list[tuple[str, ...]] = []

    def walk(command: Any, path: tuple[str, ...], ctx: typer.Context) -> None:
        paths.append(path)
        if isinstance(command, typer.core.TyperGroup):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                assert sub is not None, name
                walk(sub, (*path, name), typer.Context(sub, parent=ctx, info_name=name))

    root = typer.main.get_command(app)
    walk(root, (), typer.Context(root, info_name="pubflow"))
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


def test_the_lazy_table_says_what_each_command_says() -> None:
    """`pubflow --help` lists commands from workflow.cli.app.COMMANDS: each line opens the command's own help."""
    root = typer.main.get_command(app)
    ctx = typer.Context(root, info_name="pubflow")
    assert isinstance(root, typer.core.TyperGroup)
    for name, entry in COMMANDS.items():
        command = root.get_command(ctx, name)
        assert command is not None, name
        assert (command.help or "").startswith(entry.summary), name
        assert command.name == name


def _python(*code: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", "\n".join(code)], capture_output=True, text=True, cwd=ROOT,
                          timeout=60, check=False, env={**os.environ, "COLUMNS": "100", **(env or {})})


def test_help_imports_no_command_module() -> None:
    done = _python("import sys", "from workflow.cli.app import app",
                   "from typer.testing import CliRunner",
                   "result = CliRunner().invoke(app, ['--help'], prog_name='pubflow')",
                   "print(result.stdout)",
                   "print(sorted(m for m in sys.modules if m.startswith('workflow.')), file=sys.stderr)")
    assert done.returncode == 0, done.stderr
    for name in COMMANDS:
        assert f"\n  {name} " in done.stdout
    loaded = ast.literal_eval(done.stderr)
    assert not {entry.module for entry in COMMANDS.values()} & set(loaded), loaded


def test_help_is_in_the_interface_language() -> None:
    runner = CliRunner()
    arabic = runner.invoke(app, ["--ui-lang", "ar", "list", "--help"], prog_name="pubflow")
    assert arabic.exit_code == 0, arabic.output
    out = arabic.stdout
    assert out.startswith("الاستخدام: pubflow list ")
    for english in ("Usage:", "Options", "Show this message and exit.", "List releases"):
        assert english not in out
    assert "الخيارات:" in out
    assert "اعرض هذه الرسالة ثم اخرج." in out
    root = runner.invoke(app, ["--help"], prog_name="pubflow", env={"PUBFLOW_LANG": "ar"})
    assert root.exit_code == 0, root.output
    assert "الأوامر:" in root.stdout
    assert "[متغير البيئة: PUBFLOW_ROOT]" in root.stdout
    assert "Commands" not in root.stdout
    # The next run in the same process is English again.
    english = runner.invoke(app, ["list", "--help"], prog_name="pubflow")
    assert english.stdout.startswith("Usage: pubflow list ")


def test_an_unknown_command_is_one_line_with_suggestions() -> None:
    result = CliRunner().invoke(app, ["lst"], prog_name="pubflow")
    assert result.exit_code == 2
    assert result.stderr == "error: no command 'lst' (did you mean list, set? see `pubflow --help`)\n"
    arabic = CliRunner().invoke(app, ["--ui-lang", "ar", "lst"], prog_name="pubflow")
    assert arabic.exit_code == 2
    assert arabic.stderr.startswith("خطأ: ")
    assert arabic.stderr.count("\n") == 1


def test_pubflow_alone_prints_the_help() -> None:
    result = CliRunner().invoke(app, [], prog_name="pubflow")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: pubflow [OPTIONS] COMMAND [ARGS]...")
    assert result.stderr == ""


def test_the_cli_uses_typers_public_names_only() -> None:
    """No private typer module or attribute (typer._click, typer.core._, _runtime_param) in workflow/cli."""
    private = re.compile(r"typer\.(?:\w+\.)*_\w|_runtime_param|from typer\._|import click")
    for path in sorted((ROOT / "workflow" / "cli").glob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            assert not private.search(line), f"{path.name}:{number}: {line.strip()}"
