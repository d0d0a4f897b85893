"""Shared fixtures: a fixture newsroom copied into tmp_path, and a CLI runner."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings
from typer.testing import CliRunner

from workflow.cli.app import app

# Property tests assert behaviour, never time: no per-example deadline (a loaded CI machine made the
# default 200 ms one fail at random).
hypothesis_settings.register_profile("pubflow", deadline=None)
hypothesis_settings.load_profile("pubflow")

FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE = FIXTURES / "coalition-news-2019-07-22.txt"
SHARED = Path(__file__).resolve().parents[2] / "shared"
EDITOR = "hala.darwish@example.org"
WRITER = "sami.khoury@example.org"
TRANSLATOR = "rami.haddad@example.org"
REVIEWER = "lina.aziz@example.org"
PROJECT = Path(__file__).resolve().parents[1]
SAMPLE_ID = "2019-07-22-assad-russia-crimes-international"  # the sample newsroom's release (releases/)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("PUBFLOW_ROOT", "PUBFLOW_USER", "PUBFLOW_LANG", "LANGUAGE", "PUBFLOW_DEBUG"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("COLUMNS", "250")
    from workflow import i18n

    i18n.set_language("en")


PDF_OFF = "  pdf: false"


def enable_pdf(root: Path) -> None:
    """Turn PDFs on in a copy of the fixture newsroom.  The fixture makes none (`outputs.pdf:
    false`): a PDF takes a good part of a second, so only the tests about PDFs and about
    bundles that must hold one ask for them."""
    config = root / "pubflow.yaml"
    text = config.read_text("utf-8")
    lines = [line for line in text.splitlines(keepends=True) if not line.startswith(PDF_OFF)]
    assert len(lines) == text.count("\n") - 1, "the fixture's outputs.pdf line moved"
    config.write_text("".join(lines), "utf-8")


@pytest.fixture
def newsroom(tmp_path: Path) -> Path:
    """A copy of the fixture newsroom (config only, no releases; no PDFs: see `enable_pdf`)."""
    root = tmp_path / "newsroom"
    shutil.copytree(FIXTURES / "newsroom", root)
    return root


class Cli:
    """Runs pubflow in-process against one newsroom, like a user would."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.runner = CliRunner()

    def __call__(self, *args: str, as_: str | None = EDITOR, input: str | None = None,
                 env: dict[str, str] | None = None) -> object:
        argv = ["--root", str(self.root), *args]
        full_env = {"PUBFLOW_USER": as_} if as_ else {}
        full_env.update(env or {})
        return self.runner.invoke(app, argv, input=input, env=full_env, catch_exceptions=False)


@pytest.fixture
def cli(newsroom: Path) -> Cli:
    return Cli(newsroom)


@pytest.fixture
def sample_id(cli: Cli) -> str:
    """The sample press release imported as English source, as a writer would."""
    result = cli("new", "--from", str(SAMPLE), "--slug", "assad-russia-crimes-international", "--title",
                 "Coalition: Assad regime and Russia's crimes in northwestern Syria are international crimes",
                 "--json", as_=WRITER)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return "2019-07-22-assad-russia-crimes-international"


def tree_hash(root: Path) -> dict[str, str]:
    """Hash of every file under root except derived data: to prove nothing changed."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and ".pubflow" not in path.parts:
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


@pytest.fixture
def snapshot() -> Callable[[Path], dict[str, str]]:
    return tree_hash


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip("../shared is not present (fresh clone)")
    return SHARED


def run_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    return env


# ---- translators' flow (issue 3) ----
SAMPLE_AR = Path(__file__).resolve().parents[1] / "samples" / "coalition-news-2019-07-22.ar.txt"


@pytest.fixture
def in_translation(cli: Cli, sample_id: str) -> str:
    """The sample release submitted and approved: open for translation."""
    assert cli("submit", sample_id, as_=WRITER).exit_code == 0  # type: ignore[attr-defined]
    result = cli("approve", sample_id, as_=EDITOR)
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    return sample_id


@pytest.fixture
def sample_arabic() -> dict[str, str]:
    """The project's Arabic translation of the sample, keyed by segment id (title, p1..p9, source)."""
    blocks = [b.strip() for b in SAMPLE_AR.read_text(encoding="utf-8").split("\n\n") if b.strip()]
    title, *paragraphs, source = blocks
    return {"title": title, **{f"p{i}": p for i, p in enumerate(paragraphs, start=1)}, "source": source}


# ---------------------------------------------------------------- hardening (issue 15): the sample newsroom
def files_hash(root: Path) -> dict[str, str]:
    """Every file of the newsroom and dist/ (not the derived .pubflow/): proves nothing was written."""
    out = {}
    for path in sorted(root.rglob("*")):
        if ".pubflow" in path.relative_to(root).parts:
            continue
        if path.is_symlink():
            out[str(path.relative_to(root))] = "-> " + str(path.readlink())
        elif path.is_file():
            out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            out[str(path.relative_to(root)) + "/"] = ""
    return out


class BuiltRooms:
    """Newsrooms built once per test process, copied into each test that asks for one.

    Building this repository's sample (PDFs on) takes about a second, and some forty tests start
    from it.  `copy(key, make, dest)` makes the master with `make(master)` the first time `key` is
    asked for (from inside a test's fixtures: the environment is already the clean one), then
    copies it to `dest` with its derived data (`.pubflow/`: index, build state, caches) as if the
    test had made it there.  The only path kept in that data is the build state's output folder
    (`build.json` "out": the state is trusted for that folder only); it is moved to the copy's.
    `after(master, dest)` fixes what else names the master (a git clone's remote: `git remote
    set-url`).  Any file that still names the master fails the fixture (reflog messages aside):
    copying would then no longer give what making it in place gives.
    """

    def __init__(self, base: Path) -> None:
        self.base = base
        self.masters: dict[str, Path] = {}

    def copy(self, key: str, make: Callable[[Path], None], dest: Path,
             after: Callable[[Path, Path], None] | None = None) -> Path:
        import json

        master = self.masters.get(key)
        if master is None:
            master = self.base / key / dest.name  # the same folder name as the copies
            make(master)
            self.masters[key] = master
        shutil.copytree(master, dest, symlinks=True)
        for state in dest.rglob(".pubflow/build.json"):
            data = json.loads(state.read_text("utf-8"))
            out = str(data.get("out"))
            assert out.startswith(str(master) + os.sep), out
            data["out"] = str(dest) + out[len(str(master)):]
            state.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
        if after is not None:
            after(master, dest)
        named = [str(path.relative_to(dest)) for path in dest.rglob("*") if _names(path, str(master))]
        assert named == [], f"files naming the master newsroom {master}: {named}"
        return dest


def _names(path: Path, master: str) -> bool:
    """Does this file (or link) name `master`?  Reflog messages (`.git/logs`) are only text."""
    if path.is_symlink():
        return master in os.readlink(path)
    return path.is_file() and ".git/logs" not in path.as_posix() and master.encode() in path.read_bytes()


@pytest.fixture(scope="session")
def built_rooms(tmp_path_factory: pytest.TempPathFactory) -> BuiltRooms:
    return BuiltRooms(tmp_path_factory.mktemp("built"))


def _make_sample(root: Path) -> None:
    root.mkdir(parents=True)
    for name in ("pubflow.yaml", "glossary.yaml"):
        shutil.copy2(PROJECT / name, root / name)
    shutil.copytree(PROJECT / "releases", root / "releases")
    result: Any = Cli(root)("build")
    assert result.exit_code == 0, result.output


@pytest.fixture
def sample(tmp_path: Path, built_rooms: BuiltRooms) -> Path:
    """A copy of the sample newsroom with its bundles built (dist/); built once per test process (`BuiltRooms`)."""
    return built_rooms.copy("sample", _make_sample, tmp_path / "sample")


@pytest.fixture
def run(sample: Path) -> Callable[..., Any]:
    """Run a command that must fail cleanly: documented code, one line, nothing written."""

    def call(*args: str, code: int, as_: str | None = EDITOR, env: dict[str, str] | None = None,
             root: Path | None = None) -> str:
        where = root or sample
        before = files_hash(where)
        result: Any = Cli(where)(*args, as_=as_, env=env)
        output = result.stdout + result.stderr
        assert "Traceback" not in output
        assert result.exit_code == code, output
        lines = result.stderr.splitlines()
        assert len(lines) == 1, result.stderr
        assert lines[0].startswith("error: "), lines[0]
        assert files_hash(where) == before, "a refused command changed files"
        return str(lines[0])

    return call
