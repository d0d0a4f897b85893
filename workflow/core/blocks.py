"""Markdown block structure: the one CommonMark configuration, and a body split into blocks.

Release text is CommonMark (markdown-it-py), limited to what a press release
needs: paragraphs, emphasis, links, lists, subheads (``##``), block quotes and
thematic breaks.  Raw HTML is off (``<script>`` stays text), and so are images
(a remote picture would load from anywhere), indented code (an indented
paragraph pasted from a web page stays a paragraph), fenced code (an unclosed
fence would swallow the rest of the release) and reference definitions (each
block is rendered on its own, so a reference could never resolve; its text
stays visible instead of vanishing).

One top-level block is one segment: a paragraph, a subhead, a whole list, a
whole block quote.  Paragraph lines are joined with spaces (as before Markdown
was rendered, so the hashes of existing prose do not change); a list or a
quote keeps its lines.  `split_blocks` never loses text: every non-blank line
of the body is in exactly one block.

Rendering lives in `workflow.publishing.markdown`; this module only parses
(pure: markdown-it-py does no I/O) and is imported lazily, when a body is split.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# Rules switched off in the commonmark preset (see the module notes).
DISABLED_RULES = ("code", "fence", "reference", "html_block", "html_inline", "image")
# Link targets a release may point at: the web, e-mail, telephone; relative and #fragment links.
LINK_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
MAX_NESTING = 20  # markdown-it's commonmark default; deeper content would be dropped by the parser
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_CONTROL_RE = re.compile(r"[\x00-\x20\x7f]+")


def safe_link(url: str) -> bool:
    """Whether a link target may be rendered: http(s), mailto, tel, or relative.

    The target is read percent-decoded and without control characters or
    spaces, as a browser might ("java\\tscript:" is javascript:): markdown-it
    hands over the target already percent-encoded."""
    cleaned = _CONTROL_RE.sub("", unquote(url))
    match = _SCHEME_RE.match(cleaned)
    if match is None:
        try:
            urlsplit(cleaned)
        except ValueError:
            return False
        return not cleaned.startswith("\\")  # "\\evil.com" is "//evil.com" to some browsers: refuse
    return match.group(1).lower() in LINK_SCHEMES


def new_parser() -> MarkdownIt:
    """A markdown-it parser with pubflow's rules (raw HTML, images, code, references off)."""
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING})
    md.disable(list(DISABLED_RULES))
    md.validateLink = safe_link  # type: ignore[method-assign]
    return md


_PARSER: MarkdownIt | None = None


def _parser() -> MarkdownIt:
    global _PARSER
    if _PARSER is None:
        _PARSER = new_parser()
    return _PARSER


def _dedent(lines: list[str]) -> list[str]:
    """Lines without trailing spaces, common indentation, or runs of blank lines."""
    lines = [line.rstrip() for line in lines]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    margin = min((len(line) - len(line.lstrip(" ")) for line in lines if line), default=0)
    out: list[str] = []
    for line in lines:
        if not line and out and not out[-1]:
            continue
        out.append(line[margin:])
    return out


def split_blocks(body: str) -> list[str]:
    """The top-level Markdown blocks of `body`, in order, as their normalized source text.

    Paragraphs: lines stripped and joined with one space.  Setext subheads
    ("Key figures" over "---") become ATX ("## Key figures") because joining
    their lines would unmake them.  Lists, quotes, breaks: their lines, dedented.
    """
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    lines = body.split("\n")
    tokens = _parser().parse(body)
    blocks: list[tuple[int, str]] = []
    covered = [False] * len(lines)
    for index, token in enumerate(tokens):
        if token.level != 0 or token.nesting == -1 or not token.map:
            continue
        start, end = token.map
        chunk = lines[start:end]
        for number in range(start, min(end, len(lines))):
            covered[number] = True
        if token.type == "paragraph_open":
            text = " ".join(line.strip() for line in chunk if line.strip())
        elif token.type == "heading_open" and token.markup in ("=", "-"):
            inline = tokens[index + 1] if index + 1 < len(tokens) else None
            content = " ".join((inline.content if inline else "").split())
            text = "#" * int(token.tag[1:]) + " " + content
        elif token.type == "heading_open":
            text = " ".join(line.strip() for line in chunk if line.strip())
        else:
            text = "\n".join(_dedent(chunk))
        if text.strip():
            blocks.append((start, text))
    # Nothing is lost: a non-blank line no block covers (none is expected) is a block of its own.
    for number, line in enumerate(lines):
        if not covered[number] and line.strip():
            blocks.append((number, line.strip()))
    blocks.sort(key=lambda item: item[0])
    return [text for _start, text in blocks]
