"""Everything the CLI prints for a person goes through `cli.common.echo` (the one terminal
sanitiser, issue 15 case 3): a title with an escape sequence cannot reach a terminal raw because
a new command used `typer.echo` directly.  The few direct prints are listed here with why."""

from __future__ import annotations

import ast
from pathlib import Path

CLI = Path(__file__).resolve().parents[1] / "workflow" / "cli"

# file -> the direct prints it may make, each for a reason
ALLOWED = {
    # echo itself; print_json/print_json_text (JSON escapes every control character); print_json_bytes
    # writes bytes through textrules.json_safe_bytes (not counted here: sys.stdout.buffer.write)
    "common.py": 2,
    "exits.py": 1,  # the error line, through terminal() with one_line
    "app.py": 5,  # the progress line (pubflow's own words, \r on a terminal), notes through terminal(), --version
    "lazy.py": 1,  # click's help page: pubflow's own words
    "translate.py": 1,  # `export` to stdout: the PO/XLIFF file byte for byte, like cat
}


def _direct_prints(path: Path) -> int:
    count = 0
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in (
                "typer", "click") and func.attr in ("echo", "secho"):
            count += 1
        elif isinstance(func, ast.Name) and func.id == "print":
            count += 1
    return count


def test_the_cli_prints_through_its_sanitiser() -> None:
    found = {path.name: n for path in sorted(CLI.glob("*.py")) if (n := _direct_prints(path))}
    extra = {name: n for name, n in found.items() if n > ALLOWED.get(name, 0)}
    assert extra == {}, f"print through workflow.cli.common.echo (or print_json) instead: {extra}"
