"""The only module that writes files: atomic replace under a lock.

A write goes to a temporary file in the same folder, is fsynced, keeps the
old file's mode, replaces the target with `os.replace` and fsyncs the
folder, so a reader or a crash sees the old file or the new one, never half
of one.  Read-modify-write sequences hold a per-release lock (an OS lock on
a file under `.pubflow/locks`, released by the kernel if the process dies,
so stale lock files never block anyone).

Several files of one release are written as one transaction (`write_files`):
every new file goes to a fsynced temp file first, then a small journal naming
the renames is written atomically, then the renames happen and the journal is
removed.  A writer killed before the journal exists leaves only temp files
(rolled back by `recover`); killed after, `recover` finishes the renames.  So
after a crash a release is wholly old or wholly new, not just each file.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

from workflow.errors import Conflict, InvalidData, UsageError
from workflow.i18n import _

TMP_SUFFIX = ".pubflow-tmp"
# The journal's name ends in TMP_SUFFIX so the newsroom's .gitignore already skips it.
JOURNAL = ".pubflow-journal" + TMP_SUFFIX
LOCK_TIMEOUT = 30.0


def _cannot_write(path: Path, exc: OSError, hint: str) -> InvalidData:
    return InvalidData(_("cannot write {path}: {error}").format(path=path, error=exc.strerror), hint)


def _write_temp(path: Path, data: bytes, durable: bool = True) -> str:
    """Write `data` to a temp file next to `path` (same mode; fsynced if `durable`); return its path."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = 0o644
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    except OSError as exc:
        raise _cannot_write(path, exc, _("check that the folder exists and is writable")) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _cannot_write(path, exc, _("check free space and permissions")) from None
        raise
    return tmp


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically (old or new content, never half)."""
    tmp = _write_temp(path, data)
    try:
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise _cannot_write(path, exc, _("check free space and permissions")) from None
    _fsync_dir(path.parent)


def create_once(path: Path, data: bytes) -> None:
    """Create `path` with `data` whole unless it exists (then leave it: whoever made it first wins,
    so racing processes end up reading the same file); readable by its owner only (a key)."""
    tmp = _write_temp(path, data)
    try:
        os.chmod(tmp, 0o600)
        os.link(tmp, path)
    except FileExistsError:
        pass
    except OSError as exc:
        raise _cannot_write(path, exc, _("check free space and permissions")) from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


def confine(folder: str | os.PathLike[str], fence: str | os.PathLike[str]) -> None:
    """Refuse to write in `folder` when, through a symbolic link, it lies outside `fence`.

    Outputs never follow links out of the newsroom (or out of the output
    folder they belong to): a symlinked `dist/en` or release folder would
    otherwise have pubflow write, replace or delete files anywhere.  Links
    that stay inside `fence` are fine.  Only what exists is resolved, so a
    folder about to be created is checked through its existing parents.
    """
    if no_link_below(folder, fence):
        return
    real = os.path.realpath(folder)
    inside = os.path.realpath(fence)
    if real == inside or real.startswith(inside.rstrip(os.sep) + os.sep):
        return
    link = _first_link(Path(folder), Path(fence))
    raise InvalidData(
        _("{path} is a symbolic link that leads outside {fence}; pubflow does not write through it").format(
            path=link or folder, fence=fence),
        _("replace the link with a real folder"))


def no_link_below(folder: str | os.PathLike[str], fence: str | os.PathLike[str]) -> bool:
    """Whether `folder` is written below `fence` (no `..`) with no component from `fence` down a
    symbolic link: then it lies inside `fence` whatever `fence` resolves to.  An lstat per component
    (two for a release folder) instead of resolving both paths: every release read asks."""
    base = os.path.join(os.fspath(fence), "")
    path = os.fspath(folder)
    if not path.startswith(base):
        return False
    current = base
    for part in path[len(base):].split(os.sep):
        if part == "..":
            return False
        if part in ("", "."):
            continue
        current = os.path.join(current, part)
        if os.path.islink(current):
            return False
    return True


def _first_link(folder: Path, fence: Path) -> Path | None:
    """The first component from `fence` down to `folder` that is a symbolic link (None: `fence` itself)."""
    try:
        parts = folder.relative_to(fence).parts
    except ValueError:
        return None
    current = fence
    for part in parts:
        current = current / part
        if current.is_symlink():
            return current
    return None


def check_output_path(path: Path, folder: bool = False) -> None:
    """A path named with `-o`: a new path, or an existing regular file (a real folder with `folder`).

    Refuses an empty name, a symbolic link (its target would be replaced or
    written through), a FIFO, a device or a socket (os.replace would swap
    the special file for a regular one), and a folder where a file is meant
    (or a file where a folder is meant): one UsageError line, nothing written.
    """
    name = os.fspath(path)
    hint = _("give a new name or an existing folder") if folder else _("give a new name or an existing regular file")
    if name in ("", "."):
        raise UsageError(_("-o needs the name of a folder") if folder else _("-o needs the name of a file"), hint)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise UsageError(_("-o {path}: {error}").format(path=path, error=exc.strerror)) from None
    mode = info.st_mode
    if stat.S_ISLNK(mode):
        message = _("-o {path} is a symbolic link; pubflow does not write through links")
    elif stat.S_ISDIR(mode) and not folder:
        message = _("-o {path} is a folder, not a file")
    elif stat.S_ISREG(mode) and folder:
        message = _("-o {path} is a file, not a folder")
    elif not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
        message = _("-o {path} is not a regular file (a device, a pipe or a socket)")
    else:
        return
    raise UsageError(message.format(path=path), hint)


def write_output(path: Path, data: bytes, folders: set[str] | None = None, fence: Path | None = None) -> None:
    """Replace a DERIVED output file (dist/) atomically, without waiting for the disk.

    Readers see the old file or the new one, never half of one (`stage_output`
    then `commit_output`), but neither the file nor its folder is fsynced
    here: a build writes thousands of them, and one fsync each made the disk,
    not the rendering, the cost of a build.  The caller makes them durable all
    at once with `sync_outputs()` BEFORE it records them (the build state is
    written with `atomic_write` afterwards), so a crash can only lose outputs
    that no state file claims yet, and the next build writes them again.  The
    newsroom's own records always use `atomic_write`.
    """
    tmp = stage_output(path, data, folders, fence)
    try:
        commit_output(tmp, path)
    finally:
        discard_output(tmp)


def stage_output(path: Path, data: bytes, folders: set[str] | None = None, fence: Path | None = None) -> str:
    """Write a DERIVED output's new bytes to a temp file beside `path` and return the temp's
    path: `commit_output` swaps it in, `discard_output` takes it back.  So a set of outputs
    can be written in full before any of them replaces what readers see (a full disk or a
    permission problem leaves every old output as it was).

    Outputs are mode 0644; `folders` remembers the folders already created
    (and checked: with `fence`, a folder reached through a symbolic link out
    of `fence` is refused, see `confine`).  Temp files a killed build left are
    removed by the next build (`remove_temps_below`)."""
    folder = os.path.dirname(path)
    tmp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}{TMP_SUFFIX}")
    try:
        if folders is None or folder not in folders:
            if fence is not None:
                confine(folder, fence)
            os.makedirs(folder, exist_ok=True)
            if fence is not None:
                confine(folder, fence)  # made now: a link planted meanwhile is caught too
            if folders is not None:
                folders.add(folder)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise _cannot_write(path, exc, _("check that the folder exists and is writable")) from None
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
            os.fchmod(fd, 0o644)
        finally:
            os.close(fd)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise _cannot_write(path, exc, _("check free space and permissions")) from None
        raise
    return tmp


def commit_output(tmp: str, path: Path) -> None:
    """Swap a staged output in (a rename: it needs no space)."""
    try:
        os.replace(tmp, path)
    except OSError as exc:
        raise _cannot_write(path, exc, _("check permissions, then run `pubflow build`")) from None


def discard_output(tmp: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def sync_outputs() -> None:
    """Flush every file written with `write_output` to disk: one sync for a whole build."""
    os.sync()


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def write_text(path: Path, text: str) -> None:
    atomic_write(path, text.encode("utf-8"))


def write_files(files: dict[Path, bytes]) -> None:
    """Write several files of one folder as one transaction (callers hold the lock).

    Files in different folders are written one by one, each atomically.
    """
    folders = {path.parent for path in files}
    if len(files) < 2 or len(folders) != 1:
        for path, data in files.items():
            atomic_write(path, data)
        return
    folder = folders.pop()
    temps: list[tuple[str, Path]] = []
    try:
        for path, data in files.items():
            temps.append((_write_temp(path, data), path))
        # From here on the change is committed: `recover` rolls it forward.
        plan = [[os.path.basename(tmp), path.name] for tmp, path in temps]
        atomic_write(folder / JOURNAL, json.dumps(plan).encode("utf-8"))
    except BaseException:
        for tmp, _path in temps:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    try:
        for tmp, path in temps:
            os.replace(tmp, path)
    except OSError as exc:
        # Leave the journal: the next writer under the lock finishes the renames.
        raise _cannot_write(folder, exc, _("check free space and permissions; run the command again")) from None
    _fsync_dir(folder)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(folder / JOURNAL)


def pending(folder: Path) -> bool:
    """True if a killed writer left a transaction to finish in `folder`."""
    return os.path.exists(folder / JOURNAL)


def recover(folder: Path) -> int:
    """Finish a journalled transaction and delete stale temp files (hold the lock).

    Returns how many files were rolled forward.
    """
    finished = 0
    journal = folder / JOURNAL
    try:
        raw = journal.read_bytes()
    except FileNotFoundError:
        raw = None
    except OSError:
        raw = None
    if raw is not None:
        for tmp_name, target_name in _journal_plan(raw):
            tmp = folder / tmp_name
            if tmp.exists():
                with contextlib.suppress(OSError):
                    os.replace(tmp, folder / target_name)
                    finished += 1
        _fsync_dir(folder)
        with contextlib.suppress(OSError):
            os.unlink(journal)
    remove_stale_temps(folder)
    return finished


def _journal_plan(raw: bytes) -> list[tuple[str, str]]:
    """The renames a journal lists; only plain names inside the folder are accepted."""
    try:
        plan = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return []
    out: list[tuple[str, str]] = []
    if not isinstance(plan, list):
        return out
    for item in plan:
        if (isinstance(item, list) and len(item) == 2 and all(isinstance(x, str) for x in item)
                and all(x and "/" not in x and "\\" not in x and x not in (".", "..") for x in item)
                and item[0].endswith(TMP_SUFFIX) and not item[1].endswith(TMP_SUFFIX)):
            out.append((item[0], item[1]))
    return out


def remove_stale_temps(folder: Path, only: str | None = None) -> int:
    """Delete temp files (and staging folders) a killed writer left behind (call with the lock held).

    `only` limits it to one name.
    """
    removed = 0
    with contextlib.suppress(FileNotFoundError, NotADirectoryError):
        for entry in os.scandir(folder):
            if entry.name.endswith(TMP_SUFFIX) and entry.name != JOURNAL and only in (None, entry.name):
                with contextlib.suppress(OSError):
                    if entry.is_dir(follow_symlinks=False):
                        _remove_tree(entry.path)
                    else:
                        os.unlink(entry.path)
                    removed += 1
    return removed


def remove_temps_below(top: Path) -> int:
    """Delete every temp file under `top` (an output folder, under its build lock); links are not followed."""
    removed = 0
    for folder, dirs, names in os.walk(top):
        for name in names:
            if name.endswith(TMP_SUFFIX):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, name))
                    removed += 1
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
    return removed


def _remove_tree(path: str) -> None:
    """Remove a staging folder a killed `new` left (its own files only; links are unlinked, not followed)."""
    import shutil

    shutil.rmtree(path, ignore_errors=True)


def place_folder(staging: Path, final: Path) -> None:
    """Rename a completely written folder into place: it appears whole or not at all.

    `final` may exist empty (or holding only temp files a killed writer left,
    which are removed first): rename replaces an empty folder.  Any other
    content is refused (Conflict).
    """
    import errno

    _fsync_dir(staging)
    for attempt in (1, 2):
        try:
            os.rename(staging, final)
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST) and attempt == 1:
                remove_stale_temps(final)
                continue
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
                raise Conflict(_("{path} exists and is not an empty folder").format(path=final),
                               _("move it out of releases/, or choose another title or --slug")) from None
            raise _cannot_write(final, exc, _("check free space and permissions")) from None
        break
    _fsync_dir(final.parent)


def make_dirs(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidData(
            _("cannot create folder {path}: {error}").format(path=path, error=exc.strerror),
            _("check permissions"),
        ) from None


def remove_file(path: Path, fence: Path | None = None) -> None:
    """Remove `path` if it is there (with `fence`: only when its folder is inside it, see `confine`)."""
    if fence is not None:
        confine(path.parent, fence)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


# A derived SQLite database (the index, the parse cache) and the files SQLite opens beside it.
DATABASE_FILES = ("", "-wal", "-shm", "-journal")


def remove_database(path: str) -> None:
    """Remove a derived database and its side files (damaged: it is only a cache)."""
    for suffix in DATABASE_FILES:
        remove_file(Path(path + suffix))


def remove_foreign_database_files(path: str) -> None:
    """Remove any of a database's files that is a symbolic link or not a regular file, before SQLite
    opens it: it would open what a link leads to (and a rebuild drops every table there), and a FIFO
    as `-journal` blocks its hot-journal check for ever.  The link goes, never its target; OSError
    when one cannot be removed."""
    for suffix in DATABASE_FILES:
        try:
            mode = os.lstat(path + suffix).st_mode
        except FileNotFoundError:
            continue
        if not stat.S_ISREG(mode):
            remove_file(Path(path + suffix))


DELETED = ".deleted" + TMP_SUFFIX  # a folder being removed: never a release, git-ignored like any temp


def remove_tree(folder: Path) -> list[Path]:
    """Remove `folder` and everything in it as one step; returns the files it held.

    The folder is first renamed, in one atomic `os.replace` within its parent,
    to a dot-name ending in `DELETED`: from that moment it is gone for every
    reader (release ids never start with a dot), and a crash leaves only a
    hidden folder that the next removal in the same parent sweeps away.  Then
    the renamed copy is deleted.  Hold the folder's lock.
    """
    files = sorted(p for p in folder.rglob("*") if p.is_file() or p.is_symlink())
    parent = folder.parent
    doomed = parent / f".{folder.name}.{os.getpid()}{DELETED}"
    try:
        os.replace(folder, doomed)
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise InvalidData(_("cannot remove {path}: {error}").format(path=folder, error=exc.strerror),
                          _("check permissions; nothing was removed")) from None
    _fsync_dir(parent)
    sweep_deleted(parent)
    return files


def sweep_deleted(parent: Path) -> None:
    """Delete folders that `remove_tree` renamed but did not finish removing (a crash, a full disk)."""
    import shutil

    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(parent):
            if entry.name.startswith(".") and entry.name.endswith(DELETED) and entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)


def lock_timeout() -> float:
    """Seconds to wait for a lock: $PUBFLOW_LOCK_TIMEOUT, else LOCK_TIMEOUT."""
    raw = os.environ.get("PUBFLOW_LOCK_TIMEOUT")
    if raw:
        try:
            value = float(raw)
        except ValueError:
            value = -1.0
        if not 0 <= value <= 3600:
            raise InvalidData(_("PUBFLOW_LOCK_TIMEOUT={value!r} is not a number of seconds").format(value=raw),
                              _("use a number between 0 and 3600"))
        return value
    return LOCK_TIMEOUT


_HELD: dict[tuple[str, int], int] = {}
_HELD_GUARD = threading.Lock()


@contextlib.contextmanager
def locked(lock_path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive OS lock on `lock_path` (created if missing).

    Re-entrant within one process: code already holding the lock (e.g. a
    reader asked to recover while an update runs) does not wait for itself.
    A lock file left by a killed process is harmless: the kernel released
    its lock, and its content is never read.
    """
    import filelock

    key = (str(lock_path), threading.get_ident())
    with _HELD_GUARD:
        if _HELD.get(key):
            _HELD[key] += 1
            nested = True
        else:
            nested = False
    if nested:
        try:
            yield
        finally:
            with _HELD_GUARD:
                _HELD[key] -= 1
        return
    make_dirs(lock_path.parent)
    lock = filelock.FileLock(key[0], timeout=lock_timeout() if timeout is None else timeout)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise Conflict(
            _("{path} is locked by another pubflow process").format(path=lock_path),
            _("wait for it to finish and try again"),
        ) from None
    except OSError as exc:
        raise InvalidData(_("cannot lock {path}: {error}").format(path=lock_path, error=exc.strerror),
                          _("check permissions of the .pubflow folder")) from None
    with _HELD_GUARD:
        _HELD[key] = 1
    try:
        yield
    finally:
        with _HELD_GUARD:
            _HELD.pop(key, None)
        lock.release()


ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can hold: no clock in the archive
ZIP_LEVEL = 6  # zlib's default: 9 took half as long again for 0.05% smaller bundles
# Formats that are compressed already: stored as they are (deflate saved ~3% of a PDF, at a cost).
ZIP_STORED_SUFFIXES = (".pdf", ".png", ".jpg", ".jpeg", ".gif", ".webp", ".woff", ".woff2", ".zip", ".gz")
_ZIP_SMALL = 1 << 30  # above this, `zipfile` writes the archive (Zip64 records)
_ZIP_ENTRIES = 0xFFFF  # likewise above this many entries (the plain end record counts them in 16 bits)
_DEFLATED: dict[bytes, bytes] = {}  # content -> its deflate stream, for contents every bundle holds
_DEFLATED_KEPT = 64


def _deflate(data: bytes) -> bytes:
    """`data` deflated (raw, as a zip holds it); the stream of a content seen before is reused
    (the stylesheet in every bundle of a build is compressed once)."""
    import zlib

    done = _DEFLATED.get(data)
    if done is None:
        packer = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -15)
        done = packer.compress(data) + packer.flush()
        if len(_DEFLATED) >= _DEFLATED_KEPT:
            _DEFLATED.pop(next(iter(_DEFLATED)))
        _DEFLATED[data] = done
    return done


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A deterministic zip: sorted entries, fixed timestamps and permissions, deflated (stored when
    the format is compressed already, see `ZIP_STORED_SUFFIXES`).

    The same files always give the same bytes, so a rebuild is byte-identical.  The archive is
    the one `zipfile` writes for the same entries (tests compare them), put together here
    without its per-entry machinery: a build writes thousands of small bundles.
    """
    import struct
    import zlib

    for name in files:
        _check_entry(name)
    if len(files) > _ZIP_ENTRIES or sum(len(data) for data in files.values()) > _ZIP_SMALL:
        return _zip_bytes_zipfile(files)
    mode = (stat.S_IFREG | 0o644) << 16
    body: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for name in sorted(files):
        data = files[name]
        try:
            encoded, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            encoded, flags = name.encode("utf-8"), 0x800
        method = 0 if name.lower().endswith(ZIP_STORED_SUFFIXES) else 8
        packed = data if method == 0 else _deflate(data)
        crc = zlib.crc32(data)
        # version 2.0, flags, method, DOS time 00:00:00 and date 1980-01-01 (33), crc, sizes
        fields = (flags, method, 0, 33, crc, len(packed), len(data), len(encoded))
        local = struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, *fields, 0)
        central.append(struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 3, 20, 0, *fields, 0, 0, 0, 0, mode, offset)
                       + encoded)
        body += (local, encoded, packed)
        offset += len(local) + len(encoded) + len(packed)
    directory = b"".join(central)
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0)
    return b"".join(body) + directory + end


def _zip_bytes_zipfile(files: dict[str, bytes]) -> bytes:
    """`zip_bytes` through `zipfile` (also the reference the tests compare it with)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            stored = name.lower().endswith(ZIP_STORED_SUFFIXES)
            info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            info.create_system = 3  # unix, so the permissions below are honoured
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, files[name], compresslevel=None if stored else ZIP_LEVEL)
    return buffer.getvalue()


def _check_entry(name: str) -> None:
    """A zip entry stays inside the folder it is unpacked into (no zip-slip)."""
    parts = name.split("/")
    if (not name or "\\" in name or "\x00" in name or name.startswith("/") or ":" in parts[0]
            or any(part in ("", ".", "..") for part in parts)):
        raise InvalidData(_("refused to put {name!r} in a zip: entries must be plain relative paths").format(
            name=name), _("this is a bug in the caller; report it"))


def write_zip(path: Path, files: dict[str, bytes]) -> bytes:
    """Write a deterministic zip of `files` atomically; returns its bytes."""
    data = zip_bytes(files)
    atomic_write(path, data)
    return data


def remove_empty_dirs(path: Path, stop: Path) -> None:
    """Remove `path` and its parents up to (not including) `stop` while they are empty."""
    current = path
    while current != stop and stop in current.parents:
        try:
            current.rmdir()
        except OSError:
            return
        current = current.parent
