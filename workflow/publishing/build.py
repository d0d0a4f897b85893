"""`pubflow build`: bring the output folder up to date with everything that is out.

One build is three steps over typed state (`Job` is what is fixed for the build):

  plan    `plan`: which output units the last build left usable (`buildstate`); a
          release whose files did not change since (same stat stamps) is not parsed
          at all, its facts and pages come from the state.
  render  `render_releases`: the bundles of the other releases (page models from
          `pagemodel`, files from `bundles`); `plan_sites` + `render_sites`: the site
          index and feed of each language whose list changed.  On two cores when
          there are many (`workers`; the bytes do not depend on the split).
  write   `stage` + `Staged.commit`: every file whose bytes differ (staged to temp files on
          two cores when there are many: either half failing takes back both halves' temps),
          outputs no unit claims any more removed, one `os.sync()`; then `save` records the
          state that names them.

Everything is rendered before the first file is written, so a template error
leaves the folder as it was.  `dry_run` (`build --at`) stops after the plan
and says what is out; `trial` (publish, before it moves a release) stops
before writing.

The embargo is a gate on every output: a release under embargo is in no file
`build` writes.  Which languages are out and from when is decided by
`pagemodel.candidate_languages` and `pagemodel.published_at` (kept per release
as `buildstate.Facts`); the text they publish is the snapshot the latest event
named for each language (`workflow.core.snapshot`), never the working files.
A unit's key covers everything its bytes depend on (`Inputs`: release.yaml,
the snapshot, templates, catalogs, configuration, this package's code), so a
translation saved on a published release renders nothing.

Integrity is a gate too: a release that is not what its histories recorded
(`workflow.core.integrity`; plus what the caller knows, e.g. git) gets nothing
written, its previous outputs stay as they were, and it is reported
(`BuildResult.skipped`, exit 5); so is a release that cannot be rendered (exit 4).
Every other release still builds; `--force` re-renders, it overrides nothing.

`stage=True` (publish, correct, retract) writes every changed output to a
temporary file beside its target and stops: `Staged.commit()` then swaps them
all in (after the caller recorded the event), `Staged.discard()` takes them
back, so a failed write leaves neither the event nor any output.

Outputs are derived data: each is replaced atomically (temp file + rename,
`store.write_output`) but not fsynced one by one; one `os.sync()` makes them
durable before the state that names them is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, overload

from workflow import i18n
from workflow.core.history import current_snapshots
from workflow.core.integrity import ERROR, Problem, Stored, release_problems
from workflow.core.model import Document, format_time, utc_now
from workflow.core.snapshot import FOLDER as SNAPSHOTS
from workflow.core.snapshot import file_name
from workflow.editorial.verify import gate_line
from workflow.errors import INVALID_DATA, REFUSED, InvalidData, PubflowError
from workflow.i18n import _
from workflow.publishing import outheads, workers
from workflow.publishing.buildstate import VERSION as STATE_VERSION
from workflow.publishing.buildstate import (
    BuildState,
    CachedPage,
    Facts,
    FileMeta,
    KnownRelease,
    PageRecord,
    Unit,
    page_from_record,
    page_record,
    pages_cache,
    pages_json,
    record_order,
    state_cache,
)
from workflow.publishing.bundles import archive_pages, bundle_files, sha256, sorted_site_files
from workflow.publishing.dates import check_language
from workflow.publishing.outheads import Head
from workflow.publishing.outputs import Outputs, check_not_live, check_writable, output_settings
from workflow.publishing.pagemodel import Page, candidate_languages, page_data, published_at
from workflow.publishing.render import Renderer, TemplateProblem
from workflow.storage import parsecache, store
from workflow.storage.cache import folder_signature, racy_cutoff

if TYPE_CHECKING:
    from workflow.storage.newsroom import Newsroom

HISTORY_KEY = "history"  # Facts.hashes: the events that named snapshots, and the embargo
PARALLEL_MIN = 64  # releases to render before a second process pays for itself
SITE_PARALLEL_MIN = 8  # site pages (index, archive pages, feeds) to render before it does
# The code whose change changes outputs: every module of this package (a build key covers them).
CODE = tuple(sorted(Path(__file__).parent.glob("*.py")))


# ---------------------------------------------------------------- keys
class Inputs:
    """Content hashes of what outputs depend on, computed once per build."""

    def __init__(self, nr: Newsroom, renderer: Renderer, settings: Outputs) -> None:
        self.nr = nr
        digest = hashlib.sha256()
        digest.update(f"v{STATE_VERSION}|{settings.base_url}\n".encode())
        for path in (*CODE, nr.root / "pubflow.yaml"):
            digest.update(path.read_bytes())
        for path in renderer.input_files():
            digest.update(path.as_posix().encode())
            digest.update(sha256(path.read_bytes()).encode())
        if settings.pdf:  # the PDFs also depend on the engine, the fonts it embeds and the logo
            from workflow.publishing import pdf

            digest.update(pdf.engine_key().encode())
            if settings.letterhead.logo is not None:
                digest.update(sha256(settings.letterhead.logo.read_bytes()).encode())
        self.base = digest.hexdigest()
        self._lang: dict[str, str] = {}

    def language(self, lang: str) -> str:
        """The key of everything one language's outputs share (base + its catalogs)."""
        if lang not in self._lang:
            digest = hashlib.sha256(self.base.encode())
            for path in i18n.catalog_files(lang, self.nr.root / "locales"):
                digest.update(path.as_posix().encode())
                digest.update(path.read_bytes())
            self._lang[lang] = digest.hexdigest()
        return self._lang[lang]

    def bundle(self, facts: Facts, lang: str, languages: Iterable[str]) -> str:
        """The key of one bundle: this language's inputs, the languages out, the events that decide
        its pages (times, notices, embargo) and the snapshot that is out (the working text is no input)."""
        digest = hashlib.sha256(self.language(lang).encode())
        digest.update(("|".join(sorted(languages)) + "\n").encode())
        for name in (HISTORY_KEY, f"snapshot:{lang}"):
            digest.update(name.encode())
            if name in facts.hashes:
                digest.update(facts.hashes[name].encode())
        return digest.hexdigest()

    def site(self, lang: str, bundle_keys: Iterable[str]) -> str:
        """The key of a language's site index and feed: its inputs and the bundles they list."""
        return sha256((self.language(lang) + "\n" + "\n".join(bundle_keys)).encode())


def release_facts(nr: Newsroom, doc: Document) -> Facts:
    """What `build` needs to know about a release without parsing it again: its embargo,
    source language, when each candidate language went out, the sha256 of the snapshot each
    language has out, and a hash of the events that decide what its pages show (those that
    named snapshots: publication times, notices, the tombstone) with the embargo.  A comment,
    a translation or an edit of the working text changes none of them: nothing is rendered."""
    rel = doc.release
    hashes = {f"snapshot:{lang}": sha for lang, (sha, _event) in current_snapshots(rel.history).items()}
    moving = "\n".join(e.hash for e in rel.history if e.snapshots) + f"\n{rel.embargo or ''}"
    hashes[HISTORY_KEY] = sha256(moving.encode("utf-8"))
    moments = [[code, published_at(doc, nr.config, code)] for code in candidate_languages(rel, nr.config)]
    return Facts(rel.embargo, rel.source_language, moments, hashes)


# ---------------------------------------------------------------- results
@dataclass(frozen=True)
class Skipped:
    """A release `build` wrote nothing for, and why (its previous outputs stay)."""

    release: str
    reason: str  # one line
    exit_code: int  # 5: not what its history recorded; 4: could not be rendered

    def public(self) -> dict[str, Any]:
        return {"release": self.release, "reason": self.reason, "exit_code": self.exit_code}


@dataclass
class BuildResult:
    out_dir: Path
    at: str
    written: list[str] = field(default_factory=list)  # paths relative to out_dir
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0  # output units whose inputs did not change
    bundles: list[str] = field(default_factory=list)  # zip paths relative to out_dir
    out: dict[str, list[str]] = field(default_factory=dict)  # release id -> languages out
    sites: list[str] = field(default_factory=list)  # languages with a site index
    dry_run: bool = False
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0, or the worst of the skipped releases' codes (integrity 5 over rendering 4)."""
        return max((s.exit_code for s in self.skipped), default=0)

    def public(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir), "at": self.at, "dry_run": self.dry_run,
            "written": self.written, "removed": self.removed, "unchanged": self.unchanged,
            "bundles": [str(self.out_dir / b) for b in self.bundles],
            "indexes": [str(self.out_dir / code / "index.html") for code in self.sites],
            "releases": self.out, "skipped": [s.public() for s in self.skipped],
        }


# ---------------------------------------------------------------- typed state of one build
@dataclass(frozen=True)
class Job:
    """What is fixed for one build (a forked worker inherits it)."""

    nr: Newsroom
    settings: Outputs
    target: Path  # the output folder
    moment: dt.datetime  # what is out at this time is built
    renderer: Renderer
    inputs: Inputs
    incremental: bool  # may a unit whose key did not change be kept?
    forced: frozenset[str]  # releases rendered again whatever their keys
    docs: Mapping[str, Document]  # documents not read from disk (publish's trial)
    keep_state: bool  # the default output folder: read and write `.pubflow/build*`
    known_problems: Mapping[str, Sequence[Problem]] = field(default_factory=dict)  # e.g. git's, per release
    heads: Mapping[str, Head] = field(default_factory=dict)  # where histories stood when they went out (`outheads`)

    @property
    def trial(self) -> bool:
        return bool(self.docs)

    def document(self, release_id: str) -> Document:
        return self.docs.get(release_id) or self.nr.load(release_id)

    def stored(self, release_id: str) -> Stored:
        """The release with its snapshots; a trial document with the snapshots it is about to store."""
        doc = self.docs.get(release_id)
        if doc is None:
            return self.nr.stored(release_id)
        good, bad = self.nr.read_snapshots(release_id)
        good.update((snap.file_name, snap) for snap in doc.snapshots)
        return Stored(doc, (), good, bad)


@dataclass
class Plan:
    """What the last build left usable, and which releases must be parsed again."""

    old: BuildState | None
    old_pages: dict[str, CachedPage]
    sigs: dict[str, str | None]  # release id -> stat stamps of its files (None: not trusted)
    facts: dict[str, Facts] = field(default_factory=dict)  # releases kept without parsing
    units: dict[str, Unit] = field(default_factory=dict)  # their units, all fresh
    pages: dict[str, CachedPage] = field(default_factory=dict)  # their pages
    dirty: list[str] = field(default_factory=list)  # releases to parse (and render what changed)

    @property
    def old_units(self) -> Mapping[str, Unit]:
        return self.old.units if self.old else {}


@dataclass
class Rendered:
    """What rendering some releases produced (picklable: it crosses processes)."""

    facts: dict[str, Facts] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)  # a kept unit (with files) or a new one (key only)
    files: dict[str, dict[str, bytes]] = field(default_factory=dict)  # unit -> files to write
    pages: dict[str, CachedPage] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    heads: dict[str, Head] = field(default_factory=dict)  # release -> its last event, for what is written

    def merge(self, other: Rendered) -> Rendered:
        self.facts.update(other.facts)
        self.heads.update(other.heads)
        self.units.update(other.units)
        self.files.update(other.files)
        self.pages.update(other.pages)
        self.skipped.extend(other.skipped)
        return self


UNTRUSTED = "?"  # the signature remembered for a release whose files were racy: never equal to a real one


def _bundle_unit(lang: str, release_id: str) -> str:
    return f"bundle:{lang}:{release_id}"


# ---------------------------------------------------------------- 1. plan
def plan(job: Job) -> Plan:
    """Read the last build's state and keep every release whose files and outputs did not change."""
    state_dir = job.nr.config.state_dir
    old = state_cache(state_dir, job.target).load() if job.keep_state else None
    old_pages = (pages_cache(state_dir, job.inputs.base).load() or {}) if old is not None else {}
    known = old.releases if old is not None and old.inputs == job.inputs.base else {}
    result = Plan(old, old_pages, {})
    cutoff = racy_cutoff()
    release_ids = job.nr.release_ids()
    extra = [rid for rid in job.docs if rid not in release_ids]
    if extra:
        release_ids = sorted([*release_ids, *extra])
    for release_id in release_ids:
        sig = result.sigs[release_id] = release_signature(job.nr, release_id, cutoff)
        entry = known.get(release_id)
        if (sig is None or release_id in job.forced or entry is None or entry.sig != sig
                or release_id in job.known_problems):
            result.dirty.append(release_id)
            continue
        langs = entry.facts.out_at(job.moment)
        kept_units: dict[str, Unit] = {}
        kept_pages: dict[str, CachedPage] = {}
        for lang in langs:
            key = job.inputs.bundle(entry.facts, lang, langs)
            unit = _bundle_unit(lang, release_id)
            old_unit, page = result.old_units.get(unit), old_pages.get(unit)
            if not (job.incremental and old_unit is not None and old_unit.fresh(key, job.target)
                    and page is not None and page["key"] == key):
                result.dirty.append(release_id)
                break
            kept_units[unit], kept_pages[unit] = old_unit, page
        else:
            result.facts[release_id] = entry.facts
            result.units.update(kept_units)
            result.pages.update(kept_pages)
    return result


def release_signature(nr: Newsroom, release_id: str, cutoff: int) -> str | None:
    """The stat stamps of a release's files and of its snapshots (a hand edit of either is seen);
    None when they cannot be trusted."""
    folder = nr.release_dir(release_id)
    files, snapshots = folder_signature(folder, cutoff), folder_signature(folder / SNAPSHOTS, cutoff)
    return None if files is None or snapshots is None else f"{files}#{snapshots}"


# ---------------------------------------------------------------- 2. render
def _render_release(job: Job, old_units: Mapping[str, Unit], release_id: str, out: Rendered) -> None:
    """Check one release, then render the bundles of the languages it has out, from their snapshots."""
    try:
        stored = job.stored(release_id)
    except PubflowError as exc:
        out.skipped.append(Skipped(release_id, exc.line(), INVALID_DATA))
        return
    problems = [*job.known_problems.get(release_id, ()), *outheads.problems(job.heads, stored.doc),
                *(p for p in release_problems(job.nr.config, stored, utc_now()) if p.severity == ERROR)]
    if problems and release_id not in job.docs:
        out.skipped.append(Skipped(release_id, gate_line(release_id, problems), INVALID_DATA))
        return
    doc = stored.doc
    facts = release_facts(job.nr, doc)
    langs = facts.out_at(job.moment)
    rendered: dict[str, tuple[Unit, CachedPage, dict[str, bytes] | None]] = {}
    try:
        for lang in langs:
            key = job.inputs.bundle(facts, lang, langs)
            unit = _bundle_unit(lang, release_id)
            sha = facts.hashes.get(f"snapshot:{lang}")
            snap = stored.snapshots.get(file_name(lang, sha)) if sha else None
            if snap is None:
                raise InvalidData(_("{id}: {lang} is out, but no snapshot of its text is recorded").format(
                    id=release_id, lang=lang), _("run `pubflow migrate`; see `pubflow verify`"))
            page = page_data(doc, job.nr.config, lang, base_url=job.settings.base_url, alternates=langs,
                             snapshot=snap, translations=job.renderer.catalog(lang))
            old = old_units.get(unit)
            if job.incremental and release_id not in job.forced and old is not None and old.fresh(key, job.target):
                rendered[unit] = (old, {"key": key, "page": page_record(page)}, None)
                continue
            written = bundle_files(job.renderer, page, job.settings)
            rendered[unit] = (Unit(key), {"key": key, "page": page_record(page)}, written)
    except TemplateProblem:
        raise  # the templates are broken for every release: nothing is built
    except PubflowError as exc:
        if release_id in job.docs:
            raise
        out.skipped.append(Skipped(release_id, exc.line(), REFUSED))
        return
    out.facts[release_id] = facts
    head = Head.of(doc)
    if langs and head is not None:
        out.heads[release_id] = head
    for unit, (kept, page_, files) in rendered.items():
        out.units[unit] = kept
        out.pages[unit] = page_
        if files is not None:
            out.files[unit] = files


def _keep_skipped(skipped: Sequence[Skipped], old_units: Mapping[str, Unit], old_pages: Mapping[str, CachedPage],
                  units: dict[str, Unit], pages: dict[str, CachedPage], out: dict[str, list[str]]) -> None:
    """A skipped release keeps the outputs (and index and feed entries) the last build gave it."""
    for item in skipped:
        langs = []
        for lang in sorted({name.split(":")[1] for name in old_units
                            if name.startswith("bundle:") and name.endswith(f":{item.release}")}):
            unit = _bundle_unit(lang, item.release)
            if old_units[unit].files is not None and unit in old_pages:
                units[unit], pages[unit] = old_units[unit], old_pages[unit]
                langs.append(lang)
        if langs:
            out[item.release] = langs


def render_releases(job: Job, old_units: Mapping[str, Unit], release_ids: list[str]) -> Rendered:
    """Parse `release_ids` and render the bundles whose keys changed (two cores when many)."""

    def run(ids: list[str]) -> Rendered:
        out = Rendered()
        for release_id in ids:
            _render_release(job, old_units, release_id, out)
        if job.nr.parsed is not None:
            job.nr.parsed.flush()  # each process keeps what it parsed
        return out

    halves = workers.two_cores(run, release_ids, len(release_ids) >= PARALLEL_MIN)
    return run(release_ids) if halves is None else halves[0].merge(halves[1])


def plan_sites(job: Job, old_units: Mapping[str, Unit], units: Mapping[str, Unit],
               out: Mapping[str, list[str]], pages: Mapping[str, CachedPage],
               ) -> tuple[dict[str, Unit], dict[str, list[str]]]:
    """The site units of every language (index, archive pages, feed), and per language the units
    to render (those whose releases changed; on a trial too: what it stages is committed).  Each
    unit's key covers only the bundles it lists: the index and the feed the newest, an archive page its own slice, so a
    new release renders the index, the feed and the last archive page, not the whole archive."""
    size, feed_size = job.settings.page_size, job.settings.feed_size
    site_units: dict[str, Unit] = {}
    todo: dict[str, list[str]] = {}
    for lang in job.nr.config.languages:
        ordered = sorted(((record_order(pages[_bundle_unit(lang, rid)]["page"]), rid)
                          for rid, codes in out.items() if lang in codes), reverse=True)
        keys = [f"{rid}:{units[_bundle_unit(lang, rid)].key}" for _order, rid in ordered]
        total = archive_pages(len(keys), size)
        wanted = {f"index:{lang}": [f"index {size} {total}", *keys[:size]],
                  f"feed:{lang}": [f"feed {feed_size}", *keys[:feed_size]]}
        oldest_first = keys[::-1]
        for number in range(1, total + 1):
            # Every archive page says "page n of total" and links by the total: its key holds it.
            wanted[f"archive:{lang}:{number}"] = [f"archive {size} {number} {total}",
                                                 *oldest_first[(number - 1) * size:number * size]]
        for name, parts in wanted.items():
            key = job.inputs.site(lang, parts)
            old = old_units.get(name)
            if job.incremental and old is not None and old.fresh(key, job.target):
                site_units[name] = old
                continue
            site_units[name] = Unit(key)
            todo.setdefault(lang, []).append(name)
    return site_units, todo


class _LazyPages(Sequence[Page]):
    """Pages in order, each made from its cached record when a unit shows it: a correction renders
    an index, a feed and an archive page, not the pages of every release."""

    def __init__(self, records: list[PageRecord]) -> None:
        self._records = records
        self._made: dict[int, Page] = {}

    def __len__(self) -> int:
        return len(self._records)

    @overload
    def __getitem__(self, index: int) -> Page: ...

    @overload
    def __getitem__(self, index: slice) -> list[Page]: ...

    def __getitem__(self, index: int | slice) -> Page | list[Page]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self._records)))]
        if index < 0:
            index += len(self._records)
        if not 0 <= index < len(self._records):
            raise IndexError(index)
        page = self._made.get(index)
        if page is None:
            page = self._made[index] = page_from_record(self._records[index])
        return page


def render_sites(job: Job, todo: Mapping[str, list[str]], pages: Mapping[str, CachedPage],
                 out: Mapping[str, list[str]]) -> dict[str, dict[str, bytes]]:
    """The site units `todo` names (per language), from the pages of every bundle that is out."""
    languages = job.nr.config.languages
    langs = list(todo)

    def run(codes: list[str]) -> dict[str, dict[str, bytes]]:
        rendered: dict[str, dict[str, bytes]] = {}
        for lang in codes:
            records = [pages[_bundle_unit(lang, rid)]["page"] for rid, out_langs in out.items() if lang in out_langs]
            records.sort(key=record_order, reverse=True)  # the order `bundles.sort_pages` gives
            rendered.update(sorted_site_files(job.renderer, lang, _LazyPages(records), languages,
                                              job.settings.page_size, job.settings.feed_size, only=todo[lang]))
        return rendered

    # A second process pays for itself only for many pages (a full build), not for the few pages
    # a correction changes (the fork of a large process costs more than rendering them).
    worth = len(out) >= 4 * PARALLEL_MIN and sum(len(names) for names in todo.values()) >= SITE_PARALLEL_MIN
    halves = workers.two_cores(run, langs, worth)
    if halves is None:
        return run(langs)
    return {**halves[0], **halves[1]}


# ---------------------------------------------------------------- 3. write
def _inside(name: str) -> bool:
    """Is `name` (from the build state) a path inside the output folder?  Only such files
    are ever removed, whatever a damaged or planted state names."""
    parts = name.split("/")
    return bool(name) and not name.startswith("/") and "\\" not in name and ".." not in parts and "" not in parts


@dataclass
class Staged:
    """A build rendered and written to temporary files, not yet swapped in (see `stage`)."""

    job: Job
    planned: Plan
    result: BuildResult
    units: dict[str, Unit]  # every unit, with the files it has once committed
    facts: dict[str, Facts]
    pages: dict[str, CachedPage]
    temps: list[tuple[str, Path]] = field(default_factory=list)  # (temp file, the output it replaces)
    removals: list[str] = field(default_factory=list)  # outputs no unit claims any more
    marker: Path | None = None  # exists while temps may lie in the output folder (see `_writing_marker`)
    heads: dict[str, Head] = field(default_factory=dict)  # recorded once the outputs are swapped in

    def commit(self) -> BuildResult:
        """Swap every staged output in, remove what no unit claims, sync once, record the state."""
        target = self.job.target
        try:
            for tmp, path in self.temps:
                store.commit_output(tmp, path)
        finally:
            for tmp, _path in self.temps:
                store.discard_output(tmp)  # any not swapped in
        for name in self.removals:
            path = target / name
            if path.is_file():
                store.remove_file(path, fence=target)
                self.result.removed.append(name)
                store.remove_empty_dirs(path.parent, target)
        if self.result.written or self.result.removed:
            store.sync_outputs()  # durable before the state below names them
        self._unmark()
        self.result.sites = list(self.job.nr.config.languages)
        for release_id, langs in self.result.out.items():
            self.result.bundles.extend(f"{release_id}-{code}.zip" for code in langs)
        if self.job.keep_state:
            save(self.job, self.planned, self.units, self.facts, self.pages)
            outheads.record(self.job.nr.config.state_dir, self.heads)
        return self.result

    def discard(self) -> None:
        for tmp, _path in self.temps:
            store.discard_output(tmp)
        self.temps = []
        self._unmark()

    def _unmark(self) -> None:
        if self.marker is not None:
            store.remove_file(self.marker)
            self.marker = None


@dataclass
class _Written:
    """What staging some units wrote (picklable: it crosses processes)."""

    temps: list[tuple[str, Path]] = field(default_factory=list)  # (temp file, the output it replaces)
    written: list[str] = field(default_factory=list)  # outputs whose bytes changed
    files: dict[str, dict[str, FileMeta]] = field(default_factory=dict)  # unit -> its files

    def discard(self) -> None:
        for tmp, _path in self.temps:
            store.discard_output(tmp)
        self.temps = []


def _same_file(path: str, data: bytes) -> bool:
    """Does the regular file `path` hold `data`?  A link, a FIFO (whose open would wait forever) or a
    device is never read: it is replaced by a regular file."""
    import stat

    try:
        info = os.lstat(path)
        if not stat.S_ISREG(info.st_mode) or info.st_size != len(data):
            return False
        with open(path, "rb") as fh:
            return fh.read() == data
    except OSError:
        return False


def _writing_marker(job: Job) -> Path:
    """A file that exists while a build may have temp files in its output folder (under the build lock):
    found by the next build, it means a build was killed there, and the temps are swept."""
    key = hashlib.sha256(str(job.target).encode("utf-8")).hexdigest()[:16]
    return job.nr.config.state_dir / f"build-writing-{key}"


def stage(job: Job, planned: Plan, units: Mapping[str, Unit], files: Mapping[str, Mapping[str, bytes]],
          facts: dict[str, Facts], pages: dict[str, CachedPage], result: BuildResult) -> Staged:
    """Write every output whose bytes changed to a temp file beside it (nothing replaced yet), and
    list the outputs no unit claims any more.  On any failure the temps written so far are removed."""
    target = job.target
    old_units = planned.old_units
    marker = _writing_marker(job)
    if marker.exists():  # the last build here was killed while writing: its temp files are stale
        store.remove_temps_below(target)
    if files or any(name not in units for name in old_units):
        if target.is_relative_to(job.nr.root):
            store.confine(target, job.nr.root)  # a dist/ linked out of the newsroom is not written through
        check_writable(target)
        # Every folder written to or removed from, checked before the first write: a dist/en linked
        # elsewhere refuses the build with one line and leaves the folder as it was.
        folders = {os.path.dirname(name) for unit_files in files.values() for name in unit_files}
        folders |= {os.path.dirname(name) for unit, old in old_units.items() if unit not in units
                    for name in old.files or () if _inside(name)}
        for folder in sorted(folders):
            store.confine(target / folder, target)
        store.write_text(marker, str(target))
    done = dict(units)
    staged = Staged(job, planned, result, done, facts, pages, marker=marker)
    base = str(target) + os.sep

    def write(part: list[tuple[str, Mapping[str, bytes]]]) -> _Written:
        """Stage the files of some units (in this process or a forked one); on any failure the
        temps written so far are removed."""
        out = _Written()
        made: set[str] = set()
        try:
            for unit, unit_files in part:
                for name in sorted(unit_files):
                    data = unit_files[name]
                    where = base + name
                    if not _same_file(where, data):
                        path = Path(where)
                        out.temps.append((store.stage_output(path, data, made, fence=target), path))
                        out.written.append(name)
                out.files[unit] = {name: {"size": len(data), "sha256": sha256(data)}
                                   for name, data in unit_files.items()}
        except BaseException:
            out.discard()
            raise
        return out

    todo = sorted(files.items())
    parallel = len(todo) >= PARALLEL_MIN
    try:
        halves = workers.two_cores(write, todo, parallel, undo=_Written.discard)
        parts = (write(todo),) if halves is None else halves
    except BaseException:
        # Each half took back its own temps and the other's; a child stopped by an interrupt may
        # have left some: this build holds the output folder's lock, every temp there is ours.
        if parallel:
            store.remove_temps_below(target)
        staged.discard()
        raise
    for part in parts:
        staged.temps += part.temps
        result.written += part.written
        for unit, metas in part.files.items():
            done[unit] = Unit(units[unit].key, metas)
    wanted = {name for unit in done.values() for name in unit.files or ()}
    for unit, old in sorted(old_units.items()):
        if unit in done:
            continue
        staged.removals += [name for name in sorted(old.files or ()) if name not in wanted and _inside(name)]
    return staged


def save(job: Job, planned: Plan, units: dict[str, Unit], facts: Mapping[str, Facts],
         pages: Mapping[str, CachedPage]) -> None:
    """Record what this build knows for the next one (only what changed is written)."""
    state_dir = job.nr.config.state_dir
    kept_pages = {unit: page for unit, page in pages.items() if unit in units}
    if kept_pages != planned.old_pages:
        pages_cache(state_dir, job.inputs.base).save(pages_json(job.inputs.base, kept_pages))
    releases = {}
    for release_id, release_facts_ in facts.items():
        sig = planned.sigs.get(release_id)
        if release_id not in job.docs:
            # Facts of a release whose files were racy are kept too (read again next time: UNTRUSTED
            # equals no signature), so a release unreadable then still has its outputs kept.
            releases[release_id] = KnownRelease(UNTRUSTED if sig is None else sig, release_facts_)
    state = BuildState(str(job.target), job.inputs.base, units, releases)
    if state != planned.old:
        state_cache(state_dir, job.target).save(state.to_json())


# ---------------------------------------------------------------- build
def build(
    nr: Newsroom,
    *,
    at: dt.datetime | None = None,
    force: bool = False,
    force_ids: Iterable[str] = (),
    out_dir: Path | None = None,
    dry_run: bool = False,
    trial: Document | None = None,
    known_problems: Mapping[str, Sequence[Problem]] | None = None,
) -> BuildResult:
    """Bring the output folder up to date with everything public at `at` (default: now).

    Renders only units whose inputs changed (all with `force`, or those of
    `force_ids`); every output is written to a temp file before the first one
    replaces what was there, so a template error or a write that fails (disk
    full) leaves the folder as it was.  With `dry_run` it only says what would
    be out at `at`.  With `trial` (a document not yet saved) everything is
    rendered as if it were on disk, and nothing is written.  With `out_dir`
    everything is rendered into that folder and the build state is neither
    read nor written.  `known_problems` (per release, e.g. git's) keep a
    release out like its own integrity problems do (`BuildResult.skipped`).
    """
    staged = stage_build(nr, at=at, force=force, force_ids=force_ids, out_dir=out_dir, dry_run=dry_run,
                         trial=trial, known_problems=known_problems)
    if isinstance(staged, BuildResult):
        return staged
    return staged.commit()


def stage_build(
    nr: Newsroom,
    *,
    at: dt.datetime | None = None,
    force: bool = False,
    force_ids: Iterable[str] = (),
    out_dir: Path | None = None,
    dry_run: bool = False,
    trial: Document | None = None,
    known_problems: Mapping[str, Sequence[Problem]] | None = None,
) -> Staged | BuildResult:
    """`build` up to the swap: a `Staged` build (commit or discard it), or the result of a
    dry run."""
    config = nr.config
    if parsecache.enabled():
        nr.use_parse_cache()  # a file an earlier build parsed (the same bytes) is not parsed again
    if out_dir is not None:
        store.check_output_path(out_dir, folder=True)
        check_not_live(config, out_dir)
    settings = output_settings(config)
    renderer = Renderer(config, settings.base_url, config.state_dir / "templates",
                        contact=settings.letterhead.contact)
    for code in config.languages:
        check_language(config.languages[code])
    job = Job(
        nr, settings, out_dir or settings.dir, at or utc_now(), renderer, Inputs(nr, renderer, settings),
        incremental=out_dir is None and not force,
        forced=frozenset(force_ids) | ({trial.release.id} if trial else frozenset()),
        docs={trial.release.id: trial} if trial else {},
        keep_state=out_dir is None,
        known_problems=dict(known_problems or {}),
        heads=outheads.load(config.state_dir),
    )
    result = BuildResult(job.target, format_time(job.moment), dry_run=dry_run)

    planned = plan(job)
    facts, units, pages = dict(planned.facts), dict(planned.units), dict(planned.pages)
    files: dict[str, dict[str, bytes]] = {}
    heads: dict[str, Head] = {}
    if dry_run:  # what is out needs the facts, nothing rendered
        for release_id in planned.dirty:
            facts[release_id] = release_facts(nr, job.document(release_id))
    else:
        rendered = render_releases(job, planned.old_units, planned.dirty)
        facts.update(rendered.facts)
        units.update(rendered.units)
        pages.update(rendered.pages)
        files = rendered.files
        heads = rendered.heads
        result.skipped = sorted(rendered.skipped, key=lambda s: s.release)
    for release_id in sorted(facts):
        langs = facts[release_id].out_at(job.moment)
        if langs:
            result.out[release_id] = langs
    if not dry_run:
        _keep_skipped(result.skipped, planned.old_units, planned.old_pages, units, pages, result.out)
        site_units, site_todo = plan_sites(job, planned.old_units, units, result.out, pages)
        units.update(site_units)
        files.update(render_sites(job, site_todo, pages, result.out))
    result.unchanged = sum(1 for unit in units.values() if unit.files is not None)
    if dry_run:
        result.bundles = [f"{rid}-{code}.zip" for rid, codes in result.out.items() for code in codes]
        return result
    staged = stage(job, planned, units, files, facts, pages, result)
    staged.heads = heads
    return staged


def build_locked(nr: Newsroom, **kwargs: Any) -> BuildResult:
    """`build` under the newsroom's build lock (one builder at a time)."""
    with store.locked(build_lock(nr)):
        return build(nr, **kwargs)


def build_lock(nr: Newsroom) -> Path:
    return nr.config.state_dir / "locks" / "build.lock"
