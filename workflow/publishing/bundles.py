"""What is published, file by file: the files of a release's bundle and of a language's site.

A bundle is everything published for one language of one release:
`<lang>/<id>/` (index.html, release.txt, release.json, release.pdf unless
`outputs.pdf` is false, assets/) and
`<id>-<lang>.zip` holding the same files plus `manifest.json` (sizes, sha256,
release id, language, revision, publication time).  Zips are deterministic
(`store.zip_bytes`), so a rebuild is byte-identical.  Each language also has a
site index (`<lang>/index.html`, with its stylesheet) and an Atom feed
(`<lang>/feed.atom`).

Everything here returns bytes keyed by paths relative to the output folder;
nothing is written (build and preview decide where the bytes go).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from workflow.publishing.outputs import DEFAULT_FEED_SIZE, DEFAULT_PAGE_SIZE, Outputs
from workflow.publishing.pagemodel import Page
from workflow.publishing.render import ASSETS, PRINT_ASSETS, STYLESHEET, Renderer
from workflow.storage import store

PDF_NAME = "release.pdf"


def sha256(data: bytes) -> str:
    """The hex SHA-256 of `data` (manifests, build keys and the build state)."""
    return hashlib.sha256(data).hexdigest()


def to_json(data: Any) -> bytes:
    """Sorted keys, UTF-8; < > & written as \\u escapes so it is safe inside HTML too."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=2)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return (text + "\n").encode("utf-8")


def release_json(page: Page) -> bytes:
    return to_json(page.public())


@dataclass(frozen=True)
class RenderedRelease:
    """The files of one language of one release, relative to its folder."""

    lang: str
    page: Page
    files: Mapping[str, bytes] = field(default_factory=dict)


def release_pdf(renderer: Renderer, page: Page, settings: Outputs) -> bytes:
    """The print-ready PDF of the page: the print version of the same template, the print
    stylesheet, the letterhead; its dates are the page's (publication, last update, else its day)."""
    from workflow.publishing import markdown, pdf

    html = renderer.release_print(page, settings.letterhead, pdf.ASSET_SCHEME + "assets/")
    resources = {name: renderer.asset(name) for name in PRINT_ASSETS}
    if settings.letterhead.logo is not None:
        resources[f"assets/{settings.letterhead.logo_asset}"] = settings.letterhead.logo.read_bytes()
    subject = markdown.summary(page.paragraphs[0]) if page.paragraphs else ""
    meta = pdf.PdfMeta(
        title=page.title, lang=page.lang, direction=page.dir, author=page.site,
        subject=subject[:300], created=page.published or page.date,
        modified=page.updated or page.published or page.date)
    return pdf.render_pdf(html, meta, resources, base_url=page.url or None).data


def render_release(renderer: Renderer, page: Page, settings: Outputs | None = None, *,
                   with_pdf: bool = True) -> RenderedRelease:
    """The page, its text and JSON, the assets, and the PDF when `settings` ask for one (and
    `with_pdf`): a release's folder in one language.  The page links the PDF when there is one
    in the bundle, even if this call leaves it out."""
    pdf_on = settings is not None and settings.pdf
    files = {
        "index.html": renderer.release_page(page, has_pdf=pdf_on).encode("utf-8"),
        "release.txt": renderer.release_text(page).encode("utf-8"),
        "release.json": release_json(page),
    }
    if settings is not None and pdf_on and with_pdf:
        files[PDF_NAME] = release_pdf(renderer, page, settings)
    for name in ASSETS:
        files[name] = renderer.asset(name)
    return RenderedRelease(page.lang, page, files)


def manifest(page: Page, files: Mapping[str, bytes]) -> bytes:
    return to_json({
        "release": page.id, "language": page.lang, "revision": page.revision,
        "published": page.published or None, "updated": page.updated or None, "url": page.url or None,
        "files": [{"path": name, "size": len(files[name]), "sha256": sha256(files[name])} for name in sorted(files)],
    })


def bundle_files(renderer: Renderer, page: Page, settings: Outputs | None = None) -> dict[str, bytes]:
    """Paths relative to the output folder -> bytes, for one language of one release."""
    rendered = render_release(renderer, page, settings)
    folder = f"{page.lang}/{page.id}/"
    files = {folder + name: data for name, data in rendered.files.items()}
    archive = dict(rendered.files)
    archive["manifest.json"] = manifest(page, rendered.files)
    files[f"{page.id}-{page.lang}.zip"] = store.zip_bytes(archive)
    return files


def sort_pages(pages: Iterable[Page]) -> list[Page]:
    """Newest first, as the site index and the feed list them."""
    return sorted(pages, key=lambda p: (p.published, p.date, p.id), reverse=True)


def archive_pages(count: int, page_size: int) -> int:
    """How many archive pages `count` releases fill (none when the site index holds them all)."""
    return 0 if count <= page_size else -(-count // page_size)


def archive_chunk(ordered: Sequence[Page], number: int, page_size: int) -> list[Page]:
    """The releases of archive page `number` (1 = the oldest), newest first.  Pages are counted
    from the oldest so that a new release changes only the last one (and the index)."""
    count = len(ordered)  # oldest first, the page is [(number - 1) * size, number * size): sliced newest first
    return list(ordered[max(0, count - number * page_size):max(0, count - (number - 1) * page_size)])


def site_files(renderer: Renderer, lang: str, pages: Iterable[Page], languages: Iterable[str],
               page_size: int = DEFAULT_PAGE_SIZE, feed_size: int = DEFAULT_FEED_SIZE,
               only: Iterable[str] | None = None) -> dict[str, dict[str, bytes]]:
    """The output units of `lang`'s site: `index:` (the newest `page_size` releases, with the
    stylesheet), `archive:<n>` (every release, `page_size` a page, numbered from the oldest),
    `feed:` (the newest `feed_size`).  With `only`, just those units."""
    return sorted_site_files(renderer, lang, sort_pages(pages), languages, page_size, feed_size, only)


def sorted_site_files(renderer: Renderer, lang: str, ordered: Sequence[Page], languages: Iterable[str],
                      page_size: int = DEFAULT_PAGE_SIZE, feed_size: int = DEFAULT_FEED_SIZE,
                      only: Iterable[str] | None = None) -> dict[str, dict[str, bytes]]:
    """`site_files` of pages already in `sort_pages` order (only the slices the units show are read:
    a build passes pages it makes on demand)."""
    languages = list(languages)
    total = archive_pages(len(ordered), page_size)
    wanted = None if only is None else set(only)
    out: dict[str, dict[str, bytes]] = {}
    if wanted is None or f"index:{lang}" in wanted:
        out[f"index:{lang}"] = {
            f"{lang}/index.html": renderer.index_page(lang, ordered[:page_size], languages,
                                                      archive=total).encode("utf-8"),
            f"{lang}/{STYLESHEET}": renderer.asset(STYLESHEET),
        }
    if wanted is None or f"feed:{lang}" in wanted:
        out[f"feed:{lang}"] = {f"{lang}/feed.atom": renderer.feed(lang, ordered[:feed_size]).encode("utf-8")}
    for number in range(1, total + 1):
        unit = f"archive:{lang}:{number}"
        if wanted is None or unit in wanted:
            html = renderer.index_page(lang, archive_chunk(ordered, number, page_size), languages,
                                       archive=total, number=number)
            out[unit] = {f"{lang}/archive/{number}/index.html": html.encode("utf-8")}
    return out
