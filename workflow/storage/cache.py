"""Derived data kept under `.pubflow/`: when to trust it, how to keep it.

Two helpers, used by every cache of pubflow (the SQLite index, the
translation memory, the machine-translation cache, the build state):

* Change detection by stat stamp (`workflow.filestamp`): a file's
  `(inode, mtime_ns, ctime_ns, size)`; a stamp taken within a second of the
  file's last change is "racy" and not trusted.  `signature` and
  `files_signature` fold the stamps of a release's files into one integer,
  `folder_signature` describes a folder's YAML files as text (for JSON caches)
  and refuses a folder a killed writer left half-done.
* `JsonCache`: one versioned JSON file (`MarshalCache`: the same in marshal).  It is read with its version and a
  caller's check of its shape; a file that does not parse, has another
  version or fails the check is deleted and reads as absent.  It is written
  atomically through `workflow.storage.store` (the only writer); a cache that
  cannot be written is no error, the data is computed again next time.

Deleting `.pubflow/` loses nothing: every cache is rebuilt from the files.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from workflow.errors import PubflowError
from workflow.filestamp import MISSING, RACY_NS, Stamp, is_racy, racy_cutoff, stamp, stamp_text

if TYPE_CHECKING:
    from pathlib import Path

# Importing this module is cheap (os): the SQLite index's fast path uses it.  The
# store (tempfile, filelock) and json are imported by the functions that write or parse.

__all__ = [
    "MISSING", "RACY_NS", "JsonCache", "MarshalCache", "Stamp", "files_signature", "folder_signature", "is_racy",
    "racy_cutoff", "signature", "stamp", "stamp_text",
]

T = TypeVar("T")


# ------------------------------------------------------------------ change detection
def signature(stamps: Iterable[Stamp]) -> int:
    """One integer for the stamps of several files (the same in every process)."""
    flat: list[int] = []
    for key in stamps:
        flat.extend(key)
    return hash(tuple(flat))


def files_signature(prefix: str, names: Iterable[str], suffix: str = "", dir_fd: int | None = None) -> int:
    """`signature` of the files `prefix + name + suffix` (relative to `dir_fd` when given), in one loop:
    it runs for every release on every read."""
    stat = os.stat
    flat: list[int] = []
    for name in names:
        try:
            st = stat(prefix + name + suffix, dir_fd=dir_fd)
        except OSError:
            flat.extend(MISSING)
            continue
        flat += (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)
    return hash(tuple(flat))


def folder_signature(folder: str | os.PathLike[str], cutoff: int, suffix: str = ".yaml") -> str | None:
    """The stamps of the files of `folder` ending in `suffix`, as text; "" for a missing folder.

    None when the folder cannot be trusted: a killed writer's transaction is
    pending in it (`store.pending`), one of the files is racy (see
    `racy_cutoff`), or it cannot be read.  A caller keeps None as "read the
    files again next time"; it never equals any signature.
    """
    from workflow.storage import store

    parts: list[str] = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.name == store.JOURNAL:
                    return None
                if entry.name.endswith(suffix):
                    st = entry.stat()
                    key = (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, st.st_size)
                    if is_racy(key, cutoff):
                        return None
                    parts.append(f"{entry.name}:{stamp_text(key)}")
    except FileNotFoundError:
        return ""
    except OSError:
        return None
    return "|".join(sorted(parts))


# ------------------------------------------------------------------ versioned cache files
class JsonCache(Generic[T]):
    """`{"version": N, ...}` in one file: checked on read, written atomically, deleted when wrong.

    `check` receives the parsed object (a dict whose version matched) and
    returns what the caller wants from it, or None when its shape is wrong.
    A TypeError, ValueError, KeyError, IndexError or AttributeError raised by
    `check` on unexpected data counts as a wrong shape as well.  The file is
    JSON (UTF-8, Arabic unescaped); `MarshalCache` keeps the same contract in
    marshal.
    """

    def __init__(self, path: Path, version: int, check: Callable[[dict[str, Any]], T | None]) -> None:
        self.path = path
        self.version = version
        self.check = check

    def decode(self, raw: bytes) -> object:
        """The file's bytes as an object; ValueError when they are not this format."""
        import json

        try:
            return json.loads(raw)
        except RecursionError:  # nested beyond reason
            raise ValueError("too deep") from None

    def encode(self, payload: dict[str, Any], sort_keys: bool) -> bytes:
        import json

        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=sort_keys)
        return (text + "\n").encode("utf-8")

    def load(self) -> T | None:
        from workflow.storage import limits

        try:  # a FIFO or a link to /dev/zero put there hung every command that reads the cache
            raw = limits.read_regular(self.path, limits.CACHE_BYTES)
        except FileNotFoundError:
            return None
        except (OSError, PubflowError):
            self.remove()
            return None
        try:
            data = self.decode(raw)
        except ValueError:  # not this format (for JSON: not JSON, not UTF-8)
            data = None
        value: T | None = None
        if isinstance(data, dict) and data.get("version") == self.version:
            try:
                value = self.check(data)
            except (TypeError, ValueError, KeyError, IndexError, AttributeError):
                value = None
        if value is None:
            self.remove()
        return value

    def save(self, data: Mapping[str, Any], *, sort_keys: bool = False) -> bool:
        """Write `data` (plus the version) atomically; False when it cannot be written."""
        from workflow.storage import store

        payload = {"version": self.version, **{k: v for k, v in data.items() if k != "version"}}
        try:
            store.atomic_write(self.path, self.encode(payload, sort_keys))
        except PubflowError:
            return False
        return True

    def update(self, lock: Path, change: Callable[[T | None], Mapping[str, Any]]) -> bool:
        """Re-read under `lock`, apply `change`, write: parallel writers keep each other's data."""
        from workflow.storage import store

        try:
            with store.locked(lock):
                return self.save(change(self.load()))
        except PubflowError:  # the lock cannot be taken (read-only folder, timeout): a cache is no reason to fail
            return False

    def remove(self) -> None:
        from workflow.storage import store

        with contextlib.suppress(OSError):
            store.remove_file(self.path)


class MarshalCache(JsonCache[T]):
    """`JsonCache`'s contract in marshal: fast for megabytes of plain data (the build's pages).

    Only for plain values (dicts, lists, strings, numbers) that this Python
    wrote: a file from another Python version, or damaged, does not load and
    is deleted like any wrong cache.
    """

    def decode(self, raw: bytes) -> object:
        import marshal

        # Signed with this user's key (`user_key`): marshal is not safe against data it did not
        # write, and what it holds (the build's pages) goes into the site index and feeds, so a
        # file a newsroom carried in (committed with `git add -f`) must not be believed.
        data = signed(raw, "marshal")
        if data is None:
            raise ValueError("not signed by this user's pubflow")
        try:
            return marshal.loads(data)
        except (EOFError, TypeError) as exc:
            raise ValueError(str(exc)) from None

    def encode(self, payload: dict[str, Any], sort_keys: bool) -> bytes:
        import marshal

        data = marshal.dumps(dict(sorted(payload.items())) if sort_keys else payload)
        return sign(data, "marshal") or b"\0" * MAC_BYTES + data  # unsigned: never read back


# ------------------------------------------------------------------ a key no newsroom can ship
KEY_BYTES = 32
MAC_BYTES = 32
_KEYS: dict[str, bytes | None] = {}


def user_key() -> bytes | None:
    """A random key of this user, kept outside every newsroom (`$XDG_CACHE_HOME/pubflow/derived.key`,
    else `~/.cache/pubflow/derived.key`), made on first use; None when there can be none.

    Derived data a newsroom could carry in (a `.pubflow/` committed with `git add -f`, or shipped
    in an archive) must not be believed where it runs code or reaches the outputs: compiled
    templates are pickled and marshalled Python, the build's page cache goes into the site index
    and feeds.  Those files are signed with this key (`sign`, `signed`)."""
    from pathlib import Path

    from workflow.storage import limits, store

    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    path = Path(base) / "pubflow" / "derived.key"
    if str(path) in _KEYS:
        return _KEYS[str(path)]
    key: bytes | None = None
    for _attempt in (1, 2):
        try:
            found = limits.read_regular(path, 4 * KEY_BYTES)
        except FileNotFoundError:
            found = b""
        except (OSError, PubflowError):
            break
        if len(found) == KEY_BYTES:
            key = found
            break
        try:  # racing processes: the first key made is the one all of them read
            store.create_once(path, os.urandom(KEY_BYTES))
        except PubflowError:
            break
    _KEYS[str(path)] = key
    return key


def _mac(key: bytes, data: bytes) -> bytes:
    import hashlib

    return hashlib.blake2b(data, key=key, digest_size=MAC_BYTES).digest()


def sign(data: bytes, context: str = "") -> bytes | None:
    """`data` with this user's signature in front (bound to `context`), None without a key."""
    key = user_key()
    return None if key is None else _mac(key, context.encode() + b"\0" + data) + data


def signed(raw: bytes, context: str = "") -> bytes | None:
    """The data `sign` signed in `raw` for `context`, None when the signature is not this user's."""
    import hmac

    key = user_key()
    mac, data = raw[:MAC_BYTES], raw[MAC_BYTES:]
    if key is None or len(mac) != MAC_BYTES or not hmac.compare_digest(mac, _mac(key, context.encode() + b"\0" + data)):
        return None
    return data
