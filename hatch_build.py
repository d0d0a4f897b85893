"""Hatch build hook: wheels carry compiled interface catalogs.

Before the wheel's files are collected, every locales/<lang>/LC_MESSAGES/pubflow.po
is compiled next to itself (what `pubflow catalogs compile` does; the .mo files are
git-ignored), so the force-included locales/ -> workflow/_locales holds current .mo
files and an installed pubflow starts without compiling anything.  Without them it
would still work: workflow.i18n compiles a .po in memory when no current .mo exists.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CatalogsBuildHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        sys.path.insert(0, str(root))
        try:
            from workflow.i18n.pofile import compile_mo
        finally:
            sys.path.pop(0)
        for po in sorted((root / "locales").glob("*/LC_MESSAGES/pubflow.po")):
            po.with_suffix(".mo").write_bytes(compile_mo(po.read_bytes()))
