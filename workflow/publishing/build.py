"""`pubflow build`: bring the output folder up to date with everything that is out.

What a bundle and a site hold is `bundles`' job; this module decides which
units to render and writes them.

The embargo is a gate on every output: a release under embargo is in no
file `build` writes.  `build` is incremental: `.pubflow/build.json` keeps, per
output unit, a hash of its inputs (release files, templates, catalogs,
configuration, this code) and the files it wrote; a unit whose inputs did not
change is not rendered again.  It also keeps, per release, the stat stamps
of its files (`workflow.storage.cache.folder_signature`; `build.json` is a
`JsonCache`) with what a build needs from them (embargo, publication times,
content hashes), so an unchanged release is not even parsed; the pages the
site index and feed show are kept in `.pubflow/build-pages.marshal`, and
compiled templates in `.pubflow/templates/`.  Deleting `.pubflow/` only
costs a full build.  A full build renders on two cores (fork; the bytes do
not depend on the split).

Outputs are derived data: each is replaced atomically (temp file +
rename, `store.write_output`) but not fsynced one by one; one `os.sync()`
makes them durable before the state that names them is written (fsynced).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow.core.model import Document, format_time, parse_time, utc_now
from workflow.errors import PubflowError
from workflow.publishing import dates, pagemodel, render
from workflow.publishing.bundles import bundle_files, sha256, site_files
from workflow.publishing.outputs import Outputs, check_writable, output_settings
from workflow.storage import cache, store

if TYPE_CHECKING:
    from workflow.storage.newsroom import Newsroom

STATE_FILE = "build.json"
PAGES_FILE = "build-pages.marshal"  # the pages of the site index and feed (derived, like build.json)
STATE_VERSION = 3  # 3: release signatures are `workflow.storage.cache.folder_signature` text
RELEASE_FILE = "release.yaml"
# The code whose change changes outputs: every module of this package (a build key covers them).
CODE = tuple(sorted(Path(__file__).parent.glob("*.py")))


# ---------------------------------------------------------------- hashing
class Inputs:
    """Content hashes of what outputs depend on, computed once per build."""

    def __init__(self, nr: Newsroom, renderer: render.Renderer, settings: Outputs) -> None:
        from workflow import i18n

        self.nr = nr
        digest = hashlib.sha256()
        digest.update(f"v{STATE_VERSION}|{settings.base_url}\n".encode())
        for path in (*CODE, nr.root / "pubflow.yaml"):
            digest.update(path.read_bytes())
        for path in renderer.input_files():
            digest.update(path.as_posix().encode())
            digest.update(sha256(path.read_bytes()).encode())
        self._base = digest.hexdigest()
        self._lang: dict[str, str] = {}
        self._i18n = i18n

    @property
    def base(self) -> str:
        return self._base

    def language(self, lang: str) -> str:
        if lang not in self._lang:
            digest = hashlib.sha256(self._base.encode())
            for path in self._i18n.catalog_files(lang, self.nr.root / "locales"):
                digest.update(path.as_posix().encode())
                digest.update(path.read_bytes())
            self._lang[lang] = digest.hexdigest()
        return self._lang[lang]

    def bundle(self, facts: Mapping[str, Any], lang: str, languages: Iterable[str]) -> str:
        """The key of one bundle: this language's inputs, the languages out, the release's files."""
        digest = hashlib.sha256(self.language(lang).encode())
        digest.update(("|".join(sorted(languages)) + "\n").encode())
        hashes = facts["hashes"]
        for name in sorted({RELEASE_FILE, f"{facts['source']}.yaml", f"{lang}.yaml"}):
            digest.update(name.encode())
            if name in hashes:
                digest.update(hashes[name].encode())
        return digest.hexdigest()


# ---------------------------------------------------------------- per-release facts (cached by stat)
def release_facts(nr: Newsroom, doc: Document) -> dict[str, Any]:
    """What `build` needs to know about a release without parsing it again:
    its embargo, source language, when each candidate language went out, and
    the content hash of each of its files (read from disk: what the key covers)."""
    rel = doc.release
    config = nr.config
    candidates = pagemodel.candidate_languages(rel, config)
    folder = nr.release_dir(rel.id)
    hashes = {}
    for name in sorted({RELEASE_FILE, f"{rel.source_language}.yaml", *(f"{c}.yaml" for c in rel.languages)}):
        try:
            hashes[name] = sha256((folder / name).read_bytes())
        except OSError:
            pass
    return {
        "embargo": rel.embargo, "source": rel.source_language,
        "moments": [[code, pagemodel.published_at(doc, config, code)] for code in candidates],
        "hashes": hashes,
    }


def _out_from_facts(facts: Mapping[str, Any], at: dt.datetime) -> list[str]:
    if facts["embargo"] and at < parse_time(facts["embargo"], "embargo"):
        return []
    return [code for code, moment in facts["moments"] if moment and parse_time(moment, "time") <= at]


# ---------------------------------------------------------------- results
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

    def public(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir), "at": self.at, "dry_run": self.dry_run,
            "written": self.written, "removed": self.removed, "unchanged": self.unchanged,
            "bundles": [str(self.out_dir / b) for b in self.bundles],
            "indexes": [str(self.out_dir / code / "index.html") for code in self.sites],
            "releases": self.out,
        }


# ---------------------------------------------------------------- build
def _state_cache(path: Path, out_dir: Path) -> cache.JsonCache[dict[str, Any]]:
    """`.pubflow/build.json`: the state of the last build into `out_dir` (another folder: none)."""

    def check(data: dict[str, Any]) -> dict[str, Any] | None:
        if data.get("out") != str(out_dir):
            return None
        for name in ("units", "releases"):
            if not isinstance(data.get(name), dict):
                data[name] = {}
        return data

    return cache.JsonCache(path, STATE_VERSION, check)


def _fresh(unit: Any, key: str, out_dir: Path) -> bool:
    if not isinstance(unit, dict) or unit.get("key") != key or not isinstance(unit.get("files"), dict):
        return False
    base = str(out_dir) + os.sep
    for name, meta in unit["files"].items():
        try:
            if os.stat(base + name).st_size != meta.get("size"):
                return False
        except (OSError, AttributeError, TypeError):
            return False
    return True


_PAGE_SCALARS = tuple(f.name for f in fields(pagemodel.Page)
                      if f.name not in ("body", "corrections", "retraction", "alternates", "missing"))


def _page_record(page: pagemodel.Page) -> list[Any]:
    """A page as plain lists (for the pages cache), read back by `_page_from_record`."""
    return [
        [getattr(page, name) for name in _PAGE_SCALARS],
        [[p.text, p.lang, p.dir] for p in page.body],
        [[n.at, n.date, n.text] for n in page.corrections],
        [page.retraction.at, page.retraction.date, page.retraction.text] if page.retraction else None,
        [[a.lang, a.name, a.href, a.dir] for a in page.alternates],
        list(page.missing),
    ]


def _frozen(cls: type[Any], **values: Any) -> Any:
    """A frozen dataclass from trusted values without running its __init__ (a rebuild makes
    thousands of pages from the cache; the values were checked when the page was made)."""
    obj = object.__new__(cls)
    obj.__dict__.update(values)
    return obj


def _page_from_record(data: Sequence[Any]) -> pagemodel.Page:
    scalars, body, corrections, retraction, alternates, missing = data
    para, notice, link = pagemodel.Para, pagemodel.Notice, pagemodel.Link
    page: pagemodel.Page = _frozen(
        pagemodel.Page, **dict(zip(_PAGE_SCALARS, scalars, strict=True)),
        body=tuple(_frozen(para, text=t, lang=la, dir=d) for t, la, d in body),
        corrections=tuple(_frozen(notice, at=a, date=d, text=t) for a, d, t in corrections),
        retraction=_frozen(notice, at=retraction[0], date=retraction[1], text=retraction[2]) if retraction else None,
        alternates=tuple(_frozen(link, lang=la, name=n, href=h, dir=d) for la, n, h, d in alternates),
        missing=tuple(missing),
    )
    return page


def _load_pages(path: Path, inputs: str) -> dict[str, Any]:
    """The pages cache: unit -> {"key", "page"}; anything unreadable is an empty cache."""
    import marshal

    try:
        data = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION or data.get("inputs") != inputs:
        return {}
    dates.remember_days(data.get("days"))
    pages = data.get("pages")
    return pages if isinstance(pages, dict) else {}


@dataclass
class _Work:
    """What one build pass over some releases produced (picklable: it crosses processes)."""

    facts: dict[str, dict[str, Any]] = field(default_factory=dict)  # release id -> facts
    units: dict[str, dict[str, Any]] = field(default_factory=dict)  # unit -> {"key"} or the reused unit
    pending: dict[str, dict[str, bytes]] = field(default_factory=dict)  # unit -> files to write
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)  # unit -> {"key", "page"}
    error: tuple[type[PubflowError], str, str | None] | None = None


@dataclass
class _Pass:
    """Everything a pass over releases needs; a forked worker inherits it."""

    nr: Newsroom
    renderer: render.Renderer
    inputs: Inputs
    settings: Outputs
    moment: dt.datetime
    target: Path
    old_units: Mapping[str, Any]
    reuse: bool  # may a unit whose key did not change be kept?
    forced: set[str]
    docs: dict[str, Document]

    def run(self, release_ids: Iterable[str]) -> _Work:
        work = _Work()
        try:
            for release_id in release_ids:
                self.one(release_id, work)
        except PubflowError as exc:
            work.error = (type(exc), exc.message, exc.hint)
        return work

    def one(self, release_id: str, work: _Work) -> None:
        doc = self.docs.get(release_id) or self.nr.load(release_id)
        facts = release_facts(self.nr, doc)
        work.facts[release_id] = facts
        langs = _out_from_facts(facts, self.moment)
        for lang in langs:
            key = self.inputs.bundle(facts, lang, langs)
            unit = f"bundle:{lang}:{release_id}"
            page = pagemodel.page_data(doc, self.nr.config, lang, base_url=self.settings.base_url, alternates=langs)
            work.pages[unit] = {"key": key, "page": _page_record(page)}
            old = self.old_units.get(unit)
            if self.reuse and release_id not in self.forced and isinstance(old, dict) and _fresh(old, key, self.target):
                work.units[unit] = old
                continue
            work.pending[unit] = bundle_files(self.renderer, page)
            work.units[unit] = {"key": key}


PARALLEL_MIN = 64  # releases to render before a second process pays for itself
_FORKED: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class _Failed:
    """A PubflowError raised in the forked child, to raise again as it was in the parent."""

    kind: type[PubflowError]
    message: str
    hint: str | None


def _call_forked(items: Any) -> Any:
    assert _FORKED is not None
    try:
        return _FORKED(items)
    except PubflowError as exc:
        return _Failed(type(exc), exc.message, exc.hint)


def _two_cores(fn: Callable[[list[Any]], Any], items: list[Any], worth: bool) -> tuple[Any, Any] | None:
    """`fn` of the first half of `items` here and of the second half in a forked child, at once;
    None when it is not `worth` it or cannot be done (one core, no fork).  The child inherits
    everything by fork, so `fn` may be a closure; only its result crosses back (pickled)."""
    global _FORKED
    import multiprocessing

    if (not worth or len(items) < 2 or (os.cpu_count() or 1) < 2
            or "fork" not in multiprocessing.get_all_start_methods()):
        return None
    half = len(items) // 2
    _FORKED = fn
    try:
        with multiprocessing.get_context("fork").Pool(1) as pool:
            child = pool.apply_async(_call_forked, (items[half:],))
            mine = fn(items[:half])
            theirs = child.get()
    finally:
        _FORKED = None
    if isinstance(theirs, _Failed):
        raise theirs.kind(theirs.message, theirs.hint)
    return mine, theirs


def _run(job: _Pass, release_ids: list[str]) -> _Work:
    """Process releases, on two cores when there are many.

    The output does not depend on how the releases were split: each unit's
    bytes come from its own inputs, and everything is written in sorted order.
    """
    halves = _two_cores(job.run, release_ids, len(release_ids) >= PARALLEL_MIN)
    if halves is None:
        return job.run(release_ids)
    mine: _Work = halves[0]
    theirs: _Work = halves[1]
    mine.facts.update(theirs.facts)
    mine.units.update(theirs.units)
    mine.pending.update(theirs.pending)
    mine.pages.update(theirs.pages)
    mine.error = mine.error or theirs.error
    return mine


def build(
    nr: Newsroom,
    *,
    at: dt.datetime | None = None,
    force: bool = False,
    force_ids: Iterable[str] = (),
    out_dir: Path | None = None,
    dry_run: bool = False,
    trial: Document | None = None,
) -> BuildResult:
    """Bring the output folder up to date with everything public at `at` (default: now).

    Renders only units whose inputs changed (all with `force`, or those of
    `force_ids`); every template is rendered before the first file is written,
    so a template error leaves the folder as it was.  With `dry_run` it only
    says what would be out at `at`.  With `trial` (a document not yet saved)
    everything is rendered as if it were on disk, and nothing is written:
    publish does this before it moves the release.

    A release whose files did not change since the last build (same stat keys,
    recorded in `.pubflow/build.json` with its embargo, publication times and
    file hashes) is not parsed at all; its pages for the site index and feed
    come from the same state.  Outputs are written with `store.write_output`
    and synced once, before the state that names them is written.
    """
    config = nr.config
    settings = output_settings(config)
    target = out_dir or settings.dir
    moment = at or utc_now()
    result = BuildResult(target, format_time(moment), dry_run=dry_run)
    renderer = render.Renderer(config, settings.base_url, config.state_dir / "templates")
    for code in config.languages:
        dates.check_language(config.languages[code])
    inputs = Inputs(nr, renderer, settings)
    incremental = out_dir is None and not force
    forced = set(force_ids) | ({trial.release.id} if trial else set())
    state_file = _state_cache(config.state_dir / STATE_FILE, target)
    old = (state_file.load() or {}) if out_dir is None else {}
    old_units: dict[str, Any] = old.get("units", {})
    pages_path = config.state_dir / PAGES_FILE
    old_pages: dict[str, Any] = _load_pages(pages_path, inputs.base) if old else {}
    cached: dict[str, Any] = old.get("releases", {}) if old.get("inputs") == inputs.base else {}
    docs: dict[str, Document] = {trial.release.id: trial} if trial else {}

    # Which releases must be parsed: those whose files changed, or whose outputs must be redone.
    racy_after = cache.racy_cutoff()
    release_ids = nr.release_ids()
    if trial and trial.release.id not in release_ids:
        release_ids = sorted([*release_ids, trial.release.id])
    sigs: dict[str, str | None] = {}
    facts: dict[str, dict[str, Any]] = {}
    units: dict[str, dict[str, Any]] = {}
    page_records: dict[str, dict[str, Any]] = {}
    dirty: list[str] = []
    for release_id in release_ids:
        sig = sigs[release_id] = cache.folder_signature(nr.release_dir(release_id), racy_after)
        entry = cached.get(release_id)
        if (sig is None or release_id in forced or not isinstance(entry, dict) or entry.get("sig") != sig
                or not isinstance(entry.get("facts"), dict)):
            dirty.append(release_id)
            continue
        known = entry["facts"]
        langs = _out_from_facts(known, moment)
        kept: dict[str, dict[str, Any]] = {}
        kept_pages: dict[str, dict[str, Any]] = {}
        for lang in langs:
            key = inputs.bundle(known, lang, langs)
            unit = f"bundle:{lang}:{release_id}"
            record = old_pages.get(unit)
            if not (incremental and _fresh(old_units.get(unit), key, target)
                    and isinstance(record, dict) and record.get("key") == key):
                break
            kept[unit], kept_pages[unit] = old_units[unit], record
        else:
            facts[release_id] = known
            units.update(kept)
            page_records.update(kept_pages)
            result.unchanged += len(kept)
            continue
        dirty.append(release_id)

    job = _Pass(nr, renderer, inputs, settings, moment, target, old_units, incremental, forced, docs)
    if dry_run:  # what is out needs the facts, nothing rendered
        for release_id in dirty:
            doc = docs.get(release_id) or nr.load(release_id)
            facts[release_id] = release_facts(nr, doc)
        pending: dict[str, dict[str, bytes]] = {}
    else:
        work = _run(job, dirty)
        if work.error:
            kind, message, hint = work.error
            raise kind(message, hint)
        facts.update(work.facts)
        pending = work.pending
        for unit, value in work.units.items():
            if "files" in value:
                result.unchanged += 1
            units[unit] = value
        page_records.update(work.pages)
    for release_id in sorted(facts):
        langs = _out_from_facts(facts[release_id], moment)
        if langs:
            result.out[release_id] = langs
    if dry_run:
        result.bundles = [f"{rid}-{code}.zip" for rid, codes in result.out.items() for code in codes]
        return result

    new_units: dict[str, dict[str, Any]] = dict(units)
    sites: list[str] = []
    for lang in config.languages:
        keys = sorted(f"{rid}:{units[f'bundle:{lang}:{rid}']['key']}"
                      for rid, langs in result.out.items() if lang in langs)
        site_key = sha256((inputs.language(lang) + "\n" + "\n".join(keys)).encode())
        names = (f"index:{lang}", f"feed:{lang}")
        if incremental and not trial and all(_fresh(old_units.get(n), site_key, target) for n in names):
            for n in names:
                new_units[n] = old_units[n]
            result.unchanged += 2
            continue
        sites.append(lang)
        for n in names:
            new_units[n] = {"key": site_key}

    def render_sites(codes: list[str]) -> dict[str, dict[str, bytes]]:
        rendered: dict[str, dict[str, bytes]] = {}
        for lang in codes:
            lang_pages = [_page_from_record(page_records[f"bundle:{lang}:{rid}"]["page"])
                          for rid, langs in result.out.items() if lang in langs]
            rendered.update(site_files(renderer, lang, lang_pages, config.languages))
        return rendered

    halves = _two_cores(render_sites, sites, len(result.out) >= 4 * PARALLEL_MIN)
    for part in halves or (render_sites(sites),):
        pending.update(part)

    if trial is not None:
        check_writable(target)
        return result
    # Everything is rendered: now write.
    if pending or any(u not in new_units for u in old_units):
        check_writable(target)
    made: set[str] = set()
    base = str(target) + os.sep
    for unit, files in sorted(pending.items()):
        for name in sorted(files):
            data = files[name]
            path = base + name
            try:
                with open(path, "rb") as fh:
                    same = fh.read() == data
            except OSError:
                same = False
            if not same:
                store.write_output(Path(path), data, made)
                result.written.append(name)
        new_units[unit]["files"] = {name: {"size": len(data), "sha256": sha256(data)} for name, data in files.items()}
    wanted = {name for unit in new_units.values() for name in unit.get("files", {})}
    for unit, meta in sorted(old_units.items()):
        if unit in new_units or not isinstance(meta, dict):
            continue
        for name in sorted(meta.get("files", {})):
            if name in wanted:
                continue
            path = target / name
            if path.is_file():
                store.remove_file(path)
                result.removed.append(name)
                store.remove_empty_dirs(path.parent, target)
    if result.written or result.removed:
        store.sync_outputs()  # durable before the state below names them
    result.sites = list(config.languages)
    for release_id, langs in result.out.items():
        result.bundles.extend(f"{release_id}-{code}.zip" for code in langs)
    if out_dir is None:
        releases = {rid: {"sig": sigs.get(rid), "facts": facts[rid]} for rid in sorted(facts)
                    if sigs.get(rid) is not None and rid not in docs}
        pages = {unit: page_records[unit] for unit in sorted(page_records) if unit in new_units}
        if pages != old_pages:
            import marshal

            store.atomic_write(pages_path, marshal.dumps(
                {"version": STATE_VERSION, "inputs": inputs.base, "pages": pages, "days": dates.known_days()}))
        state = {"version": STATE_VERSION, "out": str(target), "inputs": inputs.base,
                 "units": dict(sorted(new_units.items())), "releases": releases}
        if state != old:
            state_file.save(state, sort_keys=True)
    return result


def build_locked(nr: Newsroom, **kwargs: Any) -> BuildResult:
    """`build` under the newsroom's build lock (one builder at a time)."""
    with store.locked(nr.config.state_dir / "locks" / "build.lock"):
        return build(nr, **kwargs)
