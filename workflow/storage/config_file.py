"""Finding and reading `pubflow.yaml`: the file side of the configuration.

`workflow.core.config` validates what this module reads.  Finding the newsroom
imports neither YAML nor the configuration model: `list` served from the index
needs only the folder (~70 ms of imports on every such command).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from workflow.core import CONFIG_NAME
from workflow.errors import InvalidData, NotFound
from workflow.i18n import _

if TYPE_CHECKING:
    from workflow.core.config import Config


def find_root(explicit: str | Path | None = None, start: Path | None = None) -> Path:
    """--root, else $PUBFLOW_ROOT, else the nearest folder upwards with pubflow.yaml."""
    given = explicit or os.environ.get("PUBFLOW_ROOT")
    if given:
        root = Path(given).expanduser().resolve()
        if not (root / CONFIG_NAME).is_file():
            raise NotFound(_("no {name} in {root}").format(name=CONFIG_NAME, root=root),
                           _("run `pubflow init {root}` to create a newsroom").format(root=root))
        return root
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise NotFound(
        _("no newsroom here: no {name} in {here} or above").format(name=CONFIG_NAME, here=here),
        _("cd into a newsroom, pass --root, or run `pubflow init DIR`"),
    )


def load_config(root: Path) -> Config:
    from workflow.core.config import parse_config
    from workflow.storage import yamlio

    path = root / CONFIG_NAME
    try:
        data = yamlio.read(path)
    except FileNotFoundError:
        raise NotFound(_("no {name} in {root}").format(name=CONFIG_NAME, root=root)) from None
    config = parse_config(data, root, str(path))
    if config.state_dir.is_symlink():
        # Committed with `git add -f`, `.pubflow -> dist` put the caches (translation memory of drafts
        # included) among the published outputs; `-> ../other` wrote and deleted files there.
        raise InvalidData(
            _("{path} is a symbolic link; pubflow keeps its derived data in a real folder there").format(
                path=config.state_dir),
            _("remove the link; pubflow makes the folder again"))
    return config

