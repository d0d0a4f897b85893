"""`pubflow init`: a new newsroom with an example configuration."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from workflow import resources
from workflow.core.config import CONFIG_NAME
from workflow.core.statemachine import DEFAULT_WORKFLOW
from workflow.errors import Conflict, UsageError
from workflow.i18n import _
from workflow.storage import store, yamlio

GITIGNORE = ".pubflow/\ndist/\n*.pubflow-tmp\n"


def default_config(site_name: str) -> dict[str, object]:
    return {
        "schema": 1,
        "site": {"en": site_name, "ar": site_name},
        "source_language": "en",
        "languages": {
            "en": {"name": "English", "direction": "ltr", "date_locale": "en_GB", "digits": "latn"},
            "ar": {"name": "العربية", "direction": "rtl", "date_locale": "ar_SY", "digits": "latn"},
        },
        "people": [
            {"name": "Editor", "email": "editor@example.org", "roles": ["editor", "writer"]},
            {"name": "Writer", "email": "writer@example.org", "roles": ["writer"]},
            {"name": "Translator", "email": "translator@example.org", "roles": ["translator:ar", "translator:en"]},
            {"name": "Reviewer", "email": "reviewer@example.org", "roles": ["reviewer:ar", "reviewer:en"]},
        ],
        "translation": {"complete_when": "approved"},
        "publish_policy": "all_at_once",
        "outputs": {"dir": "dist"},
        "workflow": DEFAULT_WORKFLOW,
    }


def packaged_templates() -> Path | None:
    folder = resources.templates_dir()
    return folder if folder.is_dir() else None


def init_newsroom(directory: Path, site_name: str = "Press Office", force: Iterable[str] = ()) -> list[str]:
    """Create the files of a new newsroom; refuses to replace any file `force` does not name.

    Every file is planned first; when one already exists (pubflow.yaml,
    .gitignore, a template) and `force` does not name it (its path relative
    to `directory`), nothing is written.  Nothing is written through a
    symbolic link out of `directory`.
    """
    target = directory.resolve() if directory.exists() else directory.absolute()
    forced = {_relative(name) for name in force}
    files: dict[str, bytes] = {CONFIG_NAME: yamlio.format_yaml(default_config(site_name)).encode("utf-8"),
                               ".gitignore": GITIGNORE.encode("utf-8")}
    templates = packaged_templates()
    if templates is not None and (not (target / "templates").exists()
                                  or templates.resolve() != (target / "templates").resolve()):
        for template in sorted(templates.glob("*.j2")):
            files[f"templates/{template.name}"] = template.read_bytes()
    unknown = sorted(forced - set(files))
    if unknown:
        raise UsageError(_("--force {name}: init writes no such file").format(name=unknown[0]),
                         _("files: {names}").format(names=", ".join(files)))
    existing = [name for name in files if os.path.lexists(target / name) and name not in forced]
    if existing:
        if existing == [CONFIG_NAME] or CONFIG_NAME in existing:
            message = _("{path} is already a newsroom").format(path=target / CONFIG_NAME)
        else:
            message = _("{path} already has {names}").format(path=target, names=", ".join(existing[:4]) + (
                ", …" if len(existing) > 4 else ""))
        raise Conflict(message, _("nothing was written; choose an empty folder, or name each file to replace "
                                  "with --force FILE"))
    for sub in ("releases", "templates", "locales"):
        store.confine(target / sub, target)
    created: list[str] = []
    for sub in ("releases", "templates", "locales"):
        store.make_dirs(target / sub)
        created.append(f"{sub}/")
    for name, data in files.items():
        store.atomic_write(target / name, data)
        created.append(name)
    return created


def _relative(name: str) -> str:
    return Path(name).as_posix().removeprefix("./")
