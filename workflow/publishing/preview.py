"""A look at one release before it is out, in any state: `pubflow render` and `pubflow preview`.

`render_files` renders every page of one release (untranslated segments shown
in the source language, listed as missing).  `pubflow render` writes them
under `.pubflow/render/` (or -o); `pubflow preview` serves them from memory on
127.0.0.1, rendered again on every request so an edit shows on reload.  The
server writes nothing to disk and serves only the rendered paths (no files
from the disk, so no path traversal).
"""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow.errors import PubflowError, UsageError
from workflow.i18n import _
from workflow.publishing.bundles import render_release, site_files
from workflow.publishing.outputs import check_not_live, check_writable, output_settings
from workflow.publishing.pagemodel import page_data
from workflow.publishing.render import Renderer
from workflow.storage import store

if TYPE_CHECKING:
    from workflow.storage.newsroom import Newsroom

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".pdf": "application/pdf",
}


@dataclass(frozen=True)
class RenderResult:
    out_dir: Path
    files: list[str]
    missing: dict[str, list[str]]  # language -> segments shown in the source language


def render_files(nr: Newsroom, release_id: str, langs: Iterable[str] | None = None, *, with_pdf: bool = True,
                 ) -> tuple[dict[str, bytes], dict[str, list[str]]]:
    """Every page of one release, whatever its state, as `<lang>/<id>/...` -> bytes (no writes);
    the PDFs too when the newsroom makes them and `with_pdf` (the preview asks only when one
    is requested: a PDF takes a good part of a second)."""
    config = nr.config
    settings = output_settings(config)
    doc = nr.load(release_id)
    codes = list(langs) if langs else list(doc.release.languages)
    for code in codes:
        config.language(code)
        if code not in doc.release.languages:
            raise UsageError(_("{id} has no language {lang!r}").format(id=release_id, lang=code),
                             _("its languages: {codes}").format(codes=", ".join(doc.release.languages)))
    renderer = Renderer(config, settings.base_url, draft=True, contact=settings.letterhead.contact)
    files: dict[str, bytes] = {}
    missing: dict[str, list[str]] = {}
    for code in codes:
        page = page_data(doc, config, code, base_url=settings.base_url,
                         alternates=doc.release.languages, allow_missing=True)
        if page.missing:
            missing[code] = list(page.missing)
        rendered = render_release(renderer, page, settings, with_pdf=with_pdf)
        for name, data in rendered.files.items():
            files[f"{code}/{release_id}/{name}"] = data
        site = site_files(renderer, code, [page], doc.release.languages)
        for unit in site.values():
            files.update(unit)
    return files, missing


def render_release_to(nr: Newsroom, release_id: str, langs: Iterable[str] | None = None,
                      out_dir: Path | None = None) -> RenderResult:
    """`pubflow render`: write one release's pages for a look before publishing."""
    if out_dir is not None:
        store.check_output_path(out_dir, folder=True)
        check_not_live(nr.config, out_dir)
    files, missing = render_files(nr, release_id, langs)
    target = out_dir or nr.config.state_dir / "render"
    check_writable(target)
    for folder in sorted({(target / name).parent for name in files}):
        store.confine(folder, target)  # nothing written through a link out of the folder
    for name in sorted(files):
        store.atomic_write(target / name, files[name])
    return RenderResult(target, sorted(files), missing)


class PreviewServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, nr: Newsroom, release_id: str, port: int) -> None:
        self.nr = nr
        self.release_id = release_id
        self.languages = list(nr.load_release(release_id).languages)
        render_files(nr, release_id, with_pdf=False)  # a broken template or release fails now, not on the first request
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", port), Handler)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/"

    def urls(self) -> list[str]:
        return [f"{self.base_url}{code}/{self.release_id}/" for code in self.languages]

    def files(self, with_pdf: bool = False) -> dict[str, bytes]:
        with self.lock:
            files, _missing = render_files(self.nr, self.release_id, with_pdf=with_pdf)
        return files


class Handler(http.server.BaseHTTPRequestHandler):
    server: PreviewServer

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        if not self._host_allowed():
            # DNS rebinding: a page on another site that resolves its name to 127.0.0.1 would
            # read drafts through this server; only our own address is answered.
            self._send(421, "text/plain; charset=utf-8", b"misdirected request: use the address pubflow printed\n")
            return
        path = self.path.split("?", 1)[0].split("#", 1)[0].lstrip("/")
        if path == "":
            self.send_response(302)
            self.send_header("Location", self.server.urls()[0])
            self.end_headers()
            return
        try:
            files = self.server.files(with_pdf=path.endswith(".pdf"))
        except PubflowError as exc:
            self._send(500, "text/plain; charset=utf-8", (exc.line() + "\n").encode("utf-8"))
            return
        if path.endswith("/") or path == "":
            path += "index.html"
        data = files.get(path)
        if data is None:
            self._send(404, "text/plain; charset=utf-8", b"not found\n")
            return
        suffix = "." + path.rsplit(".", 1)[-1]
        self._send(200, TYPES.get(suffix, "application/octet-stream"), data)

    def _host_allowed(self) -> bool:
        port = self.server.server_address[1]
        host = (self.headers.get("Host") or "").strip().lower()
        return host in {f"127.0.0.1:{port}", f"localhost:{port}"}

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # quiet: the CLI prints the URLs
        return


@contextlib.contextmanager
def serve(nr: Newsroom, release_id: str, port: int) -> Iterator[PreviewServer]:
    if not 0 <= port <= 65535:
        raise UsageError(_("port {port} is out of range").format(port=port), _("use 1-65535, or 0 for any"))
    try:
        server = PreviewServer(nr, release_id, port)
    except OSError as exc:
        raise UsageError(_("cannot listen on 127.0.0.1:{port}: {error}").format(port=port, error=exc.strerror),
                         _("pick another port with --port, or 0 for any free one")) from None
    try:
        yield server
    finally:
        server.server_close()
