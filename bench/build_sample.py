"""Time `pubflow build` on the sample newsroom (run by hand, not by the test suite).

    /work/venv/bin/python bench/build_sample.py [--copies N]

Sets up a temporary newsroom with the sample release (English source, the project's
Arabic translation, approved) published, plus N-1 copies of it under other ids, then
times, as a user runs them (a new process each): a full build from nothing, a rebuild
with nothing changed, and a rebuild after one release changed.  Medians of 5 runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))

from tests.pubhelp import approved_sample, at  # noqa: E402
from workflow.core.config import find_person  # noqa: E402
from workflow.editorial.transitions import apply_transition  # noqa: E402
from workflow.storage.newsroom import Newsroom  # noqa: E402

CPU: dict[str, list[float]] = {}


def pubflow(root: Path, *args: str) -> float:
    """Wall time of one CLI run; its CPU time (user+sys) is kept in CPU[args[0]]."""
    env = dict(os.environ, PUBFLOW_ROOT=str(root), PUBFLOW_USER="hala.darwish@example.org")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "workflow", *args], env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    CPU.setdefault(" ".join(args), []).append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def cpu_of(root: Path) -> float:
    pubflow(root, "--help")
    return CPU["--help"][-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=1)
    parser.add_argument("--runs", type=int, default=5)
    opts = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "newsroom"
        shutil.copytree(HERE / "tests" / "fixtures" / "newsroom", root)
        ids = [approved_sample(root, slug=f"sample-{n}") for n in range(opts.copies)]
        nr = Newsroom.open(root)
        editor = find_person(nr.config, "hala.darwish@example.org")
        for rid in ids:
            apply_transition(nr, rid, "publish", editor, now=at(10))
        full, noop, one = [], [], []
        cpu_full, cpu_noop, cpu_one = [], [], []
        for _ in range(opts.runs):
            shutil.rmtree(root / "dist", ignore_errors=True)
            shutil.rmtree(root / ".pubflow", ignore_errors=True)
            full.append(pubflow(root, "build"))
            cpu_full.append(CPU["build"][-1])
            noop.append(pubflow(root, "build"))
            cpu_noop.append(CPU["build"][-1])
            pubflow(root, "comment", ids[0], "-m", "touch")
            one.append(pubflow(root, "build"))
            cpu_one.append(CPU["build"][-1])
        files = sum(1 for p in (root / "dist").rglob("*") if p.is_file())
        print(f"{opts.copies} published release(s), {files} output files")
        print(f"load average: {os.getloadavg()[0]:.1f} (wall times suffer on a busy machine; CPU is steadier)")
        for label, wall, cpu in (("full build (from nothing)", full, cpu_full),
                                 ("rebuild, nothing changed", noop, cpu_noop),
                                 ("rebuild, one release changed", one, cpu_one)):
            print(f"{label:<30} wall {statistics.median(wall) * 1000:6.0f} ms   "
                  f"cpu {statistics.median(cpu) * 1000:6.0f} ms")
        print(f"(`pubflow --help` for scale: cpu {cpu_of(root) * 1000:.0f} ms)")


if __name__ == "__main__":
    main()
