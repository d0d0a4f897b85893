"""Where pubflow's own files are: packaged in a wheel, or beside the source checkout.

A wheel carries `locales/` and `templates/` inside the package (`_locales`,
`_templates`, see pyproject.toml); a source checkout has them beside
`workflow/`.  Everything that needs them asks here, so moving a module never
breaks a path.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
SOURCE_ROOT = PACKAGE_DIR.parent


def locales_dir() -> Path:
    """The interface catalogs: inside the wheel, else the source tree."""
    packaged = PACKAGE_DIR / "_locales"
    return packaged if packaged.is_dir() else SOURCE_ROOT / "locales"


def templates_dir() -> Path:
    """The default page templates: inside the wheel, else the source tree."""
    packaged = PACKAGE_DIR / "_templates"
    return packaged if packaged.is_dir() else SOURCE_ROOT / "templates"
