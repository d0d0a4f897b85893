"""A newsroom on disk: where releases live, how they are read and saved.

`Newsroom.update` is the one read-modify-write path: it takes the release's
lock, re-reads every file under it, applies a pure function, checks the
revision the caller expected, and writes only the files that changed.
After a successful `create` or `update` the newsroom's after-write hooks
(`nr.after_write`, see `workflow.storage.hooks`) receive what was written;
`Newsroom.delete` removes a release folder in one step and tells them too.

Every command works on the releases it can read: a folder under releases/
that is not a complete release (no release.yaml: made by hand, or left by
an older pubflow killed mid-`new`) is not one of `release_ids()`, and a
release whose files cannot be read is left out of `documents()`; each is
recorded once in `nr.problems` (release id -> one line) for the caller to
show as a warning, and `verify` reports them.  `create` is all-or-nothing:
the files are written in a staging folder that is renamed into place.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from workflow.core.config import Config
from workflow.core.integrity import Stored
from workflow.core.model import (
    ID_RE,
    Document,
    Event,
    Release,
    TargetSegment,
    check_release_id,
    log_from_dict,
    release_from_dict,
    source_from_dict,
    source_to_dict,
    target_from_dict,
    target_to_dict,
)
from workflow.core.segments import SourceSegment
from workflow.core.snapshot import FOLDER as SNAPSHOTS
from workflow.core.snapshot import Snapshot, file_name, snapshot_from_dict
from workflow.core.textrules import unsafe_text
from workflow.errors import Conflict, InvalidData, NotFound, PubflowError, UsageError
from workflow.i18n import _
from workflow.storage import limits, store, yamlio
from workflow.storage.config_file import find_root, load_config
from workflow.storage.hooks import Action, AfterWriteHooks, Written

if TYPE_CHECKING:
    from workflow.storage.parsecache import ParseCache

RELEASE_FILE = "release.yaml"
T = TypeVar("T")
# Bidi overrides force a display order and can make a title or a history
# comment read differently from what is stored ("Trojan Source"): refused.
# Marks (RLM/LRM, U+200F/U+200E) and isolates are legitimate and kept.


class Newsroom:
    """A loaded configuration plus the paths of everything in the newsroom."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.root = config.root
        self._prefix = os.path.join(self.root, "")  # `_rel` strips it
        self.after_write = AfterWriteHooks()  # called after each successful create/update/delete
        self.parsed: ParseCache | None = None  # `use_parse_cache`: parsed YAML kept by content (.pubflow/)
        # Releases left out of a listing because they cannot be read: id -> one line (shown as warnings).
        self.problems: dict[str, str] = {}

    @classmethod
    def open(cls, root: str | Path | None = None) -> Newsroom:
        return cls(load_config(find_root(root)))

    # ------------------------------------------------------------ layout
    @property
    def releases_dir(self) -> Path:
        return self.root / "releases"

    def release_dir(self, release_id: str) -> Path:
        return self.releases_dir / check_release_id(release_id)

    def lock_path(self, release_id: str) -> Path:
        # Checked here too: a lock is taken before anything is read, and an id
        # such as ../../x must not create files outside .pubflow/locks.
        return self.config.state_dir / "locks" / f"{check_release_id(release_id)}.lock"

    def release_file_mentions(self, release_id: str, needle: bytes) -> bool:
        """Whether `needle` may occur in the release's release.yaml (no YAML parsed): a cheap
        pre-filter where a word must appear for a release to matter (a `schedule` event).  True
        when the bytes hold it, or a backslash (a YAML escape, "\\x73chedule", may spell it)."""
        from workflow.storage import limits

        try:  # bounded: a FIFO or /dev/zero in its place is no hang
            raw = limits.read_regular(self.release_dir(release_id) / RELEASE_FILE, limits.YAML_BYTES)
            return needle in raw or b"\\" in raw
        except (OSError, PubflowError):
            return True  # unreadable here: let the caller load it and report

    def release_ids(self) -> list[str]:
        """Ids of every complete release folder, sorted (oldest date first).

        A folder without release.yaml (and no transaction to finish) is left
        out and recorded in `problems`.
        """
        ids: list[str] = []
        for name in self.release_folders():
            folder = os.path.join(self.releases_dir, name)
            if os.path.isfile(os.path.join(folder, RELEASE_FILE)) or store.pending(Path(folder)):
                ids.append(name)
            else:
                self.problems[name] = incomplete_line(name)
        return ids

    def release_folders(self) -> list[str]:
        """Names of the folders under releases/ that look like release ids (complete or not), sorted."""
        try:
            entries = os.scandir(self.releases_dir)
        except (FileNotFoundError, NotADirectoryError):
            return []
        except OSError as exc:
            raise InvalidData(_("cannot read {path}: {error}").format(path="releases/", error=exc.strerror),
                              _("check the folder's permissions")) from None
        with entries:
            return sorted(e.name for e in entries if ID_RE.match(e.name) and _is_dir(e))

    def exists(self, release_id: str) -> bool:
        return (self.release_dir(release_id) / RELEASE_FILE).is_file()

    # ------------------------------------------------------------ reading
    def use_parse_cache(self) -> ParseCache:
        """Read release files through the parse cache (`storage.parsecache`) from now on; call
        `self.parsed.flush()` to keep what was parsed.  The cache is keyed by the bytes read, so
        what is returned is what parsing those bytes gives."""
        if self.parsed is None:
            from workflow.storage.parsecache import ParseCache  # the build's: not on every command's start

            self.parsed = ParseCache(self.config.state_dir)
        return self.parsed

    def _yaml(self, path: Path | str, where: str) -> object:
        """`yamlio.read`, through the parse cache when it is on."""
        if self.parsed is None:
            return yamlio.read(path, where)
        raw = limits.read_regular(path, yamlio.MAX_BYTES, where)
        # A file reached through a link may lie outside the newsroom: its data is not copied into .pubflow/.
        return self.parsed.parse(raw, where, keep=store.no_link_below(path, self.root))

    def _read(self, path: Path | str) -> object:
        try:
            return self._yaml(path, self._rel(path))
        except FileNotFoundError:
            raise InvalidData(_("{path} is missing").format(path=self._rel(path)),
                              _("restore it from git")) from None

    def _rel(self, path: Path | str) -> str:
        text = os.fspath(path)
        prefix = self._prefix
        return text[len(prefix):] if text.startswith(prefix) else text

    def load_release(self, release_id: str) -> Release:
        folder = os.fspath(self.release_dir(release_id))
        store.confine(folder, self.root)  # a release folder linked out of the newsroom is neither read nor written
        if os.path.exists(os.path.join(folder, store.JOURNAL)):  # a writer was killed mid-transaction: finish it
            with store.locked(self.lock_path(release_id)):
                store.recover(Path(folder))
        path = os.path.join(folder, RELEASE_FILE)
        where = self._rel(path)
        try:
            data = self._yaml(path, where)
        except FileNotFoundError:
            raise NotFound(_("no release {id!r}").format(id=release_id), _("see `pubflow list` for the ids")) from None
        except UsageError:  # release.yaml is a folder: as if there were no release
            raise NotFound(_("no release {id!r}").format(id=release_id), _("see `pubflow list` for the ids")) from None
        except InvalidData:
            if not os.path.isdir(folder):  # releases/<id> is a file ("not a directory"): no release either
                raise NotFound(_("no release {id!r}").format(id=release_id),
                               _("see `pubflow list` for the ids")) from None
            raise
        release = release_from_dict(data, where)
        if release.id != release_id:
            raise InvalidData(_("{path}: id {id!r} does not match its folder").format(
                path=where, id=release.id), _("rename the folder or fix the id"))
        for code in release.languages:
            if code not in self.config.languages:
                raise InvalidData(_("{path}: language {code!r} is not configured in pubflow.yaml").format(
                    path=where, code=code))
        return release

    def load(self, release_id: str) -> Document:
        release = self.load_release(release_id)
        folder = os.fspath(self.release_dir(release_id))
        src_path = os.path.join(folder, f"{release.source_language}.yaml")
        source = source_from_dict(self._read(src_path), self._rel(src_path), release_id, release.source_language)
        targets: dict[str, tuple[TargetSegment, ...]] = {}
        logs: dict[str, tuple[Event, ...]] = {}
        for code in release.targets:
            path = os.path.join(folder, f"{code}.yaml")
            where = self._rel(path)
            try:
                data = self._yaml(path, where)
            except FileNotFoundError:
                targets[code] = ()  # not started yet
                continue
            except UsageError:  # <code>.yaml is a folder: as if it were not there
                targets[code] = ()
                continue
            targets[code] = target_from_dict(data, where, release_id, code)
            logs[code] = log_from_dict(data, where)
        return Document(release, source, targets, logs)

    # ------------------------------------------------------------ snapshots
    def snapshot_dir(self, release_id: str) -> Path:
        return self.release_dir(release_id) / SNAPSHOTS

    def snapshot(self, release_id: str, lang: str, sha: str) -> Snapshot:
        """The snapshot `sha` of `lang`, read and checked against its hash (InvalidData if not)."""
        path = self.snapshot_dir(release_id) / file_name(lang, sha)
        where = self._rel(path)
        if not path.is_file():
            raise InvalidData(_("{path} is missing").format(path=where), _("restore it from git"))
        snap = snapshot_from_dict(self._read(path), where)
        if snap.sha256 != sha or snap.release != release_id or snap.language != lang:
            raise InvalidData(_("{path} does not match the hash its release recorded").format(path=where),
                              _("restore it from git; see `pubflow verify`"))
        return snap

    def read_snapshots(self, release_id: str) -> tuple[dict[str, Snapshot], dict[str, str]]:
        """Every snapshot file of a release (file name -> snapshot), and those that cannot be read (-> why)."""
        folder = self.snapshot_dir(release_id)
        good: dict[str, Snapshot] = {}
        bad: dict[str, str] = {}
        try:
            names = sorted(e.name for e in os.scandir(folder) if e.name.endswith(".yaml"))
        except (FileNotFoundError, NotADirectoryError):
            return good, bad
        for name in names:
            path = folder / name
            try:
                good[name] = snapshot_from_dict(self._read(path), self._rel(path))
            except InvalidData as exc:
                bad[name] = exc.line()
        return good, bad

    def stored(self, release_id: str) -> Stored:
        """A release with everything `verify` compares: files missing, snapshot files."""
        doc = self.load(release_id)
        folder = self.release_dir(release_id)
        missing = tuple(code for code in doc.release.targets if not (folder / f"{code}.yaml").is_file())
        good, bad = self.read_snapshots(release_id)
        return Stored(doc, missing, good, bad)

    def documents(self) -> Iterator[Document]:
        """Every release that can be read; the others are recorded in `problems` and left out."""
        for release_id in self.release_ids():
            try:
                doc = self.load(release_id)
            except (InvalidData, NotFound) as exc:
                self.problems[release_id] = exc.line()
                continue
            yield doc

    # ------------------------------------------------------------ writing
    def write_document(self, doc: Document, before: Document | None = None, folder: Path | None = None
                       ) -> list[Path]:
        """Write the files of `doc` that differ from `before` (all if None), in its folder or `folder`."""
        if folder is None:
            folder = self.release_dir(doc.release.id)
            store.confine(folder, self.root)
        store.make_dirs(folder)
        files: dict[Path, bytes] = {}
        rel = doc.release
        if before is not None and before.release.source_language != rel.source_language:
            before = None  # relabelled (`edit --lang`): every language file changes its role
        if before is None or before.source != doc.source:
            path = folder / f"{rel.source_language}.yaml"
            files[path] = _yaml_bytes(source_to_dict(rel.id, rel.source_language, doc.source))
        for code in rel.targets:
            segs = doc.targets.get(code, ())
            log = doc.log(code)
            if before is None or before.targets.get(code, ()) != segs or before.log(code) != log:
                path = folder / f"{code}.yaml"
                files[path] = _yaml_bytes(target_to_dict(rel.id, code, _ordered(doc.source, segs), log))
        # release.yaml last: its revision says the rest is complete.
        if before is None or before.release != rel:
            files[folder / RELEASE_FILE] = _yaml_bytes(rel.to_dict())
        # Snapshots first (content-addressed, immutable): an event may only name a file that exists.
        made: list[Path] = []
        for snap in doc.snapshots:
            path = folder / SNAPSHOTS / snap.file_name
            if path.is_file():
                continue
            store.atomic_write(path, _yaml_bytes(snap.to_dict()))
            made.append(path)
        try:
            store.write_files(files)  # one transaction: after a crash, all old or all new
        except BaseException:
            for path in made:  # nothing names them: take them back
                store.remove_file(path)
            raise
        return [*made, *files]

    def create(self, doc: Document, action: Action | None = None) -> None:
        """Write a brand-new release, all or nothing; refuses to overwrite an existing one.

        The files are written in a staging folder (`releases/.<id>.pubflow-tmp`)
        that is renamed into place once complete: a kill or a full disk leaves
        no release folder at all, and the staging folder is swept by the next
        `new`.  An empty folder of that name (or one holding only temp files) is
        replaced; any other is refused.
        """
        release_id = doc.release.id
        with store.locked(self.lock_path(release_id)):
            if self.exists(release_id):
                raise Conflict(_("release {id!r} already exists").format(id=release_id),
                               _("choose another title or pass --slug"))
            _refuse_unsafe_text(None, doc)
            store.confine(self.releases_dir, self.root)
            store.make_dirs(self.releases_dir)
            self._sweep_staging(release_id)
            staging = self.releases_dir / f".{release_id}{store.TMP_SUFFIX}"
            final = self.release_dir(release_id)
            try:
                written = self.write_document(doc, folder=staging)
                store.place_folder(staging, final)
            except BaseException:
                store.remove_stale_temps(self.releases_dir, only=staging.name)
                raise
            files = [final / path.relative_to(staging) for path in written]
            self.after_write(Written(release_id, tuple(files), None, doc, action))

    def _sweep_staging(self, release_id: str) -> None:
        """Remove staging folders a killed `new` left (call under the lock of `release_id`).

        Another release's staging folder is removed only if its lock is free
        (no `new` of that release is running now).
        """
        suffix = store.TMP_SUFFIX
        try:
            with os.scandir(self.releases_dir) as entries:
                stale = [e.name[1:-len(suffix)] for e in entries
                         if e.name.startswith(".") and e.name.endswith(suffix) and ID_RE.match(e.name[1:-len(suffix)])]
        except OSError:
            return
        for other in stale:
            try:
                with store.locked(self.lock_path(other), timeout=0):
                    store.remove_stale_temps(self.releases_dir, only=f".{other}{suffix}")
            except Conflict:
                continue

    @staticmethod
    def require_revision(doc: Document, expected_revision: int) -> None:
        """Conflict unless `doc` is still at the revision the caller read (a form shown earlier)."""
        if doc.release.revision != expected_revision:
            raise Conflict(
                _("release {id} changed while you worked (revision {theirs}, you had {ours})").format(
                    id=doc.release.id, theirs=doc.release.revision, ours=expected_revision),
                _("run the command again"),
            )

    def update(
        self,
        release_id: str,
        change: Callable[[Document], tuple[Document, T]],
        expected_revision: int | None = None,
        action: Action | None = None,
    ) -> T:
        """Lock, re-read, apply `change`, bump the revision, write what changed.

        When something was written, the after-write hooks get it (still under
        the lock); `action` describes changes that append no event (e.g. a
        translation) for them.
        """
        with store.locked(self.lock_path(release_id)):
            folder = self.release_dir(release_id)
            store.confine(folder, self.root)
            store.recover(folder)
            before = self.load(release_id)
            if before.release.state not in self.config.workflow.states:
                # A state written by hand or by another workflow: every change would mean guessing.
                raise InvalidData(
                    _("{id}: state {state!r} is not in the workflow (states: {states})").format(
                        id=release_id, state=before.release.state,
                        states=", ".join(self.config.workflow.states)),
                    _("restore release.yaml from git, or add the state to pubflow.yaml"))
            if expected_revision is not None:
                self.require_revision(before, expected_revision)
            after, result = change(before)
            if after.release != before.release:
                after = replace(after, release=replace(after.release, revision=before.release.revision + 1))
            if after != before:
                _refuse_unsafe_text(before, after)
                files = self.write_document(after, before)
                if files:
                    self.after_write(Written(release_id, tuple(files), before, after, action))
            return result

    def delete(self, release_id: str, allow: Callable[[Document], None],
               action: Action | None = None) -> tuple[Document, list[Path]]:
        """Remove a release folder under its lock, all at once; returns the release as it was and its files.

        `allow` sees the release re-read under the lock and raises to refuse
        (nothing is touched then).  The folder disappears in one rename
        (`store.remove_tree`); the after-write hooks then get a `Written`
        whose `after` is None and whose `files` are the files removed.
        """
        with store.locked(self.lock_path(release_id)):
            folder = self.release_dir(release_id)
            store.recover(folder)
            before = self.load(release_id)
            allow(before)
            files = store.remove_tree(folder)
            self.after_write(Written(release_id, tuple(files), before, None, action))
            return before, files


def incomplete_line(release_id: str) -> str:
    return _("releases/{id} is not a complete release (no release.yaml); left out").format(id=release_id)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    """A real folder: a symlink named like a release is not followed out of the newsroom."""
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False


def _refuse_unsafe_text(before: Document | None, after: Document) -> None:
    """No write stores what `core.textrules.unsafe_text` refuses in a field it changes: titles,
    categories, paragraphs, translations, new events' comments and notices (the one rule for every field and
    language).  Text written earlier by others is left as it is; `check` and `verify` report it."""
    checks: list[tuple[str, str, bool]] = []
    if before is None or before.release.category != after.release.category:
        checks.append((_("the category"), after.release.category or "", True))
    old_source = {s.id: s.text for s in before.source} if before is not None else {}
    for seg in after.source:
        if old_source.get(seg.id) != seg.text:
            what = _("the title") if seg.id == "title" else _("segment {id}").format(id=seg.id)
            checks.append((what, seg.text, seg.id == "title"))
    for lang, segs in after.targets.items():
        old = {t.id: t.text for t in before.targets.get(lang, ())} if before is not None else {}
        for target in segs:
            if target.text and old.get(target.id) != target.text:
                checks.append((_("the {lang} translation of {id}").format(lang=lang, id=target.id), target.text,
                               target.id == "title"))
    old_events = len(before.release.history) if before is not None else 0
    for event in after.release.history[old_events:]:
        checks.append((_("the comment"), event.comment or "", False))
        checks += [(_("the {lang} notice").format(lang=lang), text, False) for lang, text in event.notices]
    for lang, log in after.logs.items():
        known = len(before.logs.get(lang, ())) if before is not None else 0
        checks += [(_("the comment"), e.comment or "", False) for e in log[known:]]
    for what, text, one_line in checks:
        error = unsafe_text(what, text, one_line=one_line)
        if error is not None:
            raise error


def _yaml_bytes(data: object) -> bytes:
    return yamlio.format_yaml(data).encode("utf-8")


def _ordered(source: tuple[SourceSegment, ...], segs: tuple[TargetSegment, ...]) -> list[TargetSegment]:
    """Target segments in source order; translations of removed segments are dropped."""
    have = {s.id: s for s in segs}
    return [have[s.id] for s in source if s.id in have]
