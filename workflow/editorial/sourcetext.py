"""Reading a release's text from a file a writer prepared.

Two formats: Markdown with YAML front matter (title, date, category, lang,
embargo, published), or plain text (first line the title, blank-line-separated
paragraphs).  In plain text a dateline right under the title
("22 July 2019 In Coalition News") gives the date and category, and a
closing "(Source: ...)" becomes the source-line segment; anything after the
source line (web page chrome pasted along) is left out and reported.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from workflow.core.digits import to_latin
from workflow.core.segments import SOURCE_LINE_RE, split_paragraphs, split_source_line
from workflow.errors import InvalidData
from workflow.i18n import _
from workflow.storage import limits, yamlio

MAX_PARAGRAPH = limits.PARAGRAPH_CHARS
DATELINE_RE = re.compile(r"^(\d{1,2})\s+([^\W\d_]+(?:\s+[^\W\d_]+)?)\s+(\d{4})(?:\s+(?:In|in|في)\s+(.{1,80}))?$")
# Month names in Arabic datelines: Levantine (as the Syrian press writes them) and Egyptian/MSA.
ARABIC_MONTHS = {
    "كانون الثاني": 1, "شباط": 2, "آذار": 3, "نيسان": 4, "أيار": 5, "حزيران": 6, "تموز": 7, "آب": 8,
    "أيلول": 9, "تشرين الأول": 10, "تشرين الثاني": 11, "كانون الأول": 12,
    "يناير": 1, "فبراير": 2, "مارس": 3, "أبريل": 4, "إبريل": 4, "مايو": 5, "يونيو": 6, "يونيه": 6,
    "يوليو": 7, "يوليه": 7, "أغسطس": 8, "سبتمبر": 9, "أكتوبر": 10, "نوفمبر": 11, "ديسمبر": 12,
}
FRONT_MATTER_FIELDS = {"title", "date", "category", "lang", "language", "embargo", "published"}


@dataclass
class ImportedText:
    title: str
    paragraphs: list[str]
    source_line: str | None = None
    date: str | None = None
    category: str | None = None
    language: str | None = None
    embargo: str | None = None
    published: str | None = None  # an archive release's original publication time
    ignored: list[str] = field(default_factory=list)
    category_from_dateline: bool = False  # the category is a dateline's words, not a stated field


def read_source_file(path: Path) -> ImportedText:
    """The release text in `path`: a regular file of at most `limits.SOURCE_BYTES` (not /dev/zero, not a FIFO)."""
    return parse_source_text(yamlio.decode(limits.read_input(path, limits.SOURCE_BYTES), str(path)), str(path))


def parse_source_text(text: str, where: str) -> ImportedText:
    if "\x00" in text:
        raise InvalidData(_("{where}: contains a NUL character").format(where=where), _("save it as plain text"))
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.startswith("---\n"):
        result = _front_matter(text, where)
    else:
        result = _plain(text, where)
    for paragraph in result.paragraphs:
        if len(paragraph) > MAX_PARAGRAPH:
            raise InvalidData(
                _("{where}: a paragraph is {n} characters long (limit {limit})").format(
                    where=where, n=len(paragraph), limit=MAX_PARAGRAPH),
                _("split it into paragraphs separated by blank lines"))
    if not result.title.strip():
        raise InvalidData(_("{where}: no title").format(where=where),
                          _("put the title on the first line or pass --title"))
    if not result.paragraphs:
        raise InvalidData(_("{where}: the body is empty").format(where=where), _("add at least one paragraph"))
    return result


def _front_matter(text: str, where: str) -> ImportedText:
    end = text.find("\n---", 4)
    if end < 0:
        raise InvalidData(_("{where}: front matter is not closed with ---").format(where=where),
                          _("add a line with --- after the metadata"))
    meta = yamlio.parse(text[4:end], f"{where} (front matter)") or {}
    if not isinstance(meta, dict):
        raise InvalidData(_("{where}: front matter must be a mapping").format(where=where))
    unknown = set(map(str, meta)) - FRONT_MATTER_FIELDS
    if unknown:
        raise InvalidData(_("{where}: unknown front matter field {field}").format(
            where=where, field=sorted(unknown)[0]),
            _("known: {known}").format(known=", ".join(sorted(FRONT_MATTER_FIELDS))))
    body = text[end + 4:].split("\n", 1)[1] if "\n" in text[end + 4:] else ""
    paragraphs = split_paragraphs(body)
    title = meta.get("title")
    if title is None and paragraphs and paragraphs[0].startswith("# "):
        title = paragraphs.pop(0)[2:]
    paragraphs, source_line = split_source_line(paragraphs)
    values = {}
    for key in ("date", "category", "lang", "language", "embargo", "published"):
        value = meta.get(key)
        if value is not None and not isinstance(value, str | dt.date):
            raise InvalidData(_("{where}: front matter field {field} must be text").format(where=where, field=key))
        values[key] = value.isoformat() if isinstance(value, dt.date) else value
    return ImportedText(
        title=str(title or ""), paragraphs=paragraphs, source_line=source_line,
        date=values["date"], category=values["category"], language=values["lang"] or values["language"],
        embargo=values["embargo"], published=values["published"],
    )


def _plain(text: str, where: str) -> ImportedText:
    blocks = split_paragraphs(text)
    if not blocks:
        raise InvalidData(_("{where}: the file is empty").format(where=where), _("write the release text in it"))
    first, rest = text.lstrip("\n").split("\n", 1) if "\n" in text.strip("\n") else (text.strip(), "")
    title = first.strip()
    paragraphs = split_paragraphs(rest)
    result = ImportedText(title=title, paragraphs=paragraphs)
    if paragraphs:
        match = DATELINE_RE.match(to_latin(paragraphs[0]))
        if match:
            parsed = _parse_dateline(match.group(1), match.group(2), match.group(3))
            if parsed:
                result.date = parsed
                result.category = match.group(4)
                result.category_from_dateline = True
                paragraphs.pop(0)
    # The body ends with the source line; what follows is not part of the release.
    for index, paragraph in enumerate(paragraphs):
        if SOURCE_LINE_RE.search(paragraph):
            result.ignored = paragraphs[index + 1:]
            del paragraphs[index + 1:]
            break
    result.paragraphs, result.source_line = split_source_line(paragraphs)
    return result


def _parse_dateline(day: str, month: str, year: str) -> str | None:
    """"22 July 2019" or "22 تموز 2019" as an ISO date; None if it is not a real date."""
    number = ARABIC_MONTHS.get(" ".join(month.split()))
    if number is None:
        for fmt in ("%B", "%b"):
            try:
                number = dt.datetime.strptime(month, fmt).month
                break
            except ValueError:
                continue
    if number is None:
        return None
    try:
        return dt.date(int(year), number, int(day)).isoformat()
    except ValueError:
        return None
