"""Per-check parameters from the `checks:` section of pubflow.yaml, validated.

```yaml
checks:
  disabled: [spaces]
  severity: {glossary: error}
  length_ratio: {min: 0.4, max: 2.5, min_length: 20}
  numbers:
    scale_words: {en: {lakh: 100000, crore: 10000000}}
  script: {min_share: 0.5, scripts: {ku: Latin}}
```

Every key of `checks:` is `disabled`, `severity` or the id of a check that
takes parameters; every parameter is known and of the right type.  Anything
else is refused with the list of what is accepted, so a typo never silently
leaves a default in force.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from workflow.errors import InvalidData
from workflow.i18n import _
from workflow.translation.script import SCRIPTS

FIELDS = ("disabled", "severity")
_LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
_WORD_RE = re.compile(r"^(?:[^\W\d_]|[\u064b-\u065f\u0670\u0640])+$")


def bad(what: str, known: Collection[str]) -> InvalidData:
    return InvalidData(f"pubflow.yaml: checks: {what}",
                       _("known checks: {ids}; see `pubflow check --list`").format(ids=", ".join(known)))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class Param:
    name: str
    default: Any
    read: Callable[[str, Any], Any]  # (where, raw value) -> value; raises ValueError with a message


def _number_between(low: float, high: float, low_open: bool = False) -> Callable[[str, Any], float]:
    def read(where: str, value: Any) -> float:
        if not _is_number(value) or value < low or value > high or (low_open and value == low):
            bracket = "(" if low_open else "["
            raise ValueError(_("{where} must be a number in {bracket}{low:g}, {high:g}], not {value!r}").format(
                where=where, bracket=bracket, low=low, high=high, value=value))
        return float(value)
    return read


def _count(where: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(_("{where} must be a whole number of 0 or more, not {value!r}").format(
            where=where, value=value))
    return value


def _language_map(where: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(_("{where} must map language codes to values").format(where=where))
    for code in value:
        if not isinstance(code, str) or not _LANG_RE.match(code):
            raise ValueError(_("{where}: {code!r} is not a language code such as en or ar").format(
                where=where, code=code))
    return value


def _scale_words(where: str, value: Any) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for code, words in _language_map(where, value).items():
        if not isinstance(words, dict) or not words:
            raise ValueError(_("{where}.{code} must map words to what they multiply by (lakh: 100000)").format(
                where=where, code=code))
        for word, factor in words.items():
            if not isinstance(word, str) or not _WORD_RE.match(word):
                raise ValueError(_("{where}.{code}: {word!r} is not a single word").format(
                    where=where, code=code, word=word))
            if not isinstance(factor, int) or isinstance(factor, bool) or factor < 10:
                raise ValueError(_("{where}.{code}.{word}: {factor!r} is not a whole number of 10 or more").format(
                    where=where, code=code, word=word, factor=factor))
        out[code] = dict(words)
    return out


def _scripts(where: str, value: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    for code, script in _language_map(where, value).items():
        if script not in SCRIPTS:
            raise ValueError(_("{where}.{code}: {script!r} is not one of {scripts}").format(
                where=where, code=code, script=script, scripts=", ".join(SCRIPTS)))
        out[code] = script
    return out


# The parameters of each check that has some; a check not named here takes none.
PARAMS: dict[str, tuple[Param, ...]] = {
    "length_ratio": (
        Param("min", 0.4, _number_between(0, 100)),
        Param("max", 2.5, _number_between(0, 100, low_open=True)),
        Param("min_length", 20, _count),
    ),
    "numbers": (
        Param("scale_words", {}, _scale_words),
    ),
    "script": (
        Param("min_share", 0.5, _number_between(0, 1, low_open=True)),
        Param("scripts", {}, _scripts),
    ),
}


def defaults() -> dict[str, dict[str, Any]]:
    return {check: {p.name: p.default for p in params} for check, params in PARAMS.items()}


def read_params(raw: Mapping[str, Any], known: Collection[str]) -> dict[str, dict[str, Any]]:
    """The parameters of every check, from `checks:` (its `disabled` and `severity` are left alone).

    `known` lists every check id, to tell a check without parameters from a typo.
    """
    out = defaults()
    for key, section in raw.items():
        if key in FIELDS:
            continue
        if key not in PARAMS:
            if key in known:
                raise bad(_("the check {id!r} takes no parameters (checks with parameters: {ids})").format(
                    id=key, ids=", ".join(PARAMS)), known)
            raise bad(_("unknown field {field!r} (use {fields}, or the id of a check with parameters: {ids})").format(
                field=key, fields=", ".join(FIELDS), ids=", ".join(PARAMS)), known)
        if section is None:
            continue
        names = {p.name: p for p in PARAMS[key]}
        if not isinstance(section, dict):
            raise bad(_("{id} must be a mapping of parameters ({names})").format(
                id=key, names=", ".join(names)), known)
        for name, value in section.items():
            if name not in names:
                raise bad(_("{id}: unknown parameter {name!r} (use {names})").format(
                    id=key, name=name, names=", ".join(names)), known)
            try:
                out[key][name] = names[name].read(f"{key}.{name}", value)
            except ValueError as exc:
                raise bad(str(exc), known) from None
    ratio = out["length_ratio"]
    if ratio["min"] >= ratio["max"]:
        raise bad(_("length_ratio: need numbers with 0 <= min < max, not {low!r} and {high!r}").format(
            low=ratio["min"], high=ratio["max"]), known)
    return out
