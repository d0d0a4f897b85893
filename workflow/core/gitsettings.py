"""The `git:` section of pubflow.yaml, validated (pure: no git is run here).

    git:
      autocommit: true      # one commit per action (default false)
      remote: origin        # what `pubflow sync` pulls from and pushes to
      branch: main          # default: the branch checked out

`workflow.core.config` calls it on load, so a bad section is refused by
every command (`list` read from the index included), before any git runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workflow.errors import InvalidData
from workflow.i18n import _

FIELDS = ("autocommit", "branch", "remote")
WHERE = "pubflow.yaml: git"


@dataclass(frozen=True)
class GitSettings:
    autocommit: bool = False
    remote: str = "origin"
    branch: str | None = None


def parse_git_settings(raw: Mapping[str, Any]) -> GitSettings:
    """The fields of the `git:` section, or InvalidData naming the field and the fix."""
    unknown = sorted(str(k) for k in raw if k not in FIELDS)
    if unknown:
        raise InvalidData(_("{where}: unknown field {field}").format(where=WHERE, field=unknown[0]),
                          _("known fields: {known}").format(known=", ".join(FIELDS)))
    autocommit = raw.get("autocommit", False)
    if not isinstance(autocommit, bool):
        raise InvalidData(_("{where}.autocommit: expected true or false, not {value!r}").format(
            where=WHERE, value=autocommit), _("fix pubflow.yaml"))
    names: dict[str, str | None] = {}
    for key, default in (("remote", "origin"), ("branch", None)):
        value = raw.get(key, default)
        if value is not None and not is_git_name(value):
            raise InvalidData(_("{where}.{key}: {value!r} is not a git name").format(
                where=WHERE, key=key, value=value), _("fix pubflow.yaml"))
        names[key] = value
    return GitSettings(autocommit, names["remote"] or "origin", names["branch"])


def is_git_name(value: object) -> bool:
    """A remote or branch name that git accepts and that cannot be read as an option."""
    return (isinstance(value, str) and bool(value.strip()) and not value.startswith("-")
            and not any(c.isspace() or c in "~^:?*[\\" or ord(c) < 32 for c in value))
