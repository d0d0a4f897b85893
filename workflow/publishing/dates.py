"""Days as the readers of a language write them: Babel's long date format, the language's digits.

Babel leaves digits Latin; they are mapped to the language's digit style here.
Formatting a day is the slow part of a page, so each (day, locale, digits) is
formatted once per process; a build hands the days it formatted to the next
process (`known_days` / `remember_days`, kept in the build's pages cache).
Babel itself is imported only when a day is not known yet.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow.core.digits import STYLES, in_style
from workflow.core.model import parse_time
from workflow.errors import InvalidData
from workflow.i18n import _

if TYPE_CHECKING:
    from workflow.core.config import Language

_LOCALES: dict[str, bool] = {}


def _locale_exists(name: str) -> bool:
    """babel.localedata.exists without importing Babel (~50 ms) when its data folder is found
    (answered once per locale and process: a build asks for every page)."""
    if name not in _LOCALES:
        _LOCALES[name] = _find_locale(name)
    return _LOCALES[name]


def _find_locale(name: str) -> bool:
    import importlib.util

    spec = importlib.util.find_spec("babel")
    folders = list(spec.submodule_search_locations or []) if spec else []
    data = [Path(f) / "locale-data" for f in folders if (Path(f) / "locale-data" / "root.dat").is_file()]
    if data and name and "/" not in name and "\\" not in name and not name.startswith("."):
        return (data[0] / f"{name}.dat").is_file()
    from babel import localedata

    return bool(localedata.exists(name))


def check_language(language: Language) -> None:
    """Refuse a date locale Babel does not know or a digit style we cannot map."""
    where = f"pubflow.yaml: languages.{language.code}"
    if not _locale_exists(language.date_locale):
        raise InvalidData(
            _("{where}.date_locale: Babel does not know the locale {locale!r}").format(
                where=where, locale=language.date_locale),
            _("use a locale such as en_GB, ar_SY or ar_LB"))
    if language.digits not in STYLES:
        raise InvalidData(
            _("{where}.digits: unknown digit style {value!r}").format(where=where, value=language.digits),
            _("use latn for 0123456789 or arab for ٠١٢٣٤٥٦٧٨٩"))


_DAYS: dict[tuple[dt.date, str, str], str] = {}


def format_day(day: dt.date, language: Language) -> str:
    """A date as readers of `language` write it: CLDR long format, own digits
    (each day formatted once per locale and process: Babel is the slow part of a page)."""
    key = (day, language.date_locale, language.digits)
    text = _DAYS.get(key)
    if text is None:
        from babel.dates import format_date

        check_language(language)
        text = _DAYS[key] = in_style(format_date(day, "long", locale=language.date_locale), language.digits)
    return text


def known_days() -> list[list[str]]:
    """The days formatted so far in this process, as [iso day, locale, digits, text] (sorted)."""
    return sorted([day.isoformat(), locale, digits, text] for (day, locale, digits), text in _DAYS.items())


def remember_days(days: Any) -> None:
    """Take back days formatted by an earlier process (`known_days`); malformed rows are skipped."""
    for row in days if isinstance(days, list) else ():
        if isinstance(row, list) and len(row) == 4 and all(isinstance(x, str) for x in row):
            with contextlib.suppress(ValueError):
                _DAYS.setdefault((dt.date.fromisoformat(row[0]), row[1], row[2]), row[3])


def day_of(moment: str) -> dt.date:
    """The UTC day of an ISO time."""
    return parse_time(moment, "time").astimezone(dt.UTC).date()
