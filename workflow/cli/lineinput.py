"""Reading the translator's lines for `pubflow translate`, on a terminal or not.

* On a terminal: prompt_toolkit (line editing, the arrow keys, Home/End,
  Ctrl-A/E/U/W, and a history of the translations typed in this session on
  Up/Down), with the previous text pre-filled when the session asks for it
  (a save refused by the checks, a segment revisited with `b`).  Where
  prompt_toolkit cannot run (TERM=dumb, or not installed), Python's `input()`
  with `readline` gives the same editing and pre-fill.
* Not on a terminal (a pipe, a script, the tests' runner): plain lines from
  standard input; a pre-filled text is shown on a line of its own instead.

Ctrl-C raises KeyboardInterrupt and end of input EOFError, whichever way the
line is read: the session saves every segment as it goes, so the command
ends with 130 (or quits) having lost nothing.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from workflow.cli.common import echo
from workflow.i18n import _, yes_no

# Answers that are keys or yes/no, not translations: they stay out of the Up-arrow history.
KEY_LENGTH = 2


def worth_remembering(text: str) -> bool:
    """A line typed at the prompt that belongs in the history (a translation, not a key or yes/no)."""
    stripped = text.strip()
    return len(stripped) > KEY_LENGTH and yes_no(stripped) is None


class PlainIO:
    """Lines from standard input, no editing (not a terminal)."""

    def ask(self, prompt: str, prefill: str = "") -> str:
        if prefill:
            echo(_("  your text: {text}").format(text=prefill))
        echo(prompt, nl=False)
        line = sys.stdin.readline()
        if not line:
            echo("")
            raise EOFError
        return line.rstrip("\r\n")

    def say(self, text: str = "") -> None:
        echo(text)


class ReadlineIO(PlainIO):
    """`input()` with GNU readline: line editing, history, pre-fill (a terminal without prompt_toolkit)."""

    def __init__(self) -> None:
        import readline

        self.readline: Any = readline

    def ask(self, prompt: str, prefill: str = "") -> str:
        rl = self.readline
        rl.set_startup_hook((lambda: rl.insert_text(prefill)) if prefill else None)
        try:
            answer = input(prompt)
        finally:
            rl.set_startup_hook(None)
        if not worth_remembering(answer) and rl.get_current_history_length():
            rl.remove_history_item(rl.get_current_history_length() - 1)
        return answer


class PromptToolkitIO(PlainIO):
    """prompt_toolkit on a terminal: editing, a history of this session's translations, pre-fill."""

    def __init__(self) -> None:
        from prompt_toolkit import PromptSession
        from prompt_toolkit.history import InMemoryHistory

        class Translations(InMemoryHistory):
            def append_string(self, string: str) -> None:
                if worth_remembering(string):
                    super().append_string(string)

        self.session: Any = PromptSession(history=Translations())

    def ask(self, prompt: str, prefill: str = "") -> str:
        answer: str = self.session.prompt(prompt, default=prefill)
        return answer


def terminal_io() -> PlainIO:
    """The best line input this process has: prompt_toolkit on a terminal, else readline, else plain."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return PlainIO()
    if os.environ.get("TERM", "") != "dumb":
        try:
            return PromptToolkitIO()
        except ImportError:  # pragma: no cover - prompt_toolkit is a dependency
            pass
    try:
        return ReadlineIO()
    except ImportError:  # pragma: no cover - Python built without readline
        return PlainIO()
