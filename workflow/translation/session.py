"""The interactive translation session (`pubflow translate ID --lang L`).

The loop talks to the translator only through an injectable `SessionIO`
(`ask` a line, `say` a line), so tests drive it with a list of answers and
the CLI with terminal prompts.  Each segment shows its source (and a word
diff of old -> new source when stale), memory matches with their score, a
machine suggestion when a provider is configured, and the glossary terms
found in the source.  The answer is a translation or a command:

  a        accept the suggestion (the machine suggestion, or the unconfirmed text)
  1, 2, …  accept that memory match
  k        keep the old translation of a stale segment (it still fits)
  s        skip            b  back            q  quit            ?  help
  =TEXT    save TEXT literally (for a translation that looks like a command)

What is about to be saved is checked first (`workflow.checks.check_text`),
a kept stale text against the new source too; errors ask "save anyway?".
Every saved segment goes to disk at once through `Newsroom.update`, so quitting, end of input or Ctrl-C lose nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from workflow.core.config import Person
from workflow.core.labels import severity_label, status_label
from workflow.core.model import Document
from workflow.errors import PubflowError
from workflow.i18n import N_, _, yes_no
from workflow.storage.newsroom import Newsroom
from workflow.translation.operations import (
    HUMAN,
    confirm_segments,
    render_diff,
    require_open,
    require_role,
    require_target,
    set_translation,
    word_diff,
)
from workflow.translation.queues import document_items

if TYPE_CHECKING:
    from workflow.translation.glossary import Glossary


class SessionIO(Protocol):
    def ask(self, prompt: str, prefill: str = "") -> str:
        """One line from the translator, `prefill` already typed in for editing; EOFError at the end of
        input, KeyboardInterrupt on Ctrl-C."""

    def say(self, text: str = "") -> None:
        """Show one line (or several joined by newlines)."""


class ScriptedIO:
    """Answers from a list; records what was said (for tests and scripts)."""

    def __init__(self, answers: list[str]) -> None:
        self.answers: Iterator[str] = iter(answers)
        self.lines: list[str] = []
        self.prefills: list[str] = []  # what each question had pre-filled ("" for nothing)

    def ask(self, prompt: str, prefill: str = "") -> str:
        self.lines.append(prompt + (f"[{prefill}]" if prefill else ""))
        self.prefills.append(prefill)
        try:
            return next(self.answers)
        except StopIteration:
            raise EOFError from None

    def say(self, text: str = "") -> None:
        self.lines.append(text)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)


@dataclass(frozen=True)
class Candidate:
    """A text the translator may accept with one key."""

    key: str
    text: str
    origin: str
    label: str


@dataclass(frozen=True)
class SegmentView:
    """Everything shown for one segment (pure data; `render` turns it into lines)."""

    position: int
    total: int
    segment: str
    status: str
    source: str
    text: str = ""
    old_source: str | None = None
    candidates: tuple[Candidate, ...] = ()
    terms: tuple[tuple[str, str, str], ...] = ()  # (source form, target form, note)
    notes: tuple[str, ...] = ()


@dataclass
class SessionResult:
    release: str
    language: str
    saved: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    remaining: int = 0
    quit: bool = False

    def public(self) -> dict[str, Any]:
        return {"release": self.release, "language": self.language, "saved": self.saved,
                "skipped": self.skipped, "remaining": self.remaining, "quit": self.quit}


HELP = N_("a = accept suggestion · 1,2… = accept memory match · k = keep old translation (stale) · "
          "s = skip · b = back · q = quit · =TEXT = save TEXT as typed · anything else = your translation")


def render(view: SegmentView) -> list[str]:
    """The lines shown for one segment."""
    lines = ["", f"[{view.position}/{view.total}] {view.segment} ({status_label(view.status)})"]
    if view.old_source is not None:
        lines.append(_("source changed: {diff}").format(diff=render_diff(word_diff(view.old_source, view.source))))
        lines.append(_("old translation: {text}").format(text=view.text))
    lines.append(_("source: {text}").format(text=view.source))
    if view.text and view.status not in ("stale", "machine"):
        lines.append(_("current: {text}").format(text=view.text))
    for candidate in view.candidates:
        lines.append(f"  {candidate.key}) {candidate.label}: {candidate.text}")
    for source_form, target_form, note in view.terms:
        line = _("  term: {source} → {target}").format(source=source_form, target=target_form)
        lines.append(line + (f" ({note})" if note else ""))
    lines.extend(f"  {note}" for note in view.notes)
    return lines


class Session:
    """Walks the segments of one release and language that need translation."""

    def __init__(self, nr: Newsroom, release_id: str, lang: str, actor: Person, io: SessionIO, *,
                 machine: bool = True, provider: str | None = None, url: str | None = None) -> None:
        self.nr = nr
        self.release_id = release_id
        self.lang = lang
        self.actor = actor
        self.io = io
        self.machine = machine
        self.provider = provider
        self.url = url  # a self-hosted LibreTranslate, as `suggest --url`
        self._glossary: Glossary | None = None
        self._mt_off_reason: str | None = None

    # ------------------------------------------------------------ sources of help
    def glossary(self) -> Glossary:
        if self._glossary is None:
            from workflow.translation.glossary import load_glossary

            self._glossary = load_glossary(self.nr.root, tuple(self.nr.config.languages))
        return self._glossary

    def _memory(self, source: str, source_lang: str) -> list[Candidate]:
        from workflow.translation.memory import lookup

        try:
            matches = lookup(self.nr, source, source_lang, self.lang, limit=3, exclude_release=self.release_id)
        except PubflowError as exc:
            self.io.say(_("  (memory unavailable: {error})").format(error=exc.line()))
            return []
        return [Candidate(str(i), m.target, f"memory:{m.release}",
                          _("memory {score}% {release} {segment}").format(score=m.score, release=m.release,
                                                                         segment=m.segment))
                for i, m in enumerate(matches, start=1)]

    def _suggestion(self, source: str, source_lang: str) -> tuple[Candidate | None, str | None]:
        if not self.machine or self._mt_off_reason is not None:
            return None, None
        from workflow.translation import mt

        try:
            if not mt.is_configured(self.nr) and self.provider is None and self.url is None:
                return None, None
            suggestion = mt.suggest_text(self.nr, source, source_lang, self.lang, provider=self.provider,
                                         url=self.url)
        except PubflowError as exc:
            self._mt_off_reason = exc.line()
            return None, _("machine suggestions off for this session: {error}").format(error=exc.line())
        return Candidate("a", suggestion.text, f"machine:{suggestion.provider}",
                         _("machine ({provider})").format(provider=suggestion.provider)), None

    def view(self, doc: Document, seg_id: str, position: int, total: int) -> SegmentView:
        source = doc.source_text(seg_id)
        target = doc.target(self.lang)[seg_id]
        status = target.effective_status(source)
        source_lang = doc.release.source_language
        candidates: list[Candidate] = []
        notes: list[str] = []
        if status == "machine":
            candidates.append(Candidate("a", target.text, target.origin or HUMAN,
                                        _("suggestion ({origin})").format(origin=target.origin or "?")))
        elif status in ("untranslated", "stale"):
            suggestion, note = self._suggestion(source, source_lang)
            if suggestion is not None:
                candidates.append(suggestion)
            if note:
                notes.append(note)
        candidates.extend(self._memory(source, source_lang))
        terms = tuple((t.found_in(source, source_lang) or t.preferred(source_lang), t.preferred(self.lang), t.note)
                      for t in self.glossary().terms_in(source, source_lang, self.lang))
        return SegmentView(position, total, seg_id, status, source, target.text,
                           target.source if status == "stale" else None, tuple(candidates), terms, tuple(notes))

    # ------------------------------------------------------------ the loop
    def pending_ids(self, doc: Document) -> list[str]:
        only_translation = Person(self.actor.name, self.actor.email, (f"translator:{self.lang}",))
        return [item.segment for item in document_items(doc, self.nr.config, self.lang, only_translation)]

    def run(self) -> SessionResult:
        doc = self.nr.load(self.release_id)
        require_target(doc, self.lang)
        require_role(self.actor, "translator", self.lang)
        require_open(self.nr.config, doc)
        ids = self.pending_ids(doc)
        result = SessionResult(self.release_id, self.lang)
        if not ids:
            self.io.say(_("Nothing to translate in {id} ({lang}).").format(id=self.release_id, lang=self.lang))
            return result
        self.io.say(_("{id} ({lang}): {n} segment(s) to translate. {help}").format(
            id=self.release_id, lang=self.lang, n=len(ids), help=_(HELP)))
        try:
            self._walk(ids, result)
        except KeyboardInterrupt:  # Ctrl-C: say what is on disk, then end with 130 (the CLI's handler)
            self.io.say("")
            self._summary(result)
            raise
        self._summary(result)
        return result

    def _walk(self, ids: list[str], result: SessionResult) -> None:
        index = 0
        revisit = False
        while 0 <= index < len(ids):
            seg_id = ids[index]
            doc = self.nr.load(self.release_id)
            if seg_id not in {s.id for s in doc.source}:
                self.io.say(_("{segment} was removed from the source meanwhile; moving on").format(segment=seg_id))
                index += 1
                continue
            view = self.view(doc, seg_id, index + 1, len(ids))
            for line in render(view):
                self.io.say(line)
            # Back on a segment (`b`): its text is typed in again, ready to edit.
            step = self._answer(view, result, view.text if revisit and view.status != "stale" else "")
            revisit = False
            if step == "quit":
                result.quit = True
                return
            if step == "back":
                if index == 0:
                    self.io.say(_("already at the first segment"))
                    continue
                index -= 1
                revisit = True
                self.io.say(_("back to {segment}").format(segment=ids[index]))
                continue
            if step == "skip":
                if seg_id not in result.skipped and seg_id not in result.saved:
                    result.skipped.append(seg_id)
                self.io.say(_("skipped {segment} (still {status})").format(
                    segment=seg_id, status=status_label(view.status)))
            index += 1

    def _summary(self, result: SessionResult) -> None:
        final = self.nr.load(self.release_id)
        result.remaining = len(self.pending_ids(final))
        self.io.say(_("Saved {saved}, skipped {skipped}; {remaining} segment(s) still to translate in {id} "
                      "({lang}).").format(saved=len(result.saved), skipped=len(result.skipped),
                                          remaining=result.remaining, id=self.release_id, lang=self.lang))

    def _answer(self, view: SegmentView, result: SessionResult, prefill: str = "") -> str:
        """Ask until the segment is saved, skipped, or the translator moves away."""
        keyed = {c.key: c for c in view.candidates}
        while True:
            try:
                answer = self.io.ask(f"{self.lang}> ", prefill).strip()
            except EOFError:
                return "quit"
            prefill = ""
            if answer in ("", "?"):
                self.io.say(_(HELP))
                continue
            if answer == "q":
                return "quit"
            if answer == "s":
                return "skip"
            if answer == "b":
                return "back"
            if answer == "k":
                if view.status != "stale":
                    self.io.say(_("k keeps the old translation of a stale segment; this one is {status}").format(
                        status=status_label(view.status)))
                    continue
                if not self._checked(view, view.text):  # the old text against the new source
                    continue
                confirm_segments(self.nr, self.release_id, self.lang, self.actor, view.segment)
                self._saved(view.segment, result)
                self.io.say(_("kept the old translation of {segment} (translated)").format(segment=view.segment))
                return "saved"
            if answer in keyed:
                text, origin = keyed[answer].text, keyed[answer].origin
            elif len(answer) == 1 and (answer.isdigit() or answer == "a"):
                self.io.say(_("there is no suggestion {key} here").format(key=answer))
                continue
            elif len(answer) == 1 and answer.isascii() and answer.isalpha():
                self.io.say(_("{key} is not a key here; ? shows the keys (=TEXT saves TEXT as typed)").format(
                    key=answer))
                continue
            else:
                text = answer.removeprefix("=")
                # Text identical to a suggestion keeps the suggestion's provenance.
                origin = next((c.origin for c in view.candidates if c.text == text.strip()), HUMAN)
            if not text.strip():
                self.io.say(_(HELP))
                continue
            if not self._checked(view, text):
                prefill = text
                self.io.say(_("not saved; your text is back for editing"))
                continue
            if self._save(view.segment, text, origin, result):
                return "saved"

    def _checked(self, view: SegmentView, text: str) -> bool:
        """Run the checks; on errors ask whether to save anyway."""
        from workflow.translation.checks import check_text

        doc_source_lang = self._source_lang()
        findings = check_text(self.nr.config, view.source, text, doc_source_lang, self.lang, self.glossary())
        for check_id, severity, message in findings:
            self.io.say(_("  {severity} [{check}] {message}").format(
                severity=severity_label(severity), check=check_id, message=message))
        if not any(severity == "error" for _c, severity, _m in findings):
            return True
        while True:
            try:
                again = self.io.ask(_("save anyway? [y/N] "))
            except EOFError:
                return False
            said = yes_no(again)
            if said is not None or not again.strip():
                return said is True
            self.io.say(_("Please answer y or n."))

    def _source_lang(self) -> str:
        return self.nr.load_release(self.release_id).source_language

    def _save(self, seg_id: str, text: str, origin: str, result: SessionResult) -> bool:
        saved = set_translation(self.nr, self.release_id, seg_id, self.lang, text, self.actor, origin)
        self._saved(seg_id, result)
        self.io.say(_("saved {segment} ({status})").format(segment=seg_id, status=saved.status))
        return True

    def _saved(self, seg_id: str, result: SessionResult) -> None:
        if seg_id in result.skipped:
            result.skipped.remove(seg_id)
        if seg_id not in result.saved:
            result.saved.append(seg_id)


def run_session(nr: Newsroom, release_id: str, lang: str, actor: Person, io: SessionIO, *,
                machine: bool = True, provider: str | None = None, url: str | None = None) -> SessionResult:
    """`pubflow translate`: the interactive loop over one release and language."""
    nr.config.language(lang)
    return Session(nr, release_id, lang, actor, io, machine=machine, provider=provider, url=url).run()

