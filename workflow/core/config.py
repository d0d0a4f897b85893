"""The newsroom configuration (`pubflow.yaml`): its model and its validation (pure).

A newsroom is any folder holding `pubflow.yaml` (found and read by
`workflow.storage.config_file`).  Every field is checked on
load and a message names the file, the field and the fix; sections owned by
other modules (machine translation, checks, outputs, git) are checked here
for shape and interpreted by their owners.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.core import CONFIG_NAME
from workflow.core.digits import STYLES
from workflow.core.gitsettings import GitSettings, parse_git_settings
from workflow.core.guards import GUARDS
from workflow.core.statemachine import DEFAULT_WORKFLOW, Workflow, parse_workflow
from workflow.core.textrules import unsafe_text
from workflow.errors import InvalidData, NotFound, UsageError
from workflow.i18n import _

SCHEMA = 1
LANG_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-(?:[A-Z]{2}|[0-9]{3}))?$")
LOCALE_PATTERN = re.compile(r"^[a-z]{2,3}(_[A-Z][a-z]{3})?(_[A-Z]{2}|_[0-9]{3})?$")
DIRECTIONS = ("ltr", "rtl")
BASE_ROLES = ("writer", "editor")
LANGUAGE_ROLES = ("translator", "reviewer")
POLICIES = ("all_at_once", "source_first")
TOP_LEVEL = {
    "schema", "site", "source_language", "languages", "people", "workflow", "translation",
    "checks", "machine_translation", "outputs", "publish_policy", "git",
    "categories", "contact", "boilerplate",
}
CATEGORY_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_CONTACT_LINES = 8
MAX_LABEL = 80
MAX_BOILERPLATE = 4000


@dataclass(frozen=True)
class Language:
    code: str
    name: str
    direction: str
    date_locale: str
    digits: str


@dataclass(frozen=True)
class Category:
    """A category the newsroom files its releases under: a key (stored in releases) and a label
    per language (what pages, feeds and PDFs show)."""

    key: str
    labels: Mapping[str, str]

    def label(self, lang: str) -> str:
        return self.labels.get(lang, self.key)


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    roles: tuple[str, ...]

    def has_role(self, role: str) -> bool:
        return role in self.roles


@dataclass(frozen=True)
class Config:
    root: Path
    site: Mapping[str, str]
    source_language: str
    languages: Mapping[str, Language]
    people: tuple[Person, ...]
    workflow: Workflow
    publish_policy: str = "all_at_once"
    translation: Mapping[str, Any] = field(default_factory=dict)
    checks: Mapping[str, Any] = field(default_factory=dict)
    machine_translation: Mapping[str, Any] = field(default_factory=dict)
    outputs: Mapping[str, Any] = field(default_factory=dict)
    git: GitSettings = field(default_factory=GitSettings)
    categories: Mapping[str, Category] = field(default_factory=dict)
    contact: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # top-level `contact:`, lines
    boilerplate: Mapping[str, str] = field(default_factory=dict)  # Markdown per language

    @property
    def releases_dir(self) -> Path:
        return self.root / "releases"

    @property
    def state_dir(self) -> Path:
        """Derived data only (index, caches, locks): safe to delete."""
        return self.root / ".pubflow"

    def language(self, code: str) -> Language:
        check_language_code(code)
        try:
            return self.languages[code]
        except KeyError:
            raise UsageError(
                _("unknown language {code!r}").format(code=code),
                _("this newsroom has: {codes}").format(codes=", ".join(self.languages)),
            ) from None

    def find_category(self, value: str) -> Category | None:
        """The category `value` names: its key, or its label in any language (case and spacing
        ignored: free-text categories of older releases and datelines name them by label)."""
        if value in self.categories:
            return self.categories[value]
        wanted = " ".join(value.split()).casefold()
        for category in self.categories.values():
            if wanted == category.key or any(" ".join(label.split()).casefold() == wanted
                                              for label in category.labels.values()):
                return category
        return None

    def require_category(self, value: str, where: str = "--category") -> str:
        """The key of the category `value` names (its key or a label), "" for none; an undefined
        one is refused with the defined ones (UsageError for an option, InvalidData for a file)."""
        value = " ".join(value.split())
        if not value:
            return ""
        category = self.find_category(value)
        if category is not None:
            return category.key
        if self.categories:
            known = "; ".join(f"{c.key} ({' / '.join(c.labels[code] for code in self.languages)})"
                              for c in self.categories.values())
            hint = _("defined: {known}; or add it under categories: in pubflow.yaml").format(known=known)
        else:
            hint = _("this newsroom defines no categories: add them under categories: in pubflow.yaml, "
                     "with a label per language")
        message = _("{where}: {value!r} is not a category of this newsroom").format(where=where, value=value)
        if where.startswith("--"):
            raise UsageError(message, hint)
        raise InvalidData(message, hint)

    def category_label(self, value: str, lang: str) -> str:
        """What a page in `lang` shows for a release's stored category: the defined category's
        label, else (a free-text category no definition names) the text as written."""
        category = self.find_category(value) if value else None
        return category.label(lang) if category is not None else value

    def targets_for(self, source: str) -> list[str]:
        return [code for code in self.languages if code != source]

    def complete_statuses(self) -> tuple[str, ...]:
        """Segment statuses that count as done for `translations_complete`."""
        if self.translation.get("complete_when", "approved") == "translated":
            return ("translated", "approved")
        return ("approved",)


def check_language_code(code: str) -> str:
    if not isinstance(code, str) or not LANG_PATTERN.match(code):
        raise UsageError(_("{code!r} is not a language code").format(code=code),
                         _("use a BCP 47 code such as en or ar"))
    return code


def _bad(where: str, what: str, hint: str | None = None) -> InvalidData:
    return InvalidData(f"{where}: {what}", hint or _("fix pubflow.yaml"))


def _quote_hint(value: Any) -> str | None:
    """YAML 1.1 reads unquoted no/yes/on/off as booleans and 0123 as numbers: say so."""
    if isinstance(value, bool | int | float):
        return _("quote the value in pubflow.yaml: YAML reads unquoted no, yes, on, off as true/false "
                 "and digits as numbers")
    return None


def _mapping(data: Any, where: str, key: str, required: bool = False) -> dict[str, Any]:
    value = data.get(key)
    if value is None:
        if required:
            raise _bad(where, _("missing field {field}").format(field=key))
        return {}
    if not isinstance(value, dict):
        raise _bad(where, _("field {field} must be a mapping").format(field=key))
    return value


def parse_config(data: Any, root: Path, where: str = CONFIG_NAME) -> Config:
    if not isinstance(data, dict):
        raise _bad(where, _("expected a mapping at the top level"))
    unknown = set(data) - TOP_LEVEL
    if unknown:
        raise _bad(where, _("unknown field {field} (known: {known})").format(
            field=sorted(map(str, unknown))[0], known=", ".join(sorted(TOP_LEVEL))))
    if data.get("schema", SCHEMA) != SCHEMA:
        raise _bad(where, _("schema {found} is not supported (this pubflow reads schema {schema})").format(
            found=data.get("schema"), schema=SCHEMA))

    languages: dict[str, Language] = {}
    for code, spec in _mapping(data, where, "languages", required=True).items():
        at = f"languages.{code}"
        if not isinstance(code, str) or not LANG_PATTERN.match(code):
            raise _bad(where, _("{at}: {code!r} is not a BCP 47 language code").format(at=at, code=code),
                       _quote_hint(code) or _("use a code such as en or ar"))
        if not isinstance(spec, dict):
            raise _bad(where, _("{at}: expected a mapping").format(at=at))
        extra = set(spec) - {"name", "direction", "date_locale", "digits"}
        if extra:
            raise _bad(where, _("{at}: unknown field {field}").format(at=at, field=sorted(extra)[0]))
        direction = spec.get("direction", "ltr")
        digits = spec.get("digits", "latn")
        locale = spec.get("date_locale", code.replace("-", "_"))
        if direction not in DIRECTIONS:
            raise _bad(where, _("{at}.direction: expected ltr or rtl, not {value!r}").format(at=at, value=direction))
        if digits not in STYLES:
            raise _bad(where, _("{at}.digits: expected latn or arab, not {value!r}").format(at=at, value=digits))
        if not isinstance(locale, str) or not LOCALE_PATTERN.match(locale):
            raise _bad(where, _("{at}.date_locale: {value!r} is not a locale such as en_GB or ar_SY").format(
                at=at, value=locale))
        name = spec.get("name", code)
        if not isinstance(name, str) or not name.strip():
            raise _bad(where, _("{at}.name: expected text, not {value!r}").format(at=at, value=name),
                       _quote_hint(name))
        languages[code] = Language(code, name, direction, locale, digits)
    if not languages:
        raise _bad(where, _("languages: list at least one language"))

    source = data.get("source_language", next(iter(languages)))
    if source not in languages:
        raise _bad(where, _("source_language: {code!r} is not one of the languages ({known})").format(
            code=source, known=", ".join(languages)), _quote_hint(source))

    site: dict[str, str] = {}
    for code, name in _mapping(data, where, "site").items():
        if code not in languages:
            raise _bad(where, _("site.{code}: not one of the languages ({known})").format(
                code=code, known=", ".join(languages)), _quote_hint(code))
        if not isinstance(name, str):
            raise _bad(where, _("site.{code}: expected the site name as text, not {value!r}").format(
                code=code, value=name), _quote_hint(name))
        site[code] = name

    people = _parse_people(data.get("people"), languages, where)
    workflow = parse_workflow(data.get("workflow", DEFAULT_WORKFLOW), GUARDS, f"{where}: workflow")

    policy = data.get("publish_policy", "all_at_once")
    if policy not in POLICIES:
        raise _bad(where, _("publish_policy: expected all_at_once or source_first, not {value!r}").format(
            value=policy))
    translation = _mapping(data, where, "translation")
    if translation.get("complete_when", "approved") not in ("approved", "translated"):
        raise _bad(where, _("translation.complete_when: expected approved or translated"))
    return Config(
        root=root,
        site=site,
        source_language=source,
        languages=languages,
        people=people,
        workflow=workflow,
        publish_policy=policy,
        translation=translation,
        checks=_mapping(data, where, "checks"),
        machine_translation=_mapping(data, where, "machine_translation"),
        outputs=_mapping(data, where, "outputs"),
        git=parse_git_settings(_mapping(data, where, "git")),
        categories=_parse_categories(data.get("categories"), languages, where),
        contact={code: tuple(line.strip() for line in text.splitlines() if line.strip())
                 for code, text in _language_texts(data, "contact", languages, where).items()},
        boilerplate=_language_texts(data, "boilerplate", languages, where),
    )


def _language_texts(data: Mapping[str, Any], key: str, languages: Mapping[str, Language],
                    where: str) -> dict[str, str]:
    """`contact:` or `boilerplate:`: text per language, every language of the newsroom given."""
    raw = data.get(key)
    if raw is None:
        return {}
    example = _("e.g. {key}: {{en: press@example.org, ar: press@example.org}}").format(key=key)
    if not isinstance(raw, dict):
        raise _bad(where, _("{key}: give the text per language").format(key=key), example)
    out: dict[str, str] = {}
    for code, text in raw.items():
        if code not in languages:
            raise _bad(where, _("{key}.{code}: not one of the languages ({known})").format(
                key=key, code=code, known=", ".join(languages)), _quote_hint(code))
        if not isinstance(text, str) or not text.strip():
            raise _bad(where, _("{key}.{code} must be text").format(key=key, code=code), _quote_hint(text))
        _refuse_unsafe(where, f"{key}.{code}", text, one_line=False)
        if key == "contact":
            lines = [line for line in text.splitlines() if line.strip()]
            if len(lines) > MAX_CONTACT_LINES:
                raise _bad(where, _("contact.{code} has {n} lines (at most {limit})").format(
                    code=code, n=len(lines), limit=MAX_CONTACT_LINES),
                    _("keep the contact block short: it is printed beside the newsroom's name"))
        elif len(text) > MAX_BOILERPLATE:
            raise _bad(where, _("boilerplate.{code} is {n} characters long (at most {limit})").format(
                code=code, n=len(text), limit=MAX_BOILERPLATE), _("keep it to a paragraph or two"))
        out[str(code)] = text.strip()
    missing = [code for code in languages if code not in out]
    if missing:
        raise _bad(where, _("{key}: no text in {langs}").format(key=key, langs=", ".join(missing)),
                   _("give it in every language of the newsroom: each page shows its own"))
    return out


def _refuse_unsafe(where: str, at: str, text: str, *, one_line: bool) -> None:
    """Text of pubflow.yaml that pages and feeds print obeys the rule of release text (core.textrules)."""
    error = unsafe_text(at, text, one_line=one_line)
    if error is not None:
        raise _bad(where, error.message, error.hint)


def _parse_categories(raw: Any, languages: Mapping[str, Language], where: str) -> dict[str, Category]:
    """`categories:` a key per category (a-z, 0-9, hyphens) with a label in every language."""
    if raw is None:
        return {}
    example = _("e.g. categories: {{statements: {{en: Statements, ar: بيانات}}}}")
    if not isinstance(raw, dict):
        raise _bad(where, _("categories: expected a mapping of keys to labels per language"), example)
    out: dict[str, Category] = {}
    seen: dict[tuple[str, str], str] = {}
    for key, labels in raw.items():
        at = f"categories.{key}"
        if not isinstance(key, str) or not CATEGORY_KEY.match(key):
            raise _bad(where, _("{at}: a category key is lower-case a-z, 0-9 and hyphens").format(at=at),
                       _quote_hint(key) or example)
        if not isinstance(labels, dict):
            raise _bad(where, _("{at}: give a label per language").format(at=at), example)
        for code, label in labels.items():
            if code not in languages:
                raise _bad(where, _("{at}.{code}: not one of the languages ({known})").format(
                    at=at, code=code, known=", ".join(languages)), _quote_hint(code))
            if not isinstance(label, str) or not label.strip() or len(label) > MAX_LABEL or "\n" in label:
                raise _bad(where, _("{at}.{code}: expected a label of one line (at most {limit} characters)").format(
                    at=at, code=code, limit=MAX_LABEL), _quote_hint(label))
            _refuse_unsafe(where, f"{at}.{code}", label, one_line=True)
            folded = (code, " ".join(label.split()).casefold())
            if folded in seen:
                raise _bad(where, _("{at}.{code}: the label {label!r} is also {other}'s").format(
                    at=at, code=code, label=label, other=seen[folded]), _("give each category its own label"))
            seen[folded] = key
        missing = [code for code in languages if code not in labels]
        if missing:
            raise _bad(where, _("{at}: no label in {langs}").format(at=at, langs=", ".join(missing)),
                       _("give a label in every language of the newsroom: each page shows its own"))
        out[key] = Category(key, {str(code): " ".join(str(label).split()) for code, label in labels.items()})
    return out


def _parse_people(raw: Any, languages: Mapping[str, Language], where: str) -> tuple[Person, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise _bad(where, _("people: expected a list"))
    people: list[Person] = []
    seen: set[str] = set()
    for index, spec in enumerate(raw):
        at = f"people[{index}]"
        if not isinstance(spec, dict):
            raise _bad(where, _("{at}: expected a mapping with name, email and roles").format(at=at))
        extra = set(spec) - {"name", "email", "roles"}
        if extra:
            raise _bad(where, _("{at}: unknown field {field}").format(at=at, field=sorted(extra)[0]))
        name, email, roles = spec.get("name"), spec.get("email", ""), spec.get("roles", [])
        if name is None or isinstance(name, str) and not name.strip():
            raise _bad(where, _("{at}.name: required").format(at=at), _("add name: Full Name"))
        if not isinstance(name, str):
            raise _bad(where, _("{at}.name: expected text, not {value!r}").format(at=at, value=name),
                       _quote_hint(name))
        if not isinstance(email, str) or (email and "@" not in email):
            raise _bad(where, _("{at}.email: {value!r} is not an e-mail address").format(at=at, value=email),
                       _quote_hint(email))
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise _bad(where, _("{at}.roles: expected a list of roles such as [editor, translator:ar], "
                                "not {value!r}").format(at=at, value=roles),
                       _quote_hint(next((r for r in roles if not isinstance(r, str)), None))
                       if isinstance(roles, list) else None)
        for role in roles:
            base, _sep, lang = role.partition(":")
            if base in BASE_ROLES and not lang:
                continue
            if base in LANGUAGE_ROLES and lang in languages:
                continue
            raise _bad(where, _("{at}.roles: unknown role {role!r} (use writer, editor, translator:LANG, "
                                "reviewer:LANG)").format(at=at, role=role))
        for key in (name.casefold(), email.casefold()):
            if key and key in seen:
                raise _bad(where, _("{at}: {key!r} is listed twice").format(at=at, key=key))
            if key:
                seen.add(key)
        people.append(Person(name.strip(), email, tuple(roles)))
    return tuple(people)


def find_person(config: Config, who: str) -> Person:
    key = who.strip().casefold()
    for person in config.people:
        if key in (person.name.casefold(), person.email.casefold()):
            return person
    raise NotFound(
        _("{who!r} is not one of this newsroom's people").format(who=who),
        _("see `pubflow people`, or add them to pubflow.yaml"),
    )
