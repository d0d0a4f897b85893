"""workflow/storage/store.py is the only module that writes files (atomically, under a lock).

Read from the source with `ast`: any other module of the package that
writes, replaces, removes or creates files or folders itself fails here.
Writing through `store` is what keeps every file old-or-new after a crash.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "workflow"
STORE = "storage/store.py"
# Writers that are not files pubflow formats itself, each with its reason.
ALLOWED = {
    ("storage/index.py", "sqlite3.connect"): "the SQLite index: SQLite's own journal keeps it whole",
    ("storage/parsecache.py", "sqlite3.connect"): "the parse cache: SQLite's own journal keeps it whole",
    ("storage/limits.py", "os.open"): "O_RDONLY | O_NONBLOCK: the one bounded reader of input files writes nothing",
    ("storage/index.py", "os.open"): "O_RDONLY | O_DIRECTORY: releases/ held open to stat its files; writes nothing",
}
# Creating a folder (mkdir, makedirs) is not checked: it is idempotent and leaves nothing half-written.
# Calls that write, whatever object they are called on.
METHODS = {"write_text", "write_bytes", "touch", "unlink", "rmdir", "symlink_to", "hardlink_to"}
# Calls that write only when given a target (WeasyPrint's write_pdf() without one returns the bytes).
TARGET_METHODS = {"write_pdf", "write_png", "savefig"}
# module.function calls that write.
FUNCTIONS = {
    "os": {"replace", "rename", "renames", "remove", "unlink", "rmdir", "removedirs", "open", "symlink", "link",
           "truncate", "write"},
    "shutil": {"copy", "copy2", "copyfile", "copytree", "move", "rmtree", "make_archive"},
    "tempfile": {"mkstemp", "mkdtemp", "NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile"},
    "json": {"dump"}, "marshal": {"dump"}, "pickle": {"dump"},
    "sqlite3": {"connect"}, "zipfile": {"ZipFile"},
}
WRITE_MODES = set("wax+")


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def _mode(call: ast.Call, position: int) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == "mode" and isinstance(keyword.value, ast.Constant):
            return str(keyword.value.value)
    if len(call.args) > position and isinstance(call.args[position], ast.Constant):
        return str(call.args[position].value)  # type: ignore[attr-defined]
    return None


def writes(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, what) for every call in `tree` that writes to the file system."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = _dotted(func)
        if name is not None and name.split(".")[0] == "store":
            continue  # workflow.storage.store: the writer
        if (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Call)
                and _dotted(func.value.func) == "super"):
            continue  # an override calling its base class (click's HelpFormatter.write_text writes to a buffer)
        if node.args and _dotted(node.args[0]) == "os.devnull":
            continue  # /dev/null (e.g. for a closed stdout) is no file
        if isinstance(func, ast.Attribute) and (
                func.attr in METHODS or func.attr in TARGET_METHODS
                and (node.args or any(k.arg == "target" for k in node.keywords))):
            found.append((node.lineno, name or f"?.{func.attr}"))
        elif name and "." in name and name.rsplit(".", 1)[1] in FUNCTIONS.get(name.rsplit(".", 1)[0], ()):
            if name == "zipfile.ZipFile" and (_mode(node, 1) or "r") == "r":
                continue
            found.append((node.lineno, name))
        elif name == "open" or (isinstance(func, ast.Attribute) and func.attr == "open" and name != "os.open"):
            mode = _mode(node, 1 if name == "open" else 0)
            if mode is not None and WRITE_MODES & set(mode):
                found.append((node.lineno, f"{name or 'open'}(mode={mode!r})"))
    return found


def test_the_scanner_finds_writes() -> None:
    source = (
        "p.write_text('x')\nopen(f, 'w')\nPath(f).open(mode='ab')\nos.replace(a, b)\nshutil.rmtree(d)\n"
        "json.dump(x, fh)\nzipfile.ZipFile(f, 'w')\ndoc.write_pdf(path)\n"
        "open(f)\nopen(f, 'rb')\ntext.replace('a', 'b')\njson.dumps(x)\nzipfile.ZipFile(f)\n"
        "store.write_text(p, 'x')\nos.open(os.devnull, os.O_WRONLY)\ndoc.write_pdf(finisher=f)\n"
        "super().write_text(text)\n"
    )
    assert [line for line, _what in writes(ast.parse(source))] == [1, 2, 3, 4, 5, 6, 7, 8]


def test_only_the_store_writes_files() -> None:
    offenders: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == STORE:
            continue
        for line, what in writes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if (rel, what) not in ALLOWED:
                offenders.append(f"workflow/{rel}:{line}: {what}")
    assert offenders == [], "write through workflow.storage.store instead:\n" + "\n".join(offenders)
