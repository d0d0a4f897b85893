"""Machine translation suggestions: one text (`suggest_text`) or every untranslated segment (`suggest_release`).

Exact translation-memory matches come first, then the cache
(`mt.cache`), then the provider (`mt.provider`).  Suggestions are saved
with status `machine` and origin `machine:<provider>` (or
`memory:<release>`); they count as translated only once a person confirms
them (`pubflow set`, `pubflow translate`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from workflow.errors import ExternalError, UsageError
from workflow.i18n import _
from workflow.translation.mt.cache import cache_key, read_cache, remember
from workflow.translation.mt.provider import translate_once
from workflow.translation.mt.settings import provider_config

if TYPE_CHECKING:
    from workflow.core.config import Person
    from workflow.storage.newsroom import Newsroom
    from workflow.translation.checks import Finding

MEMORY = "memory"  # SuggestResult.provider with --memory-only
SAVE_EVERY = 25  # suggestions per write of the language file
SAVE_SECONDS = 5.0


@dataclass(frozen=True)
class Suggestion:
    text: str
    provider: str
    cached: bool = False


def suggest_text(nr: Newsroom, text: str, source_lang: str, target_lang: str, provider: str | None = None,
                 url: str | None = None) -> Suggestion:
    """A machine translation of `text` (from the cache when this text was asked before)."""
    from workflow.core.segments import normalize

    nr.config.language(source_lang)
    nr.config.language(target_lang)
    conf = provider_config(nr.config, provider, url)
    clean = normalize(text)
    if not clean:
        raise UsageError(_("nothing to translate"))
    key = cache_key(conf.name, source_lang, target_lang, clean)
    hit = read_cache(nr).get(key)
    if hit is not None:
        return Suggestion(hit, conf.name, cached=True)
    answer = normalize(translate_once(conf, clean, source_lang, target_lang))
    remember(nr, {key: answer})
    return Suggestion(answer, conf.name)


@dataclass(frozen=True)
class SuggestResult:
    release: str
    language: str
    provider: str
    total: int  # untranslated segments found
    filled: tuple[tuple[str, str], ...] = ()  # (segment, origin)
    from_memory: int = 0
    from_cache: int = 0
    requests: int = 0  # texts sent to the provider
    skipped: tuple[str, ...] = ()  # translated by someone else meanwhile
    findings: tuple[Finding, ...] = ()  # checks on the suggestions
    unmatched: tuple[str, ...] = ()  # memory only: segments the memory has no exact match for

    def public(self) -> dict[str, Any]:
        return {"release": self.release, "language": self.language, "provider": self.provider,
                "untranslated": self.total, "filled": [{"segment": s, "origin": o} for s, o in self.filled],
                "from_memory": self.from_memory, "from_cache": self.from_cache, "requests": self.requests,
                "skipped": list(self.skipped), "findings": [f.public() for f in self.findings],
                "unmatched": list(self.unmatched)}


def suggest_release(nr: Newsroom, release_id: str, lang: str, actor: Person, provider: str | None = None,
                    url: str | None = None, progress: Callable[[int, int, str], None] | None = None,
                    use_memory: bool = True, memory_only: bool = False) -> SuggestResult:
    """Pre-fill every untranslated segment of `release_id` in `lang` with a suggestion (status machine).

    Exact translation-memory matches are used first (origin memory:<release>),
    then the cache, then the provider.  Each suggestion is saved at once, so an
    error halfway keeps what was done; running again continues.

    `memory_only`: the translation memory alone, no provider, no settings of
    one, no network (an office offline): segments without an exact match are
    left untranslated and listed in `unmatched`.
    """
    from workflow.core.model import Document, TargetSegment, format_time, utc_now
    from workflow.core.segments import normalize
    from workflow.translation.checks import Finding, check_text
    from workflow.translation.glossary import load_glossary
    from workflow.translation.operations import (
        log_segments,
        require_open,
        require_role,
        require_target,
        with_target,
    )

    nr.config.language(lang)
    if memory_only and (provider is not None or url is not None):
        raise UsageError(_("--memory-only uses no provider"), _("leave out --provider and --url"))
    if memory_only and not use_memory:
        raise UsageError(_("--memory-only and --no-memory leave nothing to suggest from"),
                         _("use one of them"))
    conf = None if memory_only else provider_config(nr.config, provider, url)
    source_name = conf.name if conf is not None else MEMORY
    doc = nr.load(release_id)
    require_target(doc, lang)
    require_role(actor, "translator", lang)
    require_open(nr.config, doc)
    src_lang = doc.release.source_language
    todo = [s for s in doc.source if doc.target(lang)[s.id].effective_status(s.text) == "untranslated"]
    memory = None
    if use_memory and todo:
        from workflow.translation.memory import open_memory

        memory = open_memory(nr)
    glossary = load_glossary(nr.root, tuple(nr.config.languages))
    cache = read_cache(nr) if conf is not None else {}
    unmatched: list[str] = []
    filled: list[tuple[str, str]] = []
    skipped: list[str] = []
    findings: list[Finding] = []
    counts = {"memory": 0, "cache": 0, "requests": 0}
    pending: list[TargetSegment] = []
    answers: dict[str, str] = {}
    last_save = time.monotonic()

    def change(current: Document) -> tuple[Document, list[bool]]:
        saved = []
        for new in pending:
            unit = current.target(lang).get(new.id)
            ok = (unit is not None and current.source_text(new.id) == new.source
                  and unit.effective_status(new.source) == "untranslated")
            if ok:
                current = with_target(current, lang, new)
            saved.append(ok)
        ids = [new.id for new, ok in zip(pending, saved, strict=True) if ok]
        return log_segments(current, lang, "machine", actor, ids, utc_now()), saved

    def save() -> None:
        """One write for a batch of suggestions (each atomic write is fsynced: batching keeps it fast)."""
        nonlocal last_save
        remember(nr, answers)
        answers.clear()
        if not pending:
            return
        for new, ok in zip(pending, nr.update(release_id, change), strict=True):
            if ok:
                filled.append((new.id, new.origin))
                for check_id, severity, message in check_text(nr.config, new.source, new.text, src_lang, lang,
                                                              glossary):
                    findings.append(Finding(release_id, lang, new.id, check_id, severity, message))
            else:
                skipped.append(new.id)
        pending.clear()
        last_save = time.monotonic()

    try:
        for done, seg in enumerate(todo):
            origin = f"machine:{source_name}"
            text: str | None = None
            if memory is not None:
                matches = [m for m in memory.lookup(seg.text, src_lang, lang, limit=1) if m.score == 100]
                if matches:
                    text, origin = matches[0].target, f"memory:{matches[0].release}"
                    counts["memory"] += 1
            if text is None and conf is None:
                unmatched.append(seg.id)
                if progress is not None:
                    progress(done + 1, len(todo), seg.id)
                continue
            if text is None:
                assert conf is not None
                key = cache_key(conf.name, src_lang, lang, seg.text)
                if key in cache:
                    text = cache[key]
                    counts["cache"] += 1
                else:
                    text = normalize(translate_once(conf, seg.text, src_lang, lang))
                    counts["requests"] += 1
                    cache[key] = answers[key] = text
            pending.append(TargetSegment(id=seg.id, text=normalize(text), status="machine", source=seg.text,
                                         origin=origin, by=actor.name, at=format_time(utc_now())))
            if len(pending) >= SAVE_EVERY or time.monotonic() - last_save > SAVE_SECONDS:
                save()
            if progress is not None:
                progress(done + 1, len(todo), seg.id)
    except ExternalError as exc:
        save()
        if filled:
            raise ExternalError(exc.message, _("{saved} of {total} suggestions were saved; run the command again "
                                               "to continue").format(saved=len(filled), total=len(todo))) from None
        raise
    except BaseException:
        save()  # Ctrl-C keeps what was fetched
        raise
    save()
    return SuggestResult(release_id, lang, source_name, len(todo), tuple(filled), counts["memory"], counts["cache"],
                         counts["requests"], tuple(skipped), tuple(findings), tuple(unmatched))
