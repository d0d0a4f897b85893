"""The page model: everything a template may show about one release in one language.

`page_data` turns a release into a `Page` (pure: no files, no templates):
the text it publishes (`published_text`, the one place that decides it),
the dated correction and retraction notices, the time each language went out
(`published_at`, never before the embargo), links to the other languages.
Days are formatted by `dates`; rendering is `render`'s job.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workflow import i18n
from workflow.core.model import Document, format_time, parse_time
from workflow.errors import InvalidData
from workflow.i18n import N_, _
from workflow.publishing.dates import check_language, day_of, format_day

if TYPE_CHECKING:
    import gettext

    from workflow.core.config import Config, Language
    from workflow.core.model import Release
    from workflow.core.snapshot import Snapshot

# Language names as a page names another language ("Translated from English").
LANGUAGE_NAMES = {"en": N_("English"), "ar": N_("Arabic")}


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
    """Another language's version of a page."""

    lang: str
    name: str
    href: str  # relative
    dir: str
    url: str = ""  # absolute when outputs.base_url is set
    locale: str = ""  # its date locale (og:locale:alternate)


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
    category: str  # its label in the page's language (`categories:` in pubflow.yaml)
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
    category_id: str = ""  # the category's key; "" for none, or a free-text category no definition names

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
            "category_id": self.category_id or None,
            "published": self.published or None, "updated": self.updated or None,
            "revision": self.revision, "source_language": self.source_language,
            "corrections": [c.public() for c in self.corrections],
            "retracted": self.retraction.public() if self.retraction else None,
            "alternates": {a.lang: a.href for a in self.alternates},
        }
        data.update(title=self.title, paragraphs=list(self.paragraphs), source_line=self.source_line or None)
        return data


def site_name(config: Config, lang: str) -> str:
    """The newsroom's name in `lang` (`site:` in pubflow.yaml), else in its source language."""
    return config.site.get(lang, config.site.get(config.source_language, ""))


def is_live(config: Config, state: str) -> bool:
    """Is `state` one whose releases are out (published, retracted)?"""
    spec = config.workflow.states.get(state)
    return bool(spec and spec.live)


def candidate_languages(release: Release, config: Config) -> list[str]:
    """The languages of `release` that may be out: all of them once its state is live;
    before that (publish_policy: source_first) those already published one by one.
    Whether they ARE out at a moment also depends on the embargo and `published_at`."""
    if is_live(config, release.state):
        return list(release.languages)
    return [code for code in release.languages if code in release.published_languages]


def published_at(doc: Document, config: Config, lang: str) -> str:
    """When `lang` went out: its first release/publish event, never before the embargo; once out,
    an archive release shows its recorded publication time (`new --published-at`)."""
    live = {name for name, state in config.workflow.states.items() if state.live}
    moment = ""
    for event in doc.release.history:
        if event.kind == "release" and event.language == lang:
            moment = event.at
            break
        if event.kind == "transition" and event.target in live and event.source not in live:
            moment = event.at
            break
    if moment and doc.release.published:
        return format_time(parse_time(doc.release.published, "published"))
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
        text = event.notice(language.code)  # each language its own notice (older events: the comment)
        if event.source == event.target and text:
            corrections.append(Notice(event.at, format_day(day_of(event.at), language), text))
        elif target.final and event.source != event.target:
            retraction = Notice(event.at, format_day(day_of(event.at), language), text or "")
    state = states.get(doc.release.state)
    if state is None or not (state.live and state.final):
        retraction = None
    return tuple(corrections), retraction


def published_text(doc: Document, lang: str, *, snapshot: Snapshot | None = None, allow_missing: bool = False,
                   ) -> tuple[dict[str, str], tuple[str, ...]]:
    """The text `lang` publishes of `doc`: segment id -> text, and the segments that have
    no translation yet.  THE place that decides what text goes out (build, publish, render
    and preview all get their text here).

    What is out comes from its `snapshot` only (`workflow.core.snapshot`: the text that
    passed the guards when it went out), never from the working files.  Without one (render
    and preview of a release in any state): the source segments' text, or the target
    segment's text in another language; a segment with no translation is an error naming
    it, or with `allow_missing` it shows in the source language and is listed as missing.
    """
    if snapshot is not None:
        if snapshot.release != doc.release.id or snapshot.language != lang:
            raise InvalidData(_("{id}: the snapshot of {other} ({lang}) is not this release's").format(
                id=doc.release.id, other=snapshot.release, lang=snapshot.language))
        return snapshot.texts(), ()
    rel = doc.release
    if lang == rel.source_language:
        return {s.id: s.text for s in doc.source}, ()
    texts: dict[str, str] = {}
    missing: list[str] = []
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
    return texts, tuple(missing)


def _category_key(config: Config, value: str) -> str:
    category = config.find_category(value) if value else None
    return category.key if category is not None else ""


def page_data(
    doc: Document,
    config: Config,
    lang: str,
    *,
    base_url: str = "",
    alternates: Sequence[str] = (),
    allow_missing: bool = False,
    snapshot: Snapshot | None = None,
    translations: gettext.NullTranslations | None = None,
) -> Page:
    """The page model of `doc` in `lang` (pure; its text from `published_text`: from `snapshot`,
    with the date and category it froze, when the page is what is out).  `translations`: the
    page catalog of `lang` when the caller holds it (a build: `Renderer.catalog`)."""
    rel = doc.release
    language = config.language(lang)
    check_language(language)
    texts, missing = published_text(doc, lang, snapshot=snapshot, allow_missing=allow_missing)
    order = [s.id for s in snapshot.segments] if snapshot is not None else [s.id for s in doc.source]
    day, category = (snapshot.date, snapshot.category) if snapshot is not None else (rel.date, rel.category)
    if translations is None:
        translations = i18n.translations_for(lang, config.root / "locales")
    source_lang = config.languages[rel.source_language]
    body = [Para(texts[seg_id], *((source_lang.code, source_lang.direction) if seg_id in missing else ("", "")))
            for seg_id in order if seg_id not in ("title", "source")]
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
        links.append(Link(code, other.name, f"../../{code}/{rel.id}/", other.direction,
                          f"{base_url}{code}/{rel.id}/" if base_url else "", other.date_locale))
    return Page(
        id=rel.id, lang=lang, dir=language.direction, language_name=language.name,
        site=site_name(config, lang),
        title=texts.get("title", ""), body=tuple(body), source_line=source_line,
        category=config.category_label(category, lang), category_id=_category_key(config, category),
        date=day, date_text=format_day(dt.date.fromisoformat(day), language),
        url=f"{base_url}{lang}/{rel.id}/" if base_url else "", href=f"{rel.id}/",
        published=published, updated=updated,
        # What is out changes only with a new snapshot: count those (render and preview: the file's revision).
        revision=sum(1 for e in rel.history if e.snapshots) if snapshot is not None else rel.revision,
        source_language=rel.source_language,
        translated_from=(translations.gettext(LANGUAGE_NAMES.get(source_lang.code, source_lang.name))
                         if lang != rel.source_language else ""),
        corrections=corrections, retraction=retraction, alternates=tuple(links), missing=missing,
    )
