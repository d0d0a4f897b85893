"""Secrets: API keys come from the environment only and never reach output, files or git.

Machine translation runs deep-translator's real code against the local
LibreTranslate-compatible server (tests/libre_server.py), which receives the
key in the request URL; success and failures (HTTP 500, rejected key,
connection refused) are triggered in a newsroom that autocommits to git,
then every output, every file (including .pubflow caches and .git objects)
and the whole git history are searched for the key.
"""

from __future__ import annotations

import json
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from tests.conftest import TRANSLATOR, Cli
from tests.libre_server import LibreServer, closed_port_url

KEY = "pubflow-canary-key-7Q2xZ9"
ENV = {"LIBRE_CANARY_KEY": KEY}
PROJECT = Path(__file__).resolve().parents[1]


def configure(root: Path, url: str) -> None:
    text = (root / "pubflow.yaml").read_text(encoding="utf-8")
    text = "\n".join(line for line in text.splitlines() if not line.startswith("machine_translation:"))
    settings = {"provider": "libre", "timeout": 5, "retries": 1, "backoff": 0.01,
                "providers": {"libre": {"url": url, "api_key_env": "LIBRE_CANARY_KEY"}}}
    (root / "pubflow.yaml").write_text(text + "\nmachine_translation: " + json.dumps(settings) + "\n",
                                       encoding="utf-8")


def everything_on_disk(root: Path) -> bytes:
    """Every file's bytes, with git's zlib objects inflated."""
    out = []
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if ".git" in path.parts and "objects" in path.parts:
                try:
                    data = zlib.decompress(data)
                except zlib.error:
                    pass
            out.append(data)
    return b"\n".join(out)


@pytest.mark.slow
def test_api_key_never_leaves_the_environment(cli: Cli, newsroom: Path, in_translation: str) -> None:
    pytest.importorskip("workflow.translation.mt")
    from tests.test_gitsync import git

    (newsroom / ".gitignore").write_text("dist/\n", encoding="utf-8")  # even .pubflow is committed here
    git(newsroom, "init", "-q", "-b", "main")
    git(newsroom, "add", "-A")
    git(newsroom, "-c", "user.email=x@example.org", "-c", "user.name=x", "commit", "-q", "-m", "start")
    with (newsroom / "pubflow.yaml").open("a", encoding="utf-8") as fh:
        fh.write("git: {autocommit: true}\n")
    outputs: list[str] = []
    with LibreServer() as libre:
        configure(newsroom, libre.url)
        libre.fail_next = [500] * 10
        r = cli("suggest", in_translation, "--lang", "ar", as_=TRANSLATOR, env=ENV)
        outputs += [r.stdout, r.stderr]
        assert r.exit_code == 7
        libre.required_key = "another"
        r = cli("suggest", in_translation, "--lang", "ar", as_=TRANSLATOR, env=ENV)
        outputs += [r.stdout, r.stderr]
        assert r.exit_code == 7
        assert {q["api_key"] for q in libre.requests} == {KEY}  # the key was really sent
    configure(newsroom, closed_port_url())
    r = cli("suggest", in_translation, "--lang", "ar", as_=TRANSLATOR, env={**ENV, "PUBFLOW_DEBUG": "1"})
    outputs += [r.stdout, r.stderr]
    assert r.exit_code == 7
    # A real process too: nothing on its stderr either, even with debugging on.
    proc = subprocess.run([sys.executable, "-m", "workflow", "--root", str(newsroom), "suggest", in_translation,
                           "--lang", "ar"], cwd=PROJECT, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PUBFLOW_USER": TRANSLATOR, "PUBFLOW_DEBUG": "1", **ENV})
    outputs += [proc.stdout, proc.stderr]
    assert proc.returncode == 7, proc.stderr
    with LibreServer() as libre:  # and a success: suggestions saved, cached and committed
        libre.required_key = KEY
        configure(newsroom, libre.url)
        r = cli("suggest", in_translation, "--lang", "ar", as_=TRANSLATOR, env=ENV)
        outputs += [r.stdout, r.stderr]
        assert r.exit_code == 0, r.output
        assert libre.count > 0
    for text in outputs:
        assert KEY not in text
    assert KEY.encode() not in everything_on_disk(newsroom)
    history = git(newsroom, "log", "--all", "-p", "--format=%H%n%B")
    assert KEY not in history
    assert "machine:libre" in history  # the suggestions were committed


def test_any_error_line_is_redacted(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    from workflow.editorial import queries as editorial

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError(f"GET http://127.0.0.1/translate?q=x&api_key={KEY} failed, token {KEY}")

    monkeypatch.setattr(editorial, "list_releases", broken)
    r = cli("list", "--json", env={**ENV, "PUBFLOW_NO_INDEX": "1"})  # from the files, not the index
    assert r.exit_code == 1
    assert "internal error: RuntimeError" in r.stderr
    assert KEY not in r.stderr
    assert "api_key=***" in r.stderr


def test_redact_hides_env_secrets_and_url_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    from workflow.redact import redact

    monkeypatch.setenv("SOME_SERVICE_TOKEN", "tok-123456789")
    assert redact("sent tok-123456789 to x") == "sent *** to x"
    assert redact("https://bob:hunter22@git.example.org/repo.git") == "https://***@git.example.org/repo.git"
    assert redact("url?key=abc&q=1") == "url?key=***&q=1"
    assert redact("nothing secret here") == "nothing secret here"
