"""Releases on disk: importing text, the YAML files, and segment ids that stay put."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLE, SAMPLE_AR, WRITER
from workflow.core.model import source_from_dict, source_to_dict
from workflow.core.segments import SourceSegment, align, build, normalize
from workflow.storage import store, yamlio

SAMPLE_ID = "2019-07-22-assad-russia-crimes-international"
BREADCRUMB = "Home Media Center Coalition News Items filtered by date: Monday, 22 July 2019"


def read_yaml(path: Path) -> dict:
    return yamlio.read(path)


# ---------------------------------------------------------------- the sample release
def test_sample_import_has_title_nine_paragraphs_and_source(newsroom, sample_id):
    folder = newsroom / "releases" / sample_id
    en = read_yaml(folder / "en.yaml")
    ids = [s["id"] for s in en["segments"]]
    assert ids == ["title", *(f"p{i}" for i in range(1, 10)), "source"]
    texts = {s["id"]: s["text"] for s in en["segments"]}
    assert texts["p1"].startswith("The Syrian Coalition stressed that Assad regime")
    assert texts["p9"].endswith("in accordance with international resolutions.")
    assert texts["source"] == "(Source: Syrian Coalition’s Media Department)"
    assert not any("Home Media Center" in t for t in texts.values())
    release = read_yaml(folder / "release.yaml")
    assert release["date"] == "2019-07-22"
    assert release["category"] == "coalition-news"  # the dateline's label, stored by its key
    assert release["source_language"] == "en"
    assert release["languages"] == ["en", "ar"]
    assert release["state"] == "draft"
    assert [e["kind"] for e in release["history"]] == ["create"]
    assert read_yaml(folder / "ar.yaml")["segments"] == []


def test_sample_import_reports_the_trailing_breadcrumb(cli):
    result = cli("new", "--from", str(SAMPLE), "--json", as_=WRITER)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # Without --title the first line is the title; the dateline still gives date and category.
    assert data["id"] == "2019-07-22-coalition-news"
    assert (data["title"], data["date"], data["category"]) == ("Coalition News", "2019-07-22", "coalition-news")
    assert data["segments"] == 11
    assert data["ignored"] == [BREADCRUMB]
    again = cli("new", "--from", str(SAMPLE), "--slug", "second-copy", as_=WRITER)
    assert again.exit_code == 0
    assert again.stdout.splitlines() == ["Created 2019-07-22-second-copy (11 segments, state draft).",
                                         "Source language: en (detected from the text's script; pass --lang to choose)"]
    assert "Left out 1 paragraph(s) after the source line: Home Media Center" in again.stderr


def test_markdown_with_front_matter(cli, newsroom, tmp_path):
    text = tmp_path / "statement.md"
    text.write_text(
        "---\n"
        "title: Coalition welcomes the UN resolution\n"
        "date: 2024-03-01\n"
        "category: Statements\n"
        "lang: en\n"
        "embargo: '2024-03-01T09:00:00+03:00'\n"
        "---\n\n"
        "The Coalition welcomed the resolution.\n"
        "It called for its full implementation.\n\n"
        "A second paragraph.\n\n"
        "(Source: Media Department)\n",
        encoding="utf-8",
    )
    result = cli("new", "--from", str(text), "--json", as_=WRITER)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] == "2024-03-01-coalition-welcomes-the-un-resolution"
    assert (data["category"], data["embargo"]) == ("statements", "2024-03-01T09:00:00+03:00")
    en = read_yaml(newsroom / "releases" / data["id"] / "en.yaml")
    assert [(s["id"], s["text"]) for s in en["segments"]] == [
        ("title", "Coalition welcomes the UN resolution"),
        ("p1", "The Coalition welcomed the resolution. It called for its full implementation."),
        ("p2", "A second paragraph."),
        ("source", "(Source: Media Department)"),
    ]


def test_markdown_heading_is_the_title_when_front_matter_has_none(cli, tmp_path):
    text = tmp_path / "note.md"
    text.write_text("---\ndate: 2024-05-02\n---\n# A heading title\n\nBody paragraph.\n", encoding="utf-8")
    data = json.loads(cli("new", "--from", str(text), "--json", as_=WRITER).stdout)
    assert (data["id"], data["title"]) == ("2024-05-02-a-heading-title", "A heading title")


def test_arabic_source_release(cli, newsroom, sample_arabic):
    result = cli("new", "--lang", "ar", "--from", str(SAMPLE_AR), "--date", "2019-07-22",
                 "--category", "أخبار الائتلاف", "--json", as_=WRITER)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["source_language"] == "ar"
    assert data["languages"] == ["ar", "en"]
    assert list(data["progress"]) == ["en"]
    assert data["title"] == sample_arabic["title"]
    assert data["id"] == "2019-07-22-al-aitlaf-jraim-nzam-al-asd-wrusya-fi-shmal-ghrb-surya-jraim"  # transliterated
    folder = newsroom / "releases" / data["id"]
    ar = read_yaml(folder / "ar.yaml")
    assert {s["id"]: s["text"] for s in ar["segments"]} == sample_arabic
    assert read_yaml(folder / "en.yaml") == {"schema": 2, "release": data["id"], "language": "en", "segments": []}
    # Filters: --lang is the source language.
    listed = json.loads(cli("list", "--lang", "ar", "--json").stdout)
    assert [r["id"] for r in listed] == [data["id"]]
    assert json.loads(cli("list", "--lang", "en", "--json").stdout) == []


def test_arabic_dateline_gives_date_and_category(cli, tmp_path):
    text = tmp_path / "ar.txt"
    text.write_text("عنوان البيان\n٢٢ تموز ٢٠١٩ في أخبار الائتلاف\n\nالفقرة الأولى.\n\n(المصدر: الدائرة الإعلامية)\n",
                    encoding="utf-8")
    data = json.loads(cli("new", "--lang", "ar", "--from", str(text), "--slug", "bayan", "--json",
                          as_=WRITER).stdout)
    assert (data["id"], data["date"], data["category"]) == ("2019-07-22-bayan", "2019-07-22", "coalition-news")
    assert data["segments"] == 3


def test_arabic_is_stored_unescaped(cli, newsroom):
    result = cli("new", "--lang", "ar", "--from", str(SAMPLE_AR), "--slug", "ar-sample", "--date", "2019-07-22",
                 as_=WRITER)
    assert result.exit_code == 0, result.output
    raw = (newsroom / "releases" / "2019-07-22-ar-sample" / "ar.yaml").read_bytes()
    assert "الائتلاف: جرائم نظام الأسد".encode() in raw
    assert b"\\u" not in raw
    assert b"\\x" not in raw
    # Paragraphs are literal blocks: one paragraph, one line of the file (git diffs stay small).
    assert b"  text: |-\n" in raw


# ---------------------------------------------------------------- YAML round trip
ARABIC = st.text(alphabet=st.characters(min_codepoint=0x0600, max_codepoint=0x06FF), min_size=1)
ANY_TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))
TEXT = st.one_of(ANY_TEXT, ARABIC, st.lists(st.one_of(ARABIC, ANY_TEXT), min_size=1).map(" ".join),
                 st.lists(ARABIC, min_size=1).map("\n\n".join))


def _write_read(data: object) -> tuple[object, bytes, bytes]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.yaml"
        store.write_text(path, yamlio.format_yaml(data))  # as init and the newsroom write YAML
        first = path.read_bytes()
        back = yamlio.read(path)
        store.write_text(path, yamlio.format_yaml(back))
        return back, first, path.read_bytes()


@settings(max_examples=80, deadline=None)
@given(st.dictionaries(st.sampled_from(["id", "text", "comment", "no", "yes", "on"]), TEXT, max_size=4),
       st.lists(TEXT, max_size=4))
def test_any_text_survives_write_and_read_byte_stable(mapping, items):
    data = {"schema": 1, **mapping, "items": items}
    back, first, second = _write_read(data)
    assert back == data
    assert first == second
    first.decode("utf-8")  # always valid UTF-8


PARAGRAPH = st.one_of(ARABIC, ANY_TEXT).map(normalize).filter(bool)


@settings(max_examples=50, deadline=None)
@given(PARAGRAPH, st.lists(PARAGRAPH, min_size=1, max_size=6), st.one_of(st.none(), PARAGRAPH))
def test_release_text_round_trips_through_its_file(title, paragraphs, source_line):
    segments = build(title, paragraphs, source_line)
    back, first, second = _write_read(source_to_dict("2019-07-22-x", "ar", segments))
    assert list(source_from_dict(back, "ar.yaml", "2019-07-22-x", "ar")) == segments
    assert first == second


# ---------------------------------------------------------------- stable segment ids
WORDS = st.lists(st.sampled_from("alpha beta gamma delta epsilon zeta eta theta iota kappa".split()),
                 min_size=3, max_size=12).map(" ".join)
# New paragraphs share no word with the old ones, so they can never pass for an edit.
NEW_WORDS = st.lists(st.sampled_from("١ ٢ ٣ ٤ ٥ ٦ ٧ ٨ ٩ ٠".split()), min_size=3, max_size=12).map(" ".join)


@st.composite
def edits(draw: st.DrawFn) -> tuple[list[str], list[tuple[str, str | None]]]:
    """Old paragraphs, and the new body as (text, old text it comes from or None)."""
    old = draw(st.lists(WORDS, min_size=1, max_size=8, unique=True))
    new: list[tuple[str, str | None]] = []
    for text in old:
        action = draw(st.sampled_from(["keep", "keep", "remove", "insert_before"]))
        if action == "insert_before":
            new.append((draw(NEW_WORDS), None))
        if action != "remove":
            new.append((text, text))
    if draw(st.booleans()):
        new.append((draw(NEW_WORDS), None))
    texts = [t for t, _ in new]
    if len(set(texts)) != len(texts):
        new = [(t, o) for i, (t, o) in enumerate(new) if t not in texts[:i]]
    return old, new


@settings(max_examples=120, deadline=None)
@given(edits())
def test_segment_ids_follow_their_paragraph(case):
    old_texts, new = case
    old = build("Title", old_texts, "(Source: Desk)")
    old_ids = {s.text: s.id for s in old}
    result = align(old, "Title", [t for t, _ in new], "(Source: Desk)")
    ids = [s.id for s in result]
    assert len(set(ids)) == len(ids)
    assert ids[0] == "title"
    assert ids[-1] == "source"
    for segment, (text, origin) in zip(result[1:-1], new, strict=True):
        assert segment.text == text
        if origin is not None:  # an unchanged paragraph keeps its id
            assert segment.id == old_ids[origin]
        else:  # a new paragraph gets a number never used before
            assert segment.id not in {s.id for s in old}


@settings(max_examples=100, deadline=None)
@given(st.lists(WORDS, min_size=1, max_size=8, unique=True), st.data())
def test_an_edited_paragraph_keeps_its_id(old_texts, data):
    old = build("Title", old_texts, None)
    index = data.draw(st.integers(0, len(old_texts) - 1))
    edited = list(old_texts)
    edited[index] = edited[index] + " omega"
    if len(set(edited)) != len(edited):
        return
    result = align(old, "Title", edited, None)
    assert [s.id for s in result] == [s.id for s in old]
    assert result[index + 1] == SourceSegment(old[index + 1].id, edited[index])
