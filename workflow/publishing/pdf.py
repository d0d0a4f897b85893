"""Print-ready PDF (A4) of a page, with WeasyPrint: the only module that imports it.

Why WeasyPrint: it is the maintained HTML+CSS-to-PDF engine in Python, it
shapes Arabic through HarfBuzz and lays out right-to-left text with FriBidi
(through Pango), supports CSS paged media (``@page`` margin boxes, page
counters in ``arabic-indic``), embeds subsetted fonts, and renders the same
Jinja templates as the web pages, so the PDF says exactly what the page says.
A headless browser would need a running Chromium per build; ReportLab would
need a second layout of every page in Python.

- **Fonts** are looked up with fontconfig (the library Pango itself uses)
  before anything is rendered: Noto Serif for Latin text, Noto Naskh Arabic
  when the page has Arabic in it (Debian: ``fonts-noto-core``).  A missing
  family is one `NotFound` line naming it and the package; nothing is written.
- **Resources** come only from memory: the page's stylesheets and the
  letterhead's logo, addressed as ``pubflow-asset:NAME``.  Nothing is fetched
  from the network or the disk (a release's text cannot make the PDF load
  anything); links stay links.
- **Deterministic bytes**: the same input gives the same PDF.  The creation
  and modification dates are the page's own (publication and last update),
  never the clock; the file identifier is a hash of the input; font subsets
  are named from a hash of the font (WeasyPrint) and subsetted by HarfBuzz
  (or by fontTools, whose timestamps follow ``SOURCE_DATE_EPOCH``, set here
  to the page's date for the duration of the call).
- **Metadata**: title, language (``/Lang``), author (the newsroom), subject,
  creator and dates are set on the PDF itself after rendering, whatever the
  template says; right-to-left documents also get ``/Direction /R2L`` so
  viewers show facing pages in Arabic order.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from workflow.errors import NotFound
from workflow.i18n import _

ASSET_SCHEME = "pubflow-asset:"
LATIN_FONT = "Noto Serif"
ARABIC_FONT = "Noto Naskh Arabic"
FONT_PACKAGE = "fonts-noto-core"
# Arabic script blocks: Arabic, Supplement, Extended-A/B, Presentation Forms-A/B.
ARABIC_TEXT = re.compile("[\u0600-\u06ff\u0750-\u077f\u0870-\u08ff\ufb50-\ufdff\ufe70-\ufeff]")
CONTENT_TYPES = {
    ".css": "text/css", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
    ".svg": "image/svg+xml", ".gif": "image/gif", ".webp": "image/webp",
}


@dataclass(frozen=True)
class PdfMeta:
    """What the PDF says about itself (document information and catalog)."""

    title: str
    lang: str
    direction: str = "ltr"
    author: str = ""
    subject: str = ""
    created: str = ""  # ISO 8601 UTC time ("2019-07-22T09:00:00Z") or day; "" for none
    modified: str = ""


@dataclass(frozen=True)
class PdfResult:
    data: bytes
    pages: int
    seconds: float  # wall time of layout + writing (for bench/, never for a test verdict)


# ---------------------------------------------------------------- fonts (fontconfig)
_FONT_CACHE: dict[tuple[str, str, str], str | None] = {}


def find_font(family: str) -> str | None:
    """The file of an installed font family, asked of fontconfig (exact family name); None if
    there is none or fontconfig cannot be loaded.  Answered once per process and fontconfig
    environment (FONTCONFIG_FILE / FONTCONFIG_PATH)."""
    key = (family, os.environ.get("FONTCONFIG_FILE", ""), os.environ.get("FONTCONFIG_PATH", ""))
    if key not in _FONT_CACHE:
        _FONT_CACHE[key] = _fontconfig_lookup(family)
    return _FONT_CACHE[key]


def _fontconfig_lookup(family: str) -> str | None:
    import ctypes
    import ctypes.util

    class FcFontSet(ctypes.Structure):
        _fields_ = [("nfont", ctypes.c_int), ("sfont", ctypes.c_int),
                    ("fonts", ctypes.POINTER(ctypes.c_void_p))]

    try:
        lib = ctypes.CDLL(ctypes.util.find_library("fontconfig") or "libfontconfig.so.1")
    except OSError:
        return None
    lib.FcInitLoadConfigAndFonts.restype = ctypes.c_void_p
    lib.FcPatternCreate.restype = ctypes.c_void_p
    lib.FcPatternAddString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p]
    lib.FcObjectSetBuild.restype = ctypes.c_void_p
    lib.FcFontList.restype = ctypes.POINTER(FcFontSet)
    lib.FcFontList.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p]
    lib.FcPatternGetString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int,
                                       ctypes.POINTER(ctypes.c_char_p)]
    for name in ("FcPatternDestroy", "FcObjectSetDestroy", "FcConfigDestroy"):
        getattr(lib, name).argtypes = [ctypes.c_void_p]
    lib.FcFontSetDestroy.argtypes = [ctypes.POINTER(FcFontSet)]
    config = lib.FcInitLoadConfigAndFonts()
    if not config:
        return None
    pattern = lib.FcPatternCreate()
    objects = lib.FcObjectSetBuild(b"file", None)
    found: list[str] = []
    try:
        lib.FcPatternAddString(pattern, b"family", family.encode("utf-8"))
        fonts = lib.FcFontList(config, pattern, objects)
        if fonts:
            try:
                for index in range(fonts.contents.nfont):
                    value = ctypes.c_char_p()
                    if lib.FcPatternGetString(fonts.contents.fonts[index], b"file", 0, ctypes.byref(value)) == 0:
                        found.append(os.fsdecode(value.value or b""))
            finally:
                lib.FcFontSetDestroy(fonts)
    finally:
        lib.FcObjectSetDestroy(objects)
        lib.FcPatternDestroy(pattern)
        lib.FcConfigDestroy(config)
    found = sorted(f for f in found if f)
    regular = [f for f in found if "Regular" in os.path.basename(f)]
    chosen = regular or found
    return chosen[0] if chosen else None


def required_fonts(html: str, lang: str) -> list[str]:
    """The font families a page needs: Noto Serif always, Noto Naskh Arabic for Arabic text."""
    families = [LATIN_FONT]
    if lang.split("-")[0] == "ar" or ARABIC_TEXT.search(html):
        families.append(ARABIC_FONT)
    return families


def check_fonts(families: list[str]) -> dict[str, str]:
    """Family -> font file; the first missing family is one clear error."""
    files: dict[str, str] = {}
    for family in families:
        path = find_font(family)
        if path is None:
            raise NotFound(
                _("cannot make the PDF: the font {family} is not installed").format(family=family),
                _("install Debian's {package} with `apt-get install {package}`, or set outputs.pdf: false "
                  "in pubflow.yaml").format(package=FONT_PACKAGE))
        files[family] = path
    return files


def engine_key() -> str:
    """What a PDF depends on besides its HTML: the WeasyPrint version and the font files
    (path, size, modification time) of both families, for build keys.  Missing fonts are the
    clear error of `check_fonts`, raised before anything is rendered or written."""
    from importlib.metadata import version

    parts = [f"weasyprint {version('weasyprint')}"]
    for family, path in sorted(check_fonts([LATIN_FONT, ARABIC_FONT]).items()):
        try:
            stat = os.stat(path)
        except OSError:
            parts.append(f"{family} {path} ?")
            continue
        parts.append(f"{family} {path} {stat.st_size} {stat.st_mtime_ns}")
    return "\n".join(parts)


# ---------------------------------------------------------------- WeasyPrint
def _weasyprint() -> Any:
    """The weasyprint module; a missing Pango (or other system library) is one clear error."""
    try:
        import weasyprint
    except OSError as exc:  # cffi could not load a shared library
        raise NotFound(
            _("cannot make the PDF: WeasyPrint cannot load a system library ({error})").format(
                error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__),
            _("install Pango: apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0")) from None
    return weasyprint


def pdf_date(moment: str) -> str | None:
    """An ISO time or day as a PDF date (D:YYYYMMDDHHmmSSZ, UTC); None when there is none."""
    if not moment:
        return None
    try:
        if len(moment) == 10:
            when = dt.datetime.fromisoformat(moment).replace(tzinfo=dt.UTC)
        else:
            when = dt.datetime.fromisoformat(moment.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return when.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%SZ")


def _epoch(moment: str) -> int | None:
    text = pdf_date(moment)
    if text is None:
        return None
    return int(dt.datetime.strptime(text, "D:%Y%m%d%H%M%SZ").replace(tzinfo=dt.UTC).timestamp())


@contextlib.contextmanager
def _source_date(epoch: int | None) -> Iterator[None]:
    """SOURCE_DATE_EPOCH for the duration of a render (fontTools stamps subsets with it)."""
    if epoch is None or "SOURCE_DATE_EPOCH" in os.environ:
        yield
        return
    os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        os.environ.pop("SOURCE_DATE_EPOCH", None)


def identifier(html: str, resources: Mapping[str, bytes], meta: PdfMeta) -> bytes:
    """The PDF file identifier: a hash of everything the PDF is made from."""
    digest = hashlib.sha256(html.encode("utf-8"))
    for name in sorted(resources):
        digest.update(b"\x1e" + name.encode("utf-8") + b"\x1f" + hashlib.sha256(resources[name]).digest())
    digest.update(repr(sorted(vars(meta).items())).encode("utf-8"))
    return digest.hexdigest()[:32].encode("ascii")


def render_pdf(html: str, meta: PdfMeta, resources: Mapping[str, bytes] | None = None,
               base_url: str | None = None) -> PdfResult:
    """The PDF of one page: `html` (print stylesheets linked as ``pubflow-asset:NAME``),
    `resources` (NAME -> bytes), `base_url` (the page's public URL: relative links are
    resolved against it; without one they are left out of the PDF)."""
    assets: dict[str, bytes] = dict(resources or {})
    check_fonts(required_fonts(html, meta.lang))
    weasyprint = _weasyprint()
    import pydyf

    class MemoryFetcher(weasyprint.URLFetcher):  # type: ignore[misc,name-defined]
        """Serves `resources` and nothing else (no network, no files)."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith(ASSET_SCHEME) or url[len(ASSET_SCHEME):] not in assets:
                raise ValueError(f"not a pubflow asset: {url[:80]}")
            name = url[len(ASSET_SCHEME):]
            suffix = os.path.splitext(name)[1].lower()
            headers = {"Content-Type": CONTENT_TYPES.get(suffix, "application/octet-stream")}
            return weasyprint.urls.URLFetcherResponse(url, assets[name], headers)

    def finish(_document: Any, pdf: Any) -> None:
        info = pdf.info
        for key in ("Title", "Author", "Subject", "Keywords", "Creator", "CreationDate", "ModDate"):
            info.pop(key, None)
        info["Title"] = pydyf.String(meta.title)
        if meta.author:
            info["Author"] = pydyf.String(meta.author)
        if meta.subject:
            info["Subject"] = pydyf.String(meta.subject)
        info["Creator"] = pydyf.String("pubflow")
        created = pdf_date(meta.created)
        modified = pdf_date(meta.modified) or created
        if created:
            info["CreationDate"] = pydyf.String(created)
        if modified:
            info["ModDate"] = pydyf.String(modified)
        pdf.catalog["Lang"] = pydyf.String(meta.lang)
        preferences = pydyf.Dictionary({"DisplayDocTitle": "true"})
        if meta.direction == "rtl":
            preferences["Direction"] = "/R2L"
        pdf.catalog["ViewerPreferences"] = preferences

    started = time.perf_counter()
    with _source_date(_epoch(meta.modified or meta.created)):
        document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=MemoryFetcher(),
                                   media_type="print").render()
        data = document.write_pdf(finisher=finish, pdf_identifier=identifier(html, assets, meta))
    return PdfResult(data, len(document.pages), time.perf_counter() - started)
