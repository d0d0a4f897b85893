"""Concurrency on one machine, with real processes: nothing lost, nothing half-written.

8 worker processes x 25 comments on one release through the CLI code path
while a reader parses the files; 8 `python -m workflow approve` racing on one
release; writers on different releases at once; writers committing to git.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EDITOR, WRITER, Cli
from workflow.storage import yamlio

pytestmark = pytest.mark.slow
PROJECT = Path(__file__).resolve().parents[1]


def env(**extra: str) -> dict[str, str]:
    out = {k: v for k, v in os.environ.items() if not k.startswith("PUBFLOW_")}
    out.update({"PUBFLOW_USER": EDITOR, "PYTHONPATH": str(PROJECT), "COLUMNS": "250"})
    out.update(extra)
    return out


def start(*args: str) -> subprocess.Popen[str]:
    # A long lock wait: on a loaded machine eight writers queue for seconds; what is tested is that
    # nothing is lost, not how fast the queue moves.
    return subprocess.Popen([sys.executable, *args], cwd=PROJECT, env=env(PUBFLOW_LOCK_TIMEOUT="300"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen[str]) -> dict[str, object]:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def new_release(cli: Cli, slug: str) -> str:
    r = cli("new", "--title", f"Release {slug}", "--body", "One.\n\nTwo.", "--date", "2024-05-01",
            "--slug", slug, as_=WRITER)
    assert r.exit_code == 0, r.output
    return f"2024-05-01-{slug}"


def comments(root: Path, release_id: str) -> list[str]:
    history = yamlio.read(root / "releases" / release_id / "release.yaml")["history"]
    return [e["comment"] for e in history if e["kind"] == "comment"]


def test_eight_writers_lose_nothing_and_a_reader_never_sees_half_a_file(newsroom, cli, tmp_path):
    rid = new_release(cli, "busy")
    go, stop = tmp_path / "go", tmp_path / "stop"
    writers = [start("-m", "tests.workers", "comment", str(newsroom), str(go), f"w{k}", "25", rid)
               for k in range(8)]
    reader = start("-m", "tests.workers", "reader", str(newsroom), str(go), str(stop), rid)
    go.touch()
    results = [finish(w) for w in writers]
    stop.touch()
    seen = finish(reader)
    assert all(r["codes"] == {"0": 25} for r in results), results
    recorded = comments(newsroom, rid)
    assert len(recorded) == 200  # 8 x 25 attempted, 200 recorded
    assert sorted(recorded) == sorted(f"w{k}-{i}" for k in range(8) for i in range(25))
    release = yamlio.read(newsroom / "releases" / rid / "release.yaml")
    assert release["revision"] == 1 + 200
    assert seen["failed"] == 0, seen["failures"]
    assert seen["reads"] > 0
    assert not list((newsroom / "releases" / rid).glob("*.pubflow-tmp"))
    assert cli("verify").exit_code == 0


def test_eight_processes_race_to_approve_exactly_one_wins(newsroom, cli):
    rid = new_release(cli, "race")
    assert cli("submit", rid).exit_code == 0
    procs = [start("-m", "workflow", "--root", str(newsroom), "approve", rid) for _ in range(8)]
    outcomes = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
    codes = sorted(code for code, _err in outcomes)
    assert codes.count(0) == 1, outcomes
    assert all(code in (4, 6) for code in codes[1:]), outcomes  # refused, or lock timeout
    for code, err in outcomes:
        if code == 4:
            assert err.strip().splitlines() == [err.strip()]
            assert "cannot approve from translation" in err
    history = yamlio.read(newsroom / "releases" / rid / "release.yaml")["history"]
    assert [e.get("transition") for e in history].count("approve") == 1
    assert cli("verify").exit_code == 0


def test_writers_on_different_releases_at_once(newsroom, cli, tmp_path):
    ids = [new_release(cli, f"desk{k}") for k in range(4)]
    go = tmp_path / "go"
    # Each worker spreads 12 comments over all four releases: every lock is contended.
    writers = [start("-m", "tests.workers", "comment", str(newsroom), str(go), f"w{k}", "12", *ids[k:], *ids[:k])
               for k in range(4)]
    go.touch()
    results = [finish(w) for w in writers]
    assert all(r["codes"] == {"0": 12} for r in results), results
    assert [len(comments(newsroom, rid)) for rid in ids] == [12, 12, 12, 12]
    assert cli("verify").exit_code == 0


def test_concurrent_writers_with_autocommit_make_one_commit_each(tmp_path):
    from tests.test_gitsync import git, init_repo, make_newsroom

    root = make_newsroom(tmp_path / "desk")
    init_repo(root)
    cli = Cli(root)
    ids = [new_release(cli, "north"), new_release(cli, "south")]
    before = int(git(root, "rev-list", "--count", "HEAD"))
    go = tmp_path / "go"
    writers = [start("-m", "tests.workers", "comment", str(root), str(go), f"g{k}", "6", *ids) for k in range(4)]
    go.touch()
    results = [finish(w) for w in writers]
    assert all(r["codes"] == {"0": 6} for r in results), results
    assert int(git(root, "rev-list", "--count", "HEAD")) == before + 24
    assert git(root, "status", "--porcelain") == ""
    trailers = git(root, "log", "-24", "--format=%(trailers:key=Release,valueonly,separator=)").split()
    assert sorted(trailers) == sorted(ids * 12)
    for rid in ids:
        # Every commit touching a release holds exactly one new comment of it.
        assert len(comments(root, rid)) == 12
        assert int(git(root, "rev-list", "--count", "HEAD", "--", f"releases/{rid}/release.yaml")) == 13
