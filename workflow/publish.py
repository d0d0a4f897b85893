"""Publishing: the `publish` transition, per-language bundles, and `build`.

A bundle is everything published for one language of one release:
`<out>/<lang>/<id>/` (index.html, release.txt, release.json, assets/) and
`<out>/<id>-<lang>.zip` holding the same files plus `manifest.json` (sizes,
sha256, release id, language, revision, publication time).  Zips are
deterministic, so a rebuild is byte-identical.  Each language also has a site
index (`<out>/<lang>/index.html`) and an Atom feed (`<out>/<lang>/feed.atom`).

The embargo is a gate on every output: a release under embargo is in no
file `build` writes.  `build` is incremental: `.pubflow/build.json` keeps, per
output unit, a hash of its inputs (release files, templates, catalogs,
configuration, this code) and the files it wrote; a unit whose inputs did not
change is not rendered again.  Deleting `.pubflow/` only costs a full build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow import render, store
from workflow.errors import InvalidData, Refused, UsageError
from workflow.i18n import _
from workflow.release import Document, Event, Release, format_time, parse_time, utc_now

if TYPE_CHECKING:
    from workflow.config import Config, Person
    from workflow.editorial import ReleaseSummary
    from workflow.newsroom import Newsroom

STATE_FILE = "build.json"
STATE_VERSION = 1
OUTPUT_KEYS = {"dir", "base_url"}


# ---------------------------------------------------------------- settings
@dataclass(frozen=True)
class Outputs:
    dir: Path
    base_url: str = ""


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
    path = Path(folder).expanduser()
    return Outputs(path if path.is_absolute() else config.root / path, base)


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


# ---------------------------------------------------------------- what is out
def _live(config: Config, state: str) -> bool:
    spec = config.workflow.states.get(state)
    return bool(spec and spec.live)


def out_languages(release: Release, config: Config, at: dt.datetime) -> list[str]:
    """Languages of `release` that are public at `at` (embargo and publication time applied)."""
    if release.embargo and at < parse_time(release.embargo, "embargo"):
        return []
    if _live(config, release.state):
        candidates = list(release.languages)
    else:  # source_first: some languages are out while the rest is translated
        candidates = [code for code in release.languages if code in release.published_languages]
    doc = Document(release, ())
    out = []
    for code in candidates:
        moment = render.published_at(doc, config, code)
        if moment and parse_time(moment, "time") <= at:
            out.append(code)
    return out


# ---------------------------------------------------------------- hashing
def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Inputs:
    """Content hashes of what outputs depend on, computed once per build."""

    def __init__(self, nr: Newsroom, renderer: render.Renderer, settings: Outputs) -> None:
        from workflow import i18n

        self.nr = nr
        digest = hashlib.sha256()
        digest.update(f"v{STATE_VERSION}|{settings.base_url}\n".encode())
        for path in (Path(render.__file__), Path(__file__), nr.root / "pubflow.yaml"):
            digest.update(path.read_bytes())
        for path in renderer.input_files():
            digest.update(path.as_posix().encode())
            digest.update(_sha(path.read_bytes()).encode())
        self._base = digest.hexdigest()
        self._lang: dict[str, str] = {}
        self._i18n = i18n

    def language(self, lang: str) -> str:
        if lang not in self._lang:
            digest = hashlib.sha256(self._base.encode())
            for path in self._i18n.catalog_files(lang, self.nr.root / "locales"):
                digest.update(path.as_posix().encode())
                digest.update(path.read_bytes())
            self._lang[lang] = digest.hexdigest()
        return self._lang[lang]

    def bundle(self, release: Release, lang: str, languages: Iterable[str]) -> str:
        digest = hashlib.sha256(self.language(lang).encode())
        digest.update(("|".join(sorted(languages)) + "\n").encode())
        folder = self.nr.release_dir(release.id)
        for name in sorted({"release.yaml", f"{release.source_language}.yaml", f"{lang}.yaml"}):
            path = folder / name
            digest.update(name.encode())
            if path.is_file():
                digest.update(path.read_bytes())
        return digest.hexdigest()


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


@dataclass(frozen=True)
class PublishResult:
    release: ReleaseSummary
    languages: list[str]  # languages published by this command
    event: Event | None  # None when the release was already published (rebuild)
    build: BuildResult


# ---------------------------------------------------------------- rendering units
def manifest(page: render.Page, files: Mapping[str, bytes]) -> bytes:
    return render.to_json({
        "release": page.id, "language": page.lang, "revision": page.revision,
        "published": page.published or None, "updated": page.updated or None, "url": page.url or None,
        "files": [{"path": name, "size": len(files[name]), "sha256": _sha(files[name])} for name in sorted(files)],
    })


def bundle_files(renderer: render.Renderer, page: render.Page) -> dict[str, bytes]:
    """Paths relative to the output folder -> bytes, for one language of one release."""
    rendered = render.render_release(renderer, page)
    folder = f"{page.lang}/{page.id}/"
    files = {folder + name: data for name, data in rendered.files.items()}
    archive = dict(rendered.files)
    archive["manifest.json"] = manifest(page, rendered.files)
    files[f"{page.id}-{page.lang}.zip"] = store.zip_bytes(archive)
    return files


def _sort_pages(pages: Iterable[render.Page]) -> list[render.Page]:
    return sorted(pages, key=lambda p: (p.published, p.date, p.id), reverse=True)


def site_files(renderer: render.Renderer, lang: str, pages: Iterable[render.Page],
               languages: Iterable[str]) -> dict[str, dict[str, bytes]]:
    ordered = _sort_pages(pages)
    return {
        f"index:{lang}": {
            f"{lang}/index.html": renderer.index_page(lang, ordered, languages).encode("utf-8"),
            f"{lang}/{render.STYLESHEET}": renderer.asset(render.STYLESHEET),
        },
        f"feed:{lang}": {f"{lang}/feed.atom": renderer.feed(lang, ordered).encode("utf-8")},
    }


# ---------------------------------------------------------------- build
def _load_state(path: Path, out_dir: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION or data.get("out") != str(out_dir):
        return {}
    units = data.get("units")
    return units if isinstance(units, dict) else {}


def _fresh(unit: Any, key: str, out_dir: Path) -> bool:
    if not isinstance(unit, dict) or unit.get("key") != key or not isinstance(unit.get("files"), dict):
        return False
    for name, meta in unit["files"].items():
        try:
            if (out_dir / name).stat().st_size != meta.get("size"):
                return False
        except (OSError, AttributeError):
            return False
    return True


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
    """
    config = nr.config
    settings = output_settings(config)
    target = out_dir or settings.dir
    moment = at or utc_now()
    result = BuildResult(target, format_time(moment), dry_run=dry_run)
    renderer = render.Renderer(config, settings.base_url)
    for code in config.languages:
        render.check_language(config.languages[code])
    inputs = Inputs(nr, renderer, settings)
    incremental = out_dir is None and not force
    forced = set(force_ids) | ({trial.release.id} if trial else set())
    state_path = config.state_dir / STATE_FILE
    old_units = _load_state(state_path, target) if out_dir is None else {}

    docs: dict[str, Document] = {trial.release.id: trial} if trial else {}

    def document(release_id: str) -> Document:
        if release_id not in docs:
            docs[release_id] = nr.load(release_id)
        return docs[release_id]

    releases: dict[str, Release] = {}
    for release_id in nr.release_ids():
        releases[release_id] = docs[release_id].release if release_id in docs else nr.load_release(release_id)
    for release_id in sorted(releases):
        langs = out_languages(releases[release_id], config, moment)
        if langs:
            result.out[release_id] = langs
    if dry_run:
        result.bundles = [f"{rid}-{code}.zip" for rid, codes in result.out.items() for code in codes]
        return result

    pages: dict[tuple[str, str], render.Page] = {}

    def page(release_id: str, lang: str) -> render.Page:
        if (release_id, lang) not in pages:
            pages[(release_id, lang)] = render.page_data(
                document(release_id), config, lang, base_url=settings.base_url,
                alternates=result.out[release_id])
        return pages[(release_id, lang)]

    new_units: dict[str, dict[str, Any]] = {}
    pending: dict[str, dict[str, bytes]] = {}  # unit -> files to write
    keys_by_lang: dict[str, list[str]] = {code: [] for code in config.languages}
    for release_id, langs in result.out.items():
        for lang in langs:
            key = inputs.bundle(releases[release_id], lang, langs)
            keys_by_lang.setdefault(lang, []).append(f"{release_id}:{key}")
            unit = f"bundle:{lang}:{release_id}"
            if incremental and release_id not in forced and _fresh(old_units.get(unit), key, target):
                new_units[unit] = old_units[unit]
                result.unchanged += 1
                continue
            pending[unit] = bundle_files(renderer, page(release_id, lang))
            new_units[unit] = {"key": key}
    for lang in config.languages:
        site_key = _sha((inputs.language(lang) + "\n" + "\n".join(sorted(keys_by_lang[lang]))).encode())
        names = (f"index:{lang}", f"feed:{lang}")
        if incremental and not trial and all(_fresh(old_units.get(n), site_key, target) for n in names):
            for n in names:
                new_units[n] = old_units[n]
            result.unchanged += 2
            continue
        lang_pages = [page(rid, lang) for rid, langs in result.out.items() if lang in langs]
        for name, files in site_files(renderer, lang, lang_pages, config.languages).items():
            pending[name] = files
            new_units[name] = {"key": site_key}

    if trial is not None:
        check_writable(target)
        return result
    # Everything is rendered: now write.
    if pending or any(u not in new_units for u in old_units):
        check_writable(target)
    for unit, files in sorted(pending.items()):
        for name in sorted(files):
            data = files[name]
            path = target / name
            try:
                same = path.read_bytes() == data
            except OSError:
                same = False
            if not same:
                store.atomic_write(path, data)
                result.written.append(name)
        new_units[unit]["files"] = {name: {"size": len(data), "sha256": _sha(data)} for name, data in files.items()}
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
    result.sites = list(config.languages)
    for release_id, langs in result.out.items():
        result.bundles.extend(f"{release_id}-{code}.zip" for code in langs)
    if out_dir is None:
        state = {"version": STATE_VERSION, "out": str(target), "units": dict(sorted(new_units.items()))}
        text = json.dumps(state, sort_keys=True, indent=1) + "\n"
        try:
            unchanged = state_path.read_text("utf-8") == text
        except OSError:
            unchanged = False
        if not unchanged:
            store.write_text(state_path, text)
    return result


def build_locked(nr: Newsroom, **kwargs: Any) -> BuildResult:
    """`build` under the newsroom's build lock (one builder at a time)."""
    with store.locked(nr.config.state_dir / "locks" / "build.lock"):
        return build(nr, **kwargs)


# ---------------------------------------------------------------- publish
def _publish_change(
    nr: Newsroom, actor: Person, lang: str | None, comment: str | None, now: dt.datetime,
) -> Callable[[Document], tuple[Document, tuple[Event, list[str]]]]:
    """The pure change `publish` makes to a release (transition or one language going out)."""
    from workflow.editorial import record
    from workflow.guards import GUARDS, GuardContext
    from workflow.machine import check_transition

    config = nr.config
    text = comment.strip() if comment and comment.strip() else None

    def change(doc: Document) -> tuple[Document, tuple[Event, list[str]]]:
        rel = doc.release
        if lang is not None and lang not in rel.languages:
            raise UsageError(_("{id} has no language {lang!r}").format(id=rel.id, lang=lang),
                             _("its languages: {codes}").format(codes=", ".join(rel.languages)))
        out = [code for code in rel.languages if code in rel.published_languages]
        remaining = [code for code in rel.languages if code not in out]
        going = [lang] if lang is not None else remaining
        last = lang is None or remaining == [lang]
        decision = check_transition(
            config.workflow, rel.state, "publish", actor.name, actor.roles, text, GUARDS,
            GuardContext(doc, config, now, (lang,) if lang else ()),
        )
        published = tuple(code for code in rel.languages if code in out or code in going)
        if last:
            new_doc, event = record(doc, Event(
                at=format_time(now), kind="transition", actor=actor.name, role=decision.role,
                transition="publish", source=decision.source, target=decision.target,
                language=lang, comment=text, content=doc.content_hash()))
            new_rel = replace(new_doc.release, state=decision.target, published_languages=published)
        else:
            new_doc, event = record(doc, Event(
                at=format_time(now), kind="release", actor=actor.name, role=decision.role,
                transition="publish", source=rel.state, target=rel.state, language=lang, comment=text,
                content=doc.content_hash()))
            new_rel = replace(new_doc.release, published_languages=published)
        return replace(new_doc, release=new_rel), (event, going)

    return change


def publish_release(
    nr: Newsroom, release_id: str, actor: Person, *, lang: str | None = None,
    comment: str | None = None, now: dt.datetime | None = None,
) -> PublishResult:
    """Run `publish` with its guards, then write the bundles, index and feed.

    On an already published release this is a rebuild of its bundles.  With
    `lang` (needs `publish_policy: source_first`) one language goes out while
    the release stays in translation; the last language completes the move.
    Pages are rendered and the output folder checked BEFORE the move, so a
    template error or an unwritable folder leaves the release unpublished.
    """
    from workflow.editorial import summarize

    config = nr.config
    now = now or utc_now()
    if lang is not None:
        config.language(lang)
    doc = nr.load(release_id)
    output_settings(config)
    if _live(config, doc.release.state):
        if lang is not None and lang not in doc.release.languages:
            raise UsageError(_("{id} has no language {lang!r}").format(id=release_id, lang=lang))
        result = build_locked(nr, at=now, force_ids={release_id})
        return PublishResult(summarize(nr, doc), [], None, result)
    if lang is not None and config.publish_policy != "source_first":
        raise Refused(
            _("this newsroom publishes every language at once (publish_policy: all_at_once)"),
            _("drop --lang, or set publish_policy: source_first in pubflow.yaml"))
    if lang is not None and lang in doc.release.published_languages:
        result = build_locked(nr, at=now, force_ids={release_id})
        return PublishResult(summarize(nr, doc), [], None, result)
    change = _publish_change(nr, actor, lang, comment, now)
    # First in memory: guards, every page rendered, the folder checked; then the move.
    trial, _unused = change(doc)
    with store.locked(config.state_dir / "locks" / "build.lock"):
        build(nr, at=now, trial=trial)
        event, going = nr.update(release_id, change)
        result = build(nr, at=now, force_ids={release_id})
    after = nr.load(release_id)
    return PublishResult(summarize(nr, after), going, event, result)


# ---------------------------------------------------------------- render / preview
@dataclass(frozen=True)
class RenderResult:
    out_dir: Path
    files: list[str]
    missing: dict[str, list[str]]  # language -> segments shown in the source language


def render_files(nr: Newsroom, release_id: str, langs: Iterable[str] | None = None,
                 ) -> tuple[dict[str, bytes], dict[str, list[str]]]:
    """Every page of one release, whatever its state, as `<lang>/<id>/...` -> bytes (no writes)."""
    config = nr.config
    settings = output_settings(config)
    doc = nr.load(release_id)
    codes = list(langs) if langs else list(doc.release.languages)
    for code in codes:
        config.language(code)
        if code not in doc.release.languages:
            raise UsageError(_("{id} has no language {lang!r}").format(id=release_id, lang=code),
                             _("its languages: {codes}").format(codes=", ".join(doc.release.languages)))
    renderer = render.Renderer(config, settings.base_url)
    files: dict[str, bytes] = {}
    missing: dict[str, list[str]] = {}
    for code in codes:
        page = render.page_data(doc, config, code, base_url=settings.base_url,
                                alternates=doc.release.languages, allow_missing=True)
        if page.missing:
            missing[code] = list(page.missing)
        for name, data in render.render_release(renderer, page).files.items():
            files[f"{code}/{release_id}/{name}"] = data
        site = site_files(renderer, code, [page], doc.release.languages)
        for unit in site.values():
            files.update(unit)
    return files, missing


def render_release_to(nr: Newsroom, release_id: str, langs: Iterable[str] | None = None,
                      out_dir: Path | None = None) -> RenderResult:
    """`pubflow render`: write one release's pages for a look before publishing."""
    files, missing = render_files(nr, release_id, langs)
    target = out_dir or nr.config.state_dir / "render"
    check_writable(target)
    for name in sorted(files):
        store.atomic_write(target / name, files[name])
    return RenderResult(target, sorted(files), missing)
