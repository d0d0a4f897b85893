"""Rendering pages with Jinja2: the only module that imports jinja2.

Templates come from the newsroom's `templates/` folder first and from the
packaged defaults second, so a newsroom may override any single template.
Autoescaping is configured explicitly (`select_autoescape` does not cover
`*.html.j2`); undefined variables are errors; a template error becomes one
`InvalidData` naming the template and line, raised before anything is written.

Page chrome is translated with the PAGE's language catalog
(`i18n.translations_for`), dates go through Babel with the language's
`date_locale`, and digits are mapped to the language's digit style here
(Babel leaves them Latin).  Output depends only on its inputs: no clock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import traceback
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow import i18n, resources
from workflow.core.model import Document, parse_time
from workflow.errors import InvalidData, PubflowError
from workflow.i18n import N_, _

if TYPE_CHECKING:
    from jinja2 import Environment

    from workflow.core.config import Config, Language

TEMPLATES = {
    "page": "release.html.j2",
    "index": "index.html.j2",
    "text": "release.txt.j2",
    "feed": "feed.atom.j2",
}
STYLESHEET = "assets/pubflow.css"
ASSETS = (STYLESHEET,)
AUTOESCAPE_SUFFIXES = (".html.j2", ".xml.j2", ".atom.j2", ".html", ".xml", ".atom", ".htm")
ARABIC_DIGITS = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FSI, PDI = "\u2068", "\u2069"
EPOCH = "1970-01-01T00:00:00Z"

# Categories are data, but their display name comes from the page's catalog;
# these are marked so the catalog carries them (others show as written).
KNOWN_CATEGORIES = (N_("Coalition News"), N_("Statements"), N_("Press Releases"), N_("News"))
# Language names as a page names another language ("Translated from English").
LANGUAGE_NAMES = {"en": N_("English"), "ar": N_("Arabic")}


def packaged_templates() -> Path:
    """The default templates: inside an installed wheel, else the source tree."""
    return resources.templates_dir()


def template_dirs(root: Path) -> list[Path]:
    """Where templates are looked up, first match wins."""
    dirs = []
    own = root / "templates"
    if own.is_dir():
        dirs.append(own)
    packaged = packaged_templates()
    if not dirs or packaged.resolve() != dirs[0].resolve():
        dirs.append(packaged)
    return dirs


_BYTECODE: dict[str, Any] = {}


def _bytecode_cache(folder: Path | None = None) -> Any:
    """One in-memory bytecode cache per process and folder: each template source is compiled
    once, however many languages and renderers use it (Jinja keys it by name and source hash).
    With `folder` (derived data under `.pubflow/`) compiled templates are also kept on disk,
    so the next process does not compile them again (~0.2 s of a small rebuild); a stale or
    damaged file is ignored (Jinja checks its magic and the source's checksum)."""
    name = str(folder) if folder else ""
    if name not in _BYTECODE:
        import jinja2

        from workflow.storage import store

        class MemoryCache(jinja2.BytecodeCache):
            def __init__(self) -> None:
                self.store: dict[str, bytes] = {}

            def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
                data = self.store.get(bucket.key)
                if data is None and folder is not None:
                    try:
                        data = (folder / f"{bucket.key}.jinja").read_bytes()
                    except OSError:
                        data = None
                if data is not None:
                    bucket.bytecode_from_string(data)

            def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
                data = self.store[bucket.key] = bucket.bytecode_to_string()
                if folder is not None:
                    with contextlib.suppress(PubflowError):
                        store.write_output(folder / f"{bucket.key}.jinja", data)

        _BYTECODE[name] = MemoryCache()
    return _BYTECODE[name]


def _autoescape(name: str | None) -> bool:
    return name is not None and name.endswith(AUTOESCAPE_SUFFIXES)


# ---------------------------------------------------------------- text helpers
def first_strong(text: str) -> str | None:
    """'ltr' or 'rtl' from the first strong character (None when there is none)."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return None


def map_digits(text: str, digits: str) -> str:
    if digits == "arab":
        return text.translate(ARABIC_DIGITS)
    return text


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
    if language.digits not in ("latn", "arab"):
        raise InvalidData(
            _("{where}.digits: unknown digit style {value!r}").format(where=where, value=language.digits),
            _("use latn (0123456789) or arab (٠١٢٣٤٥٦٧٨٩)"))


_DAYS: dict[tuple[dt.date, str, str], str] = {}


def format_day(day: dt.date, language: Language) -> str:
    """A date as readers of `language` write it: CLDR long format, own digits
    (each day formatted once per locale and process: Babel is the slow part of a page)."""
    key = (day, language.date_locale, language.digits)
    text = _DAYS.get(key)
    if text is None:
        from babel.dates import format_date

        check_language(language)
        text = _DAYS[key] = map_digits(format_date(day, "long", locale=language.date_locale), language.digits)
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


def _day_of(moment: str) -> dt.date:
    return parse_time(moment, "time").astimezone(dt.UTC).date()


# ---------------------------------------------------------------- page data
@dataclass(frozen=True)
class Notice:
    """A dated correction or retraction notice."""

    at: str
    date: str  # formatted for the page
    text: str

    def public(self) -> dict[str, str]:
        return {"at": self.at, "text": self.text}


@dataclass(frozen=True)
class Para:
    """One body paragraph; `lang`/`dir` are set only when it is shown in another language."""

    text: str
    lang: str = ""
    dir: str = ""


@dataclass(frozen=True)
class Link:
    lang: str
    name: str
    href: str
    dir: str


@dataclass(frozen=True)
class Page:
    """Everything a template may show about one release in one language."""

    id: str
    lang: str
    dir: str
    language_name: str
    site: str
    title: str
    body: tuple[Para, ...]
    source_line: str
    category: str
    date: str  # ISO day
    date_text: str
    url: str = ""  # absolute when outputs.base_url is set
    href: str = ""  # relative to the language's index
    published: str = ""  # ISO time, "" when not published
    updated: str = ""
    revision: int = 0
    source_language: str = ""
    translated_from: str = ""  # name of the source language on translated pages
    corrections: tuple[Notice, ...] = ()
    retraction: Notice | None = None
    alternates: tuple[Link, ...] = ()
    missing: tuple[str, ...] = ()  # segments shown in the source language (preview only)

    @property
    def paragraphs(self) -> tuple[str, ...]:
        return tuple(p.text for p in self.body)

    @property
    def retracted(self) -> bool:
        return self.retraction is not None

    def public(self) -> dict[str, Any]:
        """The shape of release.json."""
        data: dict[str, Any] = {
            "id": self.id, "language": self.lang, "direction": self.dir, "site": self.site,
            "url": self.url or None, "date": self.date, "category": self.category,
            "published": self.published or None, "updated": self.updated or None,
            "revision": self.revision, "source_language": self.source_language,
            "corrections": [c.public() for c in self.corrections],
            "retracted": self.retraction.public() if self.retraction else None,
            "alternates": {a.lang: a.href for a in self.alternates},
        }
        data.update(title=self.title, paragraphs=list(self.paragraphs), source_line=self.source_line or None)
        return data


def published_at(doc: Document, config: Config, lang: str) -> str:
    """When `lang` went out: its first release/publish event, never before the embargo."""
    live = {name for name, state in config.workflow.states.items() if state.live}
    moment = ""
    for event in doc.release.history:
        if event.kind == "release" and event.language == lang:
            moment = event.at
            break
        if event.kind == "transition" and event.target in live and event.source not in live:
            moment = event.at
            break
    if moment and doc.release.embargo:
        embargo = parse_time(doc.release.embargo, "embargo").astimezone(dt.UTC)
        if parse_time(moment, "time") < embargo:
            moment = embargo.strftime("%Y-%m-%dT%H:%M:%SZ")
    return moment


def notices(doc: Document, config: Config, language: Language) -> tuple[tuple[Notice, ...], Notice | None]:
    """Corrections (moves within a live state, with their comment) and the retraction, if any."""
    states = config.workflow.states
    corrections: list[Notice] = []
    retraction: Notice | None = None
    for event in doc.release.history:
        if event.kind != "transition" or event.target is None or event.target not in states:
            continue
        target = states[event.target]
        if not target.live:
            continue
        if event.source == event.target and event.comment:
            corrections.append(Notice(event.at, format_day(_day_of(event.at), language), event.comment))
        elif target.final and event.source != event.target:
            retraction = Notice(event.at, format_day(_day_of(event.at), language), event.comment or "")
    state = states.get(doc.release.state)
    if state is None or not (state.live and state.final):
        retraction = None
    return tuple(corrections), retraction


def page_data(
    doc: Document,
    config: Config,
    lang: str,
    *,
    base_url: str = "",
    alternates: Sequence[str] = (),
    allow_missing: bool = False,
) -> Page:
    """Build the page model for `lang` (pure).

    Translated text is the target segment's text; without `allow_missing`, a
    segment with no translation is an error naming it (publish never gets here
    with one: its guard refuses first).
    """
    rel = doc.release
    language = config.language(lang)
    check_language(language)
    texts: dict[str, str] = {}
    missing: list[str] = []
    if lang == rel.source_language:
        texts = {s.id: s.text for s in doc.source}
    else:
        target = doc.target(lang)
        for s in doc.source:
            text = target[s.id].text
            if not text:
                missing.append(s.id)
                text = s.text
            texts[s.id] = text
    if missing and not allow_missing:
        raise InvalidData(
            _("{id}: no {lang} translation for {segments}").format(id=rel.id, lang=lang, segments=", ".join(missing)),
            _("translate them, or see `pubflow pending`"))
    translations = i18n.translations_for(lang, config.root / "locales")
    source_lang = config.languages[rel.source_language]
    body = [Para(texts[s.id], *((source_lang.code, source_lang.direction) if s.id in missing else ("", "")))
            for s in doc.source if s.id not in ("title", "source")]
    source_line = texts.get("source", "")
    corrections, retraction = notices(doc, config, language)
    if retraction is not None:  # a tombstone keeps the title and nothing of the text
        body, source_line = [], ""
    published = published_at(doc, config, lang)
    updated = max([published] + [c.at for c in corrections] + ([retraction.at] if retraction else []))
    links = []
    for code in alternates:
        if code == lang or code not in config.languages:
            continue
        other = config.languages[code]
        links.append(Link(code, other.name, f"../../{code}/{rel.id}/", other.direction))
    return Page(
        id=rel.id, lang=lang, dir=language.direction, language_name=language.name,
        site=config.site.get(lang, config.site.get(config.source_language, "")),
        title=texts.get("title", ""), body=tuple(body), source_line=source_line,
        category=translations.gettext(rel.category) if rel.category else "",
        date=rel.date, date_text=format_day(dt.date.fromisoformat(rel.date), language),
        url=f"{base_url}{lang}/{rel.id}/" if base_url else "", href=f"{rel.id}/",
        published=published, updated=updated, revision=rel.revision,
        source_language=rel.source_language,
        translated_from=(translations.gettext(LANGUAGE_NAMES.get(source_lang.code, source_lang.name))
                         if lang != rel.source_language else ""),
        corrections=corrections, retraction=retraction, alternates=tuple(links), missing=tuple(missing),
    )


# ---------------------------------------------------------------- JSON
def to_json(data: Any) -> bytes:
    """Sorted keys, UTF-8; < > & written as \\u escapes so it is safe inside HTML too."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (text + "\n").encode("utf-8")


def release_json(page: Page) -> bytes:
    return to_json(page.public())


# ---------------------------------------------------------------- Jinja2
class Renderer:
    """Jinja2 environments for one newsroom, one per page language."""

    def __init__(self, config: Config, base_url: str = "", cache_dir: Path | None = None) -> None:
        self.config = config
        self.cache_dir = cache_dir  # compiled templates kept between processes (derived data)
        self.root = config.root
        self.base_url = base_url
        self.dirs = template_dirs(config.root)
        self._envs: dict[str, Environment] = {}

    # -------------------------------------------------- inputs (for build hashes)
    def input_files(self) -> list[Path]:
        """Every template and asset file that can influence output."""
        seen: dict[str, Path] = {}
        for folder in self.dirs:
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    seen.setdefault(path.relative_to(folder).as_posix(), path)
        return [seen[k] for k in sorted(seen)]

    def asset(self, name: str) -> bytes:
        for folder in self.dirs:
            path = folder / name
            if path.is_file():
                return path.read_bytes()
        raise InvalidData(_("asset {name} not found in {dirs}").format(
            name=name, dirs=", ".join(str(d) for d in self.dirs)), _("restore the templates folder"))

    def _where(self, name: str) -> str:
        for folder in self.dirs:
            path = folder / name
            if path.is_file():
                try:
                    return str(path.relative_to(self.root))
                except ValueError:
                    return str(path)
        return name

    # -------------------------------------------------- environments
    def env(self, lang: str) -> Environment:
        if lang not in self._envs:
            self._envs[lang] = self._make_env(lang)
        return self._envs[lang]

    def _make_env(self, lang: str) -> Environment:
        import jinja2

        language = self.config.language(lang)
        env = jinja2.Environment(
            loader=jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(d)) for d in self.dirs]),
            autoescape=_autoescape,
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,
            bytecode_cache=_bytecode_cache(self.cache_dir),
        )
        env.install_gettext_translations(  # type: ignore[attr-defined]
            i18n.translations_for(lang, self.root / "locales"), newstyle=True)
        direction = language.direction

        def bdi(value: Any) -> Any:
            from markupsafe import Markup

            return Markup("<bdi>{}</bdi>").format(value)

        def isolate(value: Any) -> str:
            text = str(value)
            own = first_strong(text)
            if (direction == "rtl" and own != "rtl") or (direction == "ltr" and own == "rtl"):
                return f"{FSI}{text}{PDI}"
            return text

        env.filters["bdi"] = bdi
        env.filters["isolate"] = isolate
        env.filters["digits"] = lambda value: map_digits(str(value), language.digits)
        env.filters["day"] = lambda moment: format_day(_day_of(str(moment)), language)
        env.globals["language"] = language
        return env

    def render(self, kind: str, lang: str, /, **context: Any) -> str:
        """Render one template; any template problem is one InvalidData naming file and line."""
        import jinja2

        name = TEMPLATES[kind]
        try:
            template = self.env(lang).get_template(name)
            return template.render(**context)
        except jinja2.TemplateSyntaxError as exc:
            where = self._where(exc.name or name)
            raise InvalidData(
                _("{template}, line {line}: {error}").format(template=where, line=exc.lineno, error=exc.message),
                _("fix the template; nothing was written")) from None
        except jinja2.TemplateNotFound as exc:
            raise InvalidData(
                _("template {name} not found (looked in {dirs})").format(
                    name=exc.name, dirs=", ".join(str(d) for d in self.dirs)),
                _("restore it, or delete the override so the default is used")) from None
        except jinja2.UndefinedError as exc:
            where, line = self._template_frame(exc, name)
            raise InvalidData(
                _("{template}, line {line}: {error}").format(template=where, line=line, error=exc.message),
                _("fix the template; nothing was written")) from None

    def _template_frame(self, exc: BaseException, name: str) -> tuple[str, int | str]:
        """The innermost template file and line in a rendering traceback."""
        for frame in reversed(traceback.extract_tb(exc.__traceback__)):
            if frame.filename.endswith(AUTOESCAPE_SUFFIXES + (".j2",)):
                path = Path(frame.filename)
                try:
                    shown = str(path.relative_to(self.root))
                except ValueError:
                    shown = str(path)
                return shown, frame.lineno or "?"
        return self._where(name), "?"

    # -------------------------------------------------- the outputs
    def release_page(self, page: Page, assets: str = "assets/") -> str:
        return self.render("page", page.lang, page=page, assets=assets, home="../")

    def release_text(self, page: Page) -> str:
        return self.render("text", page.lang, page=page)

    def index_page(self, lang: str, pages: Sequence[Page], alternates: Iterable[str] = ()) -> str:
        return self.render("index", lang, pages=list(pages), site=self._site(lang), lang=lang,
                           dir=self.config.language(lang).direction, assets="assets/",
                           alternates=self._index_links(lang, alternates))

    def feed(self, lang: str, pages: Sequence[Page]) -> str:
        updated = max([p.updated for p in pages if p.updated], default=EPOCH)
        site = self._site(lang)
        base = f"{self.base_url}{lang}/" if self.base_url else ""
        feed_id = base or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'pubflow:{site}:{lang}')}"
        entries = []
        for page in pages:
            entry_id = page.url or f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'pubflow:{site}:{lang}:{page.id}')}"
            entries.append({"id": entry_id, "page": page, "link": page.url or page.href})
        return self.render("feed", lang, site=site, lang=lang, feed_id=feed_id, updated=updated,
                           base=base, entries=entries)

    def _site(self, lang: str) -> str:
        return self.config.site.get(lang, self.config.site.get(self.config.source_language, ""))

    def _index_links(self, lang: str, codes: Iterable[str]) -> list[Link]:
        out = []
        for code in codes:
            if code != lang and code in self.config.languages:
                other = self.config.languages[code]
                out.append(Link(code, other.name, f"../{code}/", other.direction))
        return out


@dataclass(frozen=True)
class RenderedRelease:
    """The files of one language of one release, relative to its folder."""

    lang: str
    page: Page
    files: Mapping[str, bytes] = field(default_factory=dict)


def render_release(renderer: Renderer, page: Page) -> RenderedRelease:
    files = {
        "index.html": renderer.release_page(page).encode("utf-8"),
        "release.txt": renderer.release_text(page).encode("utf-8"),
        "release.json": release_json(page),
    }
    for name in ASSETS:
        files[name] = renderer.asset(name)
    return RenderedRelease(page.lang, page, files)
