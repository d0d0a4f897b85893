"""Markdown: one segment per block, safe HTML, faithful plain text (workflow.core.blocks,
workflow.publishing.markdown), with hostile input and Arabic text carrying Latin URLs."""

from __future__ import annotations

import json
import re
import time
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import WRITER
from workflow.core.blocks import safe_link, split_blocks
from workflow.core.segments import split_paragraphs
from workflow.publishing.markdown import FSI, PDI, inline_html, summary, to_html, to_text
from workflow.storage.yamlio import read as read_yaml

# ---------------------------------------------------------------- blocks = segments


def old_split(body: str) -> list[str]:
    """How bodies were split before Markdown was rendered (blank lines; lines joined)."""
    out = []
    for block in re.split(r"\n\s*\n", body.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        if lines:
            out.append(" ".join(lines))
    return out


def test_a_list_and_a_subhead_are_one_segment_each():
    body = ("Intro paragraph\nwrapped over two lines.\n\n"
            "## Key figures\n"
            "- 50 people killed\n- 20 in one market\n  - including children\n- 3 towns\n\n"
            "> A quote\n> on two lines\n\n"
            "Key figures\n-----------\n\n"
            "Closing paragraph.")
    assert split_blocks(body) == [
        "Intro paragraph wrapped over two lines.",
        "## Key figures",
        "- 50 people killed\n- 20 in one market\n  - including children\n- 3 towns",
        "> A quote\n> on two lines",
        "## Key figures",  # a setext subhead, stored as ATX so joining lines cannot unmake it
        "Closing paragraph.",
    ]


def test_a_loose_list_stays_one_segment():
    assert split_blocks("1. first\n\n2. second\n\n\n3. third\n\nAfter.") == [
        "1. first\n\n2. second\n\n3. third", "After."]


def test_indented_paragraphs_and_html_stay_paragraphs():
    body = "    An indented paragraph\n    pasted from a web page.\n\n<div>raw</div>\n\n```\nnot code\n"
    assert split_blocks(body) == ["An indented paragraph pasted from a web page.", "<div>raw</div>",
                                  "``` not code"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.builds(lambda first, rest: first + rest, st.sampled_from("aXبت“"),
                                   st.text(alphabet="abc XYZ,.;:؟،ابت١٢3'\"()-*#", max_size=30)),
                         min_size=1, max_size=4), min_size=1, max_size=6))
def test_prose_splits_exactly_as_before(paragraphs):
    """Existing releases keep their segments and hashes: prose (lines starting with a letter
    or a quote, any punctuation inside) splits as it always did."""
    body = "\n\n".join("\n".join(lines) for lines in paragraphs)
    assert split_paragraphs(body) == [p for p in old_split(body)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="ab #>-*_[]()!`\n1.\\<=+", max_size=200))
def test_no_text_is_ever_lost(body):
    words = re.findall(r"[ab1]+", body)
    joined = "\n".join(split_blocks(body))
    assert re.findall(r"[ab1]+", joined) == words


def test_new_release_from_markdown_keeps_blocks(cli, newsroom, tmp_path):
    text = tmp_path / "plan.md"
    text.write_text("---\ntitle: Water plan\ndate: 2024-03-01\n---\n\n"
                    "The plan has **three** parts.\n## Key figures\n- 120 wells\n- 3 towns\n\n"
                    "(Source: Media Department)\n", encoding="utf-8")
    data = json.loads(cli("new", "--from", str(text), "--json", as_=WRITER).stdout)
    en = read_yaml(newsroom / "releases" / data["id"] / "en.yaml")
    assert [(s["id"], s["text"]) for s in en["segments"]] == [
        ("title", "Water plan"), ("p1", "The plan has **three** parts."), ("p2", "## Key figures"),
        ("p3", "- 120 wells\n- 3 towns"), ("source", "(Source: Media Department)")]


# ---------------------------------------------------------------- HTML


def test_markdown_renders():
    assert to_html("Plain **strongly** and *softly*, [the full report](https://example.org/r).") == (
        '<p>Plain <strong>strongly</strong> and <em>softly</em>, '
        '<a href="https://example.org/r">the full report</a>.</p>')
    assert to_html("## Key figures") == "<h2>Key figures</h2>"
    assert to_html("# Top") == "<h2>Top</h2>"  # the page's h1 is the title
    assert to_html("- a\n- b") == "<ul>\n<li>a</li>\n<li>b</li>\n</ul>"
    assert to_html("> said") == "<blockquote>\n<p>said</p>\n</blockquote>"
    assert to_html("###") == "<p>###</p>"  # a press release's end mark
    assert to_html("***") == "<hr>"


def test_bare_urls_and_addresses_become_links():
    assert to_html("See https://example.org/a?b=1. Or www.example.org, or write to press@example.org.") == (
        '<p>See <a href="https://example.org/a?b=1">https://example.org/a?b=1</a>. Or '
        '<a href="http://www.example.org">www.example.org</a>, or write to '
        '<a href="mailto:press@example.org">press@example.org</a>.</p>')


def test_arabic_with_latin_urls():
    text = "راجع التقرير على https://example.org/report، وراسلونا على press@example.org؛ «https://example.org/q»"
    assert to_html(text) == (
        '<p>راجع التقرير على <a href="https://example.org/report">https://example.org/report</a>، '
        'وراسلونا على <a href="mailto:press@example.org">press@example.org</a>؛ '
        '«<a href="https://example.org/q">https://example.org/q</a>»</p>')
    assert to_html("https://example.org/مسار") == (
        '<p><a href="https://example.org/%D9%85%D8%B3%D8%A7%D8%B1">https://example.org/مسار</a></p>')


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JavaScript:alert(1))",
    "[x](&#106;avascript:alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](vbscript:msgbox)",
    "[x](file:///etc/passwd)",
    "<javascript:alert(1)>",
    "![x](https://tracker.example/pixel.gif)",
    '[x](https://a.org/" onmouseover="alert(1))',
    "[x](https://a.org \"title\" onclick=alert(1))",
    "javascript:alert(1)",
])
def test_hostile_markdown_is_inert(text):
    out = to_html(text)
    elements = parsed(out)
    assert {tag for tag, _attrs in elements} <= {"p", "a"}, out
    for tag, attrs in elements:
        assert [name for name, _value in attrs] == (["href"] if tag == "a" else []), out
        for _name, value in attrs:
            assert value.startswith(("http://", "https://", "mailto:")), out


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, [(k, v or "") for k, v in attrs]))


def parsed(markup: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Every element and its attributes, as a browser's tokenizer sees them."""
    parser = _Elements()
    parser.feed(markup)
    parser.close()
    return parser.found


def test_link_policy():
    for ok in ("https://a.org", "http://a.org", "mailto:a@b.org", "tel:+963", "../x/", "#top", "x.html"):
        assert safe_link(ok), ok
    for bad in ("javascript:x", "JAVASCRIPT:x", " javascript:x", "java\nscript:x", "data:x", "vbscript:x",
                "file:///etc/passwd", "ftp://a.org", "\\\\evil.org"):
        assert not safe_link(bad), bad


def test_nested_emphasis_and_deep_nesting_lose_nothing():
    assert to_html("***bold italic*** **a *b **c** d* e**") == (
        "<p><em><strong>bold italic</strong></em> <strong>a <em>b <strong>c</strong> d</em> e</strong></p>")
    deep = ">" * 60 + " still here <b>"
    assert "still here &lt;b&gt;" in to_html(deep)  # deeper than the parser goes: shown as text
    listed = "- " * 40 + "deep item"
    assert "deep item" in to_html(listed)
    assert "deep item" in to_text(listed)


@pytest.mark.parametrize("text", [
    "*a" * 50_000, "[" * 50_000 + "x" + "]" * 50_000, "[a](b)" * 16_000, "_" * 100_000,
    "<" * 100_000, "https://a.org/ " * 7_000, ">" * 100_000, "- " * 50_000,
])
def test_huge_input_renders_in_bounded_time(text):
    started = time.monotonic()
    out = to_html(text)
    to_text(text)
    assert time.monotonic() - started < 60  # linear, not quadratic: ~1-3 s on a loaded machine
    assert "<script" not in out


# ---------------------------------------------------------------- plain text


def test_plain_text_is_faithful():
    assert to_text("Read **the** [full report](https://example.org/r) at https://example.org/x or "
                   "write to press@example.org.") == (
        "Read the full report <https://example.org/r> at https://example.org/x or write to press@example.org.")
    assert to_text("## Key figures") == "Key figures"
    assert to_text("- one\n- two\n  - nested\n- three") == "- one\n- two\n  - nested\n- three"
    assert to_text("3) x\n4) y") == "3) x\n4) y"
    assert to_text("1. a\n\n2. b") == "1. a\n\n2. b"
    assert to_text("> quoted\n>\n> second") == "> quoted\n>\n> second"
    assert to_text("a\\*b \\_c") == "a*b _c"
    assert to_text("AT&amp;T &copy;") == "AT&T ©"
    assert to_text("<script>x</script>") == "<script>x</script>"  # plain text is not markup


def test_plain_text_isolates_urls_in_arabic():
    assert to_text("راجع [التقرير](https://example.org/r).", "rtl") == (
        f"راجع التقرير {FSI}<https://example.org/r>{PDI}.")
    assert to_text("[تقرير](https://example.org/%D9%85)", "rtl") == f"تقرير {FSI}<https://example.org/م>{PDI}"


def test_summary_and_inline():
    assert summary("## Key **figures** and [a link](https://a.org)") == "Key figures and a link"
    assert inline_html("(Source: [Media Department](https://example.org/media))") == (
        '(Source: <a href="https://example.org/media">Media Department</a>)')


# ---------------------------------------------------------------- the quick link pretest
LINKY = ["See https://example.org/a.", "www.example.org", "example.org", "mail press@example.org",
         "localhost:8000", "//cdn.example.org/x", "U.N. envoy", "e.g. this", "no link here at all",
         "زوروا example.org، شكراً", "الأمم المتحدة.", "ftp://x.y", "mailto:a@b.co", "3.14 and 2.5",
         "a.b", "Ends with a dot.", "time 10:30", "EXAMPLE.ORG"]


def _slow_pretest() -> Any:
    from linkify_it import LinkifyIt

    return LinkifyIt().pretest


def test_the_quick_pretest_never_rejects_what_linkify_would_accept() -> None:
    from workflow.publishing.markdown import _parser

    quick = _parser().linkify.pretest
    slow = _slow_pretest()
    for text in LINKY:
        assert quick(text) == slow(text), text

    @settings(max_examples=400, deadline=None)
    @given(st.text(alphabet=st.sampled_from(list("aZx.@:/ _-org com lhostب،١0\n")), max_size=40))
    def same(text: str) -> None:
        assert quick(text) == slow(text)

    same()


def test_paragraphs_render_the_same_with_the_quick_pretest() -> None:
    from workflow.core import blocks
    from workflow.publishing.markdown import _parser

    plain = blocks.new_parser()
    plain.options["linkify"] = True
    plain.options["xhtmlOut"] = False
    plain.enable("linkify")
    for text in LINKY:
        assert _parser().render(text) == plain.render(text), text


def test_a_text_rendered_for_both_directions_keeps_each_its_own_links():
    """Each text is parsed once per process and its tokens shared: the right-to-left page's
    dir="ltr" on a bare URL never leaks into the left-to-right rendering, in either order."""
    text = "راجع https://example.org/report، ثم [هنا](https://example.org/x)."
    rtl = ('<p>راجع <a href="https://example.org/report" dir="ltr">https://example.org/report</a>، '
           'ثم <a href="https://example.org/x">هنا</a>.</p>')
    ltr = rtl.replace(' dir="ltr"', "")
    assert [to_html(text, "ltr"), to_html(text, "rtl"), to_html(text, "ltr"), to_html(text, "rtl")] == [
        ltr, rtl, ltr, rtl]
    other = text.replace("report", "annex")  # a text seen first on a right-to-left page
    assert to_html(other, "rtl") == rtl.replace("report", "annex")
    assert to_html(other, "ltr") == ltr.replace("report", "annex")
    assert to_text(other) == "راجع https://example.org/annex، ثم هنا <https://example.org/x>."


PROSE = ("abcxyz ABC ماقلنعب 0123456789 ٠١٢٣ ,;'\"()?!%/-.:_*&<>[]#`~\\"
         "\u060c\u061b\u061f\u2014\u2013\u2018\u2019\u201c\u201d\u00ab\u00bb\u2026")


PLAIN_ALPHABET = "abz ABZ ماقب 09٠٩ ,;'\"()?!%/-.:\u060c\u061f\u2014\u201c\u201d\u00ab\u00bb\u2026"


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=PROSE, min_size=1, max_size=40) | st.text(alphabet=PLAIN_ALPHABET, min_size=1, max_size=40))
def test_plain_prose_is_rendered_as_the_parser_renders_it(text: str) -> None:
    """A paragraph of plain prose skips the parser; every output is what the parser gives."""
    from workflow.publishing import markdown

    for direction in ("ltr", "rtl"):
        assert to_html(text, direction) == markdown.parsed_html(text, direction)
        for urls in (True, False):
            assert to_text(text, direction, urls=urls) == markdown.parsed_text(text, direction, urls=urls)


def test_most_prose_skips_the_parser_and_markup_never_does() -> None:
    from workflow.publishing import markdown

    prose = ["The minister said on Monday that talks will resume, despite \"serious\" doubts.",
             "قال الوزير يوم الاثنين إن المحادثات ستستأنف، رغم «شكوك جدية».",
             "(Source: Media Department)", "Prices rose 12% in 2024 - a record.", "Done."]
    assert all(markdown._plain(text) for text in prose)
    markup = ["1. first", "- item", "# Title", "a *b*", "a_b_", "see [x](y)", "e.g. this", "at 10:30",
              "www.example.org", "x@example.org", "a & b", "<b>", "a  ", " a", "a\nb", "http://x", "localhost"]
    assert not any(markdown._plain(text) for text in markup)
