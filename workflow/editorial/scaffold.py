"""`pubflow init`: a new newsroom with an example configuration."""

from __future__ import annotations

from pathlib import Path

from workflow import resources
from workflow.core.config import CONFIG_NAME
from workflow.core.statemachine import DEFAULT_WORKFLOW
from workflow.errors import Conflict
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


def init_newsroom(directory: Path, site_name: str = "Press Office") -> list[str]:
    """Create the files of a new newsroom; refuses to touch an existing one."""
    target = directory.resolve()
    if (target / CONFIG_NAME).exists():
        raise Conflict(_("{path} is already a newsroom").format(path=target / CONFIG_NAME),
                       _("choose an empty folder"))
    created: list[str] = []
    for sub in ("releases", "templates", "locales"):
        store.make_dirs(target / sub)
        created.append(f"{sub}/")
    store.write_text(target / CONFIG_NAME, yamlio.format_yaml(default_config(site_name)))
    created.append(CONFIG_NAME)
    store.write_text(target / ".gitignore", GITIGNORE)
    created.append(".gitignore")
    templates = packaged_templates()
    if templates is not None and templates.resolve() != (target / "templates").resolve():
        for template in sorted(templates.glob("*.j2")):
            store.atomic_write(target / "templates" / template.name, template.read_bytes())
            created.append(f"templates/{template.name}")
    return created
