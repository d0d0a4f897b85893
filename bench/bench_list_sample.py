"""Issue 2's figure: median whole-process time of `pubflow list` on the sample newsroom.

    /work/venv/bin/python bench/bench_list_sample.py [--repeat 21]

Runs each command as a fresh process in the repository (which is itself a
newsroom holding the sample release), output to /dev/null, and prints the
median next to `python -c pass`; also without the index (PUBFLOW_NO_INDEX=1)
and `pubflow --help`.  Run by hand, not in CI.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def median_ms(argv: list[str], repeat: int, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True,
                       env={**os.environ, **(env or {})})
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()
    pubflow = shutil.which("pubflow", path=str(Path(sys.executable).parent)) or "pubflow"
    rows = [
        ("python -c pass", [sys.executable, "-c", "pass"], None),
        ("pubflow list", [pubflow, "list"], None),
        ("pubflow list (no index)", [pubflow, "list"], {"PUBFLOW_NO_INDEX": "1"}),
        ("pubflow list --json", [pubflow, "list", "--json"], None),
        ("pubflow --help", [pubflow, "--help"], None),
    ]
    for label, argv, env in rows:
        print(f"{label:<28} {median_ms(argv, args.repeat, env):8.1f} ms")
    print(f"(median of {args.repeat}; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
