"""The PDF engine (workflow.publishing.pdf, WeasyPrint): Arabic shaping and order read back with
pypdfium2, Arabic-Indic page numbers, embedded Noto fonts, metadata, byte-identical output
across processes, a clear error when fonts are missing, and no resource fetched from anywhere.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import http.server
import os
import re
import subprocess
import sys
import threading
import zlib
from pathlib import Path

import pytest

from workflow.errors import NotFound
from workflow.publishing import pdf

pdfium = pytest.importorskip("pypdfium2")
raw = pytest.importorskip("pypdfium2.raw")

ROOT = Path(__file__).resolve().parents[1]
CSS = (ROOT / "templates" / "assets" / "print.css").read_bytes()
AR_PARAGRAPH = "أكد الائتلاف الوطني السوري أن الجرائم المتصاعدة في شمال غرب سوريا جرائم دولية."


def page_html(lang: str, paragraphs: list[str], counter: str = "decimal") -> str:
    direction = "rtl" if lang == "ar" else "ltr"
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    side = ("right", "left") if direction == "rtl" else ("left", "right")
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{direction}"><head><meta charset="utf-8"><title>ignored</title>
<link rel="stylesheet" href="{pdf.ASSET_SCHEME}print.css">
<style>@page {{ @bottom-{side[1]} {{ content: counter(page, {counter}) " / " counter(pages, {counter}); }} }}</style>
</head><body><main><h1>{"بيان" if lang == "ar" else "Statement"}</h1>
<div class="body">{body}</div></main></body></html>"""


def render(html: str, lang: str = "ar", **meta: str) -> pdf.PdfResult:
    fields = {"title": "عنوان البيان" if lang == "ar" else "The title", "lang": lang,
              "direction": "rtl" if lang == "ar" else "ltr", "author": "الدائرة الإعلامية",
              "created": "2019-07-22T09:00:00Z", "modified": "2019-07-23T10:30:00Z"}
    fields.update(meta)
    return pdf.render_pdf(html, pdf.PdfMeta(**fields), {"print.css": CSS})


def inflated(data: bytes) -> bytes:
    """The PDF with every compressed stream inflated (to read objects kept in object streams)."""
    out = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        with contextlib.suppress(zlib.error):
            out.append(zlib.decompressobj().decompress(data[match.end():]))
    return b"\n".join(out)


def texts(data: bytes) -> list[str]:
    document = pdfium.PdfDocument(data)
    return [document[i].get_textpage().get_text_range() for i in range(len(document))]


def font_names(data: bytes) -> set[str]:
    document = pdfium.PdfDocument(data)
    names = set()
    for index in range(len(document)):
        for obj in document[index].get_objects(filter=(raw.FPDF_PAGEOBJ_TEXT,)):
            buffer = ctypes.create_string_buffer(256)
            raw.FPDFFont_GetBaseFontName(raw.FPDFTextObj_GetFont(obj.raw), buffer, 256)
            names.add(buffer.value.decode().split("+", 1)[-1])
    return names


def test_arabic_comes_back_in_logical_order_with_arabic_indic_page_numbers():
    result = render(page_html("ar", [AR_PARAGRAPH] * 40, counter="arabic-indic"))
    pages = texts(result.data)
    assert result.pages == len(pages) >= 2
    assert AR_PARAGRAPH in pages[0].replace("\r\n", " ")
    assert "بيان" in pages[0]
    digits = "٠١٢٣٤٥٦٧٨٩"
    for number, text in enumerate(pages, start=1):
        assert text.rstrip().endswith(f"{digits[number]} / {digits[len(pages)]}"), text[-40:]
    assert font_names(result.data) <= {"Noto-Naskh-Arabic", "Noto-Naskh-Arabic-Bold", "Noto-Serif",
                                       "Noto-Serif-Bold"}
    assert "Noto-Naskh-Arabic" in font_names(result.data)


def test_latin_digits_when_the_language_uses_them():
    result = render(page_html("en", ["A paragraph."] * 70), lang="en")
    pages = texts(result.data)
    assert len(pages) >= 2
    assert [t.rstrip()[-5:] for t in pages] == [f"{n} / {len(pages)}" for n in range(1, len(pages) + 1)]
    assert font_names(result.data) <= {"Noto-Serif", "Noto-Serif-Bold"}


def visual_latin(data: bytes) -> str:
    """The Latin letters and URL punctuation of page 1 as they look, left to right (one line)."""
    textpage = pdfium.PdfDocument(data)[0].get_textpage()
    found = []
    for index in range(textpage.count_chars()):
        char = textpage.get_text_range(index, 1)
        if char in "abcdefghijklmnopqrstuvwxyz:/.":
            found.append((textpage.get_charbox(index)[0], char))
    return "".join(char for _x, char in sorted(found))


def test_a_latin_url_in_arabic_reads_left_to_right_when_isolated():
    """Pango isolates an inline element with an explicit dir (WeasyPrint has no <bdi> or
    dir=auto): the trailing slash of the URL stays at its right end."""
    link = '<a dir="ltr" href="https://example.org/">https://example.org/</a>'
    isolated = render(page_html("ar", [f"زوروا {link} للمزيد."]))
    assert "https://example.org/" in visual_latin(isolated.data)
    bare = render(page_html("ar", ["زوروا https://example.org/ للمزيد."]))  # what isolation prevents
    assert "/https://example.org" in visual_latin(bare.data)


def test_metadata_is_set_on_the_pdf():
    result = render(page_html("ar", [AR_PARAGRAPH]))
    document = pdfium.PdfDocument(result.data)
    meta = document.get_metadata_dict()
    assert meta["Title"] == "عنوان البيان"
    assert meta["Author"] == "الدائرة الإعلامية"
    assert meta["Creator"] == "pubflow"
    assert meta["CreationDate"] == "D:20190722090000Z"
    assert meta["ModDate"] == "D:20190723103000Z"
    buffer = (ctypes.c_ushort * 32)()
    size = raw.FPDFCatalog_GetLanguage(document.raw, buffer, ctypes.sizeof(buffer))
    assert bytes(buffer)[:size].decode("utf-16-le").rstrip("\x00") == "ar"
    assert b"/Direction /R2L" in inflated(result.data)


def test_no_resource_is_fetched_from_anywhere(tmp_path: Path):
    requests: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            requests.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    secret = tmp_path / "secret.css"
    secret.write_text("body { background: red }", "utf-8")
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        html = page_html("en", [
            f'<img src="{base}/pixel.png"> <img src="{secret.as_uri()}">'
            f'<img src="data:image/png;base64,iVBORw0KGgo="> <iframe src="{base}/frame"></iframe>',
        ]).replace("</head>", f'<link rel="stylesheet" href="{base}/x.css"><link rel="stylesheet" '
                              f'href="{secret.as_uri()}"><style>@import url("{base}/i.css");</style></head>')
        result = render(html, lang="en")
    finally:
        server.shutdown()
        server.server_close()
    assert requests == []
    assert result.pages == 1


def test_fonts_missing_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    empty = tmp_path / "fonts.conf"
    empty.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
                     f"<fontconfig><cachedir>{tmp_path}/cache</cachedir></fontconfig>", "utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(empty))
    with pytest.raises(NotFound) as caught:
        render(page_html("en", ["x"]), lang="en")
    assert caught.value.line() == (
        "cannot make the PDF: the font Noto Serif is not installed (install Debian's fonts-noto-core "
        "with `apt-get install fonts-noto-core`, or set outputs.pdf: false in pubflow.yaml)")


def test_fonts_are_found_with_fontconfig():
    assert pdf.find_font("Noto Naskh Arabic", ).endswith("NotoNaskhArabic-Regular.ttf")  # type: ignore[union-attr]
    assert pdf.find_font("Noto Serif").endswith("NotoSerif-Regular.ttf")  # type: ignore[union-attr]
    assert pdf.find_font("No Such Family 7c1e") is None
    assert pdf.required_fonts("<p>plain</p>", "en") == ["Noto Serif"]
    assert pdf.required_fonts("<p>كلمة</p>", "en") == ["Noto Serif", "Noto Naskh Arabic"]


RENDER_IN_A_PROCESS = """
import hashlib, sys
from tests.test_pdf import AR_PARAGRAPH, page_html, render
data = render(page_html("ar", [AR_PARAGRAPH + " https://example.org/x"] * 30, counter="arabic-indic")).data
sys.stdout.write(hashlib.sha256(data).hexdigest() + " " + str(len(data)))
"""


@pytest.mark.slow
def test_same_input_gives_the_same_bytes_in_another_process():
    outputs = []
    for seed, zone in (("1", "UTC"), ("2", "Asia/Damascus")):
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": zone}
        env.pop("SOURCE_DATE_EPOCH", None)
        done = subprocess.run([sys.executable, "-c", RENDER_IN_A_PROCESS], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    here = render(page_html("ar", [AR_PARAGRAPH + " https://example.org/x"] * 30, counter="arabic-indic")).data
    assert outputs[0].split()[0] == hashlib.sha256(here).hexdigest()


def test_pdf_dates():
    assert pdf.pdf_date("2019-07-22T09:00:00Z") == "D:20190722090000Z"
    assert pdf.pdf_date("2019-07-22T12:00:00+03:00") == "D:20190722090000Z"
    assert pdf.pdf_date("2019-07-22") == "D:20190722000000Z"
    assert pdf.pdf_date("") is None
    assert pdf.pdf_date("yesterday") is None
