"""Generate a realistic synthetic newsroom: `python bench/generate.py N DIR`.

N releases spread over about ten years, English and Arabic sources (Arabic
text in Arabic script), histories of several events, every workflow state,
partially translated targets, machine and memory drafts, a few stale
translations.  Everything is built with the domain layer's data classes and
written through `Newsroom.write_document` (the same serialisation the CLI
uses), so `pubflow verify` accepts the result.  Deterministic for a seed.

Options: --seed S (default 1), --published (every release published, for
the build benchmark), --start YYYY-MM-DD (first date, default 2016-01-01).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from workflow.core import segments as seg  # noqa: E402
from workflow.core import snapshot  # noqa: E402
from workflow.core.config import CONFIG_NAME  # noqa: E402
from workflow.core.history import current_snapshots, record_segments, seal  # noqa: E402
from workflow.core.model import (  # noqa: E402
    Document,
    EditChanges,
    Event,
    Release,
    TargetSegment,
    format_time,
    metadata_values,
)
from workflow.editorial.scaffold import GITIGNORE, default_config  # noqa: E402
from workflow.storage import store, yamlio  # noqa: E402
from workflow.storage.newsroom import Newsroom  # noqa: E402

EN_WORDS = (
    "coalition government council office minister statement people region city province village "
    "international humanitarian committee delegation meeting agreement support aid civilians "
    "violations report investigation negotiations political transition security displaced families "
    "children schools hospitals water electricity reconstruction elections constitution detainees "
    "release justice accountability crimes ceasefire monitoring envoy united nations resolution "
    "conference partners talks responsibility protection rights independent media press official "
    "announced condemned welcomed called urged stressed confirmed demanded expressed renewed "
    "continued reviewed discussed northern southern eastern western local national regional urgent"
).split()
AR_WORDS = (
    "الائتلاف الحكومة المجلس المكتب الوزير بيان الشعب المنطقة المدينة المحافظة القرية الدولي "
    "الإنساني اللجنة الوفد اجتماع اتفاق دعم المساعدات المدنيين الانتهاكات تقرير تحقيق المفاوضات "
    "الانتقال السياسي الأمن النازحين العائلات الأطفال المدارس المستشفيات المياه الكهرباء "
    "إعادة الإعمار الانتخابات الدستور المعتقلين الإفراج العدالة المحاسبة الجرائم وقف إطلاق النار "
    "المراقبة المبعوث الأمم المتحدة القرار مؤتمر الشركاء محادثات المسؤولية الحماية الحقوق "
    "المستقل الإعلام الصحافة الرسمي أعلن أدان رحب دعا حث أكد طالب أعرب جدد واصل ناقش "
    "الشمالية الجنوبية الشرقية الغربية المحلية الوطنية الإقليمية العاجلة"
).split()
CATEGORIES = ("Coalition News", "Statements", "Human Rights", "Political", "Humanitarian", "Media")
AR_CATEGORIES = ("أخبار الائتلاف", "بيانات", "حقوق الإنسان", "سياسي", "إنساني", "إعلام")
CATEGORY_KEYS = ("coalition-news", "statements", "human-rights", "political", "humanitarian", "media")
PEOPLE = [
    {"name": "Hala Darwish", "email": "hala.darwish@example.org", "roles": ["editor", "writer"]},
    {"name": "Omar Najjar", "email": "omar.najjar@example.org", "roles": ["editor", "writer"]},
    {"name": "Sami Khoury", "email": "sami.khoury@example.org", "roles": ["writer"]},
    {"name": "Maya Haddad", "email": "maya.haddad@example.org", "roles": ["writer"]},
    {"name": "Rami Haddad", "email": "rami.haddad@example.org", "roles": ["translator:ar", "translator:en"]},
    {"name": "Nour Saleh", "email": "nour.saleh@example.org", "roles": ["translator:en"]},
    {"name": "Lina Aziz", "email": "lina.aziz@example.org", "roles": ["reviewer:ar", "translator:ar"]},
    {"name": "Karim Bitar", "email": "karim.bitar@example.org", "roles": ["reviewer:en", "translator:en"]},
]
EDITORS = ("Hala Darwish", "Omar Najjar")
WRITERS = ("Sami Khoury", "Maya Haddad", "Hala Darwish")
TRANSLATORS = {"ar": ("Rami Haddad", "Lina Aziz"), "en": ("Rami Haddad", "Nour Saleh", "Karim Bitar")}
EARLIER: list[str] = []  # recent release ids, for memory:<id> provenance
REVIEWERS = {"ar": ("Lina Aziz",), "en": ("Karim Bitar",)}


def sentence(rng: random.Random, words: tuple[str, ...] | list[str], lo: int = 8, hi: int = 18) -> str:
    text = " ".join(rng.choice(words) for _ in range(rng.randint(lo, hi)))
    return text[0].upper() + text[1:] + "." if text[0].isascii() else text + "."


def paragraph(rng: random.Random, words: tuple[str, ...] | list[str]) -> str:
    return " ".join(sentence(rng, words) for _ in range(rng.randint(2, 5)))


def fake_translation(rng: random.Random, text: str, lang: str) -> str:
    words = AR_WORDS if lang == "ar" else EN_WORDS
    n = max(3, len(text.split()))
    out = " ".join(rng.choice(words) for _ in range(n))
    return out[0].upper() + out[1:] + "." if lang != "ar" else out + "."


class Clock:
    """Event times: a release's history unfolds over the hours after its date."""

    def __init__(self, day: dt.date, rng: random.Random) -> None:
        self.now = dt.datetime(day.year, day.month, day.day, 7, 0, tzinfo=dt.UTC)
        self.rng = rng

    def tick(self) -> str:
        self.now += dt.timedelta(minutes=self.rng.randint(5, 180))
        return format_time(self.now)


ALL_STATES = ("draft", "review", "translation", "published", "retracted")


def pick_state(rng: random.Random, age_days: int, published_only: bool, left: int = 99) -> str:
    """Old releases are mostly published; recent ones in every state; the last five one of each."""
    if published_only:
        return "published"
    if left < len(ALL_STATES):
        return ALL_STATES[left]
    if age_days > 30 and left >= 30:
        return rng.choices(["published", "retracted", "draft", "translation"], [92, 3, 3, 2])[0]
    return rng.choices(["draft", "review", "translation", "published", "retracted"], [20, 20, 30, 28, 2])[0]


def make_release(rng: random.Random, index: int, day: dt.date, state: str, used: set[str]) -> Document:
    source = "ar" if rng.random() < 0.3 else "en"
    words = AR_WORDS if source == "ar" else EN_WORDS
    title = sentence(rng, words, 6, 12).rstrip(".")
    paragraphs = [paragraph(rng, words) for _ in range(rng.randint(3, 8))]
    source_line = "(المصدر: الدائرة الإعلامية)" if source == "ar" else "(Source: Media Department)"
    if source == "en":
        base = "-".join(title.lower().split()[:5])
    else:
        base = f"bayan-{index}"
    release_id = f"{day.isoformat()}-{base}"
    n = 2
    while release_id in used:
        release_id = f"{day.isoformat()}-{base}-{n}"
        n += 1
    used.add(release_id)
    EARLIER.append(release_id)
    del EARLIER[:-50]
    target = "en" if source == "ar" else "ar"
    category = rng.choice(CATEGORY_KEYS)
    embargo = None
    if rng.random() < 0.05:
        embargo = format_time(dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=dt.UTC))
    segments = tuple(seg.build(title, paragraphs, source_line))
    clock = Clock(day, rng)
    writer = rng.choice(WRITERS)
    editor = rng.choice(EDITORS)
    release = Release(id=release_id, date=day.isoformat(), category=category, source_language=source,
                      languages=(source, target), state="draft", revision=1, embargo=embargo)
    doc = Document(release, segments, {target: ()})
    doc = event(doc, clock, "create", writer, "writer", target="draft", metadata=metadata_values(release.metadata()))
    if rng.random() < 0.2:
        doc = event(doc, clock, "comment", editor, "editor", source="draft", target="draft",
                    comment="Please check the figures in the second paragraph.")
    if state == "draft":
        return finish(doc, "draft")
    doc = event(doc, clock, "transition", writer, "writer", transition="submit", source="draft", target="review")
    if rng.random() < 0.15:
        doc = event(doc, clock, "transition", editor, "editor", transition="reject", source="review",
                    target="draft", comment="Needs a source line and a shorter title.")
        doc = event(doc, clock, "transition", writer, "writer", transition="submit", source="draft",
                    target="review")
    if state == "review":
        return finish(doc, "review")
    doc = event(doc, clock, "transition", editor, "editor", transition="approve", source="review",
                target="translation")
    complete = state in ("published", "retracted")
    doc = translate(rng, doc, target, clock, complete)
    if state == "translation":
        if rng.random() < 0.1:
            doc = edit_paragraph(rng, doc, clock, editor, "translation")
        return finish(doc, "translation")
    doc = out(doc, clock, editor, "publish", "translation", "published")
    doc = replace(doc, release=replace(doc.release, published_languages=(source, target)))
    if rng.random() < 0.05:
        doc = out(doc, clock, editor, "correct", "published", "published",
                  comment="Corrected the date in the first paragraph.")
    if state == "retracted":
        carried = tuple((lang, sha) for lang, (sha, _e) in current_snapshots(doc.release.history).items())
        doc = event(doc, clock, "transition", editor, "editor", transition="retract", source="published",
                    target="retracted", comment="Issued in error; superseded by a later statement.",
                    snapshots=carried)
        return finish(doc, "retracted")
    if rng.random() < 0.02:  # a few stale translations: the source was edited after publication
        doc = edit_paragraph(rng, doc, clock, editor, "published")
    return finish(doc, "published")


def event(doc: Document, clock: Clock, kind: str, actor: str, role: str, **fields: Any) -> Document:
    sealed = seal(doc.release.history, Event(at=clock.tick(), kind=kind, actor=actor, role=role,
                                             meta=doc.metadata_hash(), content=doc.content_hash(), **fields))
    state = sealed.target or doc.release.state
    return replace(doc, release=replace(doc.release, history=(*doc.release.history, sealed), state=state))


def out(doc: Document, clock: Clock, editor: str, name: str, source: str, target: str, **fields: Any) -> Document:
    """A move that puts the text out: the snapshot of every language, named by the event."""
    taken = tuple(snapshot.take(doc, lang) for lang in doc.release.languages)
    doc = event(doc, clock, "transition", editor, "editor", transition=name, source=source, target=target,
                snapshots=tuple((s.language, s.sha256) for s in taken), **fields)
    return replace(doc, snapshots=(*doc.snapshots, *taken))


def log(doc: Document, lang: str, clock: Clock, kind: str, actor: str, segment: TargetSegment) -> Document:
    role = ("reviewer:" if kind == "reviewed" else "translator:") + lang
    doc, _event = record_segments(doc, lang, Event(
        at=clock.tick(), kind=kind, actor=actor, role=role,
        segments=((segment.id, seg.pair_hash(segment.source, segment.text)),)))
    return doc


def translate(rng: random.Random, doc: Document, lang: str, clock: Clock, complete: bool) -> Document:
    """Translations of every segment (complete) or of some (work in progress)."""
    made = []
    reviewer = rng.choice(REVIEWERS[lang])
    translator = rng.choice([t for t in TRANSLATORS[lang] if t != reviewer])
    share = 1.0 if complete else rng.random()
    for s in doc.source:
        if not complete and rng.random() > share:
            continue
        at = clock.tick()
        if complete:
            status = "approved"
        else:
            status = rng.choices(["machine", "translated", "approved"], [3, 4, 3])[0]
        memory = "memory:" + (rng.choice(EARLIER) if EARLIER else doc.release.id)
        origin = "machine:libre" if status == "machine" else rng.choice(["human", "human", memory])
        reviewed = status == "approved"
        text = fake_translation(rng, s.text, lang)
        made.append(TargetSegment(
            id=s.id, text=text, status=status, source=s.text, origin=origin,
            by=translator, at=at, reviewed_by=reviewer if reviewed else "",
            reviewed_at=clock.tick() if reviewed else "",
            approved=seg.pair_hash(s.text, text) if reviewed else "",
        ))
    doc = replace(doc, targets={lang: tuple(made)})
    for segment in made:
        doc = log(doc, lang, clock, "machine" if segment.status == "machine" else "translated", translator, segment)
        if segment.status == "approved":
            doc = log(doc, lang, clock, "reviewed", reviewer, segment)
    return doc


def edit_paragraph(rng: random.Random, doc: Document, clock: Clock, editor: str, state: str) -> Document:
    """Change one body paragraph: its translation becomes stale; an edit event records it."""
    body = [s for s in doc.source if s.id.startswith("p")]
    victim = rng.choice(body)
    words = AR_WORDS if doc.release.source_language == "ar" else EN_WORDS
    new_source = tuple(replace(s, text=s.text + " " + sentence(rng, words)) if s.id == victim.id else s
                       for s in doc.source)
    doc = replace(doc, source=new_source)
    return event(doc, clock, "edit", editor, "editor", source=state, target=state,
                 changes=EditChanges(changed=(victim.id,)))


def finish(doc: Document, state: str) -> Document:
    revision = len(doc.release.history)
    return replace(doc, release=replace(doc.release, state=state, revision=revision))


def generate(count: int, directory: Path, seed: int = 1, published_only: bool = False,
             start: dt.date = dt.date(2016, 1, 1), days: int = 3650) -> Newsroom:
    """Write a newsroom with `count` releases into `directory` (must not hold one yet)."""
    config = default_config("Syrian Coalition — Media Department")
    config["site"] = {"en": "Syrian Coalition — Media Department", "ar": "الائتلاف الوطني السوري — الدائرة الإعلامية"}
    config["people"] = PEOPLE
    config["categories"] = {key: {"en": en, "ar": ar}  # the newsroom's categories; releases store the key
                            for key, en, ar in zip(CATEGORY_KEYS, CATEGORIES, AR_CATEGORIES, strict=True)}
    if (directory / CONFIG_NAME).exists():
        raise SystemExit(f"{directory} already holds a newsroom")
    for sub in ("releases", "templates", "locales"):
        store.make_dirs(directory / sub)
    store.write_text(directory / CONFIG_NAME, yamlio.format_yaml(config))  # as `pubflow init` writes it
    store.write_text(directory / ".gitignore", GITIGNORE)
    nr = Newsroom.open(directory)
    rng = random.Random(seed)
    EARLIER.clear()
    used: set[str] = set()
    last = start + dt.timedelta(days=days)
    for index in range(count):
        day = start + dt.timedelta(days=(index * days) // max(count, 1))
        state = pick_state(rng, (last - day).days, published_only, count - 1 - index)
        nr.write_document(make_release(rng, index, day, state, used))
    return nr


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("count", type=int, help="number of releases")
    parser.add_argument("directory", type=Path, help="folder to create the newsroom in")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--published", action="store_true", help="every release published")
    parser.add_argument("--start", default="2016-01-01", help="first release date")
    args = parser.parse_args(argv)
    generate(args.count, args.directory, args.seed, args.published, dt.date.fromisoformat(args.start))
    print(f"{args.count} releases in {args.directory}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
