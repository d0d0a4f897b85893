"""`pubflow translate` on a real pseudo-terminal: line editing, history, pre-fill, Ctrl-C -> 130.

The command runs as its own process with a pty as its terminal (pexpect), so
prompt_toolkit reads raw keys exactly as from a person at a keyboard: the Up
arrow is ESC [ A, Ctrl-U erases the line, Ctrl-C is the byte 0x03.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.conftest import TRANSLATOR
from workflow.storage.newsroom import Newsroom

pexpect = pytest.importorskip("pexpect")

pytestmark = pytest.mark.slow
UP = "\x1b[A"
CTRL_C = "\x03"
CTRL_U = "\x15"
END = "\x1b[F"


def target(root: Path, rid: str) -> dict[str, tuple[str, str]]:
    return {k: (v.text, v.status) for k, v in Newsroom.open(root).load(rid).target("ar").items()}


def spawn(root: Path, rid: str, *extra: str, term: str = "xterm") -> pexpect.spawn:
    env = dict(os.environ, PUBFLOW_USER=TRANSLATOR, TERM=term, PROMPT_TOOLKIT_NO_CPR="1", COLUMNS="200")
    for var in ("PUBFLOW_ROOT", "PUBFLOW_LANG", "LANGUAGE"):
        env.pop(var, None)
    child = pexpect.spawn(sys.executable, ["-m", "workflow", "--root", str(root), *extra, "translate", rid,
                                           "--lang", "ar", "--no-machine"],
                          env=env, encoding="utf-8", timeout=30, dimensions=(40, 200))
    return child


def test_up_arrow_pre_fill_and_ctrl_c(newsroom: Path, in_translation: str, sample_arabic: dict[str, str]) -> None:
    rid = in_translation
    child = spawn(newsroom, rid)
    child.expect_exact("[1/11] title")
    child.expect_exact("ar>")
    # A text the checks stop (a number the source does not have), refused at "save anyway?".
    wrong = sample_arabic["title"] + " 1999"
    child.send(wrong + "\r")
    child.expect_exact("save anyway? [y/N]")
    child.send("n\r")
    child.expect_exact("not saved; your text is back for editing")
    child.expect_exact("ar>")
    # The refused text is typed in again: End, then erase " 1999" with four backspaces and one more.
    child.send(END + "\x7f" * 5 + "\r")
    child.expect_exact("saved title (translated)")
    assert target(newsroom, rid)["title"] == (sample_arabic["title"], "translated")
    # p1: Up recalls the last translation typed (the title; keys and yes/no answers are not kept);
    # Ctrl-U erases it.
    child.expect_exact("[2/11] p1")
    child.expect_exact("ar>")
    child.send(UP)
    child.expect_exact(sample_arabic["title"][-12:])
    child.send(CTRL_U + sample_arabic["p1"] + "\r")
    child.expect_exact("saved p1 (translated)")
    child.expect_exact("[3/11] p2")
    child.expect_exact("ar>")
    child.send("s\r")
    child.expect_exact("skipped p2 (still untranslated)")
    child.expect_exact("[4/11] p3")
    child.expect_exact("ar>")
    child.send("b\r")
    child.expect_exact("back to p2")
    child.expect_exact("[3/11] p2")
    child.expect_exact("ar>")
    child.send(CTRL_C)
    child.expect_exact("Saved 2, skipped 1; 9 segment(s) still to translate")
    child.expect_exact("error: interrupted; everything saved so far is on disk")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    got = target(newsroom, rid)
    assert got["title"] == (sample_arabic["title"], "translated")
    assert got["p1"] == (sample_arabic["p1"], "translated")
    assert got["p2"][1] == "untranslated"


def test_revisiting_a_segment_pre_fills_its_translation(newsroom: Path, in_translation: str,
                                                       sample_arabic: dict[str, str]) -> None:
    rid = in_translation
    child = spawn(newsroom, rid)
    child.expect_exact("ar>")
    child.send(sample_arabic["title"] + "\r")
    child.expect_exact("saved title (translated)")
    child.expect_exact("[2/11] p1")
    child.expect_exact("ar>")
    child.send("b\r")
    child.expect_exact("[1/11] title")
    child.expect_exact("ar>")
    # The saved title is typed in: add one word at the end and save.
    child.send(END + " اليوم\r")
    child.expect_exact("saved title (translated)")
    child.expect_exact("ar>")
    child.send("q\r")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert target(newsroom, rid)["title"] == (sample_arabic["title"] + " اليوم", "translated")


def test_the_arabic_interface_on_a_terminal(newsroom: Path, in_translation: str,
                                            sample_arabic: dict[str, str]) -> None:
    child = spawn(newsroom, in_translation, "--ui-lang", "ar")
    child.expect_exact("(غير مترجم)")
    child.expect_exact("ar>")
    child.send(sample_arabic["title"] + " 1999\r")
    child.expect_exact("هل تحفظها رغم ذلك؟ [نعم/لا]")
    child.send("ن\r")
    child.expect_exact("title")
    child.expect_exact("ar>")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert target(newsroom, in_translation)["title"] == (sample_arabic["title"] + " 1999", "translated")


def test_readline_where_prompt_toolkit_cannot_draw(newsroom: Path, in_translation: str,
                                                   sample_arabic: dict[str, str]) -> None:
    """TERM=dumb: Python's input() with readline, the same pre-fill and history."""
    rid = in_translation
    child = spawn(newsroom, rid, term="dumb")
    child.expect_exact("ar>")
    wrong = sample_arabic["title"] + " 1999"
    child.send(wrong + "\r")
    child.expect_exact("save anyway? [y/N]")
    child.send("n\r")
    child.expect_exact("not saved; your text is back for editing")
    child.expect_exact("ar>")
    child.send("\x7f" * 5 + "\r")  # the cursor is at the end of the pre-filled text
    child.expect_exact("saved title (translated)")
    child.expect_exact("ar>")
    child.send(UP + "\r")  # the title again, for p1: saved as typed (the checks find nothing wrong)
    child.expect_exact("saved p1 (translated)")
    child.expect_exact("ar>")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    got = target(newsroom, rid)
    assert got["title"] == (sample_arabic["title"], "translated")
    assert got["p1"] == (sample_arabic["title"], "translated")
