"""Starting a real `pubflow workspace` server for the tests, and talking to it over HTTP."""

from __future__ import annotations

import http.client
import os
import re
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Server:
    url: str
    process: subprocess.Popen[str]
    port: int = 0
    cookies: dict[str, str] = field(default_factory=dict)
    log: str = ""  # its stderr, once stopped

    def request(self, method: str, path: str, fields: dict[str, str] | None = None, *,
                host: str | None = None, headers: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        """One request as a browser would send it (the session cookie kept), raw path included."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        body = urllib.parse.urlencode(fields) if fields is not None else None
        sent = {"Host": f"127.0.0.1:{self.port}" if host is None else host}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            sent["Content-Length"] = str(len(body.encode()))
        sent.update(headers or {})
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for key, value in sent.items():
            conn.putheader(key, value)
        conn.endheaders(body.encode() if body is not None else None)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                name, _sep, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        result = response.status, text, {k.lower(): v for k, v in response.getheaders()}
        conn.close()
        return result

    def csrf(self) -> str:
        status, text, _h = self.request("GET", "/")
        assert status == 200, text[:500]
        match = re.search(r'data-csrf="([0-9a-f]+)"', text)
        assert match, text[:500]
        return match.group(1)


@contextmanager
def workspace(root: Path, who: str, *extra: str) -> Iterator[Server]:
    """`pubflow workspace --port 0 --as WHO` on the newsroom at `root`, stopped afterwards."""
    env = {k: v for k, v in os.environ.items() if k not in ("PUBFLOW_ROOT", "PUBFLOW_USER", "PUBFLOW_LANG",
                                                            "LANGUAGE")}
    command = [sys.executable, "-m", "workflow", "--root", str(root), "workspace", "--port", "0", "--as", who,
               *extra]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    server: Server | None = None
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("http://127.0.0.1:"):
            process.kill()
            _out, err = process.communicate(timeout=10)
            raise AssertionError(f"workspace did not start: {line!r} {err[-2000:]}")
        port = int(line.rsplit(":", 1)[1].strip("/"))
        server = Server(line, process, port)
        deadline = time.monotonic() + 20
        while True:  # the socket listens already; wait until the app answers
            try:
                server.request("GET", "/static/ws.css")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if server is not None and process.stderr is not None:
            server.log = process.stderr.read()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()
