"""What a build remembers between runs: derived data under `.pubflow/`, typed.

`.pubflow/build.json` (a `storage.cache.JsonCache`, read into `BuildState`):
  * per output unit (`bundle:<lang>:<id>`, `index:<lang>`, `feed:<lang>`), the key of
    its inputs and the files it wrote (size, sha256): a unit whose key did not
    change and whose files are still there is not rendered again;
  * per release, the stat stamps of its files (`storage.cache.folder_signature`)
    with the `Facts` a build needs from them, so an unchanged release is not even
    parsed.
`.pubflow/build-pages.marshal` (a `storage.cache.MarshalCache`, the same contract in marshal: for the
~7 MB of page text of 1,000 releases JSON took 2-3x as long to read and 4-6x as long to write): the page models the
site index and feed show, and the days Babel formatted.

Both are trusted only with this module's VERSION, the same output folder and
the same inputs (templates, catalogs, configuration, code); anything else
reads as absent and is deleted.  Deleting `.pubflow/` only costs a full build.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, TypedDict

from workflow.core.model import parse_time
from workflow.publishing import dates
from workflow.publishing.pagemodel import Link, Notice, Page, Para
from workflow.storage.cache import JsonCache, MarshalCache

STATE_FILE = "build.json"
PAGES_FILE = "build-pages.marshal"
VERSION = 4  # 4: bundle keys over release.yaml and the snapshot out, not the working files



def _need(value: Any, kind: type | tuple[type, ...]) -> Any:
    """`value` when it is of `kind`; a TypeError (a damaged cache: ignore it) otherwise."""
    if not isinstance(value, kind):
        raise TypeError(f"expected {kind}, got {type(value).__name__}")
    return value


# ---------------------------------------------------------------- per release
# Records read from the state are built thousands of times per build: plain slotted dataclasses
# (a frozen one takes four times as long to make); treat them as values, never change one.
@dataclass(slots=True)
class Facts:
    """What a build needs to know about one release, kept so it is not parsed again."""

    embargo: str | None
    source: str  # source language
    moments: list[list[str]]  # [language, when it went out or ""] per candidate language
    hashes: dict[str, str]  # file name -> sha256 of its content

    def out_at(self, at: dt.datetime) -> list[str]:
        """The languages that are out at `at` (embargo and publication times applied)."""
        if self.embargo and at < parse_time(self.embargo, "embargo"):
            return []
        return [code for code, moment in self.moments if moment and parse_time(moment, "time") <= at]

    def to_json(self) -> dict[str, Any]:
        return {"embargo": self.embargo, "source": self.source, "moments": self.moments, "hashes": self.hashes}

    @classmethod
    def from_json(cls, data: Any) -> Facts:
        embargo, source, moments, hashes = data["embargo"], data["source"], data["moments"], data["hashes"]
        if not (isinstance(source, str) and (embargo is None or isinstance(embargo, str))
                and isinstance(moments, list) and isinstance(hashes, dict)
                and all(isinstance(m, list) and len(m) == 2 and isinstance(m[0], str) and isinstance(m[1], str)
                        for m in moments)
                and all(isinstance(k, str) and isinstance(v, str) for k, v in hashes.items())):
            raise TypeError("not release facts")
        return cls(embargo, source, moments, hashes)


@dataclass(slots=True)
class KnownRelease:
    sig: str  # the stat stamps of its files when the facts were taken
    facts: Facts


# ---------------------------------------------------------------- per output unit
class FileMeta(TypedDict):
    size: int
    sha256: str


@dataclass(slots=True)
class Unit:
    """One output unit: the key of its inputs and, once written, its files."""

    key: str
    files: dict[str, FileMeta] | None = None  # paths relative to the output folder

    def fresh(self, key: str, out_dir: Path) -> bool:
        """Same key, and every file it wrote still there with its size?"""
        if self.key != key or self.files is None:
            return False
        base = str(out_dir) + os.sep
        for name, meta in self.files.items():
            try:
                if os.stat(base + name).st_size != meta.get("size"):
                    return False
            except (OSError, AttributeError, TypeError):
                return False
        return True

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key} if self.files is None else {"key": self.key, "files": self.files}

    @classmethod
    def from_json(cls, data: Any) -> Unit:
        key, files = data["key"], data.get("files")
        if not isinstance(key, str) or not (files is None or isinstance(files, dict)):
            raise TypeError("not an output unit")
        return cls(key, files)


# ---------------------------------------------------------------- build.json
@dataclass
class BuildState:
    out: str  # the output folder it describes
    inputs: str  # the inputs key (templates, catalogs, configuration, code) it was made with
    units: dict[str, Unit] = field(default_factory=dict)
    releases: dict[str, KnownRelease] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "out": self.out, "inputs": self.inputs,
            "units": {name: unit.to_json() for name, unit in sorted(self.units.items())},
            "releases": {rid: {"sig": known.sig, "facts": known.facts.to_json()}
                         for rid, known in sorted(self.releases.items())},
        }


def state_cache(state_dir: Path, out_dir: Path) -> JsonCache[BuildState]:
    """`.pubflow/build.json`, trusted only for the output folder `out_dir`."""

    def check(data: dict[str, Any]) -> BuildState | None:
        if data.get("out") != str(out_dir):
            return None
        units = {name: Unit.from_json(unit) for name, unit in _need(data["units"], dict).items()}
        releases = {rid: KnownRelease(_need(known["sig"], str), Facts.from_json(known["facts"]))
                    for rid, known in _need(data["releases"], dict).items()}
        return BuildState(data["out"], _need(data["inputs"], str), units, releases)

    return JsonCache(state_dir / STATE_FILE, VERSION, check)


# ---------------------------------------------------------------- the pages of the site index and feed
PageRecord = list[Any]  # a Page as plain lists (marshal)
_PAGE_SCALARS = tuple(f.name for f in fields(Page)
                      if f.name not in ("body", "corrections", "retraction", "alternates", "missing"))


_ORDER = tuple(_PAGE_SCALARS.index(name) for name in ("published", "date", "id"))


def record_order(record: PageRecord) -> tuple[str, str, str]:
    """What `bundles.sort_pages` sorts a page by (published, date, id), read from its record."""
    scalars = record[0]
    return (str(scalars[_ORDER[0]]), str(scalars[_ORDER[1]]), str(scalars[_ORDER[2]]))


def page_record(page: Page) -> PageRecord:
    """A page as plain lists, read back by `page_from_record`."""
    return [
        [getattr(page, name) for name in _PAGE_SCALARS],
        [[p.text, p.lang, p.dir] for p in page.body],
        [[n.at, n.date, n.text] for n in page.corrections],
        [page.retraction.at, page.retraction.date, page.retraction.text] if page.retraction else None,
        [[a.lang, a.name, a.href, a.dir, a.url, a.locale] for a in page.alternates],
        list(page.missing),
    ]


def _frozen(cls: type[Any], **values: Any) -> Any:
    """A frozen dataclass from trusted values without running its __init__ (a rebuild makes
    thousands of pages from the cache; the values were checked when the page was made)."""
    obj = object.__new__(cls)
    obj.__dict__.update(values)
    return obj


def page_from_record(data: Sequence[Any]) -> Page:
    scalars, body, corrections, retraction, alternates, missing = data
    page: Page = _frozen(
        Page, **dict(zip(_PAGE_SCALARS, scalars, strict=True)),
        body=tuple(_frozen(Para, text=t, lang=la, dir=d) for t, la, d in body),
        corrections=tuple(_frozen(Notice, at=a, date=d, text=t) for a, d, t in corrections),
        retraction=_frozen(Notice, at=retraction[0], date=retraction[1], text=retraction[2]) if retraction else None,
        alternates=tuple(_frozen(Link, lang=la, name=n, href=h, dir=d, url=u, locale=lo)
                         for la, n, h, d, u, lo in alternates),
        missing=tuple(missing),
    )
    return page


class CachedPage(TypedDict):
    key: str  # the key of the bundle unit the page belongs to
    page: PageRecord


def _cached_page(entry: Any) -> CachedPage:
    record = entry["page"]
    if (not isinstance(entry["key"], str) or not isinstance(record, list) or len(record) != 6
            or not isinstance(record[0], list) or len(record[0]) != len(_PAGE_SCALARS)):
        raise TypeError("not a cached page")
    page: CachedPage = entry
    return page


def pages_cache(state_dir: Path, inputs: str) -> MarshalCache[dict[str, CachedPage]]:
    """`.pubflow/build-pages.marshal`, trusted only for the inputs key `inputs`; reading it
    also hands the days it keeps to `dates` (no Babel for a day formatted before)."""

    def check(data: dict[str, Any]) -> dict[str, CachedPage] | None:
        if data.get("inputs") != inputs:
            return None
        pages = {unit: _cached_page(entry) for unit, entry in _need(data["pages"], dict).items()}
        dates.remember_days(data.get("days"))
        return pages

    return MarshalCache(state_dir / PAGES_FILE, VERSION, check)


def pages_json(inputs: str, pages: Mapping[str, CachedPage]) -> dict[str, Any]:
    return {"inputs": inputs, "pages": dict(sorted(pages.items())), "days": dates.known_days()}

