"""Digits: the one table of Arabic-Indic and Latin digits (pure).

Arabic text writes numbers with Arabic-Indic digits (٠١٢٣٤٥٦٧٨٩, U+0660..)
or, in Persian and Urdu, the extended forms (۰۱۲۳۴۵۶۷۸۹, U+06F0..);
Babel leaves digits Latin whatever the locale.  Comparing (checks,
translation memory, datelines) reads every form as Latin; writing a page
maps Latin digits to the language's digit style (`digits:` in pubflow.yaml).
"""

from __future__ import annotations

LATIN = "0123456789"
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"  # U+0660..U+0669, digit style `arab`
EXTENDED_ARABIC_INDIC = "۰۱۲۳۴۵۶۷۸۹"  # U+06F0..U+06F9 (Persian, Urdu)
STYLES = ("latn", "arab")  # the digit styles a language may have
# The digits of every form, as the contents of a regular-expression character class.
DIGIT_CLASS = "0-9\u0660-\u0669\u06f0-\u06f9"
ARABIC_DECIMAL_SEPARATOR = "\u066b"  # ٫
ARABIC_THOUSANDS_SEPARATOR = "\u066c"  # ٬

_TO_LATIN = str.maketrans(ARABIC_INDIC + EXTENDED_ARABIC_INDIC, LATIN * 2)
_TO_STYLE = {"arab": str.maketrans(LATIN, ARABIC_INDIC)}


def to_latin(text: str) -> str:
    """Every Arabic-Indic digit (either form) as its Latin digit; other characters unchanged."""
    return text if text.isascii() else text.translate(_TO_LATIN)


def in_style(text: str, style: str) -> str:
    """Latin digits written in a digit style (`latn` leaves the text as it is)."""
    table = _TO_STYLE.get(style)
    return text.translate(table) if table is not None else text
