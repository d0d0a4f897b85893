"""`pubflow edit ID --lang L`: repair the source language of a draft.

An Arabic text imported as English (or the reverse) is a draft whose source
file is labelled with the wrong language.  Changing the label keeps the text,
its segment ids and the history; the release's languages stay the same set
(the new source language first).  Translations:

* into a language that stays a target language they are kept: they translate
  the same text, which did not change;
* into the new source language they cannot stay (a release has no
  translation into its own source language): when there are any, the change
  is refused unless `discard` (--discard-translations) says to drop them;
  the result and the event's comment say how many were dropped;
* the old source language becomes a target language with nothing translated.

The new language must fit the text (the same script rule as `pubflow new`).
Drafts only (the workflow's initial state); writers and editors only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from workflow.core.config import Person
from workflow.core.history import record
from workflow.core.model import Document, EditChanges, Event, format_time, metadata_values, utc_now
from workflow.core.summary import ReleaseSummary, summarize
from workflow.editorial.actors import may_write, writing_role
from workflow.editorial.create import require_fit
from workflow.errors import Refused
from workflow.i18n import _, ngettext
from workflow.storage.newsroom import Newsroom


@dataclass(frozen=True)
class LanguageResult:
    release: ReleaseSummary
    old: str  # the source language before
    new: str  # the source language now
    discarded: int  # translations into the new source language that were dropped
    event: Event | None  # None: it already was `new`

    def public(self) -> dict[str, object]:
        return {"release": self.release.public(), "from": self.old, "to": self.new, "discarded": self.discarded,
                "event": self.event.public() if self.event else None}


def set_source_language(nr: Newsroom, release_id: str, actor: Person, lang: str, *, discard: bool = False,
                        now: dt.datetime | None = None) -> LanguageResult:
    """Relabel the source text of draft `release_id` as language `lang`."""
    now = now or utc_now()
    nr.config.language(lang)
    if not may_write(actor):
        raise Refused(_("{actor} may not edit the source: it needs the role writer or editor").format(
            actor=actor.name), _("ask a writer or an editor"))
    initial = nr.config.workflow.initial

    def change(doc: Document) -> tuple[Document, LanguageResult]:
        rel = doc.release
        if rel.source_language == lang:
            return doc, LanguageResult(summarize(doc), lang, lang, 0, None)
        if rel.state != initial:
            raise Refused(_("{id} is {state}: only a release in {initial} can change its source language").format(
                id=rel.id, state=rel.state, initial=initial),
                _("`pubflow reject` sends a release in review back to {initial}").format(initial=initial))
        require_fit(nr.config, "\n".join(s.text for s in doc.source), lang, detect_hint=False)
        dropped = [t for t in doc.targets.get(lang, ()) if t.text.strip()]
        if dropped and not discard:
            raise Refused(
                ngettext("{id} has {n} translation into {lang}, which would become its source language",
                         "{id} has {n} translations into {lang}, which would become its source language",
                         len(dropped)).format(id=rel.id, n=len(dropped), lang=lang),
                _("pass --discard-translations to drop them"))
        languages = (lang, *(code for code in rel.languages if code != lang))
        targets = {code: doc.targets.get(code, ()) for code in languages[1:] if code != rel.source_language}
        targets[rel.source_language] = ()
        new_doc = replace(doc, release=replace(rel, source_language=lang, languages=languages),
                          targets={code: targets[code] for code in languages[1:]},
                          logs={code: log for code, log in doc.logs.items() if code in languages[1:]})
        new_doc, event = record(new_doc, Event(
            at=format_time(now), kind="edit", actor=actor.name, role=writing_role(actor), source=rel.state,
            target=rel.state, content=new_doc.content_hash(),
            metadata=metadata_values({"source_language": lang, "languages": list(languages)}),
            changes=EditChanges(language=(rel.source_language, lang), dropped=len(dropped))))
        return new_doc, LanguageResult(summarize(new_doc), rel.source_language, lang, len(dropped), event)

    return nr.update(release_id, change)
