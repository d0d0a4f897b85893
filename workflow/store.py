"""The only module that writes files: atomic replace under a lock.

A write goes to a temporary file in the same folder, is fsynced, keeps the
old file's mode, replaces the target with `os.replace` and fsyncs the
folder, so a reader or a crash sees the old file or the new one, never half
of one.  Read-modify-write sequences hold a per-release lock (an OS lock on
a file under `.pubflow/locks`, released by the kernel if the process dies,
so stale lock files never block anyone).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from workflow.errors import Conflict, InvalidData
from workflow.i18n import _

TMP_SUFFIX = ".pubflow-tmp"
LOCK_TIMEOUT = 30.0


def atomic_write(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically (old or new content, never half)."""
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = 0o644
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=TMP_SUFFIX)
    except OSError as exc:
        raise InvalidData(
            _("cannot write {path}: {error}").format(path=path, error=exc.strerror),
            _("check that the folder exists and is writable"),
        ) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise InvalidData(
                _("cannot write {path}: {error}").format(path=path, error=exc.strerror),
                _("check free space and permissions"),
            ) from None
        raise
    _fsync_dir(folder)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        dfd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def write_text(path: Path, text: str) -> None:
    atomic_write(path, text.encode("utf-8"))


def write_yaml(path: Path, data: Any) -> None:
    from workflow.yamlio import format_yaml

    write_text(path, format_yaml(data))


def write_files(files: dict[Path, bytes]) -> None:
    """Write several files, each atomically (callers hold the lock)."""
    for path, data in files.items():
        atomic_write(path, data)


def remove_stale_temps(folder: Path) -> int:
    """Delete temp files a killed writer left behind (call with the lock held)."""
    removed = 0
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(folder):
            if entry.name.endswith(TMP_SUFFIX):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed += 1
    return removed


def make_dirs(path: Path) -> None:
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidData(
            _("cannot create folder {path}: {error}").format(path=path, error=exc.strerror),
            _("check permissions"),
        ) from None


def remove_file(path: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


@contextlib.contextmanager
def locked(lock_path: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold an exclusive OS lock on `lock_path` (created if missing)."""
    import filelock

    make_dirs(lock_path.parent)
    lock = filelock.FileLock(str(lock_path), timeout=timeout)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise Conflict(
            _("{path} is locked by another pubflow process").format(path=lock_path),
            _("wait for it to finish and try again"),
        ) from None
    try:
        yield
    finally:
        lock.release()
