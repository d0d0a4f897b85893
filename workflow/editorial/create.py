"""`pubflow new`: create a draft release from a file, from text, or from a title."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from workflow.core import segments as seg
from workflow.core.config import Config, Person
from workflow.core.history import seal
from workflow.core.model import (
    Document,
    Event,
    Release,
    check_release_id,
    format_time,
    metadata_values,
    parse_time,
    utc_now,
)
from workflow.core.slug import MAX_SLUG, slugify
from workflow.core.summary import ReleaseSummary, summarize
from workflow.editorial.actors import may_write, writing_role
from workflow.editorial.sourcetext import ImportedText, parse_source_text, read_source_file
from workflow.errors import InvalidData, Refused, UsageError
from workflow.i18n import _
from workflow.storage.newsroom import Newsroom

# Where a new release's source language came from (CreateResult.language_from).
FROM_OPTION = "option"  # --lang
FROM_FILE = "file"  # the file's front matter (lang:)
FROM_SCRIPT = "script"  # detected from the script most of the text is written in
FROM_DEFAULT = "default"  # pubflow.yaml source_language (no words to judge, or no language in that script)


@dataclass(frozen=True)
class CreateResult:
    release: ReleaseSummary
    segments: int
    ignored: list[str]
    language_from: str = FROM_OPTION
    unfiled: str = ""  # a dateline's category this newsroom does not define (the release has none)


def slug_rules() -> str:
    """What a slug may be, in the reader's language (the hint of every slug error)."""
    return _("a slug is lower-case a-z, digits 0-9 and single hyphens, at most {limit} characters; "
             "other text is made one: accents dropped, Arabic transliterated, spaces and punctuation "
             "become hyphens (\"Water Plan\" -> water-plan, \"خطة المياه\" -> khta-al-myah)").format(limit=MAX_SLUG)


def release_slug(title: str, given: str | None) -> str:
    """The slug of a new release: `given` (--slug) made a slug, else one derived from the title in
    either script (`core.slug`), else a short hash of the title (a title with no letter that has a
    Latin form).  A --slug that leaves nothing, or too much, is refused with the rules."""
    if given is None:
        return slugify(title) or f"release-{seg.text_hash(title)[:8]}"
    made = slugify(given, limit=10 * MAX_SLUG)
    if not made:
        raise UsageError(_("--slug {value!r} has no letter or digit to make a slug of").format(value=given),
                         slug_rules())
    if len(made) > MAX_SLUG:
        raise UsageError(_("--slug {value!r} makes a slug of {n} characters").format(value=given, n=len(made)),
                         slug_rules())
    return made


def create_release(
    nr: Newsroom,
    actor: Person,
    *,
    title: str | None = None,
    language: str | None = None,
    from_file: Path | None = None,
    text: str | None = None,
    date: str | None = None,
    category: str | None = None,
    slug: str | None = None,
    embargo: str | None = None,
    published_at: str | None = None,
    now: dt.datetime | None = None,
) -> CreateResult:
    """Create a draft from a file, from text, or from a title and body given inline."""
    now = now or utc_now()
    if not may_write(actor):
        raise Refused(_("{actor} may not create releases: it needs the role writer or editor").format(
            actor=actor.name), _("ask a writer or an editor"))
    if from_file is not None:
        imported = read_source_file(from_file)
    elif text is not None:
        imported = parse_source_text(text, "<text>")
    else:
        raise UsageError(_("no body given"), _("pass --from FILE"))
    if title:
        imported.title = seg.normalize(title)
    lang, language_from = source_language(nr, imported, language)
    published = _published_time(published_at, imported.published, now)
    when = date or imported.date or (published[:10] if published else now.date().isoformat())
    try:
        when = dt.date.fromisoformat(str(when)).isoformat()
    except ValueError:
        raise UsageError(_("{date!r} is not a date").format(date=when), _("use YYYY-MM-DD")) from None
    stop = embargo or imported.embargo
    if stop:
        stop = stop.strip()
        try:
            parse_time(stop, "--embargo" if embargo else "embargo")
        except InvalidData as exc:
            if embargo:  # given on the command line: a usage error
                raise UsageError(exc.message, exc.hint) from None
            raise
    # A category is one the newsroom defines (by key or by a label in any language); stored by key.
    # A stated one (--category, front matter) that is not defined is refused; a dateline's words
    # ("22 July 2019 In Coalition News") that name no category leave the release unfiled, said.
    unfiled = ""
    if category is not None:
        chosen_category = nr.config.require_category(category, "--category")
    elif imported.category_from_dateline and imported.category \
            and nr.config.find_category(" ".join(imported.category.split())) is None:
        chosen_category, unfiled = "", " ".join(imported.category.split())
    else:
        where = str(from_file) if from_file is not None else "<text>"
        chosen_category = nr.config.require_category(imported.category or "", f"{where}: category")
    release_id = check_release_id(f"{when}-{release_slug(imported.title, slug)}")
    segments = seg.build(imported.title, imported.paragraphs, imported.source_line)
    languages = (lang, *nr.config.targets_for(lang))
    release = Release(
        id=release_id, date=when, category=chosen_category,
        source_language=lang, languages=languages, state=nr.config.workflow.initial,
        revision=1, embargo=stop or None, published=published,
    )
    doc = Document(release, tuple(segments), {code: () for code in release.targets})
    event = seal((), Event(at=format_time(now), kind="create", actor=actor.name, role=writing_role(actor),
                           target=release.state, metadata=metadata_values(release.metadata()),
                           meta=doc.metadata_hash(), content=doc.content_hash()))
    doc = replace(doc, release=replace(release, history=(event,)))
    nr.create(doc)
    return CreateResult(summarize(doc), len(segments), imported.ignored, language_from, unfiled)


def _published_time(given: str | None, stated: str | None, now: dt.datetime) -> str | None:
    """`--published-at` (or front matter `published`): when an archive release first went out, an ISO
    8601 time with its zone, not in the future (a time to come is an embargo)."""
    value = given if given is not None else stated
    if value is None:
        return None
    where = "--published-at" if given is not None else "published"
    try:
        moment = parse_time(value, where)
    except InvalidData as exc:
        if given is not None:
            raise UsageError(exc.message, exc.hint) from None
        raise
    if moment > now:
        error = UsageError if given is not None else InvalidData
        raise error(_("{where}: {value} lies in the future").format(where=where, value=value),
                    _("a release that goes out later has an embargo: use --embargo"))
    return str(value).strip() if isinstance(value, str) else moment.isoformat()


def source_language(nr: Newsroom, imported: ImportedText, given: str | None) -> tuple[str, str]:
    """(language, where it came from) of a new release's text.

    `given` (--lang) or the file's `lang:` must fit the text (`require_fit`).
    Without either, the language is the configured one written in the script
    most words are in; pubflow.yaml's `source_language` when the text says
    nothing (or is in no configured language's script).
    """
    from workflow.translation.checks import settings
    from workflow.translation.script import language_by_script

    config = nr.config
    text = release_text(imported.title, imported.paragraphs, imported.source_line)
    stated = given or imported.language
    if stated:
        require_fit(config, text, stated, FROM_OPTION if given else FROM_FILE)
        return stated, FROM_OPTION if given else FROM_FILE
    scripts = settings(config).scripts
    found, _script = language_by_script(text, list(config.languages), config.source_language, scripts)
    if found is not None:
        return found, FROM_SCRIPT
    config.language(config.source_language)
    return config.source_language, FROM_DEFAULT


def release_text(title: str, paragraphs: list[str], source_line: str | None) -> str:
    return "\n".join([title, *paragraphs, source_line or ""])


def require_fit(config: Config, text: str, lang: str, stated: str = FROM_OPTION, detect_hint: bool = True) -> None:
    """Refuse `lang` for `text` when fewer of its words than `checks.script.min_share` (0.5) are in
    that language's script (Arabic text with --lang en).  A language whose script pubflow does not
    know is never refused.  `stated`: FROM_OPTION (a usage error) or FROM_FILE (invalid data)."""
    from workflow.translation.checks import SCRIPT_NAMES, quote, settings
    from workflow.translation.script import language_by_script, script_share

    config.language(lang)
    conf = settings(config)
    share = script_share(text, lang, overrides=conf.scripts)
    if share is None or share.share >= conf.script_min_share:
        return
    found, _script = language_by_script(text, list(config.languages), None, conf.scripts)
    message = _("the text is not in {lang}: only {share:.0%} of its words are in the {script} script "
                "(e.g. {word})").format(lang=lang, share=share.share,
                                        script=_(SCRIPT_NAMES.get(share.script, share.script)),
                                        word=quote(share.stray))
    if stated == FROM_FILE:
        raise InvalidData(message, _("fix lang: in the file's front matter, or remove it to detect the language"))
    if found and detect_hint:
        raise UsageError(message, _("pass --lang {found}, or leave --lang out to detect it").format(found=found))
    if found:
        raise UsageError(message, _("pass --lang {found}").format(found=found))
    raise UsageError(message, _("check the text and the language code"))
