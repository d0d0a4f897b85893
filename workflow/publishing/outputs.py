"""Where outputs go: the `outputs:` section of pubflow.yaml, and the output folder's check.

    outputs:
      dir: dist                               # relative to the newsroom, or absolute
      base_url: https://example.org/news/     # optional: absolute URLs in pages and feeds
      pdf: true                               # release.pdf in every bundle (the default)
      page_size: 50                           # releases per page of the site index and its archive
      feed_size: 50                           # entries of the Atom feed (the newest)
      letterhead:                             # optional: the PDF's letterhead
        logo: templates/assets/logo.png       # PNG, JPEG or SVG inside the newsroom

The contact block (`contact:` per language, one line each) is a top-level section
now, used by pages and PDFs; `outputs.letterhead.contact`, where pubflow 0.2 read
it, still works when `contact:` is absent.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow.core.config import MAX_CONTACT_LINES
from workflow.errors import InvalidData, UsageError
from workflow.i18n import _

if TYPE_CHECKING:
    from workflow.core.config import Config

OUTPUT_KEYS = {"dir", "base_url", "pdf", "letterhead", "page_size", "feed_size"}
DEFAULT_PAGE_SIZE = 50
DEFAULT_FEED_SIZE = 50
MAX_PAGE_SIZE = 1000
LETTERHEAD_KEYS = {"logo", "contact"}
LOGO_TYPES = (".png", ".jpg", ".jpeg", ".svg")
LOGO_ASSET = "letterhead-logo"  # the logo's name among the PDF's resources (plus its suffix)


@dataclass(frozen=True)
class LetterheadPage:
    """The letterhead as one language's print page shows it."""

    logo: str  # the logo's URL among the PDF's resources, "" for none
    contact: tuple[str, ...]


@dataclass(frozen=True)
class Letterhead:
    """The PDF's letterhead: the newsroom's name (from `site:`), a logo, a contact block per language."""

    logo: Path | None = None
    contact: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def logo_asset(self) -> str:
        return f"{LOGO_ASSET}{self.logo.suffix.lower()}" if self.logo else ""

    def for_language(self, lang: str, assets: str) -> LetterheadPage:
        return LetterheadPage(f"{assets}{self.logo_asset}" if self.logo else "", tuple(self.contact.get(lang, ())))


@dataclass(frozen=True)
class Outputs:
    dir: Path
    base_url: str = ""
    pdf: bool = True
    letterhead: Letterhead = field(default_factory=Letterhead)
    page_size: int = DEFAULT_PAGE_SIZE
    feed_size: int = DEFAULT_FEED_SIZE


def output_settings(config: Config) -> Outputs:
    """The `outputs:` section of pubflow.yaml, validated."""
    raw = config.outputs or {}
    unknown = sorted(str(k) for k in raw if k not in OUTPUT_KEYS)
    if unknown:
        raise InvalidData(_("pubflow.yaml: outputs.{field} is not a known setting").format(field=unknown[0]),
                          _("known: {known}").format(known=", ".join(sorted(OUTPUT_KEYS))))
    folder = raw.get("dir", "dist")
    if not isinstance(folder, str) or not folder.strip():
        raise InvalidData(_("pubflow.yaml: outputs.dir must be a folder name"), _("e.g. dir: dist"))
    base = raw.get("base_url") or ""
    if not isinstance(base, str) or (base and not base.startswith(("https://", "http://"))):
        raise InvalidData(_("pubflow.yaml: outputs.base_url {value!r} is not an http(s) URL").format(value=base),
                          _("e.g. base_url: https://example.org/news/"))
    if base and not base.endswith("/"):
        base += "/"
    pdf = raw.get("pdf", True)
    if not isinstance(pdf, bool):
        raise InvalidData(_("pubflow.yaml: outputs.pdf must be true or false, not {value!r}").format(value=pdf),
                          _("e.g. pdf: false"))
    sizes = {}
    for key, default in (("page_size", DEFAULT_PAGE_SIZE), ("feed_size", DEFAULT_FEED_SIZE)):
        value = raw.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_PAGE_SIZE:
            raise InvalidData(
                _("pubflow.yaml: outputs.{field} must be a whole number from 1 to {limit}, not {value!r}").format(
                    field=key, limit=MAX_PAGE_SIZE, value=value),
                _("e.g. {field}: {default}").format(field=key, default=default))
        sizes[key] = value
    path = Path(folder).expanduser()
    return Outputs(path if path.is_absolute() else config.root / path, base, pdf,
                   _letterhead(config, raw.get("letterhead")), **sizes)


def _letterhead(config: Config, raw: Any) -> Letterhead:
    """`outputs.letterhead`, validated: a logo file inside the newsroom; the contact lines per language
    from `contact:` (or, from older newsrooms, `outputs.letterhead.contact`)."""
    if raw is None:
        return Letterhead(None, dict(config.contact))
    if not isinstance(raw, Mapping):
        raise InvalidData(_("pubflow.yaml: outputs.letterhead must be a mapping"),
                          _("e.g. letterhead: {logo: templates/assets/logo.png}"))
    unknown = sorted(str(k) for k in raw if k not in LETTERHEAD_KEYS)
    if unknown:
        raise InvalidData(
            _("pubflow.yaml: outputs.letterhead.{field} is not a known setting").format(field=unknown[0]),
            _("known: {known}").format(known=", ".join(sorted(LETTERHEAD_KEYS))))
    logo: Path | None = None
    if raw.get("logo") is not None:
        value = raw["logo"]
        root = config.root.resolve()
        candidate = (root / str(value)).resolve() if isinstance(value, str) and value.strip() else None
        if candidate is None or not candidate.is_relative_to(root) or not candidate.is_file():
            raise InvalidData(
                _("pubflow.yaml: outputs.letterhead.logo {value!r} is not a file in the newsroom").format(value=value),
                _("give a path relative to the newsroom, e.g. templates/assets/logo.png"))
        if candidate.suffix.lower() not in LOGO_TYPES:
            raise InvalidData(
                _("pubflow.yaml: outputs.letterhead.logo must be a PNG, JPEG or SVG file, not {name}").format(
                    name=candidate.name),
                _("convert the logo to PNG or SVG"))
        logo = candidate
    contact: dict[str, tuple[str, ...]] = dict(config.contact)
    given = raw.get("contact")
    if given is not None and config.contact:
        raise InvalidData(_("pubflow.yaml: contact: and outputs.letterhead.contact both give the contact block"),
                          _("keep contact:, which pages and PDFs use, and remove outputs.letterhead.contact"))
    if given is not None:
        if not isinstance(given, Mapping):
            raise InvalidData(_("pubflow.yaml: outputs.letterhead.contact must give the block per language"),
                              _("e.g. contact: {en: press@example.org, ar: press@example.org}"))
        for code, text in given.items():
            if code not in config.languages:
                raise InvalidData(
                    _("pubflow.yaml: outputs.letterhead.contact.{code}: not one of the languages ({known})").format(
                        code=code, known=", ".join(config.languages)))
            if not isinstance(text, str):
                raise InvalidData(
                    _("pubflow.yaml: outputs.letterhead.contact.{code} must be text, one line per line").format(
                        code=code))
            lines = tuple(line.strip() for line in text.splitlines() if line.strip())
            if len(lines) > MAX_CONTACT_LINES:
                raise InvalidData(
                    _("pubflow.yaml: outputs.letterhead.contact.{code} has {n} lines (at most {limit})").format(
                        code=code, n=len(lines), limit=MAX_CONTACT_LINES),
                    _("keep the contact block short: it is printed beside the newsroom's name"))
            contact[str(code)] = lines
    return Letterhead(logo, contact)


def check_writable(folder: Path) -> None:
    """One clear error when the output folder cannot be created or written."""
    problem = ""
    if folder.exists() and not folder.is_dir():
        problem = _("it is not a folder")
    else:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            problem = exc.strerror or str(exc)
        else:
            if not os.access(folder, os.W_OK | os.X_OK):
                problem = _("permission denied")
    if problem:
        raise InvalidData(
            _("cannot write to the output folder {path}: {problem}").format(path=folder, problem=problem),
            _("fix its permissions, or set outputs.dir in pubflow.yaml to a writable folder"))


def _same_folder_above(where: str, live: str) -> bool:
    """Whether `where` or a folder above it is the folder `live` under another name: the same
    device and inode (`-o DIST` on a case-insensitive disk, as macOS and Windows have by default,
    or a bind mount), which comparing the paths cannot see."""
    try:
        target = os.stat(live)
    except OSError:
        return False
    current = where
    while True:
        try:
            info = os.stat(current)
        except OSError:
            info = None
        if info is not None and (info.st_dev, info.st_ino) == (target.st_dev, target.st_ino):
            return True
        parent = os.path.dirname(current)
        if parent == current:
            return False
        current = parent


def check_not_live(config: Config, folder: Path) -> None:
    """UsageError when `folder` (an `-o` of `render` or `build`) is the published outputs folder or
    inside it, links followed: only `build` and the moves that change what is out write there, so
    nothing nobody approved (a draft's preview, another moment's view) ever lands among the outputs."""
    live = os.path.realpath(output_settings(config).dir)
    where = os.path.realpath(folder)
    if where == live or where.startswith(live.rstrip(os.sep) + os.sep) or _same_folder_above(where, live):
        raise UsageError(
            _("-o {path} is inside the published outputs ({live}): only build and publish write there").format(
                path=folder, live=live),
            _("give a folder outside it, such as -o preview, or leave -o out"))
