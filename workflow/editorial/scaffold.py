"""`pubflow init`: a new newsroom with an example configuration; `pubflow templates copy`: start an override.

A new newsroom gets no templates of its own: pages are rendered with the
templates packaged with pubflow (so a fix in a new version reaches every
newsroom), and a file the newsroom adds to `templates/` overrides the
packaged one of that name.  `copy_template` puts a copy there to start from.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from workflow import resources
from workflow.core import CONFIG_NAME
from workflow.core.statemachine import DEFAULT_WORKFLOW
from workflow.errors import Conflict, UsageError
from workflow.i18n import _
from workflow.storage import store, yamlio

GITIGNORE = ".pubflow/\ndist/\n*.pubflow-tmp\n"
GLOSSARY_NAME = "glossary.yaml"
STARTER_GLOSSARY = """\
# The newsroom glossary (schema 1): how terms are rendered in each language.
# Each term: forms per language (the first is the preferred one, the others are
# accepted), optional forbidden variants per language, and a note.  `pubflow check`
# warns when a term of the source is not rendered as agreed (check `glossary`)
# and refuses a forbidden variant (check `forbidden`).  An example:
#
#   - en: [Ministry of Education, the Ministry]
#     ar: [وزارة التربية, الوزارة]
#     forbidden:
#       ar: [وزارة التعليم]
#     note: The official name; never وزارة التعليم.
schema: 1
terms: []
"""
DEFAULT_SITE = {"en": "Press Office", "ar": "المكتب الصحفي"}


def default_config(site_name: str, site_ar: str | None = None, base_url: str | None = None) -> dict[str, object]:
    outputs: dict[str, object] = {"dir": "dist"}
    if base_url:
        outputs["base_url"] = base_url
    return {
        "schema": 1,
        "site": {"en": site_name, "ar": site_ar or DEFAULT_SITE["ar"]},
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
        # What releases are filed under: a key, a label per language (edit to the newsroom's own).
        "categories": {"news": {"en": "News", "ar": "أخبار"}, "statements": {"en": "Statements", "ar": "بيانات"}},
        "outputs": outputs,
        "workflow": DEFAULT_WORKFLOW,
    }


def packaged_templates() -> Path | None:
    folder = resources.templates_dir()
    return folder if folder.is_dir() else None


def check_base_url(base_url: str | None) -> str | None:
    """`base_url` as pubflow.yaml will hold it (ending in /), or a usage error when it is not an http(s) URL."""
    if not base_url:
        return None
    from urllib.parse import urlsplit

    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in base_url):
        raise UsageError(_("--base-url {value!r} is not an http(s) URL").format(value=base_url),
                         _("give the address the site will have, e.g. --base-url https://example.org/news/"))
    return base_url if base_url.endswith("/") else base_url + "/"


def init_newsroom(directory: Path, site_name: str = DEFAULT_SITE["en"], force: Iterable[str] = (),
                  site_ar: str | None = None, base_url: str | None = None) -> list[str]:
    """Create the files of a new newsroom; refuses to replace any file `force` does not name.

    Every file is planned first; when one already exists (pubflow.yaml,
    .gitignore, glossary.yaml) and `force` does not name it (its path relative
    to `directory`), nothing is written.  Nothing is written through a
    symbolic link out of `directory`.  Templates are not copied: the packaged
    ones serve until the newsroom adds its own (`copy_template`).
    """
    target = directory.resolve() if directory.exists() else directory.absolute()
    forced = {_relative(name) for name in force}
    base_url = check_base_url(base_url)
    config = default_config(site_name, site_ar, base_url)
    files: dict[str, bytes] = {CONFIG_NAME: yamlio.format_yaml(config).encode("utf-8"),
                               ".gitignore": GITIGNORE.encode("utf-8"),
                               GLOSSARY_NAME: STARTER_GLOSSARY.encode("utf-8")}
    unknown = sorted(forced - set(files))
    if unknown:
        raise UsageError(_("--force {name}: init writes no such file").format(name=unknown[0]),
                         _("init writes {names}").format(names=", ".join(files)))
    existing = [name for name in files if os.path.lexists(target / name) and name not in forced]
    if CONFIG_NAME in existing:
        raise Conflict(_("{path} is already a newsroom").format(path=target / CONFIG_NAME),
                       _("nothing was written; work in it with `pubflow list`, or init another folder"))
    if existing:
        raise Conflict(_("{path} already has {names}").format(path=target, names=", ".join(existing)),
                       _("nothing was written; name each file to replace with --force FILE"))
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


def template_names() -> list[str]:
    """The packaged templates a newsroom can override."""
    folder = packaged_templates()
    return sorted(p.name for p in folder.glob("*.j2")) if folder is not None else []


def copy_template(root: Path, name: str, force: bool = False) -> Path:
    """Copy packaged template `name` into the newsroom's templates/ (where it overrides the packaged one)."""
    from workflow.errors import NotFound

    names = template_names()
    folder = packaged_templates()
    if name not in names or folder is None:
        raise NotFound(_("no packaged template {name!r}").format(name=name),
                       _("choose one of {names}").format(names=", ".join(names)))
    target = root / "templates" / name
    store.confine(target, root)
    if os.path.lexists(target) and not force:
        raise Conflict(_("{path} already exists").format(path=target),
                       _("nothing was written; edit it, or pass --force to start again from the packaged one"))
    store.make_dirs(target.parent)
    store.atomic_write(target, (folder / name).read_bytes())
    return target


def _relative(name: str) -> str:
    return Path(name).as_posix().removeprefix("./")
