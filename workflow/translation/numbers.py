"""The numbers a text states, as values with spans (pure: no I/O).

`quantities(text, lang)` reads prose the way a newsroom writes it, in English
and Arabic:

- digits in three scripts: Latin 0-9, Arabic-Indic ٠-٩, Eastern (Persian) ۰-۹;
- separators: Arabic ٬ (thousands) and ٫ (decimal), and Latin , and . with
  their ambiguity: "1,500" is 1500, "1,5" is 1.5, "1.500" is 1.5 in English
  and may be 1500 in Arabic text; "22.07.2019" is three numbers;
- scale words after a number: ١٢٠ ألف = 120 thousand = 120,000;
  ٤٥ ألفاً, ٣ آلاف, ١٫٥ مليون = 1.5 million = $1.5m; compounds such as
  ٣ ملايين و٥٠٠ ألف and مليون ونصف المليون (1.5 million);
- number words, with the forms num2words gives (it speaks Arabic and English)
  and the Arabic forms grammar derives from them: gender (ثلاث/ثلاثة), case
  (عشرون/عشرين, اثنان/اثنين), construct and dual forms (ألفا, مليونين),
  attached و ف ب ك ل and the article; teens, tens, hundreds and scales
  (مئة وعشرون ألفاً, twenty-three, one hundred and twenty);
- ordinals (الأول/first, الثاني والعشرين, twenty-first), month names next to
  a date, fractions (half/نصف), and Arabic duals (أسبوعين = two weeks).

Each quantity is *firm* or *soft*.  Firm ones are stated plainly (digits, or
words counting three or more): a translation must state them too.  Soft ones
(one, two, duals, ordinals, months, fractions, "a thousand") are read so that
they can *answer* a firm number on the other side (2 weeks = أسبوعين), but a
check never requires them: "one" is also "one of", الأول is also "the
former", and most Arabic words in ـين/ـان are plurals, names or verbal nouns,
not duals.  Vague quantities (عشرات، مئات الآلاف، tens of thousands, dozens)
state no number: they are read and dropped, so their scale words do not turn
into numbers.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from workflow.core.digits import ARABIC_DECIMAL_SEPARATOR, ARABIC_THOUSANDS_SEPARATOR, DIGIT_CLASS, to_latin

__all__ = ["Difference", "Quantity", "compare", "fold_arabic", "match", "quantities", "read_digits"]

DIGITS = DIGIT_CLASS
# A run of digits with the separators that can sit inside a number.
_NUMBER = rf"[{DIGITS}]+(?:[,.{ARABIC_DECIMAL_SEPARATOR}{ARABIC_THOUSANDS_SEPARATOR}][{DIGITS}]+)*"
_WORD = r"(?:[^\W\d_]|[\u064b-\u065f\u0670\u0640])+"
_TOKEN_RE = re.compile(rf"(?P<num>{_NUMBER})|(?P<word>{_WORD})")
_AR_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_AR_FOLD = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
_ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
_TIME_RE = re.compile(rf"([{DIGITS}]{{1,2}})[.]([{DIGITS}]{{2}})")
_AM_PM_RE = re.compile(r"\s?[ap]\.?m\b", re.IGNORECASE)
_SPACE_ONLY = re.compile(r"[\s\u00a0\u200e\u200f\u061c]*")
# Attached particles, longest first: conjunctions و ف, prepositions ب ك ل, the article.
_AR_PREFIXES = ("وبال", "وكال", "فبال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال",
                "وب", "ول", "وك", "فب", "فل", "و", "ف", "ب", "ل", "ك")
_ARTICLE_PREFIXES = frozenset(p for p in _AR_PREFIXES if p.endswith("ال") or p.endswith("لل"))
# Whole words that look like a number word with a particle but are not.
_AR_NOT_NUMBERS = frozenset({"لست"})  # "I am not", not ل + ست (six)
_AR_NOT_DUALS = frozenset({"الذين"})


@dataclass(frozen=True)
class Quantity:
    """One number a text states.

    `values` holds every value the writing allows (one, unless it is ambiguous:
    "1.500" in Arabic text, "100m"); `firm` says whether a translation must state it.
    """

    values: frozenset[Fraction]
    start: int
    end: int
    text: str
    firm: bool
    kind: str  # digits | words | ordinal | month | fraction | dual


@functools.lru_cache(maxsize=4096)
def fold_arabic(word: str) -> str:
    """Arabic word without diacritics and tatweel, alef/ya/ta marbuta unified."""
    return _AR_MARKS.sub("", word).translate(_AR_FOLD)


# ------------------------------------------------------------------ digits
def _is_grouping(groups: Sequence[str]) -> bool:
    """1-3 digits, then groups of exactly 3: 1,500 / 12,000,000."""
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def read_digits(raw: str, lang: str = "en") -> list[tuple[int, int, frozenset[Fraction]]]:
    """The numbers in one run of digits and separators: (start, end, values) relative to `raw`.

    Arabic separators are unambiguous (٬ thousands, ٫ decimal).  With Latin ones,
    the last of two kinds is the decimal mark (1,500.5 and 1.500,5); one kind alone
    groups thousands when every group after the first has three digits (1,500 and
    1.500.000), except that a single "." before three digits is a decimal in English
    (1.500 = 1.5) and may be either in other languages; anything else is a decimal
    (1,5 and 3.5) or, with several separators that do not group, separate numbers
    (22.07.2019).
    """
    text = to_latin(raw)
    arabic_style = ARABIC_DECIMAL_SEPARATOR in text or ARABIC_THOUSANDS_SEPARATOR in text
    if arabic_style:
        text = text.replace(ARABIC_THOUSANDS_SEPARATOR, ",").replace(ARABIC_DECIMAL_SEPARATOR, ".")
    seps = [c for c in text if c in ",."]
    english = lang.split("-")[0].lower() == "en"

    def whole(s: str) -> Fraction:
        return Fraction(int(s))

    def decimal(int_part: str, frac_part: str) -> Fraction:
        return Fraction(f"{int(int_part)}.{frac_part}")

    if not seps:
        return [(0, len(raw), frozenset({whole(text)}))]
    kinds = set(seps)
    groups = re.split(r"[,.]", text)
    if arabic_style:
        if seps.count(".") <= 1 and (seps[-1] == "." or "." not in seps) and \
                _is_grouping(re.split(",", text.split(".")[0])):
            int_part, _dot, frac_part = text.partition(".")
            int_digits = int_part.replace(",", "")
            return [(0, len(raw), frozenset({decimal(int_digits, frac_part) if frac_part else whole(int_digits)}))]
    elif len(kinds) == 1:
        sep = seps[0]
        if len(seps) == 1:
            left, right = groups
            if len(right) == 3 and _is_grouping(groups) and not (left == "0"):
                grouped, dec = whole(left + right), decimal(left, right)
                if sep == ",":
                    return [(0, len(raw), frozenset({grouped} if english else {grouped, dec}))]
                return [(0, len(raw), frozenset({dec} if english else {dec, grouped}))]
            if sep == "." or len(left) <= 3:
                return [(0, len(raw), frozenset({decimal(left, right)}))]
        elif _is_grouping(groups):
            return [(0, len(raw), frozenset({whole("".join(groups))}))]
    else:
        decimal_sep = seps[-1]
        thousands_sep = "," if decimal_sep == "." else "."
        int_part, _sep, frac_part = text.rpartition(decimal_sep)
        if decimal_sep not in int_part and _is_grouping(int_part.split(thousands_sep)):
            return [(0, len(raw), frozenset({decimal(int_part.replace(thousands_sep, ""), frac_part)}))]
    # Separators that do not make one number: each group is a number of its own.
    out: list[tuple[int, int, frozenset[Fraction]]] = []
    for m in re.finditer(r"\d+", text):
        out.append((m.start(), m.end(), frozenset({whole(m.group(0))})))
    return out


# ------------------------------------------------------------------ lexicons
@dataclass(frozen=True)
class _Lexicon:
    units: Mapping[str, int]  # 1..10, every form (and the unit words of the teens)
    teen_units: Mapping[str, int]  # forms that stand before عشر/عشرة (احد, اثنا, ثلاثة, ...)
    ten_words: frozenset[str]  # the second word of a teen (عشر, عشرة) / unused in English
    tens: Mapping[str, int]  # 20..90
    hundreds: Mapping[str, int]  # one word meaning a whole number of hundreds
    hundred_words: frozenset[str]  # the word "hundred" after a unit (ثلاث مئة, three hundred)
    scales: Mapping[str, int]  # multipliers after a number (ألف, ألفاً, آلاف, thousand, million)
    scale_alone: Mapping[str, int]  # a scale word standing alone (ألف = 1000, ألفين = 2000)
    scale_unit: Mapping[str, int]  # the scale of each of those words (ألفين: 1000), for compounds
    vague: frozenset[str]  # words that state no number and swallow the scale after them
    ordinals: Mapping[str, int]
    months: Mapping[tuple[str, ...], int]
    fractions: Mapping[str, Fraction]
    twos: frozenset[str]  # words that mean two without being the number (both, twice)

    @functools.cached_property
    def words(self) -> frozenset[str]:
        """Every word any table knows (the first word of a month included)."""
        tables: list[Iterable[str]] = [self.units, self.teen_units, self.ten_words, self.tens, self.hundreds,
                                       self.hundred_words, self.scales, self.scale_alone, self.vague,
                                       self.ordinals, self.fractions, self.twos]
        return frozenset(w for table in tables for w in table) | {name[0] for name in self.months}


def _arabic_variants(form: str) -> set[str]:
    """Spellings of one Arabic word: مائة/مئة, folded."""
    folded = fold_arabic(form)
    out = {folded}
    if "مائه" in folded or "مائت" in folded:
        out.add(folded.replace("مائ", "مئ"))
    return out


@functools.cache
def _arabic() -> _Lexicon:
    from num2words import num2words

    def words(n: int, to: str = "cardinal") -> str:
        return str(num2words(n, lang="ar", to=to))

    units: dict[str, int] = {}
    teen_units: dict[str, int] = {}
    for n in range(3, 11):
        masc = words(n)  # ثلاثة, ..., عشرة (the form num2words writes)
        fem = masc[:-1]  # ثلاث, ..., عشر: the form with a masculine noun
        for form in (masc, fem):
            for v in _arabic_variants(form):
                units[v] = n
                if n < 10:
                    teen_units[v] = n
    units[fold_arabic("ثماني")] = 8  # ثماني نساء, ثماني عشرة
    teen_units[fold_arabic("ثماني")] = 8
    one = words(1)  # واحد
    for form in (one, one + "ة", "أحد", "إحدى"):
        units[fold_arabic(form)] = 1
    for form in ("أحد", "إحدى"):
        teen_units[fold_arabic(form)] = 1
    two = words(2)  # اثنان: the nominative; the other cases and the feminine follow
    for form in (two, "اثنين", "اثنتان", "اثنتين", "ثنتان", "ثنتين"):
        units[fold_arabic(form)] = 2
    for form in ("اثنا", "اثني", "اثنتا", "اثنتي"):
        teen_units[fold_arabic(form)] = 2
    ten_words = frozenset(fold_arabic(w) for w in (words(10), words(10)[:-1]))
    tens: dict[str, int] = {}
    for n in range(20, 100, 10):
        nominative = fold_arabic(words(n))  # عشرون
        tens[nominative] = n
        tens[nominative[:-2] + "ين"] = n  # عشرين
    hundreds: dict[str, int] = {}
    for n in range(1, 10):
        for v in _arabic_variants(words(100 * n)):  # مائة, مئتا, ثلاثمائة
            hundreds[v] = 100 * n
    for form in ("مئتان", "مئتين", "مئتا", "مئتي", "مائتان", "مائتين", "مائتا", "مائتي", "ثمانمئة", "ثمانمائة"):
        hundreds[fold_arabic(form)] = 200 if "تا" in form or "تي" in form else 800
    hundred_words = frozenset(_arabic_variants(words(100)))
    scales: dict[str, int] = {}
    scale_alone: dict[str, int] = {}
    scale_unit: dict[str, int] = {}
    vague: set[str] = {fold_arabic(w) for w in ("عشرات", "مئات", "مئآت", "بضع", "بضعة")}
    for power in (3, 6, 9, 12):
        scale = 10 ** power
        single = fold_arabic(words(scale))  # ألف, مليون, مليار, تريليون
        dual_construct = fold_arabic(words(2 * scale))  # ألفا, مليونا (also the accusative: ألفاً)
        plural = fold_arabic(words(3 * scale).split()[-1])  # آلاف, ملايين, مليارات
        dual = dual_construct + "ن"  # ألفان
        for form in (single, dual_construct, plural):
            scales[form] = scale
        scale_alone[single] = scale_unit[single] = scale
        for form in (dual_construct, dual, dual_construct[:-1] + "ين", dual_construct[:-1] + "ي"):
            scale_alone[form] = 2 * scale  # ألفا, ألفان, ألفين, ألفي
            scale_unit[form] = scale
        vague.add(plural)
    for form, scale in (("بليون", 10**9), ("بلايين", 10**9)):
        scales[fold_arabic(form)] = scale
    scale_alone[fold_arabic("بليون")] = scale_unit[fold_arabic("بليون")] = 10**9
    vague.add(fold_arabic("بلايين"))
    ordinals: dict[str, int] = {}
    for n in range(1, 11):
        masc = fold_arabic(words(n, "ordinal"))  # اول, ثاني, ..., عاشر
        ordinals[masc] = n
        ordinals[masc + "ه"] = n  # ثانية
    ordinals[fold_arabic("أولى")] = 1
    ordinals[fold_arabic("ثان")] = 2
    ordinals[fold_arabic("حادي")] = 1  # only in الحادي عشر
    ordinals[fold_arabic("حادية")] = 1
    months: dict[tuple[str, ...], int] = {}
    for number, names in enumerate((
            ("كانون الثاني", "يناير"), ("شباط", "فبراير"), ("آذار", "مارس"), ("نيسان", "أبريل", "إبريل"),
            ("أيار", "مايو"), ("حزيران", "يونيو", "يونيه"), ("تموز", "يوليو", "يوليه"), ("آب", "أغسطس"),
            ("أيلول", "سبتمبر"), ("تشرين الأول", "أكتوبر"), ("تشرين الثاني", "نوفمبر"),
            ("كانون الأول", "ديسمبر")), start=1):
        for name in names:
            months[tuple(fold_arabic(name).split())] = number
    fractions = {fold_arabic("نصف"): Fraction(1, 2), fold_arabic("ربع"): Fraction(1, 4),
                 fold_arabic("ثلث"): Fraction(1, 3)}
    twos = frozenset(fold_arabic(w) for w in ("كلا", "كلتا"))
    return _Lexicon(units, teen_units, ten_words, tens, hundreds, hundred_words, scales, scale_alone,
                    scale_unit, frozenset(vague), ordinals, months, fractions, twos)


_EN_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
              "october", "november", "december")


@functools.cache
def _english() -> _Lexicon:
    from num2words import num2words

    def words(n: int, to: str = "cardinal") -> str:
        return str(num2words(n, lang="en", to=to))

    units = {words(n): n for n in range(1, 20)}  # one .. nineteen (teens are units in English)
    tens = {words(n): n for n in range(20, 100, 10)}
    hundred_words = frozenset({words(100).split()[-1]})
    scales: dict[str, int] = {}
    scale_alone: dict[str, int] = {}
    vague = {"dozens", "scores", "tens", words(100).split()[-1] + "s"}
    for power in (3, 6, 9, 12):
        word = words(10**power).split()[-1]  # thousand, million, billion, trillion
        scales[word] = scales[word + "s"] = 10**power
        scale_alone[word] = 10**power
        vague.add(word + "s")
    scales.update({"bn": 10**9, "mn": 10**6, "mln": 10**6, "tn": 10**12})
    ordinals = {words(n, "ordinal"): n for n in range(1, 20)}
    ordinals.update({words(n, "ordinal"): n for n in range(20, 100, 10)})
    months: dict[tuple[str, ...], int] = {(name,): number for number, name in enumerate(_EN_MONTHS, start=1)}
    months.update({(name[:3],): number for number, name in enumerate(_EN_MONTHS, start=1)})
    months[("sept",)] = 9
    fractions = {"half": Fraction(1, 2), "quarter": Fraction(1, 4)}
    twos = frozenset({"both", "twice", "couple", "pair"})
    return _Lexicon(units, {}, frozenset(), tens, {}, hundred_words, scales, scale_alone, dict(scale_alone),
                    frozenset(vague), ordinals, months, fractions, twos)


# ------------------------------------------------------------------ tokens
@dataclass(frozen=True)
class _Tok:
    kind: str  # num | word
    start: int
    end: int
    raw: str
    norm: str  # words: folded Arabic or lower-case Latin
    arabic: bool


def _tokens(text: str) -> list[_Tok]:
    out = []
    for m in _TOKEN_RE.finditer(text):
        raw = m.group(0)
        if m.lastgroup == "num":
            out.append(_Tok("num", m.start(), m.end(), raw, raw, False))
        else:
            arabic = bool(_ARABIC_LETTER.search(raw))
            out.append(_Tok("word", m.start(), m.end(), raw, fold_arabic(raw) if arabic else raw.lower(), arabic))
    return out


@functools.lru_cache(maxsize=4096)
def _strip_prefix(word: str) -> tuple[tuple[str, str], ...]:
    """(prefix, rest) readings of an Arabic word, the bare word first."""
    out = [("", word)]
    for prefix in _AR_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 2:
            out.append((prefix, word[len(prefix):]))
    return tuple(out)


def _may_be_dual(word: str) -> bool:
    return len(word) >= 5 and word[-2:] in ("ين", "ان") and word[-3] not in "يئ" and word not in _AR_NOT_DUALS


@functools.lru_cache(maxsize=4096)
def _arabic_may_count(word: str, extra: frozenset[str]) -> bool:
    """Whether a folded Arabic word can start or be part of a quantity: most words cannot."""
    if _may_be_dual(word) or word in ("و", "ونصف"):
        return True
    known = _arabic().words | extra
    return any(rest in known for _prefix, rest in _strip_prefix(word))


@dataclass
class _Parsed:
    value: Fraction
    end: int  # index of the next token
    count: int  # the largest count word in it (ثلاثة in ثلاثة آلاف): 3 or more makes it firm
    scale: int = 1  # the scale word that ended it (1000 for ألف), for compounds


class _Reader:
    def __init__(self, text: str, lang: str, extra_scales: Mapping[str, int]) -> None:
        self.text = text
        self.lang = lang.split("-")[0].lower()
        self.toks = _tokens(text)
        # Words are read in English and Arabic texts, each word by its script: an Arabic paragraph
        # left in an English translation still says ١٢٠ ألف.
        words = self.lang in ("en", "ar")
        self.ar = _arabic() if words else None
        self.en = _english() if words else None
        self.extra_ar = {fold_arabic(k): v for k, v in extra_scales.items() if _ARABIC_LETTER.search(k)}
        self.extra_en = {k.lower(): v for k, v in extra_scales.items() if not _ARABIC_LETTER.search(k)}
        self.extra_ar_words = frozenset(self.extra_ar)

    # -- helpers
    def gap(self, i: int, j: int) -> str:
        """Text between token i and token j."""
        return self.text[self.toks[i].end:self.toks[j].start]

    def adjacent(self, i: int, j: int, allow: str = "") -> bool:
        if j >= len(self.toks):
            return False
        between = self.gap(i, j)
        return bool(_SPACE_ONLY.fullmatch(between)) or (bool(allow) and between.strip() in allow)

    def word(self, j: int) -> _Tok | None:
        if j < len(self.toks) and self.toks[j].kind == "word":
            return self.toks[j]
        return None

    def quantity(self, i: int, j: int, values: Iterable[Fraction], firm: bool, kind: str) -> Quantity:
        start, end = self.toks[i].start, self.toks[j - 1].end
        return Quantity(frozenset(values), start, end, self.text[start:end], firm, kind)

    def scale_after(self, j: int) -> tuple[int, int] | None:
        """(scale, tokens used) when token j is a scale word right after a number."""
        tok = self.word(j)
        if tok is None or not self.adjacent(j - 1, j, allow="-"):
            return None
        if tok.arabic and self.ar is not None:
            scale = self.ar.scales.get(tok.norm) or self.extra_ar.get(tok.norm)
            if scale:
                return scale, 1
        elif not tok.arabic and self.en is not None:
            scale = self.en.scales.get(tok.norm) or self.extra_en.get(tok.norm)
            if scale:
                return scale, 1
        return None

    # -- the reader
    def read(self) -> list[Quantity]:
        out: list[Quantity] = []
        i = 0
        while i < len(self.toks):
            tok = self.toks[i]
            found: tuple[list[Quantity], int] | None
            if tok.kind == "num":
                found = self.digits(i)
            elif tok.arabic and self.ar is not None:
                found = self.arabic_words(i)
            elif not tok.arabic and self.en is not None:
                found = self.english_words(i)
            else:
                found = None
            if found is None:
                i += 1
                continue
            quantities, i = found
            out.extend(quantities)
        return out

    def digits(self, i: int) -> tuple[list[Quantity], int]:
        tok = self.toks[i]
        parts = read_digits(tok.raw, self.lang)
        time = _TIME_RE.fullmatch(tok.raw)
        if time and _AM_PM_RE.match(self.text, tok.end):  # 8.30am: the time 8:30, not 8.3
            parts = [(time.start(k), time.end(k), frozenset({Fraction(int(to_latin(time.group(k))))}))
                     for k in (1, 2)]
        if len(parts) > 1:
            return [Quantity(values, tok.start + s, tok.start + e, tok.raw[s:e], True, "digits")
                    for s, e, values in parts], i + 1
        values = parts[0][2]
        j = i + 1
        suffix = self.attached_suffix(i)
        if suffix is not None:
            scale, ambiguous = suffix
            values = frozenset({v * scale for v in values} | (values if ambiguous else set()))
            return [self.quantity(i, j + 1, values, True, "digits")], j + 1
        scaled = self.scale_after(j)
        if scaled is None:
            return [self.quantity(i, j, values, True, "digits")], j
        scale, used = scaled
        j += used
        parsed = _Parsed(min(values) * scale, j, 3, scale)
        values = frozenset(v * scale for v in values)
        if self.ar is not None:
            more = self.arabic_compound(parsed)
            if more is not None:
                return [self.quantity(i, more.end, {more.value}, True, "digits")], more.end
        return [self.quantity(i, j, values, True, "digits")], j

    def attached_suffix(self, i: int) -> tuple[int, bool] | None:
        """1.5m, 2bn, 5k written without a space (English); m may also be metres."""
        tok = self.word(i + 1)
        if tok is None or self.en is None or tok.start != self.toks[i].end:
            return None
        if tok.norm in ("bn", "mn", "mln", "tn"):
            return self.en.scales[tok.norm], False
        if tok.norm == "m":
            return 10**6, True
        if tok.norm == "k":
            return 10**3, False
        return None

    # -- Arabic
    def ar_lookup(self, j: int, table: Mapping[str, int], leading: bool, article: bool = True) -> int | None:
        """Token j read in `table`: a leading word may carry any particle (the article only when
        `article`), a later word only و (ثلاثة وعشرون)."""
        tok = self.word(j)
        if tok is None or not tok.arabic or tok.norm in _AR_NOT_NUMBERS:
            return None
        for prefix, rest in _strip_prefix(tok.norm):
            if not leading and prefix not in ("", "و"):
                continue
            if not article and prefix in _ARTICLE_PREFIXES:
                continue
            if rest in table:
                return table[rest]
        return None

    def ar_next(self, k: int, table: Mapping[str, int], first: bool, article: bool = True) -> tuple[int, int] | None:
        """(value, next index) of the word at k in `table`: the first word of a number, or a later
        one joined with و (attached: وعشرون, or apart as num2words writes it: و عشرون)."""
        if first:
            value = self.ar_lookup(k, table, True, article)
            return None if value is None else (value, k + 1)
        tok = self.word(k)
        if tok is None or not self.adjacent(k - 1, k):
            return None
        if tok.norm == "و":
            value = self.ar_lookup(k + 1, table, False) if self.adjacent(k, k + 1) else None
            if value is not None and self.toks[k + 1].norm in table:
                return value, k + 2
            return None
        rest = tok.norm[1:] if tok.norm.startswith("و") else ""
        if rest.startswith("ال") and rest[2:] in table:
            rest = rest[2:]  # الخمسة والعشرين, الثاني والعشرين
        if rest in table:
            return table[rest], k + 1
        return None

    def arabic_group(self, i: int, leading: bool) -> _Parsed | None:
        """A number below 1000 in words: [hundreds] [و units | teens] [و tens]."""
        ar = self.ar
        assert ar is not None
        first = leading
        j, value, count = i, 0, 0
        # Hundreds: one word (مئة, مئتان, ثلاثمئة) or a unit and مئة (ثلاث مئة); المئة is "per cent".
        hundreds = self.ar_next(j, ar.hundreds, first, article=False)
        if hundreds is None:
            unit = self.ar_next(j, ar.units, first)
            after = self.word(unit[1]) if unit else None
            if unit and after is not None and after.norm in ar.hundred_words and self.adjacent(unit[1] - 1, unit[1]):
                hundreds = (unit[0] * 100, unit[1] + 1)
        if hundreds is not None:
            value, j, first = hundreds[0], hundreds[1], False
            count = hundreds[0] // 100
        # Teens: a unit and عشر/عشرة (أحد عشر, ثلاث عشرة).
        unit = self.ar_next(j, ar.teen_units, first)
        ten = self.word(unit[1]) if unit else None
        if unit and ten is not None and ten.norm in ar.ten_words and self.adjacent(unit[1] - 1, unit[1]):
            return _Parsed(Fraction(value + 10 + unit[0]), unit[1] + 1, max(count, 10 + unit[0]))
        unit = self.ar_next(j, ar.units, first)
        if unit is not None:
            value, j, first = value + unit[0], unit[1], False
            count = max(count, unit[0])
        tens = self.ar_next(j, ar.tens, first)
        if tens is not None and value % 100 < 10:
            value, j, first = value + tens[0], tens[1], False
            count = max(count, tens[0])
        if j == i:
            return None
        return _Parsed(Fraction(value), j, count)

    def arabic_number(self, i: int, leading: bool = True) -> _Parsed | None:
        """Words for a whole number: groups and their scales (مئة وعشرون ألفاً, ثلاثة آلاف وخمسمئة)."""
        group = self.arabic_group(i, leading)
        if group is None:
            return None
        scaled = self.scale_after(group.end)
        if scaled is None:
            return group
        scale, used = scaled
        parsed = _Parsed(group.value * scale, group.end + used, group.count, scale)
        return self.arabic_compound(parsed) or parsed

    def arabic_scaled(self, i: int, leading: bool) -> tuple[_Parsed, bool] | None:
        """A number in words, or a scale word standing alone (ألف, مليونين) with what follows it
        (ألف وخمسمئة, مليون ونصف المليون); True when it is a scale word alone."""
        parsed = self.arabic_number(i, leading)
        if parsed is not None:
            return parsed, False
        ar = self.ar
        assert ar is not None
        scales = {**ar.scale_alone, **self.extra_ar}
        hit = self.ar_next(i, scales, leading, article=False)
        if hit is None:
            return None
        value, end = hit
        units = {*ar.scale_unit.values(), *self.extra_ar.values()}
        unit = value // 2 if value % 2 == 0 and value // 2 in units else value  # ألفين: 2 x 1000
        alone = _Parsed(Fraction(value), end, 1, unit)
        compound = self.arabic_compound(alone)
        return (compound, False) if compound is not None else (alone, True)

    def arabic_compound(self, parsed: _Parsed) -> _Parsed | None:
        """After a scaled number: و and a smaller number (٣ ملايين و٥٠٠ ألف), or ونصف [المليون]."""
        ar = self.ar
        assert ar is not None
        j = parsed.end
        tok = self.word(j)
        if tok is None or not self.adjacent(j - 1, j):
            return None
        if tok.norm == "ونصف":
            end = j + 1
            after = self.word(end)
            if after is not None and self.adjacent(j, end) and after.norm.startswith("ال") and \
                    ar.scales.get(after.norm[2:]) == parsed.scale:
                end += 1  # مليون ونصف المليون
            return _Parsed(parsed.value + Fraction(parsed.scale, 2), end, max(parsed.count, 3), parsed.scale)
        rest: _Parsed | None = None
        if tok.norm == "و" and self.adjacent(j, j + 1) and j + 1 < len(self.toks) and self.toks[j + 1].kind == "num":
            digits = read_digits(self.toks[j + 1].raw, self.lang)
            if len(digits) == 1 and len(digits[0][2]) == 1:
                value = next(iter(digits[0][2]))
                scaled = self.scale_after(j + 2)
                rest = (_Parsed(value * scaled[0], j + 2 + scaled[1], 3, scaled[0]) if scaled
                        else _Parsed(value, j + 2, 3))
        elif tok.norm.startswith("و"):
            found = self.arabic_scaled(j, leading=False)
            rest = found[0] if found else None
        if rest is None or rest.value >= parsed.scale:
            return None
        return _Parsed(parsed.value + rest.value, rest.end, max(parsed.count, rest.count, 3), rest.scale)

    def arabic_words(self, i: int) -> tuple[list[Quantity], int] | None:
        ar = self.ar
        assert ar is not None
        if not _arabic_may_count(self.toks[i].norm, self.extra_ar_words):
            return None
        readings = _strip_prefix(self.toks[i].norm)
        # Months, two words first (كانون الثاني); soft: they answer the 7 of 22/7/2019.
        for length in (2, 1):
            if not all(self.word(k) for k in range(i, i + length)) or \
                    not all(self.adjacent(k, k + 1) for k in range(i, i + length - 1)):
                continue
            for prefix, rest in readings:
                key = (rest, *(self.toks[k].norm for k in range(i + 1, i + length)))
                if prefix not in _ARTICLE_PREFIXES and key in ar.months:
                    return [self.quantity(i, i + length, {Fraction(ar.months[key])}, False, "month")], i + length
        # Vague quantities state no number: عشرات الآلاف, مئات, آلاف alone.
        if any(rest in ar.vague for _prefix, rest in readings):
            j = i + 1
            while (after := self.word(j)) is not None and self.adjacent(j - 1, j) and \
                    any(r in ar.vague or r in ar.scales for _p, r in _strip_prefix(after.norm)):
                j += 1
            return [], j
        # A number in words; a scale word alone (ألف = 1000, مليونين) is soft: ألف is also the verb ألّف.
        found = self.arabic_scaled(i, leading=True)
        if found is not None:
            parsed, alone = found
            firm = not alone and parsed.count >= 3
            return [self.quantity(i, parsed.end, {parsed.value}, firm, "words")], parsed.end
        for prefix, rest in readings:
            if prefix in _ARTICLE_PREFIXES:
                continue  # في المئة, المليون: not a number
            # Fractions: نصف, ربع, ثلث; نصف مليون = 500,000.
            if rest in ar.fractions:
                scaled = self.scale_after(i + 1)
                value = ar.fractions[rest] * (scaled[0] if scaled else 1)
                end = i + 1 + (scaled[1] if scaled else 0)
                return [self.quantity(i, end, {value}, False, "fraction")], end
        # Ordinals: الأول, الثانية, الحادي عشر, الثاني والعشرين.
        for _prefix, rest in readings:
            if rest in ar.ordinals:
                rank, j = ar.ordinals[rest], i + 1
                ten = self.word(j)
                tens = self.ar_next(j, ar.tens, False)
                if ten is not None and ten.norm in ar.ten_words and self.adjacent(i, j):
                    rank, j = 10 + rank, j + 1
                elif tens is not None:
                    rank, j = tens[0] + rank, tens[1]
                ordinal = [self.quantity(i, j, {Fraction(rank)}, False, "ordinal")]
                # The time: الثامنة والنصف = 8:30, العاشرة والربع = 10:15.
                minutes = {"والنصف": 30, "ونصف": 30, "والربع": 15, "وربع": 15}.get(
                    self.toks[j].norm if self.word(j) and self.adjacent(j - 1, j) else "")
                if minutes:
                    ordinal.append(self.quantity(j, j + 1, {Fraction(minutes)}, False, "ordinal"))
                    j += 1
                return ordinal, j
        if readings[0][1] in ar.twos:
            return [self.quantity(i, i + 1, {Fraction(2)}, False, "dual")], i + 1
        # A dual noun (أسبوعين, مدرستين, الطرفان) answers a 2 on the other side; never required, since
        # most words in ـين/ـان are plurals (النازحين), names or verbal nouns (البيان).
        if _may_be_dual(readings[0][1]):
            return [self.quantity(i, i + 1, {Fraction(2)}, False, "dual")], i + 1
        return None

    # -- English
    def english_number(self, i: int) -> _Parsed | None:
        """Cardinal words: seven, twenty-three, a hundred, one hundred and twenty, two million."""
        en = self.en
        assert en is not None
        j, total, current, count = i, 0, 0, 0
        last = ""  # what the previous word was: unit | tens | hundred | scale | and
        first = self.word(i)
        if first is not None and first.norm in ("a", "an"):
            nxt = self.word(i + 1)
            if nxt is None or not self.adjacent(i, i + 1) or \
                    (nxt.norm not in en.hundred_words and nxt.norm not in en.scale_alone):
                return None
            current, j, last = 1, i + 1, "unit"
        while (tok := self.word(j)) is not None and (j == i or self.adjacent(j - 1, j, allow="-")):
            w = tok.norm
            if w in en.units and (last in ("", "hundred", "scale", "and") or (last == "tens" and en.units[w] < 10)):
                current += en.units[w]
                count, last = max(count, en.units[w]), "unit"
            elif w in en.tens and last in ("", "hundred", "scale", "and"):
                current += en.tens[w]
                count, last = max(count, en.tens[w]), "tens"
            elif w in en.hundred_words and last == "unit" and 0 < current % 100 < 10:
                current += (current % 100) * 99
                last = "hundred"
            elif w in en.scale_alone and last in ("unit", "tens", "hundred") and current:
                total += current * en.scale_alone[w]
                current, last = 0, "scale"
            elif w == "and" and last in ("hundred", "scale") and (nxt := self.word(j + 1)) is not None and \
                    (nxt.norm in en.units or nxt.norm in en.tens):
                last = "and"
            else:
                break
            j += 1
        if j == i or last == "" or (first is not None and first.norm in ("a", "an") and j == i + 1):
            return None
        return _Parsed(Fraction(total + current), j, count)

    def english_words(self, i: int) -> tuple[list[Quantity], int] | None:
        en = self.en
        assert en is not None
        tok = self.toks[i]
        w = tok.norm
        # Vague: dozens, hundreds of thousands, tens of millions, thousands.
        if w in en.vague:
            j = i + 1
            while (of := self.word(j)) is not None and of.norm == "of" and self.adjacent(j - 1, j) and \
                    (after := self.word(j + 1)) is not None and after.norm in en.vague and self.adjacent(j, j + 1):
                j += 2
            return [], j
        # Months: capitalised; "May" only next to a number.
        if (w,) in en.months and tok.raw[:1].isupper():
            near_number = (i + 1 < len(self.toks) and self.toks[i + 1].kind == "num" and self.adjacent(i, i + 1)) \
                or (i > 0 and self.toks[i - 1].kind == "num" and self.adjacent(i - 1, i))
            if w != "may" or near_number:
                return [self.quantity(i, i + 1, {Fraction(en.months[(w,)])}, False, "month")], i + 1
        # Ordinals: twenty-first before twenty; first, third (also a fraction).
        unit = self.word(i + 1)
        if w in en.tens and unit is not None and self.adjacent(i, i + 1, allow="-") and \
                en.ordinals.get(unit.norm, 10) < 10:
            return [self.quantity(i, i + 2, {Fraction(en.tens[w] + en.ordinals[unit.norm])}, False, "ordinal")], i + 2
        if w in en.ordinals:
            value = en.ordinals[w]
            values = {Fraction(value)} | ({Fraction(1, value)} if value in (3, 4, 5, 10) else set())
            return [self.quantity(i, i + 1, values, False, "ordinal")], i + 1
        parsed = self.english_number(i)
        if parsed is not None:
            return [self.quantity(i, parsed.end, {parsed.value}, parsed.count >= 3, "words")], parsed.end
        if w in en.fractions:
            j = i + 1
            article = self.word(j)
            if article is not None and article.norm in ("a", "an") and self.adjacent(i, j):
                j += 1
            scaled = self.word(j)
            if j > i + 1 and scaled is not None and scaled.norm in en.scale_alone and self.adjacent(j - 1, j):
                part = en.fractions[w] * en.scale_alone[scaled.norm]
                return [self.quantity(i, j + 1, {part}, False, "fraction")], j + 1
            return [self.quantity(i, i + 1, {en.fractions[w]}, False, "fraction")], i + 1
        if w in en.twos:
            return [self.quantity(i, i + 1, {Fraction(2)}, False, "dual")], i + 1
        if w == "dozen":
            return [self.quantity(i, i + 1, {Fraction(12)}, False, "words")], i + 1
        return None


def quantities(text: str, lang: str, extra_scales: Mapping[str, int] | None = None) -> list[Quantity]:
    """Every number `text` (in language `lang`) states, in order.

    Digits are read in any language; words only in English (`en`) and Arabic
    (`ar`) texts, each word by its script.  `extra_scales` adds scale words
    (lakh: 100000).
    """
    return _Reader(text, lang, extra_scales or {}).read()


# ------------------------------------------------------------------ matching
MAX_MATCHED = 500  # quantities per side paired one by one; beyond (no prose has that many) equal values only


def _augment(u: int, edges: Sequence[Sequence[int]], owner: list[int | None], seen: set[int]) -> bool:
    for v in edges[u]:
        if v in seen:
            continue
        seen.add(v)
        holder = owner[v]
        if holder is None or _augment(holder, edges, owner, seen):
            owner[v] = u
            return True
    return False


def _max_matching(left: Sequence[Quantity], right: Sequence[Quantity]) -> dict[int, int]:
    """Largest pairing of `left` with `right` (indices) where `_fits`: first fit, then Kuhn's augmenting paths."""
    if not left or not right:
        return {}
    if len(left) > MAX_MATCHED or len(right) > MAX_MATCHED:
        return _equal_values(left, right)
    edges = [[k for k, r in enumerate(right) if _fits(q, r)] for q in left]
    owner: list[int | None] = [None] * len(right)
    pending = []
    for u, candidates in enumerate(edges):
        free = next((v for v in candidates if owner[v] is None), None)
        if free is None:
            pending.append(u)
        else:
            owner[free] = u
    for u in pending:
        _augment(u, edges, owner, set())
    return {u: v for v, u in enumerate(owner) if u is not None}


def _equal_values(left: Sequence[Quantity], right: Sequence[Quantity]) -> dict[int, int]:
    """Pairs of quantities with the same values, in order (linear, for very long texts)."""
    waiting: dict[frozenset[Fraction], list[int]] = {}
    for k in range(len(right) - 1, -1, -1):
        waiting.setdefault(right[k].values, []).append(k)
    out = {}
    for u, q in enumerate(left):
        stack = waiting.get(q.values)
        if stack:
            out[u] = stack.pop()
    return out


def _fits(a: Quantity, b: Quantity) -> bool:
    """Whether a and b can state the same number.

    An ordinal or a month answers digits (1 July = الأول من تموز, 28/12 = 28 كانون الأول) but not a
    number in words (ثلاث is not "third"), except where Arabic says a cardinal with an ordinal: ages
    and hours (طفلة في العاشرة من عمرها = a ten-year-old girl, الساعة الثالثة = three o'clock) and
    above ten (القرن العشرين = the twentieth century).
    """
    if not a.values & b.values:
        return False
    for one, other in ((a, b), (b, a)):
        if one.kind in ("ordinal", "month") and other.kind not in ("digits", "ordinal", "month"):
            if one.kind != "ordinal" or other.kind != "words":
                return False
            arabic_for_english = bool(_ARABIC_LETTER.search(one.text)) and not _ARABIC_LETTER.search(other.text)
            return arabic_for_english or min(one.values & other.values) > 10
    return True


def match(source: Sequence[Quantity], target: Sequence[Quantity]) -> tuple[list[Quantity], list[Quantity]]:
    """(firm source quantities with no counterpart, firm target quantities with no counterpart).

    Firm quantities are paired with firm ones first, then with soft ones on the
    other side (2 weeks with أسبوعين); soft quantities are never required.
    """
    firm_s = [q for q in source if q.firm]
    firm_t = [q for q in target if q.firm]
    pairs = _max_matching(firm_s, firm_t)
    used = set(pairs.values())
    left_s = [q for k, q in enumerate(firm_s) if k not in pairs]
    left_t = [q for k, q in enumerate(firm_t) if k not in used]
    answered_s = _max_matching(left_s, [q for q in target if not q.firm])
    answered_t = _max_matching(left_t, [q for q in source if not q.firm])
    missing = [q for k, q in enumerate(left_s) if k not in answered_s]
    extra = [q for k, q in enumerate(left_t) if k not in answered_t]
    return missing, extra


@dataclass(frozen=True)
class Difference:
    """A number of the source with no counterpart in the translation, or the other way round.

    `source` and `target` are both set when a missing number and an extra one
    were paired up (in order of appearance): most likely one number changed.
    """

    source: Quantity | None
    target: Quantity | None


def compare(source: str, target: str, source_lang: str, target_lang: str,
            extra_scales: Mapping[str, Mapping[str, int]] | None = None) -> list[Difference]:
    """The numbers that differ between a text and its translation (empty when they agree).

    `extra_scales` maps a language to more scale words for it ({"en": {"lakh": 100000}}).
    """
    scales = extra_scales or {}
    src = quantities(source, source_lang, scales.get(source_lang.split("-")[0].lower()))
    tgt = quantities(target, target_lang, scales.get(target_lang.split("-")[0].lower()))
    missing, extra = match(src, tgt)
    changed = [Difference(s, t) for s, t in zip(missing, extra, strict=False)]
    return changed + [Difference(s, None) for s in missing[len(extra):]] + \
        [Difference(None, t) for t in extra[len(missing):]]
