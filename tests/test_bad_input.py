"""Issue 2, "Bad input": one line on stderr, the documented exit code, no traceback, no file changed."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import EDITOR, SAMPLE, WRITER, Cli
from tests.pubhelp import one_line


@pytest.fixture
def refused(cli: Cli, newsroom: Path, snapshot: Callable[[Path], dict[str, str]]) -> Callable[..., str]:
    """Run a command that must fail; return its one stderr line after checking the rules."""

    def run(*args: str, code: int, as_: str | None = EDITOR) -> str:
        before = snapshot(newsroom)
        line = one_line(cli(*args, as_=as_), code)
        assert snapshot(newsroom) == before, "a refused command changed files"
        return line

    return run


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ---------------------------------------------------------------- broken YAML
def test_broken_yaml_in_the_config_names_line_and_column(refused, newsroom):
    _replace(newsroom / "pubflow.yaml", "publish_policy: all_at_once", "publish_policy: [all_at_once")
    line = refused("list", code=5)
    assert line.endswith("pubflow.yaml:19:11: did not find expected ',' or ']' (fix the YAML syntax at that line)")


def test_broken_yaml_in_a_release_names_file_line_and_column(refused, newsroom, sample_id):
    path = newsroom / "releases" / sample_id / "release.yaml"
    _replace(path, "category: coalition-news", "category: 'coalition-news")
    line = refused("show", sample_id, code=5)
    assert re.match(rf"error: releases/{sample_id}/release.yaml:\d+:\d+: did not find expected key", line)


# ---------------------------------------------------------------- wrong types, unknown fields
def test_wrong_type_in_a_release(refused, newsroom, sample_id):
    _replace(newsroom / "releases" / sample_id / "release.yaml", "revision: 1", "revision: three")
    line = refused("history", sample_id, code=5)
    assert f"releases/{sample_id}/release.yaml: field revision must be int, not 'three'" in line


def test_unknown_field_in_a_release(refused, newsroom, sample_id):
    _replace(newsroom / "releases" / sample_id / "release.yaml", "state: draft", "state: draft\nstatus: ok")
    line = refused("submit", sample_id, code=5)
    assert "release.yaml: unknown field status (known fields:" in line


def test_unknown_field_in_the_config(refused, newsroom):
    _replace(newsroom / "pubflow.yaml", "publish_policy:", "publish_polcy: x\npublish_policy:")
    assert "pubflow.yaml: unknown field publish_polcy" in refused("people", code=5)


def test_yaml_norway_problem_in_the_config_is_explained(refused, newsroom):
    _replace(newsroom / "pubflow.yaml", "  ar: {name: العربية", "  no: {name: Norsk}\n  ar: {name: العربية")
    line = refused("people", code=5)
    assert "languages.False: False is not a BCP 47 language code" in line
    assert "quote the value" in line


def test_yaml_boolean_as_a_person_name(refused, newsroom):
    _replace(newsroom / "pubflow.yaml", "{name: Sami Khoury,", "{name: yes,")
    line = refused("people", code=5)
    assert "people[1].name: expected text, not True" in line
    assert "quote the value" in line


def test_wrong_type_in_a_language_file(refused, newsroom, sample_id):
    _replace(newsroom / "releases" / sample_id / "en.yaml", "- id: p2\n", "- id: 2\n")
    line = refused("show", sample_id, code=5)
    assert f"releases/{sample_id}/en.yaml: segments[2]: field id must be str, not 2" in line


# ---------------------------------------------------------------- ids
def test_unknown_release_id(refused):
    line = refused("show", "2019-07-23-no-such-release", code=3)
    assert "no release '2019-07-23-no-such-release' (see `pubflow list` for the ids)" in line


def test_a_file_named_like_a_release_is_no_release(refused, newsroom):
    """releases/<id> a file, not a folder: "no release" (exit 3) as before the release was read
    without a stat first (then the read's "Not a directory" came out as invalid data, exit 5)."""
    (newsroom / "releases").mkdir(exist_ok=True)
    (newsroom / "releases" / "2019-07-23-a-file").write_text("not a folder\n", "utf-8")
    line = refused("show", "2019-07-23-a-file", code=3)
    assert "no release '2019-07-23-a-file' (see `pubflow list` for the ids)" in line


@pytest.mark.parametrize("bad", ["2019-07-22-a/b", "../2019-07-22-x", "2019-07-22-a\\b", "2019-07-22-..",
                                 "..", "/etc/passwd", "2019-07-22-A"])
def test_id_with_path_characters(refused, bad):
    assert "is not a release id" in refused("show", bad, code=2)


@pytest.mark.parametrize("command", [("history",), ("comment", "-m", "x"), ("submit",), ("move", "submit")])
def test_path_ids_are_refused_by_every_command(refused, command):
    refused(command[0], "../../2019-07-22-x", *command[1:], code=2)


# ---------------------------------------------------------------- transitions
def test_unknown_transition(refused, sample_id):
    line = refused("move", sample_id, "launch", code=2)
    assert "unknown transition 'launch' (known transitions: submit, reject, approve, publish, correct, retract)" in line


def test_transition_not_allowed_lists_the_allowed_ones(refused, sample_id):
    assert refused("approve", sample_id, code=4) == "error: cannot approve from draft (allowed here: submit)"


def test_actor_without_the_role(refused, cli, sample_id):
    assert cli("submit", sample_id, as_=WRITER).exit_code == 0
    line = refused("approve", sample_id, code=4, as_=WRITER)
    assert "Sami Khoury may not approve: it needs the role editor" in line


def test_missing_required_comment(refused, cli, sample_id):
    assert cli("submit", sample_id, as_=WRITER).exit_code == 0
    assert "reject needs a comment" in refused("reject", sample_id, code=4)
    assert "reject needs a comment" in refused("reject", sample_id, "-m", "   ", code=4)


def test_unknown_person(refused, sample_id):
    line = refused("comment", sample_id, "-m", "hello", code=4, as_="mallory@example.org")
    assert "'mallory@example.org' is not one of this newsroom's people" in line


# ---------------------------------------------------------------- definitions and files
def test_invalid_workflow_definition(refused, newsroom):
    _replace(newsroom / "pubflow.yaml", "approve: {from: [review], to: translation",
             "approve: {from: [review], to: translated")
    line = refused("list", code=5)
    assert "workflow.transitions.approve: unknown state 'translated'" in line


def test_unreachable_state_in_the_workflow(refused, newsroom):
    _replace(newsroom / "pubflow.yaml", "    published:   {label: Published, live: true}",
             "    published:   {label: Published, live: true}\n    archived: {label: Archived, final: true}")
    assert "state 'archived' cannot be reached from 'draft'" in refused("workflow", code=5)


def test_non_utf8_source_file(refused, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Communiqué\n\nLe président a parlé.\n".encode("latin-1"))
    line = refused("new", "--from", str(path), code=5)
    assert f"{path}: not valid UTF-8 at byte 9 (save the file as UTF-8)" in line  # the é


def test_non_utf8_release_file(refused, newsroom, sample_id):
    path = newsroom / "releases" / sample_id / "en.yaml"
    path.write_bytes(path.read_bytes().replace("Russia’s".encode(), b"Russia\x92s", 1))
    line = refused("show", sample_id, code=5)
    assert f"releases/{sample_id}/en.yaml: not valid UTF-8 at byte" in line


def test_empty_body(refused, tmp_path):
    path = tmp_path / "title-only.txt"
    path.write_text("Just a title\n\n\n", encoding="utf-8")
    assert "the body is empty (add at least one paragraph)" in refused("new", "--from", str(path), code=5)
    assert "the body is empty" in refused("new", "--title", "T", "--body", "  ", code=5)
    empty = tmp_path / "empty.txt"
    empty.write_text("", encoding="utf-8")
    assert "the file is empty" in refused("new", "--from", str(empty), code=5)


# ---------------------------------------------------------------- command-line values
def test_bad_language_code(refused):
    assert "'e n' is not a language code" in refused("new", "--from", str(SAMPLE), "--lang", "e n", code=2)
    assert "unknown language 'fr' (this newsroom has: en, ar)" in refused(
        "new", "--from", str(SAMPLE), "--lang", "fr", code=2)


def test_zoneless_embargo(refused):
    assert "has no time zone" in refused("new", "--from", str(SAMPLE), "--embargo", "2019-07-22 09:00", code=2)


def test_bad_date(refused):
    assert "'22/07/2019' is not a date (use YYYY-MM-DD)" in refused(
        "new", "--from", str(SAMPLE), "--date", "22/07/2019", code=2)


def test_missing_argument_is_one_line(refused):
    assert "RELEASE_ID is missing" in refused("show", code=2)
    assert "no option --colour" in refused("list", "--colour", code=2)


def test_no_newsroom(tmp_path):
    result = Cli(tmp_path / "nowhere")("list")
    assert result.exit_code == 3
    assert result.stderr.count("\n") == 1
    assert "no pubflow.yaml in" in result.stderr


def test_same_release_twice_is_a_conflict(refused, sample_id):
    line = refused("new", "--from", str(SAMPLE), "--slug", "assad-russia-crimes-international", code=6, as_=WRITER)
    assert f"release '{sample_id}' already exists (choose another title or pass --slug)" in line
