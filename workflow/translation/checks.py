"""Quality checks on translations (Arabic-aware); each check is a small function.

A check receives one segment pair (`Pair`: source and target text, their
languages, the glossary, the settings) and yields messages that quote the
offending part.  `CHECKS` lists them with an id, a severity and a one-line
description (Babel's `checkers.py` style).  `check_text` runs them on one
segment (the interactive session, before saving); `run_checks` on a whole
release (`pubflow check`, the `checks_clean` guard).

pubflow.yaml may tune them (validated in `checkparams`):

```yaml
checks:
  disabled: [length_ratio]          # ids from `pubflow check --list`
  severity: {glossary: error}       # make a check stricter or milder
  length_ratio: {min: 0.4, max: 2.5, min_length: 20}
  numbers: {scale_words: {en: {lakh: 100000}}}
  script: {min_share: 0.5, scripts: {ku: Latin}}
```

The numbers a text states are read by `numbers` (digits in three scripts,
separators, scale words, number words, duals); the script of a text by
`script`.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from workflow.core.model import Document
from workflow.core.textrules import bidi_problems, text_problem
from workflow.errors import InvalidData, UsageError
from workflow.i18n import N_, _

if TYPE_CHECKING:
    from workflow.core.config import Config
    from workflow.storage.newsroom import Newsroom
    from workflow.translation.glossary import Glossary

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)
ARABIC_SCRIPT_LANGS = ("ar", "fa", "ur", "ps", "ckb", "ug")


@dataclass(frozen=True)
class Finding:
    release: str
    language: str
    segment: str
    check: str
    severity: str  # "error" | "warning"
    message: str
    waived_by: str = ""  # the reviewer whose waiver (bound to this source and text) covers it

    def public(self) -> dict[str, str]:
        return {"release": self.release, "language": self.language, "segment": self.segment,
                "check": self.check, "severity": self.severity, "message": self.message,
                "waived_by": self.waived_by}


@dataclass(frozen=True)
class Settings:
    disabled: frozenset[str] = frozenset()
    severity: Mapping[str, str] = field(default_factory=dict)
    min_ratio: float = 0.4
    max_ratio: float = 2.5
    min_length: int = 20  # shorter sources vary too much for the length ratio
    scale_words: Mapping[str, Mapping[str, int]] = field(default_factory=dict)  # per language: lakh -> 100000
    script_min_share: float = 0.5  # of the words, at least this part in the target language's script
    scripts: Mapping[str, str] = field(default_factory=dict)  # language -> script, beyond the built-in table


@dataclass(frozen=True)
class Pair:
    """One segment as the checks see it."""

    source: str
    target: str
    source_lang: str
    target_lang: str
    glossary: Glossary | None = None
    settings: Settings = Settings()


@dataclass(frozen=True)
class Check:
    id: str
    severity: str
    description: str  # marked with N_; translate with _() when shown
    fn: Callable[[Pair], Iterable[str]]
    # Judges the wording in the target language: left out when the text is not in that language
    # (`identical` or `script` found something), so one untranslated paragraph is one finding.
    wording: bool = False


# ------------------------------------------------------------------ helpers
def quote(text: str, limit: int = 60) -> str:
    """‘text’, shortened in the middle, control characters made visible."""
    shown = "".join(f"<U+{ord(c):04X}>" if unicodedata.category(c) in ("Cf", "Cc") else c for c in text)
    if len(shown) > limit:
        half = limit // 2
        shown = shown[:half] + "…" + shown[-half:]
    return f"‘{shown}’"


def context(text: str, start: int, end: int, width: int = 12) -> str:
    """The match with a little text around it, quoted."""
    left = max(0, start - width)
    right = min(len(text), end + width)
    snippet = ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")
    return quote(snippet, limit=80)


SCRIPT_NAMES = {"Latin": N_("Latin"), "Arabic": N_("Arabic"), "Cyrillic": N_("Cyrillic"), "Greek": N_("Greek"),
                "Hebrew": N_("Hebrew")}


def is_arabic_script(lang: str) -> bool:
    return lang.split("-")[0].lower() in ARABIC_SCRIPT_LANGS


URL_RE = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"'«»“”‘’]+", re.IGNORECASE)
EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_URL_TRAIL = ".,;:!?)]}؟،؛"
PLACEHOLDER_RE = re.compile(
    r"\{[A-Za-z_][\w.]*(?:![rsa])?(?::[^{}]*)?\}|\{\d*\}"  # {name} {0} {} {name:>10}
    r"|%(?:\([A-Za-z_]\w*\))?[-#0+]?\d*(?:\.\d+)?[sdifrxX]|%%"  # %s %(name)s %d %%
    r"|\$\{[A-Za-z_]\w*\}"  # ${name}
    r"|&(?:[A-Za-z][A-Za-z0-9]*|#\d+|#x[0-9A-Fa-f]+);"  # &amp; &#160;
)
TAG_RE = re.compile(r"</?([A-Za-z][\w:-]*)(?:\s[^<>]*)?/?>")


def urls(text: str) -> list[str]:
    return [m.group(0).rstrip(_URL_TRAIL) for m in URL_RE.finditer(text)]


def emails(text: str) -> list[str]:
    return [m.group(0).rstrip(".") for m in EMAIL_RE.finditer(text)]


def markup(text: str) -> list[str]:
    """Placeholders as written and tags reduced to their name (attributes may be translated)."""
    found = [m.group(0) for m in PLACEHOLDER_RE.finditer(text)]
    for m in TAG_RE.finditer(text):
        raw = m.group(0)
        closing = raw.startswith("</")
        selfclosing = raw.endswith("/>")
        name = m.group(1).lower()
        found.append(f"</{name}>" if closing else (f"<{name}/>" if selfclosing else f"<{name}>"))
    return found


def _without_codes(text: str) -> str:
    """Text with URLs, e-mails and placeholders blanked (punctuation checks skip them)."""
    for regex in (URL_RE, EMAIL_RE, PLACEHOLDER_RE, TAG_RE):
        text = regex.sub(lambda m: " " * len(m.group(0)), text)
    return text


def _has_letters(text: str) -> bool:
    return sum(1 for c in text if c.isalpha()) >= 3


def _missing_and_extra(source: list[str], target: list[str]) -> tuple[list[str], list[str]]:
    want, have = Counter(source), Counter(target)
    missing = [x for x in dict.fromkeys(source) for _i in range((want - have)[x])]
    extra = [x for x in dict.fromkeys(target) for _i in range((have - want)[x])]
    return missing, extra


# ------------------------------------------------------------------ checks
def check_empty(pair: Pair) -> Iterator[str]:
    if not pair.target.strip():
        yield _("no translation yet")


def check_identical(pair: Pair) -> Iterator[str]:
    from workflow.translation.glossary import fold

    if _has_letters(pair.source) and fold(pair.source).strip() == fold(pair.target).strip():
        yield _("the translation is the source text unchanged: {text}").format(text=quote(pair.target))


def check_numbers(pair: Pair) -> Iterator[str]:
    from workflow.translation.numbers import compare

    # URLs, e-mails and placeholders are the business of their own checks.
    differences = compare(_without_codes(pair.source), _without_codes(pair.target), pair.source_lang,
                          pair.target_lang, pair.settings.scale_words)
    for diff in differences:
        if diff.source is not None and diff.target is not None:
            yield _("the number {source} in the source is {target} in the translation").format(
                source=quote(diff.source.text), target=quote(diff.target.text))
        elif diff.source is not None:
            yield _("the number {number} from the source is missing").format(number=quote(diff.source.text))
        elif diff.target is not None:
            yield _("the number {number} is not in the source").format(number=quote(diff.target.text))


def check_script(pair: Pair) -> Iterator[str]:
    from workflow.translation.glossary import fold
    from workflow.translation.script import script_share

    if fold(pair.source).strip() == fold(pair.target).strip():
        return  # the source unchanged: `identical` says so
    found = script_share(_without_codes(pair.target), pair.target_lang, pair.source, pair.settings.scripts)
    if found is None or found.share >= pair.settings.script_min_share:
        return
    where = pair.target.find(found.stray)
    yield _("only {share:.0%} of the words are in the {script} script of {lang} (at least {minimum:.0%} "
            "needed): {where}").format(share=found.share, script=_(SCRIPT_NAMES[found.script]),
                                       lang=pair.target_lang, minimum=pair.settings.script_min_share,
                                       where=context(pair.target, where, where + len(found.stray)))


def check_urls(pair: Pair) -> Iterator[str]:
    for kind, found in ((_("URL"), urls), (_("e-mail address"), emails)):
        missing, extra = _missing_and_extra(found(pair.source), found(pair.target))
        for item in missing:
            yield _("the {kind} {text} is missing or changed").format(kind=kind, text=quote(item, 100))
        for item in extra:
            yield _("the {kind} {text} is not in the source").format(kind=kind, text=quote(item, 100))


def check_markup(pair: Pair) -> Iterator[str]:
    missing, extra = _missing_and_extra(markup(pair.source), markup(pair.target))
    for item in missing:
        yield _("{code} from the source is missing").format(code=quote(item))
    for item in extra:
        yield _("{code} is not in the source").format(code=quote(item))


def check_glossary(pair: Pair) -> Iterator[str]:
    if pair.glossary is None:
        return
    for term in pair.glossary.terms_in(pair.source, pair.source_lang, pair.target_lang):
        if term.found_in(pair.target, pair.target_lang) is None:
            said = term.found_in(pair.source, pair.source_lang) or term.preferred(pair.source_lang)
            yield _("{term} should be translated as {agreed} (glossary)").format(
                term=quote(said), agreed=quote(term.preferred(pair.target_lang)))


def check_forbidden(pair: Pair) -> Iterator[str]:
    if pair.glossary is None:
        return
    for term, variant in pair.glossary.forbidden_in(pair.target, pair.target_lang):
        yield _("{variant} is a forbidden variant; write {term} (glossary)").format(
            variant=quote(variant), term=quote(term.preferred(pair.target_lang)))


_CLOSERS = "\"'”’»›)]}\u200e\u200f\u061c \u00a0"
_END = {"?": "?", "؟": "?", "!": "!", ".": ".", "۔": ".", ":": ":", ";": ";", "؛": ";", "…": "…"}


def _ending(text: str) -> str:
    stripped = text.rstrip(_CLOSERS)
    if stripped.endswith("..."):
        return "…"
    return _END.get(stripped[-1:], "") if stripped else ""


def _tail(text: str) -> str:
    return quote(("…" + text[-20:]) if len(text) > 20 else text)


def check_punctuation(pair: Pair) -> Iterator[str]:
    if not pair.source.strip() or not pair.target.strip():
        return
    src, tgt = _ending(pair.source), _ending(pair.target)
    if src == tgt:
        return
    names = {"?": _("a question mark"), "!": _("an exclamation mark"), ".": _("a full stop"),
             ":": _("a colon"), ";": _("a semicolon"), "…": _("an ellipsis"), "": _("no punctuation")}
    yield _("the source ends with {source} but the translation ends with {target}: {tail}").format(
        source=names[src], target=names[tgt], tail=_tail(pair.target))


_LATIN_TO_ARABIC = {"?": "؟", ";": "؛", ",": "،"}
_ARABIC_TO_LATIN = {v: k for k, v in _LATIN_TO_ARABIC.items()}


def check_script_punctuation(pair: Pair) -> Iterator[str]:
    text = _without_codes(pair.target)
    if is_arabic_script(pair.target_lang):
        table = _LATIN_TO_ARABIC
    elif is_arabic_script(pair.source_lang):
        table = _ARABIC_TO_LATIN
    else:
        return
    reported: set[str] = set()
    for index, char in enumerate(text):
        if char not in table or char in reported:
            continue
        if char == "," and 0 < index < len(text) - 1 and text[index - 1].isdigit() and text[index + 1].isdigit():
            continue  # 1,000
        reported.add(char)
        yield _("use {good} instead of {bad} in {lang}: {where}").format(
            good=quote(table[char]), bad=quote(char), lang=pair.target_lang,
            where=context(pair.target, index, index + 1))


def check_bidi(pair: Pair) -> Iterator[str]:
    """The one bidi rule (`core.textrules.bidi_problems`), shared with input validation."""
    text = pair.target
    for kind, index, name in bidi_problems(text):
        where = context(text, index, index + 1)
        code = ord(text[index])
        if kind == "embedding":
            yield _("{name} (U+{code:04X}) can make text display differently from what is stored; "
                    "use RLM/LRM marks: {where}").format(name=name, code=code, where=where)
        elif kind == "stray":
            yield _("{name} (U+{code:04X}) closes nothing: {where}").format(name=name, code=code, where=where)
        else:
            yield _("{name} (U+{code:04X}) is never closed with PDI: {where}").format(
                name=name, code=code, where=where)


def check_control(pair: Pair) -> Iterator[str]:
    """Control characters: XML 1.0 refuses most (a feed with one is invalid for the whole language)."""
    found = text_problem(pair.target)
    if found is not None and found[0] == "control":
        _kind, index, char = found
        yield _("control character U+{code:04X}: {where}").format(
            code=ord(char), where=context(pair.target, index, index + 1))


def check_spaces(pair: Pair) -> Iterator[str]:
    target = pair.target
    if not target.strip():
        return
    if target[:1].isspace():
        yield _("leading space: {where}").format(where=context(target, 0, 1))
    if target[-1:].isspace():
        yield _("trailing space: {where}").format(where=context(target, len(target) - 1, len(target)))
    if "  " not in pair.source:
        match = re.search(r"(?<=\S) {2,}(?=\S)", target)
        if match:
            yield _("doubled space: {where}").format(where=context(target, match.start(), match.end()))


def check_length_ratio(pair: Pair) -> Iterator[str]:
    source, target = pair.source.strip(), pair.target.strip()
    if len(source) < pair.settings.min_length or not target:
        return
    ratio = len(target) / len(source)
    if ratio < pair.settings.min_ratio:
        yield _("the translation is {ratio:.0%} of the source's length (much shorter): {text}").format(
            ratio=ratio, text=quote(target))
    elif ratio > pair.settings.max_ratio:
        yield _("the translation is {ratio:.0%} of the source's length (much longer): {text}").format(
            ratio=ratio, text=quote(target))


CHECKS: list[Check] = [
    Check("empty", ERROR, N_("the segment has no translation"), check_empty),
    Check("identical", ERROR, N_("the translation is the source text unchanged"), check_identical),
    Check("script", ERROR, N_("the translation is mostly in its language's script (Latin for en, Arabic for ar)"),
          check_script),
    Check("numbers", ERROR, N_("numbers differ (digits in any script, ١٢٠ ألف = 120,000, three = ثلاث = 3)"),
          check_numbers),
    Check("urls", ERROR, N_("URLs and e-mail addresses are kept exactly"), check_urls),
    Check("markup", ERROR, N_("placeholders ({name}, %s), tags (<b>) and entities (&amp;) are kept"),
          check_markup),
    Check("forbidden", ERROR, N_("a variant the glossary forbids is used"), check_forbidden),
    Check("glossary", WARNING, N_("a glossary term in the source is not rendered as agreed"), check_glossary,
          wording=True),
    Check("bidi", ERROR, N_("no bidi embeddings or overrides (LRE RLE LRO RLO); isolates (LRI RLI FSI) "
                            "closed with PDI"), check_bidi),
    Check("control", ERROR, N_("no control characters (feeds cannot hold them)"), check_control),
    Check("punctuation", WARNING, N_("the final punctuation matches the source (؟ counts as ?, ؛ as ;)"),
          check_punctuation),
    Check("arabic_punctuation", WARNING, N_("Arabic text uses ؟ ؛ ، and other text ? ; ,"),
          check_script_punctuation, wording=True),
    Check("spaces", WARNING, N_("no leading, trailing or doubled spaces"), check_spaces),
    Check("length_ratio", WARNING, N_("the translation's length is far from the source's"), check_length_ratio,
          wording=True),
]
CHECKS_BY_ID: dict[str, Check] = {c.id: c for c in CHECKS}
UNTRANSLATED = ("identical", "script")  # checks that find a text not in the target language


# ------------------------------------------------------------------ settings
def _bad(what: str) -> InvalidData:
    from workflow.translation.checkparams import bad

    return bad(what, CHECKS_BY_ID)


def settings(config: Config) -> Settings:
    """Validate and interpret the `checks:` section of pubflow.yaml."""
    from workflow.translation.checkparams import read_params

    raw: Mapping[str, Any] = config.checks or {}
    if not isinstance(raw, dict):
        raise _bad(_("expected a mapping (disabled, severity, parameters of checks)"))
    disabled = raw.get("disabled") or []
    if not isinstance(disabled, list) or not all(isinstance(x, str) for x in disabled):
        raise _bad(_("disabled must be a list of check ids"))
    for check_id in disabled:
        if check_id not in CHECKS_BY_ID:
            raise _bad(_("disabled: unknown check {id!r}").format(id=check_id))
    severity = raw.get("severity") or {}
    if not isinstance(severity, dict):
        raise _bad(_("severity must map check ids to error or warning"))
    for check_id, level in severity.items():
        if check_id not in CHECKS_BY_ID:
            raise _bad(_("severity: unknown check {id!r}").format(id=check_id))
        if level not in SEVERITIES:
            raise _bad(_("severity.{id}: {level!r} is not error or warning").format(id=check_id, level=level))
    params = read_params(raw, CHECKS_BY_ID)
    ratio, script = params["length_ratio"], params["script"]
    return Settings(disabled=frozenset(disabled), severity=dict(severity), min_ratio=ratio["min"],
                    max_ratio=ratio["max"], min_length=ratio["min_length"],
                    scale_words=params["numbers"]["scale_words"], script_min_share=script["min_share"],
                    scripts=script["scripts"])


def enabled_checks(conf: Settings) -> list[tuple[Check, str]]:
    """(check, effective severity) for every check not switched off."""
    return [(c, conf.severity.get(c.id, c.severity)) for c in CHECKS if c.id not in conf.disabled]


def _load_glossary(config: Config) -> Glossary:
    from workflow.translation.glossary import load_glossary

    return load_glossary(config.root, tuple(config.languages))


# ------------------------------------------------------------------ running
def _run(pair: Pair, checks: list[tuple[Check, str]]) -> Iterator[tuple[str, str, str]]:
    if not pair.target.strip():
        for check, severity in checks:
            if check.id == "empty":
                for message in check.fn(pair):
                    yield check.id, severity, message
        return
    untranslated = False
    for check, severity in checks:
        if check.wording and untranslated:
            continue
        for message in check.fn(pair):
            untranslated = untranslated or check.id in UNTRANSLATED
            yield check.id, severity, message


def check_text(config: Config, source_text: str, target_text: str, source_lang: str, target_lang: str,
               glossary: Glossary | None = None) -> list[tuple[str, str, str]]:
    """(check id, severity, message) for one segment; the glossary is loaded when not given."""
    conf = settings(config)
    if glossary is None:
        glossary = _load_glossary(config)
    pair = Pair(source_text, target_text, source_lang, target_lang, glossary, conf)
    return list(_run(pair, enabled_checks(conf)))


def run_checks(doc: Document, config: Config, languages: Iterable[str]) -> list[Finding]:
    """Findings for every segment of `doc` in each target language of `languages`."""
    conf = settings(config)
    checks = enabled_checks(conf)
    glossary = _load_glossary(config)
    source_lang = doc.release.source_language
    findings: list[Finding] = []
    for lang in languages:
        if lang == source_lang or lang not in doc.release.languages:
            continue
        target = doc.target(lang)
        for seg in doc.source:
            unit = target[seg.id]
            waived = unit.active_waivers(seg.text)
            pair = Pair(seg.text, unit.text, source_lang, lang, glossary, conf)
            for check_id, severity, message in _run(pair, checks):
                who = waived[check_id].by if check_id in waived else ""
                findings.append(Finding(doc.release.id, lang, seg.id, check_id, severity, message, who))
    return findings


@dataclass(frozen=True)
class CheckReport:
    release: str
    languages: tuple[str, ...]
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> int:
        """Errors no reviewer waived (a waived error no longer blocks anything)."""
        return sum(1 for f in self.findings if f.severity == ERROR and not f.waived_by)

    @property
    def waived(self) -> int:
        return sum(1 for f in self.findings if f.severity == ERROR and f.waived_by)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity == WARNING)

    def untranslated(self) -> dict[str, list[str]]:
        """Segments without a translation, per language (the `empty` findings)."""
        out: dict[str, list[str]] = {}
        for f in self.findings:
            if f.check == "empty":
                out.setdefault(f.language, []).append(f.segment)
        return out


def check_release(nr: Newsroom, release_id: str, languages: Iterable[str] | None = None,
                  skip_untranslated: bool = False) -> CheckReport:
    """`pubflow check`: findings for a release in its target languages (or the given ones)."""
    doc = nr.load(release_id)
    targets = doc.release.targets
    if languages is None:
        langs = targets
    else:
        langs = tuple(languages)
        for code in langs:
            nr.config.language(code)
            if code not in targets:
                raise UsageError(_("{id} has no {lang} translation").format(id=release_id, lang=code),
                                 _("its target languages: {codes}").format(codes=", ".join(targets) or "-"))
    findings = run_checks(doc, nr.config, langs)
    if skip_untranslated:
        findings = [f for f in findings if f.check != "empty"]
    return CheckReport(release_id, tuple(langs), tuple(findings))
