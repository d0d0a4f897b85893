"""One module per outside library: swapping or upgrading it is a one-file change.

pyproject's import-linter contracts say the same for whole packages (polib,
deep_translator, requests); import-linter cannot name a subpackage of an
outside package (babel.messages, while publishing may use babel.dates).
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


ONLY_IMPORTER = {  # outside library -> the one module of workflow/ that may import it
    "polib": "workflow/i18n/pofile.py",
    "babel.messages": "workflow/i18n/pofile.py",
    "deep_translator": "workflow/translation/mt/provider.py",
    "requests": "workflow/translation/mt/provider.py",
}


def _imports(path: Path) -> set[str]:
    """Every module a file imports, function-level imports included (`from a import b` counts a.b too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_each_outside_library_has_one_module_that_imports_it() -> None:
    """import-linter forbids whole outside packages only (`polib`, not `babel.messages`): this covers subpackages."""
    users: dict[str, list[str]] = {name: [] for name in ONLY_IMPORTER}
    for path in sorted((REPO / "workflow").rglob("*.py")):
        names = _imports(path)
        for library in ONLY_IMPORTER:
            if any(n == library or n.startswith(library + ".") for n in names):
                users[library].append(path.relative_to(REPO).as_posix())
    assert users == {library: [module] for library, module in ONLY_IMPORTER.items()}
