"""Which script a text is written in, by words (pure: no I/O).

A translation into English must be mostly Latin script, one into Arabic mostly
Arabic script.  Words that say nothing about the language are left out: URLs,
e-mail addresses, @handles and #tags, placeholders and tags (the caller blanks
those), numbers, one-letter words, acronyms (UN, UNHCR, OCHA) and, in a
translation out of another script, capitalised names kept as written in the
source (Save the Children in an Arabic text).  Words in the wrong script are
counted otherwise: text pasted untranslated is exactly what this is for.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

__all__ = ["SCRIPTS", "ScriptShare", "dominant_script", "expected_script", "language_by_script", "script_share",
           "word_script"]

# The script each language is written in (BCP 47 primary subtag); others are not checked
# unless pubflow.yaml names their script (checks: {script: {scripts: {xx: Latin}}}).
SCRIPTS = ("Latin", "Arabic", "Cyrillic", "Greek", "Hebrew")
LANGUAGE_SCRIPTS: dict[str, str] = {
    **dict.fromkeys(("ar", "fa", "ur", "ps", "ckb", "ug", "sd"), "Arabic"),
    **dict.fromkeys(("en", "fr", "de", "es", "it", "pt", "nl", "tr", "id", "ms", "sv", "da", "nb", "no",
                     "fi", "pl", "cs", "sk", "ro", "hu", "hr", "sl", "sq", "so", "sw", "ha", "az", "uz",
                     "kmr", "ku", "ca", "eu", "gl", "vi", "tl"), "Latin"),
    **dict.fromkeys(("ru", "uk", "bg", "mk", "be", "kk", "ky", "tg", "mn"), "Cyrillic"),
    "el": "Greek",
    "he": "Hebrew", "yi": "Hebrew",
}
_WORD_RE = re.compile(r"(?:[^\W\d_]|[\u064b-\u065f\u0670\u0640])+")
_HANDLE_RE = re.compile(r"(?<![\w@])[@#][\w.]+")
_NAMES = {"LATIN": "Latin", "ARABIC": "Arabic", "CYRILLIC": "Cyrillic", "GREEK": "Greek", "HEBREW": "Hebrew"}


def expected_script(lang: str, overrides: Mapping[str, str] | None = None) -> str | None:
    """The script `lang` is written in, or None when pubflow does not know it."""
    code = lang.lower()
    primary = code.split("-")[0]
    overrides = overrides or {}
    return overrides.get(code) or overrides.get(primary) or LANGUAGE_SCRIPTS.get(primary)


def word_script(word: str) -> str | None:
    """The script of a word's first letter (Latin, Arabic, ...), None for others."""
    for char in word:
        if char.isalpha():
            return _NAMES.get(unicodedata.name(char, "").split(" ")[0])
    return None


def _is_acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper()


@dataclass(frozen=True)
class ScriptShare:
    script: str  # the script the language needs
    share: float  # of the counted words, the part in that script
    counted: int  # words that say something about the language
    stray: str  # the first word in another script, to quote


def script_share(target: str, target_lang: str, source: str = "",
                 overrides: Mapping[str, str] | None = None) -> ScriptShare | None:
    """How much of `target` is in the script of `target_lang`; None when that cannot be said."""
    script = expected_script(target_lang, overrides)
    if script is None:
        return None
    text = _HANDLE_RE.sub(" ", target)
    source_words = set(_WORD_RE.findall(source))
    good = counted = 0
    stray = ""
    for word in _WORD_RE.findall(text):
        if len(word) < 2 or _is_acronym(word):
            continue
        found = word_script(word)
        if found is None:
            continue
        if found != script and word[:1].isupper() and word in source_words:
            continue  # a name kept as the source writes it
        counted += 1
        if found == script:
            good += 1
        elif not stray:
            stray = word
    if not counted:
        return None
    return ScriptShare(script, good / counted, counted, stray)


def dominant_script(text: str) -> str | None:
    """The script most of the words of `text` are in (None when it has no words)."""
    counts: dict[str, int] = {}
    for word in _WORD_RE.findall(_HANDLE_RE.sub(" ", text)):
        if len(word) < 2 or _is_acronym(word):
            continue
        found = word_script(word)
        if found is not None:
            counts[found] = counts.get(found, 0) + 1
    if not counts:
        return None
    return max(sorted(counts), key=lambda name: counts[name])


def language_by_script(text: str, languages: Sequence[str], preferred: str | None = None,
                       overrides: Mapping[str, str] | None = None) -> tuple[str | None, str | None]:
    """(language, script): the one of `languages` written in the script most of `text` is in.

    When several languages share that script, `preferred` (the newsroom's default source
    language) wins if it is one of them, else the first listed.  (None, script) when no
    language is written in that script; (None, None) when the text has no words to judge.
    """
    script = dominant_script(text)
    if script is None:
        return None, None
    fitting = [code for code in languages if expected_script(code, overrides) == script]
    if preferred in fitting:
        return preferred, script
    return (fitting[0] if fitting else None), script
