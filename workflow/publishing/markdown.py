"""Release text (CommonMark) as HTML for pages, feeds and the PDF, and as plain text.

One segment is one Markdown block (see `workflow.core.blocks`, which also holds
the parser configuration: raw HTML, images, code and reference definitions
off; links only to http(s), mailto, tel or relative targets).  Here:

- `to_html(text, direction)`: the block as HTML.  Everything a writer or translator typed
  is escaped; `<script>` is text, `javascript:` and `data:` links are not
  links.  Bare URLs, ``www.`` addresses and e-mail addresses become links
  (linkify-it-py); Arabic punctuation or a closing quote right after a URL
  (``https://example.org/report،``) stays outside the link.  Subheads are
  ``<h2>``..``<h6>`` (the page's ``<h1>`` is the release title).  A lone
  ``###`` (a press release's end mark) stays text.  On right-to-left pages a
  bare URL's link carries ``dir="ltr"``: the URL reads left to right inside
  the Arabic sentence, in browsers and in the PDF.
- `inline_html(text)`: one line (the source line) without the ``<p>``.
- `to_text(text, direction)`: plain text for release.txt and e-mail: emphasis
  markers dropped, links as ``text <url>`` (a bare URL or address as itself),
  list bullets and numbers kept, subheads as their text, quotes with ``> ``.
  In right-to-left text the ``<url>`` is isolated (FSI...PDI) so it reads
  left to right inside the Arabic sentence.
- `summary(text)`: one line of plain text, links as their text only.

Each text is parsed once per process however many of these ask for it (a page's
paragraphs are rendered as HTML, as text and as a summary; the notes to editors and
the contact lines on every page of a build), and the last few thousand results are
kept (`functools.lru_cache`): the functions are pure, the cached tokens are never
changed after `_tokens` adjusted them.

A block nested deeper than the parser follows (`MAX_NESTING`, where
markdown-it would drop the rest) is shown as escaped text instead: nothing a
writer typed is ever lost from a page.
"""

from __future__ import annotations

import functools
import html
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

from workflow.core import blocks

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from markdown_it.tree import SyntaxTreeNode

FSI, PDI = "\u2068", "\u2069"
# Characters that end a sentence or a quotation around a URL rather than belong to it:
# Arabic comma, semicolon, question mark, full stop; closing guillemet and quotes.
TRAILING = "\u060c\u061b\u061f\u06d4\u00bb\u201d\u2019\u200e\u200f"
THEMATIC_BREAK = "* * *"

_PARSER: MarkdownIt | None = None


def _parser() -> MarkdownIt:
    global _PARSER
    if _PARSER is None:
        md = blocks.new_parser()
        md.options["linkify"] = True
        md.options["xhtmlOut"] = False  # HTML5: <br>, <hr>
        md.enable("linkify")
        _quick_pretest(md)
        _PARSER = md
    return _PARSER


# A link linkify-it can find needs one of these: a scheme ("http:", "mailto:") or "//", an e-mail's
# "@", "localhost", or a host name's dot before a top-level domain.  Its own pretest (every scheme and
# TLD in one case-insensitive pattern) took ~4 ms per paragraph, 12% of a build; texts without any of
# these (most paragraphs) now skip it.  The output is the same: only texts it would reject skip it.
_MAYBE_LINK = re.compile(r"\.\w|@|:|//|localhost", re.IGNORECASE)


def _quick_pretest(md: MarkdownIt) -> None:
    linkify = getattr(md, "linkify", None)
    if linkify is None:
        return
    slow = linkify.pretest

    def pretest(text: str) -> bool:
        return bool(_MAYBE_LINK.search(text)) and bool(slow(text))

    linkify.pretest = pretest


# A paragraph of plain prose: one line that starts with a letter (or an opening bracket or quote)
# and holds only letters, digits, spaces and punctuation no Markdown rule reacts to; a full stop
# or a colon only before a space or at the end, so no host name, scheme or time can be linkified.
# Such a text is one paragraph whose only token is itself: its HTML is the escaped text, its plain
# text the text (tests compare both with the parser's for every text this pattern accepts).
# Many paragraphs of a press release are such prose; the parser took most of a page's rendering.
_OPENING = frozenset("(\"\u201c\u00ab")  # what may open a paragraph besides a letter
# Any character other than a letter, a digit, a space and the punctuation no rule reacts to:
_NOT_PROSE = re.compile(r"[^\w ,;'\"()?!%/.:\u060c\u061b\u061f\u2014\u2013\u2018\u2019\u201c\u201d\u00ab\u00bb\u2026-]")
_STOP_IN_WORD = re.compile(r"[.:](?! |\Z)")  # "e.g", "example.org", "10:30", "mailto:"


def _plain(text: str) -> bool:
    """Is `text` plain prose (see above)?  A few scans in C: it is asked of every paragraph."""
    if not text or text[-1] == " ":
        return False
    first = text[0]
    if not (first in _OPENING or (first.isalnum() and not first.isdecimal())):
        return False
    return (_NOT_PROSE.search(text) is None and "_" not in text and "//" not in text
            and _STOP_IN_WORD.search(text) is None and "localhost" not in text.lower())


# ---------------------------------------------------------------- tokens
def _too_deep(tokens: Sequence[Token]) -> bool:
    return any(t.level >= blocks.MAX_NESTING - 1 for t in tokens)


def _trim_links(md: MarkdownIt, children: list[Token]) -> list[Token]:
    """Move trailing Arabic punctuation and closing quotes out of linkified URLs."""
    from markdown_it.token import Token

    out: list[Token] = []
    index = 0
    while index < len(children):
        token = children[index]
        if (token.type == "link_open" and token.markup == "linkify" and index + 2 < len(children)
                and children[index + 1].type == "text" and children[index + 2].type == "link_close"):
            label = children[index + 1].content
            kept = label.rstrip(TRAILING)
            if kept != label:
                cut = len(label) - len(kept)
                href = md.normalizeLinkText(str(token.attrGet("href") or ""))[:-cut]
                target = md.normalizeLink(href)
                tail = Token("text", "", 0, content=label[len(kept):])
                if kept and md.validateLink(target):
                    token.attrSet("href", target)
                    children[index + 1].content = kept
                    out.extend(children[index:index + 3])
                else:
                    out.append(Token("text", "", 0, content=kept))
                out.append(tail)
                index += 3
                continue
        out.append(token)
        index += 1
    return out


PARSED_KEPT = 1024  # token streams kept (a page's texts are rendered as HTML, then as text, then summed up)
RESULTS_KEPT = 4096  # rendered results kept per function


@functools.lru_cache(maxsize=PARSED_KEPT)
def _tokens(text: str) -> list[Token] | None:
    """The adjusted token stream of one segment; None when it is nested too deep to render.
    Shared by every caller (cached): read it, never change it."""
    from markdown_it.token import Token

    md = _parser()
    tokens = md.parse(text)
    if _too_deep(tokens):
        return None
    for index, token in enumerate(tokens):
        if token.type in ("heading_open", "heading_close"):
            level = max(2, int(token.tag[1:]))
            token.tag = f"h{level}"
            if token.type == "heading_open":
                inline = tokens[index + 1]
                if not inline.content.strip():  # "###" alone: an end mark, not an empty subhead
                    token.type, token.tag = "paragraph_open", "p"
                    inline.children = [Token("text", "", 0, content=token.markup)]
                    closing = tokens[index + 2]
                    closing.type, closing.tag = "paragraph_close", "p"
        if token.type == "inline" and token.children:
            token.children = _trim_links(md, token.children)
    return tokens


# ---------------------------------------------------------------- HTML
def _bare_links(tokens: Sequence[Token]) -> list[Token]:
    """The links of bare URLs and addresses: in right-to-left text each is a left-to-right island,
    isolated by `dir="ltr"` on its link (browsers; WeasyPrint, which has neither <bdi> nor
    dir=auto), so its trailing "/" or "." stays where it belongs."""
    return [child for token in tokens for child in token.children or ()
            if child.type == "link_open" and child.markup in ("linkify", "autolink")]


@functools.lru_cache(maxsize=RESULTS_KEPT)
def to_html(text: str, direction: str = "ltr") -> str:
    """One segment as block HTML (escaped; safe to put in a page as is).  On a right-to-left
    page (`direction` "rtl") bare URLs and e-mail addresses are isolated left to right."""
    return f"<p>{_escape(text)}</p>" if _plain(text) else parsed_html(text, direction)


def parsed_html(text: str, direction: str = "ltr") -> str:
    """`to_html` through the parser, whatever the text (what plain prose is compared with)."""
    tokens = _tokens(text)
    if tokens is None:
        return "<p>" + html.escape(text, quote=False).replace("\n", "<br>\n") + "</p>"
    md = _parser()
    if direction == "rtl" and _bare_links(tokens):
        # The cached tokens are shared (by threads too: the preview server): a fresh parse of its own
        # takes the links' dir="ltr".
        tokens = _tokens.__wrapped__(text) or tokens
        for link in _bare_links(tokens):
            link.attrSet("dir", "ltr")
    rendered: str = md.renderer.render(tokens, md.options, {})
    return rendered.rstrip("\n")


def _escape(text: str) -> str:
    """Text escaped as the parser's renderer escapes it (& < > and the double quote)."""
    from markdown_it.common.utils import escapeHtml

    return escapeHtml(text)


@functools.lru_cache(maxsize=RESULTS_KEPT)
def inline_html(text: str, direction: str = "ltr") -> str:
    """One line of text as inline HTML (links, emphasis), without a paragraph around it."""
    rendered = to_html(text, direction)
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered


# ---------------------------------------------------------------- plain text
def _inline_text(node: SyntaxTreeNode, direction: str, urls: bool) -> str:
    """Inline content as text: emphasis markers dropped, links as "text <url>"."""
    kind = node.type
    if kind in ("text", "code_inline"):
        return node.content
    if kind == "softbreak":
        return " "
    if kind == "hardbreak":
        return "\n"
    label = "".join(_inline_text(child, direction, urls) for child in node.children)
    if kind != "link" or not urls or node.markup in ("linkify", "autolink"):
        return label
    shown = _parser().normalizeLinkText(str(node.attrGet("href") or ""))
    if not shown or shown in (label, f"mailto:{label}", f"tel:{label}"):
        return label
    bracketed = f"<{shown}>"
    return f"{label} {FSI}{bracketed}{PDI}" if direction == "rtl" else f"{label} {bracketed}"


def _indent(text: str, first: str, rest: str) -> str:
    lines = text.split("\n")
    out = [(first + lines[0]).rstrip()]
    out += [(rest + line).rstrip() if line else "" for line in lines[1:]]
    return "\n".join(out)


def _block_text(node: SyntaxTreeNode, direction: str, urls: bool) -> str:
    """A block (or the whole segment) as plain text; blocks are separated by a blank line."""
    kind = node.type
    if kind in ("paragraph", "heading"):  # their one child is the inline run
        return "".join(_inline_text(child, direction, urls) for inline in node.children for child in inline.children)
    if kind == "hr":
        return THEMATIC_BREAK
    if kind == "blockquote":
        inner = _join(node.children, direction, urls, "\n\n")
        return "\n".join(f"> {line}" if line else ">" for line in inner.split("\n"))
    if kind in ("bullet_list", "ordered_list"):
        tight = all(p.hidden for item in node.children for p in item.children if p.type == "paragraph")
        start = node.attrGet("start")
        number = int(start) if start is not None else 1
        items = []
        for item in node.children:
            marker = f"{number}{node.markup} " if kind == "ordered_list" else f"{node.markup} "
            number += 1
            body = _join(item.children, direction, urls, "\n" if tight else "\n\n")
            items.append(_indent(body, marker, " " * len(marker)))
        return ("\n" if tight else "\n\n").join(items)
    return _join(node.children, direction, urls, "\n\n")


def _join(nodes: Sequence[SyntaxTreeNode], direction: str, urls: bool, separator: str) -> str:
    return separator.join(text for text in (_block_text(n, direction, urls) for n in nodes) if text)


@functools.lru_cache(maxsize=RESULTS_KEPT)
def to_text(text: str, direction: str = "ltr", *, urls: bool = True) -> str:
    """One segment as plain text (links as "text <url>" unless `urls` is False)."""
    return text if _plain(text) else parsed_text(text, direction, urls=urls)


def parsed_text(text: str, direction: str = "ltr", *, urls: bool = True) -> str:
    """`to_text` through the parser, whatever the text (what plain prose is compared with)."""
    from markdown_it.tree import SyntaxTreeNode

    tokens = _tokens(text)
    if tokens is None:
        return text
    return _block_text(SyntaxTreeNode(tokens), direction, urls).strip("\n")


@functools.lru_cache(maxsize=RESULTS_KEPT)
def summary(text: str) -> str:
    """One line of plain text for a summary or a description: links as their text only."""
    return " ".join(to_text(text, urls=False).split())
