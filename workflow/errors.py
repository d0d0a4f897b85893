"""One exception root for pubflow; each class carries its exit code.

The CLI maps any `PubflowError` to one line on stderr and `exit_code`; nothing
else in the package prints or exits.  Messages say what to do next.
"""

from __future__ import annotations

# Exit codes, documented in the README.  Keep this table and the README in sync.
OK = 0
INTERNAL = 1
USAGE = 2
NOT_FOUND = 3
REFUSED = 4
INVALID_DATA = 5
CONFLICT = 6
EXTERNAL = 7


class PubflowError(Exception):
    """Root of every error pubflow reports to a user."""

    exit_code = INTERNAL

    def __init__(self, message: str, hint: str | None = None) -> None:
        self.message = message
        self.hint = hint
        super().__init__(self.line())

    def line(self) -> str:
        """The single line shown on stderr."""
        text = " ".join(self.message.split("\n"))
        if self.hint:
            text = f"{text} ({self.hint})"
        return text


class UsageError(PubflowError):
    """The command line itself is wrong (bad option value, bad language code)."""

    exit_code = USAGE


class NotFound(PubflowError):
    """A release, person, segment or newsroom does not exist."""

    exit_code = NOT_FOUND


class Refused(PubflowError):
    """The request is understood but not allowed (state, role, guard, comment)."""

    exit_code = REFUSED


class InvalidData(PubflowError):
    """A file on disk or given as input is malformed or fails validation."""

    exit_code = INVALID_DATA


class InvalidDefinition(InvalidData):
    """The workflow definition in pubflow.yaml is not a usable state machine."""


class Conflict(PubflowError):
    """Someone else changed the data first (revision mismatch, git conflict, lock)."""

    exit_code = CONFLICT


class ExternalError(PubflowError):
    """An outside service or program failed (machine translation, git, browser)."""

    exit_code = EXTERNAL
