"""Time `pubflow pending` and `pubflow inbox` on a generated newsroom (run by hand).

    /work/venv/bin/python bench/bench_queues.py [--releases 1000] [--repeat 5]

Generates N releases with bench/generate.py (every workflow state, partial
and stale translations), then times the domain functions (median of
--repeat runs, files in the OS cache) and one cold-ish CLI process each for
`pubflow pending --json` and `pubflow inbox --json`.  These read every
release file; an index (.pubflow/) may later serve them from a cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.generate import generate  # noqa: E402
from workflow.core.config import find_person  # noqa: E402
from workflow.translation.queues import inbox, pending  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--releases", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "newsroom"
        nr = generate(args.releases, folder)
        rami = find_person(nr.config, "rami.haddad@example.org")
        hala = find_person(nr.config, "hala.darwish@example.org")
        rows = [
            ("pending()", lambda: pending(nr)),
            ("pending(lang=ar, mine=translator)", lambda: pending(nr, "ar", rami)),
            ("inbox(translator)", lambda: inbox(nr, rami)),
            ("inbox(editor, guards run)", lambda: inbox(nr, hala)),
        ]
        print(f"{args.releases} releases, median of {args.repeat}")
        for name, fn in rows:
            ms, result = timed(fn, args.repeat)
            size = len(result) if isinstance(result, list) else "-"
            print(f"  {name:<36} {ms:8.1f} ms   items={size}")
        env = dict(os.environ, PUBFLOW_USER="rami.haddad@example.org")
        for argv in (["pending", "--json"], ["inbox", "--json"]):
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "workflow", "--root", str(folder), *argv], env=env, check=True,
                           capture_output=True)
            print(f"  process: pubflow {' '.join(argv):<20} {(time.perf_counter() - start) * 1000:8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
