"""`pubflow pending` and `pubflow inbox` answer from the index what reading every file answers.

Their output is kept in the index while nothing it depends on changes
(`workflow.cli.rendered`): a hand edit and a catalog update show at once.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from workflow.cli.app import app
from workflow.storage.newsroom import Newsroom

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    root = tmp_path_factory.mktemp("gen") / "newsroom"
    module.generate(30, root, seed=11)
    return root


@pytest.fixture
def room(generated: Path, tmp_path: Path) -> Path:
    shutil.copytree(generated, tmp_path / "newsroom")
    return tmp_path / "newsroom"


def _run(room: Path, *args: str, indexed: bool, pythonpath: Path | None = None) -> tuple[int, str, str]:
    """`pubflow --root room args` in a new process; `indexed=False`: without the index (every file read)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBFLOW")}
    if not indexed:
        env["PUBFLOW_NO_INDEX"] = "1"
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    done = subprocess.run([sys.executable, "-c", "from workflow.cli.app import main; main()", "--root", str(room),
                           *args], capture_output=True, text=True, env=env, check=False,
                          cwd=pythonpath or ROOT)
    return done.returncode, done.stdout, done.stderr


def _invoke(room: Path, *args: str, indexed: bool) -> tuple[int, str, str]:
    """The same command line in this process (CliRunner): what it prints and its exit code.

    The index and the output kept in it live in `.pubflow/index.sqlite`, read
    afresh by every run; nothing of them is kept in the process (the catalog
    tests below, in new processes, cover a second process reading what the
    first one stored).  PUBFLOW_USER is unset (the autouse `_clean_env`)."""
    result = CliRunner().invoke(app, ["--root", str(room), *args], catch_exceptions=False,
                                env={"PUBFLOW_NO_INDEX": None if indexed else "1"})
    return result.exit_code, result.stdout, result.stderr


def _command_lines(room: Path) -> list[list[str]]:
    # one person per set of roles: people who hold the same roles see queues computed the same way
    people = list({tuple(sorted(p.roles)): p.email for p in Newsroom.open(room).config.people}.values())
    lines = [["pending"], ["pending", "--lang", "ar"], ["pending", "--lang=en", "--json"], ["pending", "--json"],
             ["pending", "--lang", "xx"], ["pending", "--mine", "--as", "nobody@example.org"],
             ["inbox", "--as", "nobody@example.org"], ["--ui-lang", "ar", "pending"], ["inbox"]]
    for email in people:
        lines += [["pending", "--mine", "--as", email], ["inbox", "--as", email], ["inbox", "--json", f"--as={email}"],
                  ["--ui-lang", "ar", "inbox", "--as", email]]
    return lines


def _assert_same(room: Path) -> None:
    for args in _command_lines(room):
        slow = _invoke(room, *args, indexed=False)
        assert _invoke(room, *args, indexed=True) == slow, args  # computed
        assert _invoke(room, *args, indexed=True) == slow, args  # served from the cached output


@pytest.mark.slow
def test_queues_from_the_index_print_what_the_files_give_on_a_generated_newsroom(room: Path) -> None:
    _assert_same(room)


@pytest.mark.slow
def test_queues_from_the_index_print_what_the_files_give_on_the_fixture(newsroom: Path, sample_id: str) -> None:
    _assert_same(newsroom)


@pytest.mark.slow
def test_queues_see_a_hand_edit_at_once(room: Path) -> None:
    editor = next(p.email for p in Newsroom.open(room).config.people if "editor" in p.roles)
    before = {args[0]: _invoke(room, *args, indexed=True)[1] for args in (["pending"], ["inbox", "--as", editor])}
    paths = [p for p in sorted(room.glob("releases/*/*.yaml"))
             if p.name != "release.yaml" and "status: machine" in p.read_text(encoding="utf-8")]
    assert paths
    path = paths[0]
    path.write_text(path.read_text(encoding="utf-8").replace("status: machine", "status: translated", 1),
                    encoding="utf-8")
    for args in (["pending"], ["inbox", "--as", editor]):
        after = _invoke(room, *args, indexed=True)
        assert after == _invoke(room, *args, indexed=False), args
    assert _invoke(room, "pending", indexed=True)[1] != before["pending"]


def _checkout_copy(tmp_path: Path) -> Path:
    """A copy of this pubflow source checkout (package and interface catalogs) to change catalogs in."""
    copy = tmp_path / "pubflow"
    shutil.copytree(ROOT / "workflow", copy / "workflow", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "locales", copy / "locales", ignore=shutil.ignore_patterns("*.mo"))
    return copy


def _retranslate(po_path: Path, msgid: str, msgstr: str) -> None:
    import polib

    catalog = polib.pofile(str(po_path), wrapwidth=0)
    entry = catalog.find(msgid)
    assert entry is not None, msgid
    entry.msgstr = msgstr
    catalog.save()


@pytest.mark.slow
def test_output_follows_a_catalog_update(room: Path, tmp_path: Path) -> None:
    """The text printed last time is not printed again once the catalog it was written from changed."""
    copy = _checkout_copy(tmp_path)
    editor = next(p.email for p in Newsroom.open(room).config.people if "editor" in p.roles)
    commands = {"pending": ["--ui-lang", "ar", "pending"], "inbox": ["--ui-lang", "ar", "inbox", "--as", editor],
                "list": ["--ui-lang", "ar", "list"]}
    for args in commands.values():  # the second run prints what the first one stored
        first = _run(room, *args, indexed=True, pythonpath=copy)
        assert first[0] == 0, first
        assert _run(room, *args, indexed=True, pythonpath=copy) == first
    po = copy / "locales" / "ar" / "LC_MESSAGES" / "pubflow.po"
    _retranslate(po, "{n} segment(s) pending in {r} release(s).", "{n} مقطعاً في {r} بياناً (ترجمة جديدة).")
    _retranslate(po, "Ready for you to move ({n}):", "جاهزة لتنقلها - جديد ({n}):")
    _retranslate(po, "progress", "مدى التقدم")
    expected = {"pending": "(ترجمة جديدة)", "inbox": "جاهزة لتنقلها - جديد", "list": "مدى التقدم"}
    for name, args in commands.items():
        after = _run(room, *args, indexed=True, pythonpath=copy)
        assert after[0] == 0, after
        assert expected[name] in after[1], name
        assert after == _run(room, *args, indexed=False, pythonpath=copy), name


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(
        ["\n", "\\", "\x1b", "\x85", "\u202e", "\u2066", "ب", " "])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=10)


@given(st.lists(_JSON_VALUES, max_size=6))
def test_list_json_made_row_by_row_is_the_json_of_the_whole_list(items: list[object]) -> None:
    """`list --json` encodes release by release (less memory): byte for byte what encoding the whole list gives."""
    from workflow.cli.queue_view import json_list_bytes, json_text

    assert json_list_bytes(iter(items)) == json_text(items).encode("utf-8")
