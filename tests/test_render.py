"""Rendering: golden pages (time frozen), escaping, right-to-left, dates and digits, template errors.

Regenerate the golden files after an intended change (e.g. new Arabic catalog strings) with
    PUBFLOW_REGEN_GOLDEN=1 /work/venv/bin/pytest tests/test_render.py
and review the diff under tests/golden/ before committing it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import enable_pdf
from tests.pubhelp import SAMPLE_ID, approved_sample, at
from workflow.core.config import Language
from workflow.errors import InvalidData
from workflow.publishing.bundles import render_release
from workflow.publishing.dates import format_day
from workflow.publishing.pagemodel import page_data
from workflow.publishing.publish import publish_release
from workflow.publishing.render import Renderer
from workflow.storage.newsroom import Newsroom

GOLDEN = Path(__file__).parent / "golden"
REGEN = bool(os.environ.get("PUBFLOW_REGEN_GOLDEN"))
HOSTILE = "<script>alert(1)</script> & \"double\" 'single'"
ATOM = "{http://www.w3.org/2005/Atom}"


def with_base_url(root: Path, extra: str = "") -> None:
    config = root / "pubflow.yaml"
    text = config.read_text("utf-8").replace(
        "outputs:\n  dir: dist\n", "outputs:\n  dir: dist\n  base_url: https://media.example.org/news\n")
    config.write_text(text + extra, "utf-8")


def published_site(root: Path) -> Path:
    with_base_url(root)
    rid = approved_sample(root)
    nr = Newsroom.open(root)
    from workflow.core.config import find_person

    publish_release(nr, rid, find_person(nr.config, "hala.darwish@example.org"), now=at(10))
    return root / "dist"


def compare(name: str, data: bytes) -> None:
    path = GOLDEN / name
    if REGEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.is_file(), f"missing golden file {path}; run with PUBFLOW_REGEN_GOLDEN=1"
    assert data == path.read_bytes(), f"{name} differs from its golden file; if intended, regenerate (see module doc)"


GOLDEN_FILES = [
    ("en/{id}/index.html", "en-release.html"), ("ar/{id}/index.html", "ar-release.html"),
    ("en/{id}/release.txt", "en-release.txt"), ("ar/{id}/release.txt", "ar-release.txt"),
    ("en/{id}/release.json", "en-release.json"), ("ar/{id}/release.json", "ar-release.json"),
    ("en/feed.atom", "en-feed.atom"), ("ar/feed.atom", "ar-feed.atom"),
    ("en/index.html", "en-index.html"), ("ar/index.html", "ar-index.html"),
]


def test_pages_match_golden_files(newsroom: Path) -> None:
    enable_pdf(newsroom)  # the pages as a newsroom publishes them by default: with their PDF
    dist = published_site(newsroom)
    for produced, golden in GOLDEN_FILES:
        compare(golden, (dist / produced.format(id=SAMPLE_ID)).read_bytes())


def test_same_input_gives_byte_identical_output(newsroom: Path) -> None:
    with_base_url(newsroom)
    rid = approved_sample(newsroom)
    nr = Newsroom.open(newsroom)
    doc = nr.load(rid)
    outputs = []
    for _ in range(2):
        renderer = Renderer(Newsroom.open(newsroom).config, "https://media.example.org/news/")
        outputs.append([render_release(renderer, page_data(doc, nr.config, code, alternates=("en", "ar"))).files
                        for code in ("en", "ar")])
    assert outputs[0] == outputs[1]


def test_arabic_page_is_right_to_left_with_isolated_values(newsroom: Path) -> None:
    dist = published_site(newsroom)
    ar = (dist / "ar" / SAMPLE_ID / "index.html").read_text("utf-8")
    en = (dist / "en" / SAMPLE_ID / "index.html").read_text("utf-8")
    assert '<html lang="ar" dir="rtl">' in ar
    assert '<html lang="en" dir="ltr">' in en
    assert f"<bdi>{SAMPLE_ID}</bdi>" in ar  # an embedded left-to-right id
    assert f'<bdi>https://media.example.org/news/ar/{SAMPLE_ID}/</bdi>' in ar
    assert '<time datetime="2019-07-22" dir="auto">22 تموز 2019</time>' in ar
    assert 'lang="en" dir="ltr">English</a>' in ar  # the language switch keeps its own direction
    css = (dist / "ar" / SAMPLE_ID / "assets" / "pubflow.css").read_text("utf-8")
    assert "margin-inline" in css
    assert "Noto Naskh Arabic" in css
    assert not re.search(r"(margin|padding)-(left|right)|text-align:\s*(left|right)", css)
    index = (dist / "ar" / "index.html").read_text("utf-8")
    assert '<html lang="ar" dir="rtl">' in index


def test_arabic_plain_text_isolates_left_to_right_values(newsroom: Path) -> None:
    dist = published_site(newsroom)
    text = (dist / "ar" / SAMPLE_ID / "release.txt").read_text("utf-8")
    assert f"\u2068{SAMPLE_ID}\u2069" in text
    assert f"\u2068https://media.example.org/news/ar/{SAMPLE_ID}/\u2069" in text
    english = (dist / "en" / SAMPLE_ID / "release.txt").read_text("utf-8")
    assert "\u2068" not in english


def test_arabic_dates_use_levantine_months_and_optional_arabic_digits() -> None:
    day = dt.date(2019, 7, 22)
    assert format_day(day, Language("ar", "العربية", "rtl", "ar_SY", "latn")) == "22 تموز 2019"
    assert format_day(day, Language("ar", "العربية", "rtl", "ar_SY", "arab")) == "٢٢ تموز ٢٠١٩"
    assert format_day(day, Language("en", "English", "ltr", "en_GB", "latn")) == "22 July 2019"


def test_no_line_break_inside_a_date_or_after_a_separator(newsroom: Path) -> None:
    """A separator sticks to what follows it and a date is one unit (CSS white-space: nowrap):
    "Published 1 / December 2026" and a line ending in "·" cannot happen."""
    dist = published_site(newsroom)
    for lang, published in (("en", "Published 22 July 2019"), ("ar", "نُشر في 22 تموز 2019")):
        page = (dist / lang / SAMPLE_ID / "index.html").read_text("utf-8")
        assert f'<span class="nobr"><span class="sep" aria-hidden="true">·</span> {published}</span>' in page
        assert '<span class="nobr"><span class="sep" aria-hidden="true">·</span> <time datetime="2019-07-22"' in page
        assert not re.search(r"·</span>\s*\n", page)  # no separator ends a line of the markup either
    css = (dist / "en" / SAMPLE_ID / "assets" / "pubflow.css").read_text("utf-8")
    assert ".nobr, time { white-space: nowrap; }" in css


def test_arab_digit_style_reaches_the_page(newsroom: Path) -> None:
    config = newsroom / "pubflow.yaml"
    config.write_text(config.read_text("utf-8").replace("date_locale: ar_SY, digits: latn",
                                                        "date_locale: ar_SY, digits: arab"), "utf-8")
    dist = published_site(newsroom)
    ar = (dist / "ar" / SAMPLE_ID / "index.html").read_text("utf-8")
    assert ">٢٢ تموز ٢٠١٩</time>" in ar
    assert "50" in ar  # the translator's own digits in the text are left as written


def test_unknown_date_locale_is_refused_with_the_fix(newsroom: Path, cli: object) -> None:
    with pytest.raises(InvalidData, match=r"languages\.ar\.date_locale.*'ar_ZZ'") as info:
        format_day(dt.date(2019, 7, 22), Language("ar", "العربية", "rtl", "ar_ZZ", "latn"))
    assert "ar_SY" in (info.value.hint or "")
    config = newsroom / "pubflow.yaml"
    config.write_text(config.read_text("utf-8").replace("date_locale: ar_SY", "date_locale: ar_ZZ"), "utf-8")
    result = cli("build")  # type: ignore[operator]
    assert result.exit_code == 5
    assert "ar_ZZ" in result.stderr
    assert "ar_SY" in result.stderr
    assert not (newsroom / "dist").exists()


def test_unknown_digit_style_is_refused(newsroom: Path, cli: object) -> None:
    config = newsroom / "pubflow.yaml"
    config.write_text(config.read_text("utf-8").replace("digits: latn}\npeople", "digits: hindi}\npeople"), "utf-8")
    result = cli("build")  # type: ignore[operator]
    assert result.exit_code == 5
    assert "digits" in result.stderr
    assert "arab" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def hostile_site(root: Path) -> Path:
    with_base_url(root)
    config = root / "pubflow.yaml"  # the newsroom's own category labels are escaped like release text
    label = json.dumps(f"Cat {HOSTILE}")
    config.write_text(config.read_text("utf-8").replace(
        "  coalition-news:", f"  hostile: {{en: {label}, ar: {label}}}\n  coalition-news:"), "utf-8")
    text = f"{HOSTILE}\n\nFirst paragraph {HOSTILE}.\n\nSecond paragraph."
    rid = approved_sample(root, text=text, title=f"Title {HOSTILE}", category="hostile", slug="hostile",
                          arabic={"title": f"عنوان البيان الصحفي الجديد {HOSTILE}",
                                  "p1": f"الفقرة الأولى من البيان الصحفي {HOSTILE}", "p2": "فقرة ثانية"})
    nr = Newsroom.open(root)
    from workflow.core.config import find_person
    from workflow.editorial.transitions import apply_transition

    editor = find_person(nr.config, "hala.darwish@example.org")
    publish_release(nr, rid, editor, now=at(10))
    apply_transition(nr, rid, "correct", editor, comment=f"Fixed {HOSTILE}", now=at(20),
                     notices={"ar": f"تصحيح {HOSTILE}"})
    publish_release(nr, rid, editor, now=at(21))
    return root / "dist"


def test_hostile_text_is_escaped_in_every_output(newsroom: Path) -> None:
    dist = hostile_site(newsroom)
    rid = "2019-07-22-hostile"
    for lang in ("en", "ar"):
        for name in (f"{lang}/{rid}/index.html", f"{lang}/index.html"):
            html = (dist / name).read_text("utf-8")
            assert "<script" not in html, name
            assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &#34;double&#34; &#39;single&#39;" in html, name
        feed_bytes = (dist / lang / "feed.atom").read_bytes()
        assert b"<script" not in feed_bytes
        root = ET.fromstring(feed_bytes)  # well-formed XML
        entry = root.find(f"{ATOM}entry")
        assert entry is not None
        assert HOSTILE in (entry.findtext(f"{ATOM}title") or "")  # text once decoded: the title, as written
        content = entry.findtext(f"{ATOM}content") or ""  # HTML: the hostile text is still escaped in it
        assert "&lt;script&gt;" in content
        assert "<script" not in content
        assert ("Fixed &lt;script&gt;" if lang == "en" else "تصحيح &lt;script&gt;") in content
        raw_json = (dist / lang / rid / "release.json").read_bytes()
        assert b"<script" not in raw_json
        assert b"\\u003cscript\\u003e" in raw_json
        data = json.loads(raw_json)
        assert HOSTILE in data["title"]
        assert HOSTILE in data["paragraphs"][0]
        assert data["corrections"][0]["text"] == (f"Fixed {HOSTILE}" if lang == "en" else f"تصحيح {HOSTILE}")
        # Plain text is not markup: it carries the text exactly as written (served as text/plain).
        text = (dist / lang / rid / "release.txt").read_text("utf-8")
        assert HOSTILE in text


def test_template_syntax_error_names_template_and_line(newsroom: Path) -> None:
    rid = approved_sample(newsroom)
    (newsroom / "templates").mkdir(exist_ok=True)
    (newsroom / "templates" / "release.txt.j2").write_text("line one\n{{ page.title }\n", "utf-8")
    nr = Newsroom.open(newsroom)
    page = page_data(nr.load(rid), nr.config, "en")
    with pytest.raises(InvalidData, match=r"templates/release\.txt\.j2, line 2") as info:
        Renderer(nr.config).release_text(page)
    assert "nothing was written" in (info.value.hint or "")


def test_undefined_variable_names_template_and_line(newsroom: Path) -> None:
    rid = approved_sample(newsroom)
    (newsroom / "templates").mkdir(exist_ok=True)
    (newsroom / "templates" / "release.txt.j2").write_text("ok\nok\n{{ page.nonesuch }}\n", "utf-8")
    nr = Newsroom.open(newsroom)
    page = page_data(nr.load(rid), nr.config, "ar")
    with pytest.raises(InvalidData, match=r"templates/release\.txt\.j2, line 3: .*nonesuch"):
        Renderer(nr.config).release_text(page)


def test_newsroom_template_overrides_the_default(newsroom: Path) -> None:
    rid = approved_sample(newsroom)
    (newsroom / "templates").mkdir(exist_ok=True)
    (newsroom / "templates" / "base.html.j2").write_text(
        '<html lang="{{ lang }}" dir="{{ dir }}">{% block main %}{% endblock %}</html>\n', "utf-8")
    nr = Newsroom.open(newsroom)
    html = Renderer(nr.config).release_page(page_data(nr.load(rid), nr.config, "ar"))
    assert html.startswith('<html lang="ar" dir="rtl"><article')
    assert "<header" not in html
