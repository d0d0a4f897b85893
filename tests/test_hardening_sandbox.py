"""Issue 15, case 5 and part of 8/9: templates and catalogs from the repository.

Templates render in Jinja2's sandbox; a newsroom catalog's messages are escaped
like other text; `verify` and `sync` check templates and catalogs that came in
from others; template runtime errors are exit 5 (one line, nothing written);
`preview` answers only its own address.  On a copy of the sample newsroom.
"""

from __future__ import annotations

import http.client
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLE_ID, Cli
from workflow.publishing.render import packaged_templates

MARKER = "{% block title %}"


def marker_line(name: str = "release.html.j2") -> int:
    """The line of the packaged template where `override` injects (errors name it)."""
    text = (packaged_templates() / name).read_text(encoding="utf-8")
    return text[:text.index(MARKER)].count("\n") + 1


def override(root: Path, inject: str, name: str = "release.html.j2") -> None:
    """A newsroom template: the packaged one with `inject` at the start of its title block."""
    (root / "templates").mkdir(exist_ok=True)
    text = (packaged_templates() / name).read_text(encoding="utf-8")
    assert MARKER in text
    (root / "templates" / name).write_text(text.replace(MARKER, MARKER + inject, 1), encoding="utf-8")


def catalog(root: Path, lang: str, pairs: dict[str, str]) -> Path:
    folder = root / "locales" / lang / "LC_MESSAGES"
    folder.mkdir(parents=True, exist_ok=True)
    po = folder / "pubflow.po"
    body = 'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n' + "".join(
        f'msgid "{k}"\nmsgstr "{v}"\n\n' for k, v in pairs.items())
    po.write_text(body, encoding="utf-8")
    subprocess.run(["msgfmt", "-o", str(folder / "pubflow.mo"), str(po)], check=True)
    return folder / "pubflow.mo"


def test_a_template_cannot_reach_python(sample: Path, run: Callable[..., str], tmp_path: Path) -> None:
    canary = tmp_path / "pwned"
    override(sample, f'{{{{ cycler.__init__.__globals__.os.popen("touch {canary}").read() }}}}')
    line = run("build", "--force", code=5)
    assert line.startswith("error: templates/release.html.j2, line ")
    assert "refused by the template sandbox" in line
    assert not canary.exists()
    line = run("render", SAMPLE_ID, "-o", str(tmp_path / "out"), code=5)
    assert "sandbox" in line
    assert not canary.exists()
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(("inject", "said"), [
    ('{{ 1 + "a" }}', "TypeError"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "calls itself without end"),
    ("{{ page.title[10**6] }}", "has no element 1000000"),
    ("{{ 1 // 0 }}", "ZeroDivisionError"),
])
def test_template_runtime_errors_exit_5(sample: Path, run: Callable[..., str], inject: str, said: str) -> None:
    override(sample, inject)
    line = run("build", "--force", code=5)
    assert line.startswith("error: templates/release.html.j2, line ")
    assert said in line


def test_catalog_messages_are_escaped(sample: Path, tmp_path: Path) -> None:
    catalog(sample, "ar", {"Home": "<script>alert(1)</script>", "Correction": "<b>x</b>"})
    result: Any = Cli(sample)("render", SAMPLE_ID, "-o", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    page = (tmp_path / "out" / "ar" / SAMPLE_ID / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page
    text = (tmp_path / "out" / "ar" / SAMPLE_ID / "index.html")
    assert text.exists()


def test_verify_names_hostile_templates_and_catalogs(sample: Path) -> None:
    cli = Cli(sample)
    override(sample, "{{ cycler.__init__.__globals__ }}")
    result: Any = cli("verify")
    assert result.exit_code == 5
    said = f"templates/release.html.j2: line {marker_line()}: __globals__ is refused by the template sandbox"
    assert said in result.stdout
    override(sample, "{% if %}")
    result = cli("verify")
    assert result.exit_code == 5
    assert f"templates/release.html.j2: line {marker_line()}: " in result.stdout
    shutil.rmtree(sample / "templates")
    catalog(sample, "ar", {"Home": "%(x)s"})
    result = cli("verify")
    assert result.exit_code == 5
    assert "locales/ar/LC_MESSAGES/pubflow.mo: the translation of 'Home' uses %(x)s" in result.stdout
    (sample / "locales" / "ar" / "LC_MESSAGES" / "pubflow.mo").write_bytes(b"not a catalog")
    result = cli("verify")
    assert result.exit_code == 5
    assert "locales/ar/LC_MESSAGES/pubflow.mo: does not load" in result.stdout
    shutil.rmtree(sample / "locales")
    result = cli("verify")
    assert result.exit_code == 0, result.stdout


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, text=True).stdout


def test_sync_refuses_a_hostile_template_from_others(sample: Path, tmp_path: Path) -> None:
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(remote)], check=True)
    (sample / ".gitignore").write_text("dist/\n.pubflow/\n", encoding="utf-8")
    for args in (("init", "-q", "-b", "main"), ("config", "user.email", "t@example.org"), ("config", "user.name", "T"),
                 ("add", "-A"), ("commit", "-qm", "sample"), ("remote", "add", "origin", str(remote)),
                 ("push", "-q", "origin", "main")):
        git(sample, *args)
    other = tmp_path / "other"
    subprocess.run(["git", "clone", "-q", str(remote), str(other)], check=True)
    override(other, "{{ cycler.__init__.__globals__ }}")
    for args in (("config", "user.email", "o@example.org"), ("config", "user.name", "O"), ("add", "-A"),
                 ("commit", "-qm", "template"), ("push", "-q", "origin", "main")):
        git(other, *args)
    (sample / "notes.txt").write_text("mine\n", encoding="utf-8")
    git(sample, "add", "-A")
    git(sample, "commit", "-qm", "mine")
    result: Any = Cli(sample)("sync")
    assert result.exit_code == 5, result.output
    assert result.stderr.splitlines() == [
        f"error: not pushed: templates/release.html.j2: line {marker_line()}: __globals__ is refused by the template "
        "sandbox "
        "(fix it as `pubflow verify` says, commit, and sync again)"]
    assert "notes.txt" not in git(remote, "ls-tree", "--name-only", "main")


def _get(port: int, host: str, path: str = "/") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host)
    conn.endheaders()
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def test_preview_answers_only_its_own_address_and_reports_template_errors(sample: Path) -> None:
    from workflow.publishing.preview import serve
    from workflow.storage.newsroom import Newsroom

    nr = Newsroom.open(sample)
    with serve(nr, SAMPLE_ID, 0) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            port = server.server_address[1]
            assert _get(port, f"127.0.0.1:{port}", f"/en/{SAMPLE_ID}/")[0] == 200
            assert _get(port, f"localhost:{port}", f"/en/{SAMPLE_ID}/")[0] == 200
            status, body = _get(port, f"attacker.example:{port}", f"/en/{SAMPLE_ID}/")
            assert status == 421
            assert SAMPLE_ID.encode() not in body
            override(sample, '{{ 1 + "a" }}')
            status, body = _get(port, f"127.0.0.1:{port}", f"/en/{SAMPLE_ID}/")
            assert status == 500
            assert body.decode().startswith(f"templates/release.html.j2, line {marker_line()}: TypeError")
        finally:
            server.shutdown()
