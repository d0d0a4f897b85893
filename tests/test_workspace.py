"""`pubflow workspace` over HTTP against the real server: every bad input refused, nothing changed on disk.

The browser flows are in test_workspace_browser.py; here each refusal is one request as a browser
(or an attacker's page) would send it, with the raw path and headers.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EDITOR, REVIEWER, TRANSLATOR, WRITER, Cli
from tests.workspace_help import Server, workspace

pytestmark = pytest.mark.slow

Snapshot = Callable[[Path], dict[str, str]]


def expected_of(server: Server, path: str) -> str:
    status, text, _h = server.request("GET", path)
    assert status == 200, text[:800]
    match = re.search(r'name="expected" value="([0-9a-f]+)"', text)
    assert match, text[:800]
    return match.group(1)


def cli_set(cli: Cli, rid: str, seg: str, text: str, who: str) -> None:
    """`pubflow set` in a terminal: saved even when the checks find errors (then it exits 4 and lists them)."""
    result = cli("set", rid, seg, "--lang", "ar", "--text", text, as_=who)
    assert result.exit_code in (0, 4), result.output  # type: ignore[attr-defined]
    assert ar_segments(cli.root, rid)[seg]["text"] == text


def ar_segments(root: Path, rid: str) -> dict[str, dict[str, Any]]:
    path = root / "releases" / rid / "ar.yaml"
    if not path.exists():
        return {}
    return {s["id"]: s for s in yaml.safe_load(path.read_text("utf-8"))["segments"]}


def test_post_without_csrf_token_is_refused(cli: Cli, in_translation: str, snapshot: Snapshot) -> None:
    rid = in_translation
    with workspace(cli.root, TRANSLATOR) as server:
        expected = expected_of(server, f"/r/{rid}/ar/s/p1")
        before = snapshot(cli.root)
        form = {"text": "نص", "expected": expected}
        status, text, _h = server.request("POST", f"/r/{rid}/ar/s/p1", form)
        assert status == 403
        assert "CSRF" in text
        assert "nothing was changed" in text
        # A token of another session, and the right token sent from another site's page: refused too.
        other = Server(server.url, server.process, server.port)
        status, _t, _h = server.request("POST", f"/r/{rid}/ar/s/p1", {**form, "csrf": other.csrf()})
        assert status == 403
        token = server.csrf()
        status, _t, _h = server.request("POST", f"/r/{rid}/ar/s/p1", {**form, "csrf": token},
                                        headers={"Origin": "http://evil.example"})
        assert status == 403
        status, _t, _h = server.request("POST", "/api/check", {"release": rid, "lang": "ar", "segment": "p1",
                                                               "text": "x"})
        assert status == 403
        assert snapshot(cli.root) == before
        # The same form with the token is saved: the refusals above were about the token only.
        status, _t, headers = server.request("POST", f"/r/{rid}/ar/s/p1", {**form, "csrf": token})
        assert status == 303, _t[:500]
    assert ar_segments(cli.root, rid)["p1"]["text"] == "نص"


def test_foreign_host_header_is_refused(cli: Cli, in_translation: str, snapshot: Snapshot) -> None:
    rid = in_translation
    with workspace(cli.root, TRANSLATOR) as server:
        token = server.csrf()
        expected = expected_of(server, f"/r/{rid}/ar/s/p1")
        before = snapshot(cli.root)
        for host in ("evil.example", f"evil.example:{server.port}", f"127.0.0.1.evil.example:{server.port}",
                     "127.0.0.1", f"127.0.0.1:{server.port + 1}", ""):
            status, text, _h = server.request("GET", "/", host=host)
            assert status == 421, host
            assert f"http://127.0.0.1:{server.port}/" in text
            assert "Rami" not in text
            status, _t, _h = server.request("POST", f"/r/{rid}/ar/s/p1",
                                            {"text": "نص", "expected": expected, "csrf": token}, host=host)
            assert status == 421
        assert snapshot(cli.root) == before
        assert server.request("GET", "/", host=f"localhost:{server.port}")[0] == 200


TRAVERSALS = [
    "/r/../../pubflow.yaml", "/r/..%2F..%2Fpubflow.yaml/ar", "/r/%2e%2e%2f%2e%2e%2fpubflow.yaml/ar",
    "/r/..%252F..%252Fpubflow.yaml/ar", "/static/../app.py", "/static/..%2fapp.py", "/static/%2e%2e%2fapp.py",
    "/static/..%5capp.py", "/static/ws.css%00.py", "/r/%2Fetc%2Fpasswd/ar", "/r/{rid}/files/../../../pubflow.yaml",
    "/r/{rid}/files/..%2F..%2F..%2Fpubflow.yaml", "/r/{rid}/files/%2e%2e/%2e%2e/%2e%2e/pubflow.yaml",
    "/r/{rid}/files//etc/passwd", "/r/{rid}/ar/s/..%2F..%2Fpubflow.yaml", "/r/{rid}/..%2F..%2Fpubflow.yaml/review",
]


def test_dot_dot_paths_serve_nothing_outside(cli: Cli, in_translation: str, snapshot: Snapshot) -> None:
    rid = in_translation
    with workspace(cli.root, TRANSLATOR) as server:
        before = snapshot(cli.root)
        for raw in TRAVERSALS:
            path = raw.format(rid=rid)
            status, text, _h = server.request("GET", path)
            assert status in (400, 404), (path, status)
            for secret in ("people:", "schema: 1", "root:x:0", "import ", "def "):
                assert secret not in text, (path, secret)
        assert snapshot(cli.root) == before
        # What may be served is served.
        assert server.request("GET", "/static/ws.js")[0] == 200
        status, text, headers = server.request("GET", f"/r/{rid}/files/ar/{rid}/index.html")
        assert status == 200
        assert 'dir="rtl"' in text
        assert "sandbox" in headers["content-security-policy"]
        status, text, _h = server.request("GET", f"/r/{rid}/ar/preview")
        assert status == 200
        assert "DRAFT" in text


def test_unknown_release_language_or_segment(cli: Cli, in_translation: str, snapshot: Snapshot) -> None:
    rid = in_translation
    with workspace(cli.root, TRANSLATOR) as server:
        token = server.csrf()
        before = snapshot(cli.root)
        cases = {
            "/r/2019-01-01-nowhere/ar": "no release",
            f"/r/{rid}/ar/s/p99": "has no segment",
            f"/r/{rid}/fr": "no language",
            f"/r/{rid}/ar/s/p%3Cb%3E": "no segment",
            "/r/not-an-id/ar/review": "no release",
        }
        for path, words in cases.items():
            status, text, _h = server.request("GET", path)
            assert status == 404, (path, status)
            assert words in text, (path, text[:800])
        status, text, _h = server.request("POST", f"/r/{rid}/ar/s/p99", {"text": "نص", "csrf": token})
        assert status == 404
        assert "has no segment" in text
        status, text, _h = server.request("POST", "/r/2019-01-01-nowhere/ar/review",
                                          {"action": "approve_all", "csrf": token})
        assert status == 404
        assert "no release" in text
        status, text, _h = server.request("GET", f"/r/{rid}/en")  # the source language is not a target
        assert status == 400
        assert "source language" in text
        assert snapshot(cli.root) == before


def test_save_racing_a_cli_set_is_refused_and_shows_the_current_text(cli: Cli, in_translation: str) -> None:
    rid = in_translation
    with workspace(cli.root, TRANSLATOR) as server:
        token = server.csrf()
        expected = expected_of(server, f"/r/{rid}/ar/s/p2")
        # Meanwhile, in a terminal:
        cli_set(cli, rid, "p2", "نص من الطرفية", REVIEWER)
        status, text, _h = server.request("POST", f"/r/{rid}/ar/s/p2",
                                          {"text": "نص من المتصفح", "expected": expected, "csrf": token})
        assert status == 409
        assert "changed while you worked" in text
        assert "Lina Aziz" in text
        assert "نص من الطرفية" in text  # the current text, shown
        assert "نص من المتصفح" in text  # and the translator's own, kept in the field
        assert ar_segments(cli.root, rid)["p2"]["text"] == "نص من الطرفية"
        # Saving again from the page shown now (its new hash) is deliberate: it replaces the text.
        fresh = re.search(r'name="expected" value="([0-9a-f]+)"', text)
        assert fresh is not None
        assert fresh.group(1) != expected
        status, _t, _h = server.request("POST", f"/r/{rid}/ar/s/p2",
                                        {"text": "نص من المتصفح", "expected": fresh.group(1), "csrf": token})
        assert status == 303
    assert ar_segments(cli.root, rid)["p2"]["text"] == "نص من المتصفح"


def test_approval_racing_a_change_is_refused(cli: Cli, in_translation: str) -> None:
    rid = in_translation
    cli_set(cli, rid, "p3", "النص الأول", TRANSLATOR)
    with workspace(cli.root, REVIEWER) as server:
        token = server.csrf()
        status, page, _h = server.request("GET", f"/r/{rid}/ar/review")
        assert status == 200
        row = page[page.index('id="seg-p3"'):]
        expected = re.search(r'name="expected" value="([0-9a-f]+)"', row)
        assert expected is not None
        cli_set(cli, rid, "p3", "نص آخر لم يقرأه المراجع", TRANSLATOR)
        status, text, _h = server.request("POST", f"/r/{rid}/ar/review", {
            "action": "approve", "segment": "p3", "expected": expected.group(1), "csrf": token})
        assert status == 409
        assert "changed while you worked" in text
    assert ar_segments(cli.root, rid)["p3"]["status"] == "translated"


def test_a_person_without_the_role_cannot_approve(cli: Cli, in_translation: str, snapshot: Snapshot) -> None:
    rid = in_translation
    cli_set(cli, rid, "p1", "نص", REVIEWER)
    with workspace(cli.root, TRANSLATOR) as server:  # translator:ar, not reviewer:ar
        token = server.csrf()
        status, page, _h = server.request("GET", f"/r/{rid}/ar/review")
        assert "You are not a reviewer of" in page
        assert 'class="approve"' not in page
        before = snapshot(cli.root)
        for form in ({"action": "approve", "segment": "p1"}, {"action": "approve_all"}):
            status, text, _h = server.request("POST", f"/r/{rid}/ar/review", {**form, "csrf": token})
            assert status == 403
            assert "may not approve ar translations" in text
            assert "reviewer:ar" in text
        status, text, _h = server.request("POST", f"/r/{rid}/move", {
            "transition": "publish", "revision": "3", "lang": "ar", "csrf": token})
        assert status in (403, 409)
        assert "publish" in text
        assert snapshot(cli.root) == before


def test_script_injection_is_shown_as_text(cli: Cli, snapshot: Snapshot) -> None:
    root = cli.root
    config = root / "pubflow.yaml"
    config.write_text(config.read_text("utf-8").replace(
        "name: Rami Haddad", "name: 'Rami <img src=x onerror=alert(1)> Haddad'"), "utf-8")
    glossary = root / "glossary.yaml"
    glossary.write_text(glossary.read_text("utf-8").replace(
        "note: The Coalition does not call the regime a government or the state.",
        "note: \"<script>alert('note')</script> never a government\""), "utf-8")
    made = cli("new", "--title", "<script>alert('title')</script> Statement", "--body",
               "The Assad regime shelled <b onmouseover=alert(2)>Idlib</b> on Monday.", "--slug", "hostile",
               "--json", as_=WRITER)
    assert made.exit_code == 0, made.output  # type: ignore[attr-defined]
    rid = json.loads(made.stdout)["id"]  # type: ignore[attr-defined]
    assert cli("submit", rid, as_=WRITER).exit_code == 0  # type: ignore[attr-defined]
    assert cli("approve", rid, as_=EDITOR).exit_code == 0  # type: ignore[attr-defined]
    hostile = "<script>alert('translation')</script>"
    cli_set(cli, rid, "p1", f"قصف نظام الأسد {hostile}", TRANSLATOR)
    with workspace(root, REVIEWER) as server:
        pages = ["/", f"/r/{rid}/ar/s/title", f"/r/{rid}/ar/s/p1", f"/r/{rid}/ar/review", f"/r/{rid}/ar/preview"]
        for path in pages:
            status, text, headers = server.request("GET", path)
            assert status == 200, (path, text[:500])
            for raw in ("<script>alert", "<img src=x", "<b onmouseover"):
                assert raw not in text, (path, raw)
            assert "script-src 'self'" in headers["content-security-policy"]
        _s, review, _h = server.request("GET", f"/r/{rid}/ar/review")
        assert "&lt;script&gt;alert(&#39;translation&#39;)&lt;/script&gt;" in review
        assert "Rami &lt;img src=x onerror=alert(1)&gt; Haddad" in review
        _s, editor, _h = server.request("GET", f"/r/{rid}/ar/s/p1")
        assert "&lt;script&gt;alert(&#39;note&#39;)&lt;/script&gt;" in editor
        _s, title, _h = server.request("GET", f"/r/{rid}/ar/s/title")
        assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in title
        # The rendered page (pubflow render's own escaping) served under a sandbox policy.
        status, page, headers = server.request("GET", f"/r/{rid}/files/ar/{rid}/index.html")
        assert status == 200
        assert "<script>alert" not in page
        assert headers["content-security-policy"].startswith("sandbox")


def test_identity_comes_from_as_and_unknown_people_are_refused(cli: Cli) -> None:
    result = cli("workspace", "--port", "0", "--as", "nobody@example.org", as_=None)
    assert result.exit_code == 4  # type: ignore[attr-defined]
    assert "nobody@example.org" in result.output  # type: ignore[attr-defined]


def test_language_switch_stays_on_this_site(cli: Cli, in_translation: str) -> None:
    with workspace(cli.root, TRANSLATOR) as server:
        for target in ("//evil.example/", "http://evil.example/", "/\\evil.example", ""):
            status, _t, headers = server.request("GET", f"/ui/ar?next={target}")
            assert status == 303, target
            assert headers["location"] == "/", target
        status, _t, headers = server.request("GET", f"/ui/ar?next=/r/{in_translation}/ar")
        assert headers["location"] == f"/r/{in_translation}/ar"
        status, text, _h = server.request("GET", "/")
        assert status == 200
        assert 'lang="ar" dir="rtl"' in text
        assert "ما ينتظرك" in text


def test_a_crash_answers_500_with_one_logged_line_and_the_server_keeps_serving(caplog: pytest.LogCaptureFixture
                                                                                ) -> None:
    """The Guard around any ASGI app, served by uvicorn as `pubflow workspace` serves it."""
    import uvicorn

    from workflow.workspace.security import Guard
    from workflow.workspace.server import bind

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] == "/boom":
            raise RuntimeError("a bug in one request")
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
        await send({"type": "http.response.body", "body": b"fine"})

    sock = bind(0)
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(Guard(app, port), log_level="critical", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    client = Server(f"http://127.0.0.1:{port}/", None, port)  # type: ignore[arg-type]
    try:
        deadline = time.monotonic() + 10
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        with caplog.at_level(logging.ERROR, logger="pubflow.workspace"):
            status, text, _h = client.request("GET", "/boom")
            assert status == 500
            assert "internal error" in text
            assert "keeps running" in text
            assert client.request("GET", "/fine") == (200, "fine", client.request("GET", "/fine")[2])
            status, _t, _h = client.request("GET", "/boom")
            assert status == 500
        lines = [r.getMessage() for r in caplog.records if r.name == "pubflow.workspace"]
        assert len(lines) == 2
        assert all("\n" not in line for line in lines)
        assert "RuntimeError: a bug in one request" in lines[0]
        assert "/boom" in lines[0]
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_reviewer_waives_a_finding_with_a_reason(cli: Cli, in_translation: str) -> None:
    rid = in_translation
    wrong = ("قُتل ما لا يقل عن ٣٠ شخصاً بينهم نساء وأطفال في غارات قوات الاحتلال الروسي "
             "على سوق مزدحم في مدينة معرة النعمان صباح الاثنين.")
    cli_set(cli, rid, "p4", wrong, TRANSLATOR)
    with workspace(cli.root, REVIEWER) as server:
        token = server.csrf()
        status, page, _h = server.request("GET", f"/r/{rid}/ar/review")
        row = page[page.index('id="seg-p4"'):page.index('id="seg-p5"')]
        assert "[numbers]" in row
        assert '<option value="numbers">' in row
        expected = re.search(r'name="expected" value="([0-9a-f]+)"', row)
        assert expected is not None
        form = {"segment": "p4", "expected": expected.group(1), "csrf": token}
        status, text, _h = server.request("POST", f"/r/{rid}/ar/review", {**form, "action": "approve"})
        assert status == 403
        assert "numbers" in text
        status, text, _h = server.request("POST", f"/r/{rid}/ar/review",
                                          {**form, "action": "waive", "check": "numbers", "reason": " "})
        assert status == 400
        assert "needs a reason" in text
        assert ar_segments(cli.root, rid)["p4"]["status"] == "translated"
        status, _t, headers = server.request("POST", f"/r/{rid}/ar/review", {
            **form, "action": "waive", "check": "numbers", "reason": "the source was corrected to 30 by phone"})
        assert status == 303, _t[:800]
        _s, page, _h = server.request("GET", headers["location"])
        assert "Waived numbers on p4" in page
        assert "waived by Lina Aziz" in page
    assert ar_segments(cli.root, rid)["p4"]["status"] == "approved"
    history = cli("history", rid).stdout  # type: ignore[attr-defined]
    assert "the source was corrected to 30 by phone" in history


def test_an_oversized_form_is_refused(cli: Cli, in_translation: str, snapshot: Snapshot) -> None:
    rid = in_translation
    with workspace(cli.root, TRANSLATOR) as server:
        token = server.csrf()
        before = snapshot(cli.root)
        status, text, _h = server.request("POST", f"/r/{rid}/ar/s/p1", {"text": "ن" * 600_000, "csrf": token})
        assert status in (400, 413)
        assert "too large" in text
        assert snapshot(cli.root) == before
        assert server.request("GET", "/")[0] == 200


def test_stale_segment_shows_the_word_diff_and_keeps_the_old_translation(cli: Cli, tmp_path: Path) -> None:
    made = cli("new", "--title", "Statement on Idlib", "--body", "The Syrian Coalition said 20 people were killed.",
               "--slug", "stale", "--json", as_=WRITER)
    rid = json.loads(made.stdout)["id"]  # type: ignore[attr-defined]
    assert cli("submit", rid, as_=WRITER).exit_code == 0  # type: ignore[attr-defined]
    assert cli("approve", rid, as_=EDITOR).exit_code == 0  # type: ignore[attr-defined]
    old = "قال الائتلاف الوطني السوري إن 20 شخصاً قُتلوا."
    cli_set(cli, rid, "p1", old, TRANSLATOR)
    v2 = tmp_path / "v2.md"
    v2.write_text("---\ntitle: Statement on Idlib\n---\nThe Syrian Coalition stated that 20 people were killed.\n",
                  "utf-8")
    assert cli("edit", rid, "--from", str(v2), as_=EDITOR).exit_code == 0  # type: ignore[attr-defined]
    with workspace(cli.root, TRANSLATOR) as server:
        token = server.csrf()
        status, page, _h = server.request("GET", f"/r/{rid}/ar/s/p1")
        assert status == 200
        assert "<del>said</del>" in page
        assert "<ins>stated that</ins>" in page
        assert 'value="keep"' in page
        assert old in page  # the old translation, in the field to start from
        expected = re.search(r'name="expected" value="([0-9a-f]+)"', page)
        assert expected is not None
        status, _t, headers = server.request("POST", f"/r/{rid}/ar/s/p1", {
            "action": "keep", "text": old, "expected": expected.group(1), "csrf": token})
        assert status == 303, _t[:800]
        assert "done=kept" in headers["location"]
    saved = ar_segments(cli.root, rid)["p1"]
    assert saved["status"] == "translated"
    assert saved["text"] == old
    assert "stated that" in saved["source"]
