"""Rules about characters in user text, in one place (pure; no I/O).

* `terminal`: the one sanitiser for text printed to a terminal or a pipe.  C0 and
  C1 control characters (escape sequences: `ESC ] 52` writes the clipboard,
  `ESC [ 2J` clears the screen), line and paragraph separators and the bidi
  formatting controls are shown as `<U+XXXX>`, so a title can neither drive
  the terminal nor reorder what is printed around it.  Newlines and tabs stay
  unless `one_line`.
* `xml_forbidden`: characters XML 1.0 does not allow (`\\x01`, `\\x0c`, ESC,
  U+FFFE …): refused at input and by the `control` check, never written
  into a feed.
* `bidi_problems`: the one bidi rule for every field and language, shared by
  the `bidi` check and by input validation (titles, body, category, notices,
  comments): embeddings and overrides (LRE RLE LRO RLO) are not allowed at all,
  since they make text display differently from what is stored (RLM/LRM marks set
  direction instead); isolates (LRI RLI FSI) must be closed by PDI on the same
  line and a PDF or PDI must close something.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from workflow.errors import InvalidData
from workflow.i18n import _

EMBEDDINGS = {"\u202a": "LRE", "\u202b": "RLE", "\u202d": "LRO", "\u202e": "RLO"}
ISOLATES = {"\u2066": "LRI", "\u2067": "RLI", "\u2068": "FSI"}
PDF, PDI = "\u202c", "\u2069"
BIDI_NAMES = {**EMBEDDINGS, **ISOLATES, PDF: "PDF", PDI: "PDI"}

_TERMINAL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_TERMINAL_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# XML 1.0 allows TAB LF CR, U+0020-U+D7FF, U+E000-U+FFFD and U+10000-U+10FFFF: the rest, as a positive class
# (the negated one with its astral range took 7 ms to compile on every start).
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def shown(char: str) -> str:
    return f"<U+{ord(char):04X}>"


def terminal(text: str, *, one_line: bool = False) -> str:
    """`text` safe to print: control and bidi formatting characters as `<U+XXXX>`."""
    pattern = _TERMINAL_LINE if one_line else _TERMINAL
    if text.isascii() and text.isprintable():
        return text
    return pattern.sub(lambda m: shown(m.group()), text)


_ASCII_SHOWN = bytes(range(0x20, 0x7F)) + b"\t\n"  # what `terminal` leaves as it is, of ASCII


def json_safe(text: str) -> str:
    """JSON text (from json.dumps) with the characters `terminal` hides written as \\uXXXX escapes
    (ASCII ones too: ESC and DEL are ASCII, and JSON kept in the index is not always json.dumps's)."""
    if text.isascii() and not text.encode("ascii").translate(None, _ASCII_SHOWN):
        return text  # the common case, ~30 times faster than the regex over megabytes of `list --json`
    return _TERMINAL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


# `_TERMINAL` in UTF-8: C0 but TAB and LF, and DEL (found by `bytes.translate`, ~30 times faster than a regex),
# then C1 (C2 80-9F), U+2028-U+202E (E2 80 A8-AE) and U+2066-U+2069 (E2 81 A6-A9), one pattern each: a pattern
# that starts with one literal byte is searched for that byte first, an alternation tries every position.
_C0_AND_DEL = bytes(range(0x00, 0x09)) + bytes(range(0x0B, 0x20)) + b"\x7f"
_ALL_BUT_C0_AND_DEL = bytes(byte for byte in range(256) if byte not in _C0_AND_DEL)
_TERMINAL_UTF8 = (re.compile(b"\xc2[\x80-\x9f]"), re.compile(b"\xe2\x80[\xa8-\xae]"),
                  re.compile(b"\xe2\x81[\xa6-\xa9]"))


def _hides_something(raw: bytes) -> bool:
    """Whether UTF-8 `raw` holds a character `terminal` hides."""
    return bool(raw.translate(None, _ALL_BUT_C0_AND_DEL)) or any(p.search(raw) for p in _TERMINAL_UTF8)


def json_safe_bytes(raw: bytes, *, strict: bool = False) -> bytes:
    """`json_safe` for UTF-8 bytes: the bytes themselves when they are valid UTF-8 with nothing to escape
    (the common case: megabytes of `list --json` are printed without being decoded into a str).  Bytes
    that are not UTF-8 come out with U+FFFD in place of what does not decode, or, with `strict`, raise
    UnicodeDecodeError."""
    if not _hides_something(raw):
        import codecs

        check = codecs.getincrementaldecoder("utf-8")()  # validated in slices: no decoded copy is kept
        view = memoryview(raw)
        try:
            for start in range(0, len(raw), 1 << 16):
                check.decode(view[start:start + (1 << 16)])
            check.decode(b"", final=True)
        except UnicodeDecodeError:
            pass
        else:
            return raw
    return json_safe(raw.decode("utf-8", "strict" if strict else "replace")).encode("utf-8")


def xml_forbidden(text: str) -> Iterator[tuple[int, str]]:
    """(index, character) of every character XML 1.0 does not allow (`\\x01`, `\\x0c`, ESC, U+FFFE)."""
    for match in _XML_FORBIDDEN.finditer(text):
        yield match.start(), match.group()


def first_forbidden(text: str) -> str | None:
    """The first character of `text` XML 1.0 does not allow, or None."""
    match = _XML_FORBIDDEN.search(text)
    return match.group() if match else None


def bidi_problems(text: str) -> Iterator[tuple[str, int, str]]:
    """(kind, index, name) of every bidi control that breaks the rule, in text order.

    kind: "embedding" (LRE RLE LRO RLO: never allowed), "stray" (a PDF or PDI closing
    nothing), "unclosed" (an isolate not closed by PDI before the end of its line)."""
    isolates: list[int] = []
    embeddings = 0  # already reported; their PDF is not reported again
    found: list[tuple[str, int, str]] = []
    for index, char in enumerate(text):
        if char in EMBEDDINGS:
            found.append(("embedding", index, EMBEDDINGS[char]))
            embeddings += 1
        elif char in ISOLATES:
            isolates.append(index)
        elif char == PDF:
            if embeddings:
                embeddings -= 1
            else:
                found.append(("stray", index, "PDF"))
        elif char == PDI:
            if isolates:
                isolates.pop()
            else:
                found.append(("stray", index, "PDI"))
        elif char in "\n\u2029":
            found += [("unclosed", i, ISOLATES[text[i]]) for i in isolates]
            isolates.clear()
            embeddings = 0
    found += [("unclosed", i, ISOLATES[text[i]]) for i in isolates]
    found.sort(key=lambda item: item[1])
    yield from found


_STORED_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_STORED_BAD_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufffe\uffff]")


def text_problem(text: str, *, one_line: bool = False) -> tuple[str, int, str] | None:
    """The first thing stored text may not hold, as (kind, index, character or bidi name), or None.

    kind: "newline" (a line break in a one-line field: a title, a category), "control" (C0 and C1
    control characters, which XML 1.0 refuses or discourages: a feed with one is invalid for the
    whole language; noncharacters), or a `bidi_problems` kind.  Tabs and line breaks are allowed
    in multi-line text."""
    if text.isascii() and text.isprintable():
        return None
    match = (_STORED_BAD_LINE if one_line else _STORED_BAD).search(text)
    if match is not None:
        char = match.group()
        kind = "newline" if char in "\n\r\u2028\u2029" else "control"
        return kind, match.start(), char
    for found in bidi_problems(text):
        return found
    return None


def xml_clean(text: str) -> str:
    """`text` with every character XML 1.0 does not allow replaced by U+FFFD (the last line of
    defence of a feed; such characters are refused at input)."""
    if text.isascii() and text.isprintable():
        return text
    return _XML_FORBIDDEN.sub("\ufffd", text)


def unsafe_text(what: str, text: str, *, one_line: bool = False) -> InvalidData | None:
    """The error that refuses `text` as `what` (a title, a notice, a pubflow.yaml label) under the one
    rule of `text_problem`, or None: every place that stores text says it the same way."""
    found = text_problem(text, one_line=one_line)
    if found is None:
        return None
    kind, index, char = found
    if kind == "newline":
        return InvalidData(_("{what} must be one line (line break at character {n})").format(what=what, n=index + 1),
                           _("remove the line break; paragraphs belong in the body"))
    if kind == "control":
        return InvalidData(
            _("{what} contains the control character U+{code:04X} at character {n}, which feeds and pages "
              "cannot hold").format(what=what, code=ord(char), n=index + 1),
            _("remove it; it is often pasted with text from a terminal or a PDF"))
    code = {v: k for k, v in BIDI_NAMES.items()}[char]
    if kind == "embedding":
        return InvalidData(
            _("{what} contains the bidi override {name} (U+{code:04X}), which can make text display "
              "differently from what is stored").format(what=what, name=char, code=ord(code)),
            _("remove it; use the RLM or LRM mark, U+200F or U+200E, to set direction"))
    if kind == "stray":
        return InvalidData(_("{what}: {name} (U+{code:04X}) closes nothing").format(
            what=what, name=char, code=ord(code)), _("remove it"))
    return InvalidData(_("{what}: {name} (U+{code:04X}) is never closed with PDI (U+2069) on its line").format(
        what=what, name=char, code=ord(code)), _("close it with PDI, or remove it"))
