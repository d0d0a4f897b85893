"""`pubflow verify`: the newsroom's own CI check, in one place.

1. pubflow.yaml, every section: what loading it checks (languages, people,
   workflow, policy), and what each section's owner checks only when it is
   used (outputs, machine translation, checks, git, translation states, date
   locales, the glossary).  Every broken section is reported, not just the
   first.  Roles the workflow needs that nobody holds are warnings (a release
   that could never be published, e.g. no `reviewer:en` for Arabic-source
   releases).
2. Every release: `workflow.core.integrity.release_problems` (histories,
   texts, metadata, approvals, waivers, snapshots).
3. What went out: a history that no longer holds the event its outputs were written at
   (`workflow.publishing.outheads`), git or not.
4. In a git repository: histories in the working tree must carry on what HEAD
   committed (`workflow.collab.gitcheck`), which catches a truncated history.

Each problem names release, file and field.  Exit 5 on any error; warnings
alone pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from workflow.core.config import Config
from workflow.core.integrity import ERROR, WARNING, Problem, release_problems
from workflow.core.model import utc_now
from workflow.core.statemachine import role_admits
from workflow.errors import PubflowError
from workflow.i18n import _
from workflow.publishing import outheads
from workflow.storage.newsroom import Newsroom


@dataclass(frozen=True)
class VerifyReport:
    checked: int
    problems: list[Problem] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def public(self) -> dict[str, Any]:
        return {"ok": self.ok, "checked": self.checked, "problems": [p.public() for p in self.errors],
                "warnings": [p.public() for p in self.warnings]}


def _section(name: str, check: Callable[[], Any]) -> list[Problem]:
    try:
        check()
    except PubflowError as exc:
        message = exc.line().removeprefix("pubflow.yaml: ").removeprefix(f"{name}: ")
        return [Problem("", "pubflow.yaml", name, message)]
    return []


def config_problems(nr: Newsroom) -> list[Problem]:
    """Every section of pubflow.yaml that its owner would refuse, and the roles nobody holds."""
    from workflow.publishing.dates import check_language
    from workflow.publishing.outputs import output_settings
    from workflow.translation.checks import settings as check_settings
    from workflow.translation.glossary import load_glossary
    from workflow.translation.mt.settings import mt_settings
    from workflow.translation.operations import self_review_allowed, translation_states

    config = nr.config
    out: list[Problem] = []
    out += _section("outputs", lambda: output_settings(config))
    out += _section("machine_translation", lambda: mt_settings(config))
    out += _section("checks", lambda: check_settings(config))
    out += _section("translation", lambda: (translation_states(config), self_review_allowed(config)))
    for code, language in config.languages.items():
        out += _section(f"languages.{code}.date_locale", partial(check_language, language))
    glossary = _section("glossary", lambda: load_glossary(config.root, tuple(config.languages)))
    out += [Problem("", "glossary.yaml", "", p.message) for p in glossary]
    return out + role_warnings(config)


def role_warnings(config: Config) -> list[Problem]:
    """Roles the workflow needs that no person holds."""
    held = [role for person in config.people for role in person.roles]
    out: list[Problem] = []
    for transition in config.workflow.transitions.values():
        if not any(role_admits(wanted, role) for wanted in transition.roles for role in held):
            out.append(Problem("", "pubflow.yaml", "people", _(
                "nobody may {name}: it needs the role {roles}").format(
                name=transition.name, roles=" or ".join(transition.roles)), WARNING))
    if len(config.languages) > 1:
        needs = ["translator"] + (["reviewer"] if "translated" not in config.complete_statuses() else [])
        for code in config.languages:
            others = ", ".join(c for c in config.languages if c != code)
            for base in needs:
                if f"{base}:{code}" not in held:
                    out.append(Problem("", "pubflow.yaml", "people", _(
                        "nobody holds {role}: releases written in {others} can never be published").format(
                        role=f"{base}:{code}", others=others), WARNING))
    return out


def verify(nr: Newsroom, *, use_git: bool = True, now: dt.datetime | None = None) -> VerifyReport:
    """Check pubflow.yaml, every release, and (in a git repository) the histories against HEAD."""
    now = now or utc_now()
    problems = config_problems(nr)
    ids = nr.release_ids()
    # Folders that are not complete releases (no release.yaml): a problem each, left out of everything else.
    problems += [Problem(release_id, "", "", line) for release_id, line in sorted(nr.problems.items())]
    heads = outheads.load(nr.config.state_dir)
    for release_id in ids:
        try:
            stored = nr.stored(release_id)
        except PubflowError as exc:
            problems.append(Problem(release_id, "", "", exc.line()))
            continue
        problems.extend(release_problems(nr.config, stored, now))
        problems.extend(outheads.problems(heads, stored.doc))
    # Templates and catalogs are code that came in from others like releases do: checked alike.
    from workflow.publishing.render import catalog_problems, template_problems

    problems += [Problem("", where, "", line) for where, line in template_problems(nr.root) + catalog_problems(nr.root)]
    if use_git:
        from workflow.collab.gitcheck import regressions

        problems.extend(regressions(nr.root, nr.config.state_dir))
    return VerifyReport(len(ids), problems)


def open_and_verify(root: str | Path | None, *, use_git: bool = True) -> VerifyReport:
    """`verify` on the newsroom at `root`; a pubflow.yaml that does not load is the one problem."""
    from workflow.errors import NotFound

    try:
        nr = Newsroom.open(root)
    except NotFound:
        raise
    except PubflowError as exc:
        return VerifyReport(0, [Problem("", "pubflow.yaml", "", exc.line())])
    return verify(nr, use_git=use_git)
