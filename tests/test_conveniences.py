"""What people expect of a command line: completion, --version, -h, help with no arguments,
a refused --ui-lang, `list` in 80 columns.

Completion goes through typer's own protocol, the environment variables the
scripts of `--show-completion` set (`_PUBFLOW_COMPLETE`, `COMP_WORDS`/`COMP_CWORD`
for bash, `_TYPER_COMPLETE_ARGS` for zsh and fish), in process with CliRunner.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import EDITOR, WRITER, Cli
from workflow.cli.app import app
from workflow.version import __version__

NAMED_SHELL = "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"  # typer: name the shell instead of detecting it
LONG_SLUG = "statement-on-humanitarian-situation-in-northwestern-syria"  # 58 of the 60 a slug may have
LONG_TITLE = "Statement on the humanitarian situation in northwestern Syria and the besieged towns around it"


def complete(root: Path | None, shell: str, words: str, cwd: Path | None = None) -> Any:
    """What pubflow answers a `shell` asking to complete the command line `words`."""
    env = {"_PUBFLOW_COMPLETE": f"complete_{shell}"}
    if shell == "bash":
        parts = words.split(" ")
        env.update(COMP_WORDS=words, COMP_CWORD=str(len(parts) - 1))
    else:
        env["_TYPER_COMPLETE_ARGS"] = words
        if shell == "fish":
            env["_TYPER_COMPLETE_FISH_ACTION"] = "get-args"
    if root is not None:
        env["PUBFLOW_ROOT"] = str(root)
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliRunner().invoke(app, [], prog_name="pubflow", env=env)
    finally:
        os.chdir(old)


@pytest.fixture
def two_releases(cli: Cli) -> list[str]:
    ids = []
    for n, (title, date) in enumerate([(LONG_TITLE, "2024-03-01"), ("Short news", "2024-03-02")]):
        result: Any = cli("new", "--title", title, "--body", "Body.", "--date", date, "--json",
                          *(("--slug", LONG_SLUG) if n == 0 else ()), as_=WRITER)
        assert result.exit_code == 0, result.output
        ids.append(json.loads(result.stdout)["id"])
    result = cli("submit", ids[1], as_=WRITER)
    assert result.exit_code == 0, result.output
    assert cli("list").exit_code == 0  # type: ignore[attr-defined]  # the index exists, as after any command
    return ids


# ---------------------------------------------------------------- --version, -h, no arguments, --ui-lang
def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"], prog_name="pubflow")
    assert (result.exit_code, result.stdout) == (0, f"pubflow {__version__}\n")


@pytest.mark.parametrize("path", [(), ("list",), ("catalogs",), ("catalogs", "stats")])
def test_dash_h_is_help(path: tuple[str, ...]) -> None:
    runner = CliRunner()
    short = runner.invoke(app, [*path, "-h"], prog_name="pubflow")
    long = runner.invoke(app, [*path, "--help"], prog_name="pubflow")
    assert short.exit_code == long.exit_code == 0, short.output
    assert short.stdout == long.stdout
    assert "-h, --help" in short.stdout


def test_pubflow_alone_prints_the_help_on_stdout_and_succeeds() -> None:
    result = CliRunner().invoke(app, [], prog_name="pubflow")
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: pubflow [OPTIONS] COMMAND [ARGS]...")
    assert "\n  list " in result.stdout
    assert result.stderr == ""


def test_pubflow_alone_into_a_pipe() -> None:
    """`pubflow | less` shows the help."""
    done = subprocess.run([sys.executable, "-m", "workflow"], capture_output=True, text=True, timeout=60,
                          check=False, env={**os.environ, "COLUMNS": "100"})
    assert done.returncode == 0
    assert done.stdout.startswith("Usage: pubflow ")
    assert done.stderr == ""


def test_an_unknown_ui_lang_is_refused_with_the_languages(cli: Cli) -> None:
    result: Any = cli("--ui-lang", "fr", "list")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == ("error: no interface language 'fr'; available: ar, en (give --ui-lang one of them, "
                             "or leave it out for the language of your environment)\n")
    for fine in ("ar", "AR", "ar_SY.UTF-8", "en"):
        assert cli("--ui-lang", fine, "list").exit_code == 0, fine  # type: ignore[attr-defined]
    # Arabic when the environment asks for it, even to refuse
    refused: Any = cli("--ui-lang", "xx", "list", env={"PUBFLOW_LANG": "ar"})
    assert refused.exit_code == 2
    assert refused.stderr.startswith("خطأ: ")
    assert refused.stderr.count("\n") == 1


# ---------------------------------------------------------------- list in 80 columns
def test_list_fits_80_columns_and_wide_keeps_whole_ids(cli: Cli, two_releases: list[str]) -> None:
    long_id = two_releases[0]
    assert len(long_id) > 60
    narrow: Any = cli("list", env={"COLUMNS": "80"})
    assert narrow.exit_code == 0
    lines = narrow.stdout.splitlines()
    assert len(lines) == 4
    assert max(len(line) for line in lines) <= 80, narrow.stdout
    assert long_id not in narrow.stdout
    assert long_id[:20] in narrow.stdout
    assert "…" in narrow.stdout
    assert two_releases[1] in narrow.stdout  # a short id stays whole
    wide: Any = cli("list", "--wide", env={"COLUMNS": "80"})
    assert long_id in wide.stdout
    as_json: Any = cli("list", "--json", env={"COLUMNS": "80"})
    assert [r["id"] for r in json.loads(as_json.stdout)] == two_releases
    assert json.loads(as_json.stdout)[0]["title"] == LONG_TITLE


def test_list_into_a_pipe_keeps_whole_ids_and_titles(newsroom: Path, two_releases: list[str]) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUBFLOW") and k != "COLUMNS"}
    done = subprocess.run([sys.executable, "-m", "workflow", "--root", str(newsroom), "list"], capture_output=True,
                          text=True, timeout=60, check=False, env=env)
    assert done.returncode == 0, done.stderr
    assert two_releases[0] in done.stdout
    assert LONG_TITLE in done.stdout


# ---------------------------------------------------------------- completion
@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_show_completion_prints_the_script(shell: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(NAMED_SHELL, "1")  # --show-completion SHELL: read when typer builds the command
    result = CliRunner().invoke(app, ["--show-completion", shell], prog_name="pubflow")
    assert result.exit_code == 0, result.output
    assert "_PUBFLOW_COMPLETE" in result.stdout
    assert f"complete_{shell}" in result.stdout


def test_install_completion_writes_the_bash_script(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv(NAMED_SHELL, "1")
    result = CliRunner().invoke(app, ["--install-completion", "bash"], prog_name="pubflow", env={"HOME": str(home)})
    assert result.exit_code == 0, result.output
    script = home / ".bash_completions" / "pubflow.sh"
    assert "_PUBFLOW_COMPLETE=complete_bash" in script.read_text()
    assert str(script) in (home / ".bashrc").read_text()


def test_commands_complete(newsroom: Path) -> None:
    result = complete(newsroom, "bash", "pubflow pen")
    assert result.stdout.split() == ["pending"]


def test_release_ids_complete_from_the_index(newsroom: Path, two_releases: list[str]) -> None:
    bash = complete(newsroom, "bash", "pubflow show 2024-03")
    assert bash.exit_code == 0
    assert bash.stdout.split() == two_releases
    assert complete(newsroom, "bash", "pubflow show 2024-03-02").stdout.split() == [two_releases[1]]
    fish = complete(newsroom, "fish", "pubflow history 2024-03-02")
    assert fish.stdout.strip() == f"{two_releases[1]}\tShort news"
    zsh = complete(newsroom, "zsh", "pubflow show 2024-03-01")
    assert two_releases[0] in zsh.stdout
    assert "Statement on the humanitarian" in zsh.stdout


def test_release_ids_complete_without_an_index(newsroom: Path, two_releases: list[str]) -> None:
    for path in (newsroom / ".pubflow").glob("index.sqlite*"):
        path.unlink()
    assert complete(newsroom, "bash", "pubflow show 2024").stdout.split() == two_releases


def test_transitions_complete_from_the_release_state(newsroom: Path, two_releases: list[str]) -> None:
    draft, in_review = two_releases
    assert complete(newsroom, "bash", f"pubflow move {draft} ").stdout.split() == ["submit"]
    assert complete(newsroom, "bash", f"pubflow move {in_review} ").stdout.split() == ["reject", "approve"]
    every = complete(newsroom, "bash", "pubflow move 2099-01-01-unknown ").stdout.split()
    assert every == ["submit", "reject", "approve", "publish", "correct", "retract"]


def test_languages_states_and_people_complete(newsroom: Path) -> None:
    assert complete(newsroom, "bash", "pubflow pending --lang ").stdout.split() == ["en", "ar"]
    assert complete(newsroom, "bash", "pubflow list --state tr").stdout.split() == ["translation"]
    fish = complete(newsroom, "fish", "pubflow list --lang a")
    assert fish.stdout.strip() == "ar\tالعربية"
    assert complete(newsroom, "bash", "pubflow submit x --as hala").stdout.split("\n")[0] == EDITOR
    assert complete(newsroom, "bash", "pubflow submit x --as Hala").stdout.split("\n")[0] == "Hala Darwish"
    fish = complete(newsroom, "fish", "pubflow submit x --as lina")
    assert fish.stdout.strip() == "lina.aziz@example.org\treviewer:ar, translator:ar"


def test_completion_never_fails(tmp_path: Path, newsroom: Path) -> None:
    # no newsroom at all: nothing to offer, no error
    result = complete(None, "bash", "pubflow show 20", cwd=tmp_path)
    assert (result.exit_code, result.stdout.strip(), result.stderr) == (0, "", "")
    # a pubflow.yaml that is not YAML, an index that is not SQLite
    (newsroom / "pubflow.yaml").write_text("languages: [\n")
    (newsroom / ".pubflow").mkdir(exist_ok=True)
    (newsroom / ".pubflow" / "index.sqlite").write_bytes(b"not a database")
    for words in ("pubflow pending --lang ", "pubflow move x ", "pubflow submit x --as ", "pubflow show 2"):
        result = complete(newsroom, "bash", words)
        assert (result.exit_code, result.stdout.strip(), result.stderr) == (0, "", ""), words
    # an unknown --ui-lang does not get in the way of completion
    result = complete(newsroom, "bash", "pubflow --ui-lang xx li")
    assert result.stdout.split() == ["list"]


def test_folder_names_with_terminal_controls_are_not_completed(newsroom: Path, two_releases: list[str]) -> None:
    """Without an index, release ids complete from the folder names under releases/, which were
    printed raw: a folder named with an escape sequence reached the terminal through the shell, one
    with a line break became two words."""
    for path in (newsroom / ".pubflow").glob("index.sqlite*"):
        path.unlink()
    (newsroom / "releases" / "2024-03-09-x\x1b]0;owned\x07").mkdir()
    (newsroom / "releases" / "2024-03-09-y\n--root=elsewhere").mkdir()
    (newsroom / "releases" / "2024-03-09-z\u202etxt.exe").mkdir()
    for shell in ("bash", "zsh", "fish"):
        result = complete(newsroom, shell, "pubflow show 2024")
        assert result.exit_code == 0
        assert "\x1b" not in result.stdout
        assert "\x07" not in result.stdout
        assert "\u202e" not in result.stdout
        assert "elsewhere" not in result.stdout
    assert complete(newsroom, "bash", "pubflow show 2024").stdout.split() == two_releases


@pytest.mark.parametrize("plant", ["recursive-view", "journal-fifo"])
def test_a_planted_index_never_hangs_completion(newsroom: Path, two_releases: list[str], plant: str) -> None:
    """Completion reads the index as it is (never rebuilt): an index carried in whose `releases` is a
    never-ending view, or a FIFO as its journal, hung every Tab.  It completes from the folders."""
    import sqlite3

    path = newsroom / ".pubflow" / "index.sqlite"
    if plant == "recursive-view":
        conn = sqlite3.connect(path)
        conn.execute("DROP TABLE releases")
        conn.execute("CREATE VIEW releases AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
                     "SELECT '2024-03-01-x' || x AS id, 'planted' AS title, 'draft' AS state FROM c")
        conn.commit()
        conn.close()
    else:
        os.mkfifo(str(path) + "-journal")
    words = "pubflow show 2024"
    env = {**os.environ, "_PUBFLOW_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": "2",
           "PUBFLOW_ROOT": str(newsroom), NAMED_SHELL: "1"}
    done = subprocess.run([str(Path(sys.executable).parent / "pubflow")], capture_output=True, text=True,
                          timeout=60, env=env)
    assert done.stdout.split() == two_releases
