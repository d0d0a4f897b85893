"""Hard limits on what pubflow reads, in one place (the README's "Limits" table lists them).

Every file pubflow reads as input goes through `read_regular`: it opens the
path without blocking (a FIFO would wait forever for a writer), refuses
anything that is not a regular file (`/dev/zero`, `/dev/urandom`, a device,
a FIFO, a socket, a folder) and reads at most the limit plus one byte, so
a file that grows while it is read, or lies about its size, is refused
without reading it whole.  Each refusal is one `InvalidData` line (exit 5)
before anything is written.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from workflow.errors import InvalidData, NotFound, UsageError
from workflow.i18n import _

MB = 1024 * 1024
YAML_BYTES = 32 * MB  # release.yaml, <lang>.yaml, pubflow.yaml, glossary.yaml
YAML_DEPTH = 64  # nesting of mappings and lists in one YAML file (pubflow's own files use 5)
SOURCE_BYTES = 4 * MB  # `new --from`, `edit --from`
EXCHANGE_BYTES = 20 * MB  # `import` (PO, XLIFF)
TEMPLATE_BYTES = 2 * MB  # one template of templates/
CATALOG_BYTES = 20 * MB  # one .po/.mo of a newsroom's locales/
CACHE_BYTES = 1024 * MB  # one file of derived data under .pubflow/ (a larger one reads as absent)
PARAGRAPH_CHARS = 100_000  # one segment
TITLE_CHARS = 1_000  # a title (one line)


def too_large(where: str, limit: int) -> InvalidData:
    size = f"{limit // MB} MB" if limit >= MB else f"{limit // 1024} KB"
    return InvalidData(_("{where}: file is larger than {size}").format(where=where, size=size),
                       _("split it or check that it is the right file"))


def read_regular(path: str | os.PathLike[str], limit: int, where: str | None = None) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them; one clean error otherwise.

    FileNotFoundError propagates (callers word "not found" their own way).
    """
    name = where or os.fspath(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except FileNotFoundError:
        raise
    except IsADirectoryError:
        raise UsageError(_("{path} is a folder, not a file").format(path=name)) from None
    except OSError as exc:
        raise InvalidData(_("{where}: cannot read ({error})").format(where=name, error=exc.strerror)) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UsageError(_("{path} is a folder, not a file").format(path=name))
        if not stat.S_ISREG(info.st_mode):
            raise InvalidData(_("{where}: not a regular file (a device, a pipe or a socket)").format(where=name),
                              _("save the text to a file and give that file"))
        if info.st_size > limit:
            raise too_large(name, limit)
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(fd, min(1 * MB, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise too_large(name, limit)
        return b"".join(chunks)
    except OSError as exc:
        raise InvalidData(_("{where}: cannot read ({error})").format(where=name, error=exc.strerror)) from None
    finally:
        os.close(fd)


def read_input(path: Path, limit: int) -> bytes:
    """`read_regular` for a file named on the command line: a missing one is NotFound (exit 3)."""
    try:
        return read_regular(path, limit, str(path))
    except FileNotFoundError:
        raise NotFound(_("{path}: no such file").format(path=path), _("check the path")) from None
