"""The newsroom glossary (`glossary.yaml`): agreed renderings and forbidden variants.

```yaml
schema: 1
terms:
  - en: [Assad regime, Assad's regime]   # first form = preferred; others accepted
    ar: نظام الأسد
    forbidden: {ar: [الحكومة السورية], en: [Syrian government]}
    note: The Coalition never calls it a government.
```

Matching is forgiving where writers differ but meaning does not: English is
case-insensitive (all-capital acronyms such as UN stay case-sensitive) and
lowercase terms match their plural; Arabic ignores diacritics and tatweel,
unifies alef, ya/alef maqsura and ta marbuta, and accepts the attached
prefixes و ف ب ك ل (so والأمم المتحدة and للأمم المتحدة match الأمم المتحدة).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workflow.errors import InvalidData
from workflow.i18n import _
from workflow.storage import yamlio

GLOSSARY_NAME = "glossary.yaml"
SCHEMA = 1
LANG_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
TERM_FIELDS = {"note", "forbidden"}

_AR_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_AR_FOLD = (("أ", "ا"), ("إ", "ا"), ("آ", "ا"), ("ٱ", "ا"), ("ى", "ي"), ("ة", "ه"))
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]")
_LATIN_FOLD = (("’", "'"), ("‘", "'"), ("`", "'"), ("ʼ", "'"), ("‐", "-"), ("‑", "-"), ("–", "-"))
_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
_SPACES = re.compile(r"\s+")


def _replace_all(text: str, pairs: tuple[tuple[str, str], ...]) -> str:
    # A few str.replace calls are ~10x faster than str.translate with a dict table.
    for old, new in pairs:
        if old in text:
            text = text.replace(old, new)
    return text


def fold(text: str) -> str:
    """The form both a text and a term are compared in (length may change)."""
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
        text = _replace_all(_BIDI.sub("", text), _LATIN_FOLD)
        if _ARABIC_LETTER.search(text):
            text = _replace_all(_AR_MARKS.sub("", text), _AR_FOLD)
    return _SPACES.sub(" ", text)


def fold_mapped(text: str) -> tuple[str, list[int]]:
    """`fold(text)` for a `text` already in NFC, with the position in `text` of each folded character."""
    arabic = bool(_ARABIC_LETTER.search(text))
    latin = dict(_LATIN_FOLD)
    arabic_fold = dict(_AR_FOLD)
    out: list[str] = []
    where: list[int] = []
    for index, char in enumerate(text):
        if _BIDI.match(char) or (arabic and _AR_MARKS.match(char)):
            continue
        char = latin.get(char, char)
        if arabic:
            char = arabic_fold.get(char, char)
        if char.isspace():
            if out and out[-1] == " ":
                continue
            char = " "
        out.append(char)
        where.append(index)
    return "".join(out), where


def _pattern(form: str) -> re.Pattern[str]:
    folded = fold(form).strip()
    words = [re.escape(w) for w in folded.split(" ")]
    body = r"\s+".join(words)
    if _ARABIC_LETTER.search(folded):
        # Attached prefixes: conjunction و/ف, preposition ب/ك/ل; ل + ال is written لل.
        parts = folded.split(" ")
        if parts[0].startswith("ال") and len(parts[0]) > 2:
            rest = r"\s+".join([re.escape(parts[0][2:])] + [re.escape(p) for p in parts[1:]])
            return re.compile(r"(?<!\w)(?:[وف]?[بك]?ال|[وف]?لل)" + rest + r"(?!\w)")
        return re.compile(r"(?<!\w)[وف]?[بكل]?" + body + r"(?!\w)")
    acronym = folded.isupper() and len(folded) >= 2
    plural = r"(?:s|es)?" if folded[:1].islower() else ""
    flags = 0 if acronym else re.IGNORECASE
    return re.compile(r"(?<!\w)" + body + plural + r"(?!\w)", flags)


@dataclass(frozen=True)
class Term:
    """One glossary entry: its forms per language (first = preferred)."""

    forms: Mapping[str, tuple[str, ...]]
    forbidden: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    note: str = ""
    index: int = 0  # position in glossary.yaml (for messages)

    def preferred(self, lang: str) -> str:
        forms = self.forms.get(lang, ())
        return forms[0] if forms else ""

    def found_in(self, text: str, lang: str) -> str | None:
        """The first form of this term (in `lang`) that occurs in `text`, or None."""
        folded = fold(text)
        for form in self.forms.get(lang, ()):
            if _compiled(form).search(folded):
                return form
        return None

    def forbidden_in(self, text: str, lang: str) -> list[str]:
        """Forbidden variants (in `lang`) that occur in `text`."""
        folded = fold(text)
        return [form for form in self.forbidden.get(lang, ()) if _compiled(form).search(folded)]

    def public(self) -> dict[str, Any]:
        return {"forms": {k: list(v) for k, v in self.forms.items()},
                "forbidden": {k: list(v) for k, v in self.forbidden.items()}, "note": self.note}


_CACHE: dict[str, re.Pattern[str]] = {}


def _compiled(form: str) -> re.Pattern[str]:
    pattern = _CACHE.get(form)
    if pattern is None:
        pattern = _CACHE[form] = _pattern(form)
    return pattern


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...] = ()

    def __len__(self) -> int:
        return len(self.terms)

    def terms_in(self, text: str, source_lang: str, target_lang: str) -> list[Term]:
        """Terms whose `source_lang` form occurs in `text` and that have a `target_lang` form.

        The longest match wins: where one term's form lies inside a longer
        term's form ("UN" in "UN Security Council"), only the longer term is
        found there, so "UN" asks for no rendering of its own unless it also
        occurs on its own elsewhere in the text.
        """
        folded = fold(text)
        spans: list[tuple[int, int, int]] = []  # (start, end, term position)
        for position, term in enumerate(self.terms):
            if not term.forms.get(target_lang):
                continue
            for form in term.forms.get(source_lang, ()):
                spans += [(m.start(), m.end(), position) for m in _compiled(form).finditer(folded)]
        taken: list[tuple[int, int, int]] = []
        for start, end, position in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
            inside_longer = any(o_start <= start and end <= o_end and o_end - o_start > end - start
                                and o_pos != position for o_start, o_end, o_pos in taken)
            if not inside_longer:
                taken.append((start, end, position))
        found = sorted({position for _start, _end, position in taken})
        return [self.terms[position] for position in found]

    def spans_in(self, text: str, source_lang: str, target_lang: str) -> list[tuple[int, int, Term]]:
        """Where the terms of `terms_in` occur in `text`, as (start, end, term) over `text` in NFC,
        in order and without overlaps (the longest match wins): what a screen highlights."""
        nfc = unicodedata.normalize("NFC", text)
        folded, where = fold_mapped(nfc)
        spans: list[tuple[int, int, int]] = []
        for position, term in enumerate(self.terms):
            if not term.forms.get(target_lang):
                continue
            for form in term.forms.get(source_lang, ()):
                spans += [(m.start(), m.end(), position) for m in _compiled(form).finditer(folded)
                          if m.end() > m.start()]
        taken: list[tuple[int, int, int]] = []
        for start, end, position in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
            if not any(start < o_end and o_start < end for o_start, o_end, _p in taken):
                taken.append((start, end, position))
        return [(where[start], where[end - 1] + 1, self.terms[position]) for start, end, position in sorted(taken)]

    def forbidden_in(self, text: str, lang: str) -> list[tuple[Term, str]]:
        """(term, variant) for every forbidden variant occurring in `text`."""
        return [(term, form) for term in self.terms for form in term.forbidden_in(text, lang)]


EMPTY = Glossary()


def _forms(value: Any, where: str) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not items:
        raise InvalidData(_("{where}: expected a term or a list of terms").format(where=where),
                          _("fix glossary.yaml"))
    out = []
    for item in items:
        if not isinstance(item, str) or not item.strip():
            raise InvalidData(_("{where}: {value!r} is not a term").format(where=where, value=item),
                              _("write each term as text"))
        out.append(" ".join(item.split()))
    return tuple(out)


def parse_glossary(data: Any, where: str, languages: tuple[str, ...] = ()) -> Glossary:
    """Validate the parsed YAML of a glossary; `languages` restricts the codes if given."""
    if data is None:
        return EMPTY
    if not isinstance(data, dict):
        raise InvalidData(_("{where}: expected a mapping with schema and terms").format(where=where),
                          _("see README, Glossary"))
    unknown = set(data) - {"schema", "terms"}
    if unknown:
        raise InvalidData(_("{where}: unknown field {field!r}").format(where=where, field=sorted(unknown)[0]),
                          _("a glossary has only schema and terms"))
    if data.get("schema", SCHEMA) != SCHEMA:
        raise InvalidData(_("{where}: schema {schema!r} is not supported (expected {expected})").format(
            where=where, schema=data.get("schema"), expected=SCHEMA))
    raw = data.get("terms") or []
    if not isinstance(raw, list):
        raise InvalidData(_("{where}: terms must be a list").format(where=where), _("fix glossary.yaml"))
    terms = []
    for index, spec in enumerate(raw):
        at = f"{where}: terms[{index}]"
        if not isinstance(spec, dict):
            raise InvalidData(_("{at}: expected a mapping such as {{en: ..., ar: ...}}").format(at=at),
                              _("fix glossary.yaml"))
        forms: dict[str, tuple[str, ...]] = {}
        for key, value in spec.items():
            if key in TERM_FIELDS:
                continue
            if not isinstance(key, str) or not LANG_RE.match(key) or (languages and key not in languages):
                known = ", ".join(sorted(TERM_FIELDS | set(languages))) if languages else "note, forbidden"
                raise InvalidData(_("{at}: unknown field or language {key!r}").format(at=at, key=key),
                                  _("use language codes: {known}").format(known=known))
            forms[key] = _forms(value, f"{at}.{key}")
        if len(forms) < 2:
            raise InvalidData(_("{at}: a term needs forms in at least two languages").format(at=at),
                              _("e.g. {{en: Idlib, ar: إدلب}}"))
        note = spec.get("note", "")
        if not isinstance(note, str):
            raise InvalidData(_("{at}.note: expected text").format(at=at), _("fix glossary.yaml"))
        forbidden_raw = spec.get("forbidden") or {}
        if not isinstance(forbidden_raw, dict):
            raise InvalidData(_("{at}.forbidden: expected a mapping language -> list").format(at=at),
                              _("e.g. forbidden: {{ar: [الحكومة السورية]}}"))
        forbidden: dict[str, tuple[str, ...]] = {}
        for lang, value in forbidden_raw.items():
            if lang not in forms:
                raise InvalidData(_("{at}.forbidden: language {lang!r} has no accepted form").format(
                    at=at, lang=lang), _("add the accepted {lang} form first").format(lang=lang))
            forbidden[lang] = _forms(value, f"{at}.forbidden.{lang}")
            for bad in forbidden[lang]:
                for good in forms[lang]:
                    if _compiled(bad).search(fold(good)):
                        raise InvalidData(
                            _("{at}: forbidden {bad!r} occurs inside the accepted {good!r}").format(
                                at=at, bad=bad, good=good),
                            _("make the forbidden variant more specific"))
        terms.append(Term(forms=forms, forbidden=forbidden, note=note.strip(), index=index))
    return Glossary(tuple(terms))


def load_glossary(nr_root: str | Path, languages: tuple[str, ...] = ()) -> Glossary:
    """`glossary.yaml` at the newsroom root; an empty glossary when there is none."""
    path = Path(nr_root) / GLOSSARY_NAME
    try:
        data = yamlio.read(path)
    except FileNotFoundError:
        return EMPTY
    return parse_glossary(data, GLOSSARY_NAME, languages)
