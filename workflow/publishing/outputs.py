"""Where outputs go: the `outputs:` section of pubflow.yaml, and the output folder's check.

    outputs:
      dir: dist                               # relative to the newsroom, or absolute
      base_url: https://example.org/news/     # optional: absolute URLs in pages and feeds
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workflow.errors import InvalidData
from workflow.i18n import _

if TYPE_CHECKING:
    from workflow.core.config import Config

OUTPUT_KEYS = {"dir", "base_url"}


@dataclass(frozen=True)
class Outputs:
    dir: Path
    base_url: str = ""


def output_settings(config: Config) -> Outputs:
    """The `outputs:` section of pubflow.yaml, validated."""
    raw = config.outputs or {}
    unknown = sorted(str(k) for k in raw if k not in OUTPUT_KEYS)
    if unknown:
        raise InvalidData(_("pubflow.yaml: outputs.{field} is not a known setting").format(field=unknown[0]),
                          _("known: {known}").format(known=", ".join(sorted(OUTPUT_KEYS))))
    folder = raw.get("dir", "dist")
    if not isinstance(folder, str) or not folder.strip():
        raise InvalidData(_("pubflow.yaml: outputs.dir must be a folder name"), _("e.g. dir: dist"))
    base = raw.get("base_url") or ""
    if not isinstance(base, str) or (base and not base.startswith(("https://", "http://"))):
        raise InvalidData(_("pubflow.yaml: outputs.base_url {value!r} is not an http(s) URL").format(value=base),
                          _("e.g. base_url: https://example.org/news/"))
    if base and not base.endswith("/"):
        base += "/"
    path = Path(folder).expanduser()
    return Outputs(path if path.is_absolute() else config.root / path, base)


def check_writable(folder: Path) -> None:
    """One clear error when the output folder cannot be created or written."""
    problem = ""
    if folder.exists() and not folder.is_dir():
        problem = _("it is not a folder")
    else:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            problem = exc.strerror or str(exc)
        else:
            if not os.access(folder, os.W_OK | os.X_OK):
                problem = _("permission denied")
    if problem:
        raise InvalidData(
            _("cannot write to the output folder {path}: {problem}").format(path=folder, problem=problem),
            _("fix its permissions, or set outputs.dir in pubflow.yaml to a writable folder"))
