"""Issue 15, cases 3, 4 and 7: what a title, a translation or a notice may hold, and how it is shown.

* case 3: one terminal sanitiser: control and bidi characters that came in with a
  release (by hand, through git) are printed as <U+…> by list, show, history, pending
  and inbox, into a pipe too, and in --json as \\u escapes;
* case 4: control characters are refused at input (titles, body, translations, notices)
  with one line, a `control` check catches them in translations written earlier, and
  a feed never holds one; a line break in a title is refused;
* case 7: one bidi rule for every field and language (core.textrules), shared by input
  validation and the `bidi` check.
On a copy of the sample newsroom: exit code, the one line, nothing written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.conftest import EDITOR, SAMPLE_ID, Cli
from workflow.core.textrules import bidi_problems, terminal, text_problem

OSC52 = "\x1b]52;c;cHduZWQ=\x07"
CLEAR = "\x1b[2J"
CSI = "\x9b"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
LINA = "Lina Aziz"


def edit_yaml(path: Path, change: Callable[[Any], None]) -> None:
    """Change a release file by hand, as a colleague's commit could (YAML escapes for controls)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def set_segment(data: Any, seg_id: str, text: Callable[[str], str]) -> None:
    for seg in data["segments"]:
        if seg["id"] == seg_id:
            seg["text"] = text(seg["text"])
            return
    raise AssertionError(seg_id)


def hostile_by_hand(root: Path) -> str:
    """The sample release as a colleague's commit could leave it: escapes in the title and in
    an event's comment."""
    folder = root / "releases" / SAMPLE_ID
    edit_yaml(folder / "en.yaml", lambda d: set_segment(d, "title", lambda _t: HOSTILE_TITLE))

    def comment(data: Any) -> None:
        for event in data["history"]:
            if event.get("comment", "").startswith("Checked against"):
                event["comment"] = f"Checked {CLEAR}\x1b]0;owned\x07"
                return
        raise AssertionError("no comment")

    edit_yaml(folder / "release.yaml", comment)
    return SAMPLE_ID


HOSTILE_TITLE = f"Evil {OSC52} title {CLEAR}{CSI}31m \u202egnp.exe"


def test_terminal_sanitiser_is_one_rule() -> None:
    assert terminal(f"a{OSC52}b") == "a<U+001B>]52;c;cHduZWQ=<U+0007>b"
    assert terminal(f"{CSI}31m \u202eevil\u202c \u2067x\u2069") == "<U+009B>31m <U+202E>evil<U+202C> <U+2067>x<U+2069>"
    assert terminal("line one\n\tline two") == "line one\n\tline two"
    assert terminal("one\nline", one_line=True) == "one<U+000A>line"
    # Arabic, marks and joiners stay as they are
    assert terminal("بيان\u200f صحفي\u200c") == "بيان\u200f صحفي\u200c"


def test_listing_commands_never_print_raw_escapes(sample: Path) -> None:
    rid = hostile_by_hand(sample)
    cli = Cli(sample)
    for args in (("list",), ("show", rid), ("history", rid), ("list", "--json"), ("show", rid, "--json"),
                 ("history", rid, "--json")):
        result: Any = cli(*args)
        assert result.exit_code == 0, (args, result.output)
        assert not RAW.search(result.stdout), (args, result.stdout)
        assert not RAW.search(result.stderr), (args, result.stderr)
        if "--json" in args:
            json.loads(result.stdout)  # still valid JSON, same data
    listed: Any = cli("list")
    assert "Evil <U+001B>]52;c;cHduZWQ=<U+0007> title <U+001B>[2J<U+009B>31m <U+202E>gnp.exe" in listed.stdout
    data = json.loads(cli("list", "--json").stdout)  # type: ignore[attr-defined]
    assert data[0]["title"] == f"Evil {OSC52} title {CLEAR}{CSI}31m \u202egnp.exe"
    history: Any = cli("history", rid)
    assert "Checked <U+001B>[2J<U+001B>]0;owned<U+0007>" in history.stdout


def test_pending_and_inbox_show_escapes_as_text(sample: Path) -> None:
    cli = Cli(sample)
    result: Any = cli("new", "--title", "Calm title", "--body", "Calm paragraph.", "--json")
    assert result.exit_code == 0, result.output
    rid = json.loads(result.stdout)["id"]
    for move in ("submit", "approve"):
        assert cli(move, rid).exit_code == 0  # type: ignore[attr-defined]
    edit_yaml(sample / "releases" / rid / "en.yaml",
              lambda d: set_segment(d, "p1", lambda _t: "Calm \x1b]52;c;eA==\x07 \u202eparagraph"))
    for args in (("pending",), ("inbox",)):
        out: Any = cli(*args, as_=LINA)
        assert out.exit_code == 0, out.output
        assert not RAW.search(out.stdout), out.stdout
        assert "Calm <U+001B>]52;c;eA==<U+0007> <U+202E>paragraph" in out.stdout


@pytest.mark.parametrize(("args", "line"), [
    (("new", "--title", f"Evil {OSC52} title", "--body", "Para."),
     "error: the title contains the control character U+001B at character 6, which feeds and pages cannot hold"),
    (("new", "--title", "Two\nlines", "--body", "Para."),
     "error: the title must be one line (line break at character 4)"),
    (("new", "--title", "A title", "--body", "Page \x0c break."),
     "error: segment p1 contains the control character U+000C at character 6"),
    (("set", SAMPLE_ID, "p1", "--lang", "ar", "--text", "نص\x01", "--as", LINA),
     "error: the ar translation of p1 contains the control character U+0001 at character 3"),
    (("correct", SAMPLE_ID, "-m", f"fixed {CLEAR}", "--message-ar", "صُحّح"),
     "error: the comment contains the control character U+001B"),
])
def test_control_characters_are_refused_at_input(run: Callable[..., str], args: tuple[str, ...], line: str) -> None:
    assert run(*args, code=5, as_=None if "--as" in args else EDITOR).startswith(line)


@pytest.mark.parametrize(("args", "line"), [
    (("new", "--title", "RLE \u202bin the title", "--body", "Para."),
     "error: the title contains the bidi override RLE (U+202B)"),
    (("new", "--title", "A title", "--body", "RLO \u202ein\u202c a paragraph."),
     "error: segment p1 contains the bidi override RLO (U+202E)"),
    (("set", SAMPLE_ID, "title", "--lang", "ar", "--text", "\u202eعنوان\u202c", "--as", LINA),
     "error: the ar translation of title contains the bidi override RLO (U+202E)"),
    (("correct", SAMPLE_ID, "-m", "see \u2067the notice", "--message-ar", "صُحّح"),
     "error: the comment: RLI (U+2067) is never closed with PDI (U+2069) on its line"),
    (("correct", SAMPLE_ID, "-m", "stray \u2069 close", "--message-ar", "صُحّح"),
     "error: the comment: PDI (U+2069) closes nothing"),
])
def test_one_bidi_rule_at_input(run: Callable[..., str], args: tuple[str, ...], line: str) -> None:
    assert run(*args, code=5, as_=None if "--as" in args else EDITOR).startswith(line)


def test_the_input_rule_and_the_check_share_one_definition() -> None:
    for text in ("a\u202eb\u202c", "a\u202bb", "x\u2068y", "x\u2069", "ok \u2068ACME\u2069", "مرحبا\u200fبكم"):
        stored = text_problem(text)
        assert (stored is None) == (not list(bidi_problems(text))), text
    assert text_problem("tab\tand\nlines") is None
    assert text_problem("one\nline", one_line=True) == ("newline", 3, "\n")


def test_control_check_and_feed_for_text_written_earlier(sample: Path) -> None:
    """A translation with a form feed that reached ar.yaml by hand: the `control` check flags it,
    and the feed stays valid XML (the build keeps it out; the renderer drops such characters)."""
    from workflow.core.textrules import xml_clean

    assert xml_clean("a\x0cb\x1b\ufffe\tc") == "a\ufffdb\ufffd\ufffd\tc"
    edit_yaml(sample / "releases" / SAMPLE_ID / "ar.yaml",
              lambda d: set_segment(d, "p1", lambda t: t[:20] + "\x0c" + t[20:]))
    cli = Cli(sample)
    result: Any = cli("check", SAMPLE_ID, "--lang", "ar")
    assert result.exit_code == 4, result.output
    assert "control character U+000C" in result.stdout
    built: Any = cli("build", "--force")  # the integrity gate keeps the hand edit out; the feed stays valid
    assert built.exit_code == 5, built.output
    assert "is not what its history recorded" in built.stderr
    feed = (sample / "dist" / "ar" / "feed.atom").read_bytes()
    etree.fromstring(feed)  # parses: nothing XML 1.0 refuses
    assert b"\x0c" not in feed


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(
    ["\x1b", "\x9b", "\x85", "\u2028", "\u202e", "\u2066", "\u2069", "\u200f", "\x7f", "\t", "\n", "ب",
     # the edges of every hidden range, and their neighbours that are shown as they are
     "\x00", "\x08", "\x0b", "\x1f", "\x80", "\x9f", "\xa0", "«", "\u2027", "\u2029", "\u202a", "\u202f",
     "\u2065", "\u2068", "\u206a", "’", "—"])))
def test_cached_json_bytes_are_escaped_as_the_text_would_be(text: str) -> None:
    """`list --json` prints its cached output as bytes: exactly what the text path would print."""
    from workflow.core.textrules import json_safe, json_safe_bytes

    assert json_safe_bytes(text.encode("utf-8")) == json_safe(text).encode("utf-8")


@pytest.mark.parametrize("char", [chr(code) for code in (
    *range(0x00, 0x21), *range(0x7E, 0xA1), *range(0x2026, 0x2031), *range(0x2064, 0x206B))])
def test_cached_json_bytes_hide_each_character_the_text_path_hides(char: str) -> None:
    """Every character at or beside the edge of a hidden range, alone in plain text: bytes and text agree."""
    from workflow.core.textrules import json_safe, json_safe_bytes

    text = f'["a{char}b"]'
    assert json_safe_bytes(text.encode("utf-8")) == json_safe(text).encode("utf-8")


@pytest.mark.parametrize("raw", [b"[\"\x9b31m\"]", b"\xe2\x80", b"ok \xc2", b"\xff\x1b]52;c;x\x07"])
def test_cached_json_bytes_that_are_not_utf8_never_reach_the_terminal_raw(raw: bytes) -> None:
    from workflow.core.textrules import json_safe_bytes

    out = json_safe_bytes(raw)
    out.decode("utf-8")  # valid UTF-8 now
    assert b"\x1b" not in out
    assert b"\x9b" not in out
    assert b"\x07" not in out


def test_a_kept_list_json_that_is_not_utf8_is_a_damaged_index_not_printed(
        cli: Cli, sample_id: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`list --json` served a hand-written, non-UTF-8 kept output with replacement characters (data no
    release holds) where `list` calls the index damaged and rebuilds it: now both do the latter."""
    import sqlite3

    monkeypatch.setattr("workflow.filestamp.RACY_NS", 0)  # the new release's stamps trusted at once

    first: Any = cli("list", "--json")
    assert first.exit_code == 0, first.output
    db = sqlite3.connect(cli.root / ".pubflow" / "index.sqlite")
    with db:
        changed = db.execute("UPDATE rendered SET text = CAST(? AS BLOB) WHERE key LIKE 'list%' AND key LIKE "
                             "'%True%'", (b"\n[\"\xff\"]",)).rowcount
    db.close()
    assert changed == 1
    damaged: Any = cli("list", "--json")
    assert damaged.exit_code == 5
    assert damaged.stdout == ""
    assert "damaged" in damaged.stderr, damaged.stderr
    assert len(damaged.stderr.splitlines()) == 1
    again: Any = cli("list", "--json")
    assert (again.exit_code, again.stdout) == (0, first.stdout)
    files: Any = cli("list", "--json", env={"PUBFLOW_NO_INDEX": "1"})
    assert again.stdout == files.stdout
