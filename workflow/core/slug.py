"""Slugs: the readable part of a release id, from a title in any script (pure).

A release id is `YYYY-MM-DD-slug` and becomes a folder name, a zip name and
the public URL of every language version, so a slug is ASCII only: the
letters a-z, the digits 0-9 and single hyphens.  Latin text is lower-cased
with its accents dropped; Arabic (and Persian/Urdu letters) is transliterated
by a simple letter table — the way newsrooms write Arabic names in Latin
letters in URLs and on social media (خطة المياه في إدلب -> khta-al-myah-fi-idlb).
Why not an Arabic slug, percent-encoded?  README.md, "Release ids", says.
"""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG = 60  # characters of a slug derived from a title (cut at a word boundary)
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")

# Consonants and letters that are always written the same way.
_LETTERS = {
    "ب": "b", "ت": "t", "ث": "th", "ج": "j", "ح": "h", "خ": "kh", "د": "d", "ذ": "dh", "ر": "r",
    "ز": "z", "س": "s", "ش": "sh", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "gh", "ف": "f",
    "ق": "q", "ك": "k", "ل": "l", "م": "m", "ن": "n", "ه": "h", "ة": "a", "ى": "a",
    "ا": "a", "أ": "a", "إ": "i", "آ": "a", "ٱ": "a", "ؤ": "u", "ئ": "i", "ء": "",
    # Persian and Urdu letters
    "پ": "p", "چ": "ch", "ژ": "zh", "گ": "g", "ک": "k", "ۀ": "a", "ہ": "h", "ھ": "h", "ٹ": "t",
    "ڈ": "d", "ڑ": "r", "ں": "n", "ے": "e",
    # short vowels, when written; shadda, sukun and tatweel leave no letter
    "\u064e": "a", "\u0650": "i", "\u064f": "u", "\u064b": "an", "\u064d": "in", "\u064c": "un",
    "\u0670": "a", "\u0651": "", "\u0652": "", "\u0640": "",
}
_VOWEL_LETTERS = set("اأإآٱوىيةی")  # letters after which و and ي are consonants (w, y)
_GLIDES = {"و": ("w", "u"), "ي": ("y", "i"), "ی": ("y", "i")}
_AIN = "ع"
_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)


def _is_arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff" or "\u0750" <= char <= "\u077f"


def _arabic_word(word: str) -> str:
    """One Arabic word in Latin letters: the article as `al-`, و/ي as w/y at the start of a word or
    next to a long vowel and as u/i after a consonant, ع as `a` except before a long vowel."""
    out: list[str] = []
    if word.startswith("ال") and len(word) > 3:
        out.append("al-")
        word = word[2:]
    for i, char in enumerate(word):
        after = word[i + 1] if i + 1 < len(word) else ""
        if char in _GLIDES:
            consonant, vowel = _GLIDES[char]
            before = word[i - 1] if i else ""
            at_start = i == 0
            out.append(consonant if at_start or before in _VOWEL_LETTERS or after in _VOWEL_LETTERS else vowel)
        elif char == _AIN:
            out.append("" if after in _VOWEL_LETTERS else "a")
        else:
            out.append(_LETTERS.get(char, ""))
    return "".join(out)


def transliterate(text: str) -> str:
    """`text` in ASCII letters, digits and the separators it had: Arabic-script words
    transliterated, other letters stripped of their accents, what has no Latin form dropped."""
    text = unicodedata.normalize("NFC", text).translate(_ARABIC_DIGITS)
    parts: list[str] = []
    for run in re.split(r"(\s+)", text):
        word = []
        chunk = ""
        for char in run:
            if _is_arabic(char):
                chunk += char
                continue
            if chunk:
                word.append(_arabic_word(chunk))
                chunk = ""
            word.append(unicodedata.normalize("NFKD", char).encode("ascii", "ignore").decode("ascii"))
        if chunk:
            word.append(_arabic_word(chunk))
        parts.append("".join(word))
    return "".join(parts)


def slugify(text: str, limit: int = MAX_SLUG) -> str:
    """Lower-case ASCII words joined by single hyphens, at most `limit` characters (cut at a word
    boundary); "" when `text` has no letter or digit that can be written in ASCII."""
    words = re.findall(r"[a-z0-9]+", transliterate(text).lower())
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > limit:
            if not slug:  # one very long word: cut it
                slug = word[:limit]
            break
        slug = candidate
    return slug
