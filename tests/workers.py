"""Worker processes for the concurrency tests: `python -m tests.workers MODE ...`.

Each worker waits for a start file (so all of them begin together), then
drives the real CLI in-process (`comment`) or reads files in a loop
(`reader`), and prints a JSON summary on its last stdout line.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sys
import time
from pathlib import Path


def _wait(go: Path) -> None:
    deadline = time.monotonic() + 30
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.002)


_COMMAND: list[object] = []


def _cli(args: list[str]) -> int:
    from typer.main import get_command

    from workflow.cli.app import app

    if not _COMMAND:
        _COMMAND.append(get_command(app))
    command = _COMMAND[0]
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = command.main(args=args, prog_name="pubflow", standalone_mode=False)
    return int(code or 0)


def comment(root: str, go: str, worker: str, count: str, *release_ids: str) -> dict[str, object]:
    """`count` comments, round-robin over `release_ids`, through the CLI."""
    _cli(["--help"])  # warm imports before the start signal
    _wait(Path(go))
    codes: dict[str, int] = {}
    for i in range(int(count)):
        release_id = release_ids[i % len(release_ids)]
        code = _cli(["--root", root, "comment", release_id, "-m", f"{worker}-{i}"])
        codes[str(code)] = codes.get(str(code), 0) + 1
    return {"codes": codes}


def reader(root: str, go: str, stop: str, release_id: str) -> dict[str, object]:
    """Parse every file of a release and build `show --json` until `stop` exists."""
    from workflow.core.model import release_from_dict
    from workflow.editorial.queries import show_release
    from workflow.storage import yamlio
    from workflow.storage.newsroom import Newsroom

    nr = Newsroom.open(root)
    folder = nr.release_dir(release_id)
    _wait(Path(go))
    reads = 0
    failures: list[str] = []
    parent = os.getppid()
    give_up = time.monotonic() + 600  # a test killed before it made `stop`: never an orphan reading forever
    while not Path(stop).exists() and os.getppid() == parent and time.monotonic() < give_up:
        for path in sorted(folder.glob("*.yaml")):
            try:
                data = yamlio.read(path)
                if path.name == "release.yaml":
                    release_from_dict(data, str(path))
            except Exception as exc:  # noqa: BLE001 - counting, not handling
                failures.append(f"{path.name}: {exc}")
        try:
            json.dumps(show_release(nr, release_id).public())
        except Exception as exc:  # noqa: BLE001
            failures.append(f"show: {exc}")
        reads += 1
        time.sleep(0.02)  # leave the CPU to the writers
    return {"reads": reads, "failures": failures[:5], "failed": len(failures)}


if __name__ == "__main__":
    mode, *rest = sys.argv[1:]
    result = {"comment": comment, "reader": reader}[mode](*rest)
    print(json.dumps(result))
