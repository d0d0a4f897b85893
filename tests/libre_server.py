"""A LibreTranslate-compatible HTTP server on 127.0.0.1 for tests (stdlib only).

`POST /translate` reads q, source, target and api_key from the query string
or a form/JSON body (deep-translator sends query parameters) and answers
`{"translatedText": ...}`.  The server counts requests, can fail the next
ones with given HTTP statuses, and can require an API key (403 otherwise).
Hostile modes (`mode`): "echo" answers with the request line it received
(API key included), "huge" streams `huge_bytes` of translation, "trickle"
sends its answer one byte every `trickle_seconds`, "gzip" sends a small
gzip body that inflates to `huge_bytes`, "length" declares a huge
Content-Length it never sends.  `HangingServer` accepts connections and
never answers.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def fake_translation(text: str, source: str, target: str) -> str:
    return f"[{source}>{target}] {text}"


class LibreServer:
    def __init__(self, translate: Callable[[str, str, str], str] = fake_translation) -> None:
        self.translate = translate
        self.requests: list[dict[str, str]] = []
        self.fail_next: list[int] = []
        self.required_key: str | None = None
        self.mode: str | None = None
        self.huge_bytes = 40 * 1024 * 1024
        self.trickle_seconds = 1.0
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_POST(self) -> None:  # noqa: N802 - http.server naming
                parts = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(parts.query).items()}
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8") if length else ""
                if body:
                    if body.lstrip().startswith("{"):
                        params.update({k: str(v) for k, v in json.loads(body).items()})
                    else:
                        params.update({k: v[0] for k, v in parse_qs(body).items()})
                with server.lock:
                    server.requests.append(params)
                    status = server.fail_next.pop(0) if server.fail_next else 200
                if parts.path != "/translate":
                    status = 404
                elif server.required_key is not None and params.get("api_key") != server.required_key:
                    status = 403
                if status != 200:
                    self._answer(status, {"error": f"status {status}"})
                    return
                if server.mode is not None:
                    self._hostile(server.mode)
                    return
                text = server.translate(params.get("q", ""), params.get("source", ""), params.get("target", ""))
                self._answer(200, {"translatedText": text})

            def _hostile(self, mode: str) -> None:
                try:
                    if mode == "echo":
                        self._answer(200, {"translatedText": f"{self.command} {self.path}"})
                    elif mode == "huge":
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json")
                        self.end_headers()
                        self.wfile.write(b'{"translatedText": "')
                        block = b"x" * 65536
                        for _ in range(server.huge_bytes // len(block)):
                            self.wfile.write(block)
                        self.wfile.write(b'"}')
                    elif mode == "gzip":
                        import gzip

                        raw = b'{"translatedText": "' + b"x" * server.huge_bytes + b'"}'
                        payload = gzip.compress(raw, compresslevel=9)
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Encoding", "gzip")
                        self.send_header("Content-Length", str(len(payload)))
                        self.end_headers()
                        self.wfile.write(payload)
                    elif mode == "length":
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(10**12))
                        self.end_headers()
                        self.wfile.write(b'{"translatedText": "')
                    elif mode == "trickle":
                        payload = json.dumps({"translatedText": "ترجمة بطيئة جدا"}).encode("utf-8")
                        self.send_response(200)
                        self.send_header("Content-Type", "application/json")
                        self.send_header("Content-Length", str(len(payload)))
                        self.end_headers()
                        for byte in payload:
                            self.wfile.write(bytes([byte]))
                            self.wfile.flush()
                            time.sleep(server.trickle_seconds)
                except OSError:  # the client gave up on us: that is the point
                    pass

            def _answer(self, status: int, data: dict[str, str]) -> None:
                payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}/"

    @property
    def count(self) -> int:
        with self.lock:
            return len(self.requests)

    def __enter__(self) -> LibreServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class HangingServer:
    """Accepts TCP connections and never answers (a stuck server)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.held: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/"

    def _accept(self) -> None:
        self.sock.settimeout(0.1)
        while not self.stop.is_set():
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                continue
            self.held.append(conn)

    def __enter__(self) -> HangingServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(timeout=2)
        for conn in self.held:
            conn.close()
        self.sock.close()


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/"
