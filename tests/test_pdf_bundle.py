"""release.pdf in every bundle, and Markdown in every format, as a user of `pubflow publish` and
`pubflow build` sees them: the PDF beside the pages and inside the zip (listed in the manifest),
its text read back with pypdfium2, page 1 rendered to PNG (tests/artifacts/, or
$PUBFLOW_ARTIFACTS), byte-identical from two processes; a clear error and nothing written when
the fonts are missing; the letterhead's settings checked.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EDITOR, WRITER, enable_pdf, tree_hash
from tests.pubhelp import SAMPLE_ID, approved_sample, at, set_translation
from workflow.core.config import find_person
from workflow.editorial.create import create_release
from workflow.editorial.transitions import apply_transition
from workflow.publishing.publish import publish_release
from workflow.storage.newsroom import Newsroom

pdfium = pytest.importorskip("pypdfium2")

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(os.environ.get("PUBFLOW_ARTIFACTS", Path(__file__).parent / "artifacts"))
ARABIC_INDIC = "٠١٢٣٤٥٦٧٨٩"
LETTERHEAD = """  letterhead:
    logo: templates/assets/logo.svg
    contact:
      en: |
        Media Department
        press@example.org
        +90 212 000 00 00
      ar: |
        الدائرة الإعلامية
        press@example.org
        +90 212 000 00 00
"""
LOGO = ('<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" viewBox="0 0 120 60">'
        '<rect width="120" height="60" rx="8" fill="#7a1f1f"/>'
        '<circle cx="30" cy="30" r="18" fill="#ffffff"/></svg>')
MARKDOWN_EN = """---
title: Water plan for Idlib
date: 2024-03-01
---

The plan has **three** parts; read [the full report](https://example.org/report) or write to press@example.org.

## Key figures

- 120 wells repaired
- 3 towns connected
  - Maaret al-Nu'man first

> "Water is life," the minister said.

<script>alert(1)</script> [click](javascript:alert(1))

(Source: Media Department)
"""
MARKDOWN_AR = {
    "title": "خطة المياه في إدلب",
    "p1": "للخطة **ثلاثة** أجزاء؛ اقرأ [التقرير الكامل](https://example.org/report) أو راسلنا على press@example.org.",
    "p2": "## أرقام رئيسية",
    "p3": "- إصلاح 120 بئراً\n- وصل 3 بلدات\n  - معرة النعمان أولاً",
    "p4": "> «الماء حياة»، قال الوزير.",
    "p5": "<script>alert(1)</script> [انقر](javascript:alert(1))",
    "source": "(المصدر: الدائرة الإعلامية)",
}


def configure(root: Path, *, digits: str = "arab", letterhead: bool = True) -> None:
    enable_pdf(root)
    config = root / "pubflow.yaml"
    text = config.read_text("utf-8").replace("ar: {name: العربية, direction: rtl, date_locale: ar_SY, digits: latn}",
                        f"ar: {{name: العربية, direction: rtl, date_locale: ar_SY, digits: {digits}}}")
    text = text.replace("outputs:\n  dir: dist\n", "outputs:\n  dir: dist\n  base_url: https://media.example.org/news\n"
                        + (LETTERHEAD if letterhead else ""))
    config.write_text(text, "utf-8")
    if letterhead:
        (root / "templates" / "assets").mkdir(parents=True, exist_ok=True)
        (root / "templates" / "assets" / "logo.svg").write_text(LOGO, "utf-8")


def publish(root: Path, rid: str) -> None:
    nr = Newsroom.open(root)
    publish_release(nr, rid, find_person(nr.config, EDITOR), now=at(10))


def page_texts(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    return [document[i].get_textpage().get_text_range().replace("\r\n", "\n") for i in range(len(document))]


def visual_latin(data: bytes) -> str:
    """The Latin letters, digits and URL punctuation of page 1 as they look, left to right, line by line."""
    textpage = pdfium.PdfDocument(data)[0].get_textpage()
    rows: dict[int, list[tuple[float, str]]] = {}
    for index in range(textpage.count_chars()):
        char = textpage.get_text_range(index, 1)
        if char.isascii() and char.strip():
            left, bottom, _right, _top = textpage.get_charbox(index)
            rows.setdefault(round(bottom / 6), []).append((left, char))
    return "\n".join("".join(c for _x, c in sorted(row)) for _y, row in sorted(rows.items(), reverse=True))


def save_page_one(data: bytes, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    pdfium.PdfDocument(data)[0].render(scale=150 / 72).to_pil().save(path)
    print(f"page 1: {path}")
    return path


@pytest.fixture
def site(newsroom: Path) -> Path:
    configure(newsroom)
    rid = approved_sample(newsroom)
    publish(newsroom, rid)
    return newsroom / "dist"


def test_every_bundle_holds_the_pdf_listed_in_its_manifest(site: Path):
    for lang in ("en", "ar"):
        data = (site / lang / SAMPLE_ID / "release.pdf").read_bytes()
        assert data.startswith(b"%PDF-1.7")
        with zipfile.ZipFile(site / f"{SAMPLE_ID}-{lang}.zip") as archive:
            assert archive.read("release.pdf") == data
            manifest = json.loads(archive.read("manifest.json"))
            methods = {info.filename: info.compress_type for info in archive.infolist()}
        assert methods.pop("release.pdf") == zipfile.ZIP_STORED  # compressed already: stored as it is
        assert set(methods.values()) == {zipfile.ZIP_DEFLATED}
        entry = next(f for f in manifest["files"] if f["path"] == "release.pdf")
        assert entry == {"path": "release.pdf", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
        page = (site / lang / SAMPLE_ID / "index.html").read_text("utf-8")
        assert '<a href="release.pdf">PDF</a>' in page


def test_arabic_pdf_reads_back_in_order_with_arabic_indic_page_numbers(site: Path):
    data = (site / "ar" / SAMPLE_ID / "release.pdf").read_bytes()
    pages = page_texts(data)
    first = pages[0]
    assert "الائتلاف الوطني السوري — الدائرة الإعلامية" in first  # the letterhead
    assert "الدائرة الإعلامية" in first
    assert "press@example.org" in visual_latin(data)
    assert "بيان صحفي" in first
    assert "٢٢ تموز ٢٠١٩" in first  # the kicker's date in the language's digits
    assert "أكد الائتلاف الوطني السوري أن الجرائم المتصاعدة التي يرتكبها نظام الأسد وروسيا" in first
    for number, text in enumerate(pages, start=1):
        assert text.rstrip().endswith(f"{ARABIC_INDIC[number]} / {ARABIC_INDIC[len(pages)]}"), text[-60:]
    document = pdfium.PdfDocument(data)
    meta = document.get_metadata_dict()
    assert meta["Title"] == "الائتلاف: جرائم نظام الأسد وروسيا في شمال غرب سوريا جرائم دولية"
    assert meta["Author"] == "الائتلاف الوطني السوري — الدائرة الإعلامية"
    assert meta["CreationDate"] == "D:20190722061000Z"  # when it was published, not when it was built
    save_page_one(data, "release-ar-page1.png")


def test_english_pdf_has_latin_page_numbers_and_the_letterhead(site: Path):
    data = (site / "en" / SAMPLE_ID / "release.pdf").read_bytes()
    pages = page_texts(data)
    assert pages[0].replace("\n", " ").startswith("Syrian Coalition — Media Department")  # letterhead, beside the logo
    assert "Media Department\npress@example.org\n+90 212 000 00 00" in pages[0]
    assert "July 2019" in pages[0]
    assert "PRESS RELEASE" in pages[0]
    assert "Coalition: Assad regime and Russia's crimes in" in pages[0]
    for number, text in enumerate(pages, start=1):
        assert text.rstrip().endswith(f"{number} / {len(pages)}")
    assert "https://media.example.org/news/en/2019-07-22-assad-russia-crimes-international/" in pages[-1]
    save_page_one(data, "release-en-page1.png")


def test_arabic_source_release_with_markdown_in_every_format(newsroom: Path, cli: Any):
    configure(newsroom, digits="latn", letterhead=False)
    source = newsroom / "plan.md"
    source.write_text("---\nlang: ar\ndate: 2024-03-01\ntitle: خطة المياه في إدلب\n---\n\n"
                      + "\n\n".join(MARKDOWN_AR[k] for k in ("p1", "p2", "p3", "p4", "p5", "source")) + "\n", "utf-8")
    nr = Newsroom.open(newsroom)
    # Created at the test's fixed time: a history's times never go backwards (issue 10), so a
    # release created now could not be published at at(10).
    rid = create_release(nr, find_person(nr.config, WRITER), from_file=source, slug="water-plan", now=at(0)).release.id
    editor = find_person(nr.config, EDITOR)
    apply_transition(nr, rid, "submit", editor, now=at(1))
    apply_transition(nr, rid, "approve", editor, now=at(2))
    blocks = MARKDOWN_EN.split("---\n", 2)[2].strip().split("\n\n")
    english = {"title": "Water plan for Idlib", "p1": blocks[0], "p2": blocks[1], "p3": blocks[2],
               "p4": blocks[3], "p5": blocks[4], "source": blocks[5]}
    set_translation(nr, rid, english, lang="en")
    publish(newsroom, rid)
    dist = newsroom / "dist"
    ar_html = (dist / "ar" / rid / "index.html").read_text("utf-8")
    assert ('<p>للخطة <strong>ثلاثة</strong> أجزاء؛ اقرأ <a href="https://example.org/report">التقرير الكامل</a>'
            in ar_html)
    assert '<a href="mailto:press@example.org" dir="ltr">press@example.org</a>.' in ar_html
    assert "<h2>أرقام رئيسية</h2>" in ar_html
    assert "<ul>\n<li>إصلاح 120 بئراً</li>\n<li>وصل 3 بلدات\n<ul>\n<li>معرة النعمان أولاً</li>" in ar_html
    assert "<blockquote>\n<p>«الماء حياة»، قال الوزير.</p>\n</blockquote>" in ar_html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; [انقر](javascript:alert(1))" in ar_html
    assert "<script>alert" not in ar_html
    assert 'href="javascript' not in ar_html
    en_text = (dist / "en" / rid / "release.txt").read_text("utf-8")
    assert ("The plan has three parts; read the full report <https://example.org/report> or write to "
            "press@example.org.\n\nKey figures\n\n- 120 wells repaired\n- 3 towns connected\n"
            "  - Maaret al-Nu'man first\n\n> \"Water is life,\" the minister said.\n") in en_text
    ar_text = (dist / "ar" / rid / "release.txt").read_text("utf-8")
    assert "اقرأ التقرير الكامل \u2068<https://example.org/report>\u2069 أو" in ar_text
    feed = (dist / "en" / "feed.atom").read_text("utf-8")
    assert "&lt;h2&gt;Key figures&lt;/h2&gt;" in feed
    assert "&lt;li&gt;120 wells repaired&lt;/li&gt;" in feed
    assert "<script" not in feed
    assert "&lt;script&gt;" not in feed
    assert "&amp;lt;script&amp;gt;" in feed
    index = (dist / "en" / "index.html").read_text("utf-8")
    assert "The plan has three parts; read the full report or write to press@example.org." in index
    ar_pdf = (dist / "ar" / rid / "release.pdf").read_bytes()
    text = page_texts(ar_pdf)[0]
    # (pypdfium2 moves a tanween away from its letter when it reads a word back: words without one)
    for expected in ("خطة المياه في إدلب", "أرقام رئيسية", "إصلاح 120", "وصل 3 بلدات", "معرة النعمان", "الماء حياة"):
        assert expected in text, expected
    assert text.rstrip().endswith("1 / 1")  # digits: latn
    save_page_one(ar_pdf, "arabic-source-ar-page1.png")
    save_page_one((dist / "en" / rid / "release.pdf").read_bytes(), "arabic-source-en-page1.png")


BUILD_IN_A_PROCESS = """
import hashlib, json, sys
from pathlib import Path
from workflow.publishing.build import build
from workflow.storage.newsroom import Newsroom
out = Path(sys.argv[1])
build(Newsroom.open(sys.argv[2]), out_dir=out)
print(json.dumps({p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                  for p in sorted(out.rglob("*")) if p.is_file()}))
"""


@pytest.mark.slow
def test_two_builds_in_two_processes_give_the_same_bytes(site: Path, tmp_path: Path):
    root = site.parent
    hashes = []
    for index, (seed, zone) in enumerate((("1", "UTC"), ("7", "America/New_York"))):
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": zone}
        env.pop("SOURCE_DATE_EPOCH", None)
        done = subprocess.run([sys.executable, "-c", BUILD_IN_A_PROCESS, str(tmp_path / f"out{index}"), str(root)],
                              cwd=ROOT, env=env, capture_output=True, text=True, timeout=600, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        hashes.append(json.loads(done.stdout))
    assert hashes[0] == hashes[1]
    assert f"{SAMPLE_ID}-ar.zip" in hashes[0]
    assert f"ar/{SAMPLE_ID}/release.pdf" in hashes[0]
    published = {name: hashlib.sha256((site / name).read_bytes()).hexdigest() for name in hashes[0]}
    assert published == hashes[0]  # and the same as the build made by publish, in this process


def test_fonts_missing_refuses_to_publish_and_writes_nothing(newsroom: Path, tmp_path: Path):
    enable_pdf(newsroom)
    rid = approved_sample(newsroom)
    before = tree_hash(newsroom)
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                     f"<fontconfig><cachedir>{tmp_path}/cache</cachedir></fontconfig>", "utf-8")
    env = {**os.environ, "FONTCONFIG_FILE": str(empty), "PUBFLOW_ROOT": str(newsroom), "PUBFLOW_USER": EDITOR,
           "COLUMNS": "250"}
    done = subprocess.run([sys.executable, "-m", "workflow", "publish", rid], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 3, done.stderr
    assert done.stderr.splitlines() == [
        "error: cannot make the PDF: the font Noto Serif is not installed (install Debian's fonts-noto-core "
        "with `apt-get install fonts-noto-core`, or set outputs.pdf: false in pubflow.yaml)"]
    assert tree_hash(newsroom) == before  # still in translation, no dist/
    assert not (newsroom / "dist").exists()
    config = newsroom / "pubflow.yaml"
    config.write_text(
        config.read_text("utf-8").replace("outputs:\n  dir: dist\n", "outputs:\n  dir: dist\n  pdf: false\n"), "utf-8")
    done = subprocess.run([sys.executable, "-m", "workflow", "publish", rid], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert not (newsroom / "dist" / "en" / rid / "release.pdf").exists()
    assert (newsroom / "dist" / "en" / rid / "index.html").is_file()


@pytest.mark.parametrize(("setting", "message"), [
    ("  pdf: sometimes\n", "pubflow.yaml: outputs.pdf must be true or false, not 'sometimes' (e.g. pdf: false)"),
    ("  letterhead: [logo]\n", "pubflow.yaml: outputs.letterhead must be a mapping"),
    ("  letterhead: {colour: red}\n", "pubflow.yaml: outputs.letterhead.colour is not a known setting"),
    ("  letterhead: {logo: missing.png}\n", "pubflow.yaml: outputs.letterhead.logo 'missing.png' is not a file"),
    ("  letterhead: {logo: ../outside.png}\n", "pubflow.yaml: outputs.letterhead.logo '../outside.png' is not a file"),
    ("  letterhead: {logo: /etc/passwd}\n", "pubflow.yaml: outputs.letterhead.logo '/etc/passwd' is not a file"),
    ("  letterhead: {logo: glossary.yaml}\n", "outputs.letterhead.logo must be a PNG, JPEG or SVG file, not glossary"),
    ("  letterhead: {contact: {fr: x}}\n", "outputs.letterhead.contact.fr: not one of the languages (en, ar)"),
    ("  letterhead: {contact: {en: [x]}}\n", "outputs.letterhead.contact.en must be text, one line per line"),
    ("  letterhead: {contact: {en: \"1\\n2\\n3\\n4\\n5\\n6\\n7\\n8\\n9\"}}\n",
     "outputs.letterhead.contact.en has 9 lines (at most 8)"),
])
def test_bad_pdf_settings_are_one_line(cli: Any, newsroom: Path, setting: str, message: str):
    enable_pdf(newsroom)
    (newsroom.parent / "outside.png").write_bytes(b"\x89PNG")
    config = newsroom / "pubflow.yaml"
    config.write_text(config.read_text("utf-8").replace("outputs:\n  dir: dist\n", "outputs:\n  dir: dist\n" + setting),
                      "utf-8")
    before = tree_hash(newsroom)
    result = cli("build")
    assert result.exit_code == 5
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert tree_hash(newsroom) == before


def test_preview_renders_the_pdf_when_asked(newsroom: Path, sample_id: str):
    enable_pdf(newsroom)
    import threading
    import urllib.request

    from workflow.publishing.preview import serve

    with serve(Newsroom.open(newsroom), sample_id, 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            page = urllib.request.urlopen(f"{server.base_url}ar/{sample_id}/", timeout=60).read().decode()
            assert '<a href="release.pdf">PDF</a>' in page
            with urllib.request.urlopen(f"{server.base_url}ar/{sample_id}/release.pdf", timeout=120) as answer:
                assert answer.headers["Content-Type"] == "application/pdf"
                data = answer.read()
        finally:
            server.shutdown()
    assert data.startswith(b"%PDF-")
    first = page_texts(data)[0]
    assert "أكد الائتلاف الوطني السوري" not in first  # not translated yet: the English shows in its place
    assert "stressed" in first
    assert "escalating" in first
