"""Run pubflow in this process and SIGKILL it at an exact moment: `python -m tests.killer CALL N MATCH -- ARGS`.

Fault injection in the manner of SQLite's crash tests: `os.CALL` (replace,
rename, ...) is wrapped so that its N-th call whose destination contains
MATCH first kills the whole process with SIGKILL (no cleanup, no finally
blocks, as `kill -9` does), before the call happens.  Everything else is the
real program: `python -m workflow ARGS`.
"""

from __future__ import annotations

import os
import runpy
import signal
import sys
from typing import Any


def main() -> None:
    call, nth, match = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    args = sys.argv[sys.argv.index("--") + 1:]
    real = getattr(os, call)
    seen = [0]

    def wrapped(src: Any, dst: Any, *rest: Any, **kwargs: Any) -> Any:
        if match in os.fspath(dst):
            seen[0] += 1
            if seen[0] == nth:
                os.kill(os.getpid(), signal.SIGKILL)
        return real(src, dst, *rest, **kwargs)

    setattr(os, call, wrapped)
    sys.argv = ["pubflow", *args]
    runpy.run_module("workflow", run_name="__main__")


if __name__ == "__main__":
    main()
