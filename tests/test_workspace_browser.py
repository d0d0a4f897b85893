"""`pubflow workspace` in a real browser: Playwright drives Debian's chromium against the real server.

A translator who never opens a terminal translates the whole sample release into Arabic (typing,
checks as they type, a memory match accepted with the keyboard), a reviewer approves it, and the
editor publishes it: asserted on the YAML on disk, on the history and on the computed direction of
the page and of the field.  Screenshots go to tests/artifacts/ (or $PUBFLOW_ARTIFACTS).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EDITOR, REVIEWER, TRANSLATOR, WRITER, Cli
from tests.workspace_help import Server, workspace

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARTIFACTS = Path(os.environ.get("PUBFLOW_ARTIFACTS", Path(__file__).parent / "artifacts"))

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install chromium)"),
]


@pytest.fixture
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    with sync_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            yield launched
        finally:
            launched.close()


def open_page(browser: Any, server: Server) -> Any:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    page.goto(server.url)
    return page


def direction(page: Any, selector: str) -> str:
    return str(page.eval_on_selector(selector, "e => getComputedStyle(e).direction"))


def segments(root: Path, rid: str, lang: str) -> dict[str, dict[str, Any]]:
    data = yaml.safe_load((root / "releases" / rid / f"{lang}.yaml").read_text("utf-8"))
    return {s["id"]: s for s in data["segments"]}


def test_translate_review_publish_in_chromium(browser: Any, cli: Cli, in_translation: str,
                                               sample_arabic: dict[str, str]) -> None:
    root, rid = cli.root, in_translation
    # An earlier release holds p6 already translated: the translation memory offers it.
    source_p6 = cli("show", rid, "--json").stdout  # type: ignore[attr-defined]
    import json

    p6 = next(s["text"] for s in json.loads(source_p6)["segments"] if s["id"] == "p6")
    made = cli("new", "--title", "Victims are not numbers", "--body", p6, "--slug", "earlier", "--json", as_=WRITER)
    earlier = json.loads(made.stdout)["id"]  # type: ignore[attr-defined]
    assert cli("submit", earlier, as_=WRITER).exit_code == 0  # type: ignore[attr-defined]
    assert cli("approve", earlier, as_=EDITOR).exit_code == 0  # type: ignore[attr-defined]
    done = cli("set", earlier, "p1", "--lang", "ar", "--text", sample_arabic["p6"], as_=TRANSLATOR)
    assert done.exit_code == 0, done.output  # type: ignore[attr-defined]

    with workspace(root, TRANSLATOR) as server:
        page = open_page(browser, server)
        assert page.get_attribute("html", "dir") == "ltr"
        assert direction(page, "html") == "ltr"
        page.click(f'a[href="/r/{rid}/ar/s/title"]')
        ids = ["title", *[f"p{i}" for i in range(1, 10)], "source"]
        for seg in ids:
            page.wait_for_url(f"**/r/{rid}/ar/s/{seg}**")
            if seg == "p4":  # a wrong number: the checks say so while typing
                page.fill("#text", "قُتل ما لا يقل عن ٣٠ شخصاً")
                page.dispatch_event("#text", "input")
                page.wait_for_selector("#findings li.error")
                assert "numbers" in page.inner_text("#findings")
            if seg == "p6":  # the memory match, accepted with the keyboard
                assert "100%" in page.inner_text(".matches")
                page.focus("#text")
                page.keyboard.press("Alt+1")
                assert page.input_value("#text") == sample_arabic["p6"]
                assert page.input_value("#origin") == f"memory:{earlier}"
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ARTIFACTS / "workspace-editor-en.png"))
            elif seg == "title":
                page.focus("#text")
                page.keyboard.type(sample_arabic[seg][:12])  # real key presses in Arabic
                page.fill("#text", sample_arabic[seg])
            else:
                page.fill("#text", sample_arabic[seg])
            if seg == "p1":
                assert direction(page, "#text") == "rtl"
                assert page.get_attribute("#text", "dir") == "auto"
                font = page.eval_on_selector("#text", "e => getComputedStyle(e).fontFamily")
                assert "Naskh" in font
            page.keyboard.press("Control+Enter")
        page.wait_for_selector(".flash")
        assert "Nothing left to translate" in page.inner_text(".flash")
        # The whole interface in Arabic, right to left.
        page.click('a[hreflang="ar"]')
        page.wait_for_load_state()
        assert page.get_attribute("html", "dir") == "rtl"
        assert direction(page, "html") == "rtl"
        assert "حفظ" in page.inner_text("#save-form")
        page.goto(f"{server.url}r/{rid}/ar/s/p3")
        page.screenshot(path=str(ARTIFACTS / "workspace-editor-ar.png"))
        assert page.dialogs == []

    on_disk = segments(root, rid, "ar")
    for seg in ids:
        assert on_disk[seg]["status"] == "translated", seg
        assert on_disk[seg]["text"] == sample_arabic[seg].strip(), seg
        assert on_disk[seg]["by"] == "Rami Haddad"
    assert on_disk["p6"]["origin"] == f"memory:{earlier}"
    assert on_disk["p1"]["origin"] == "human"

    with workspace(root, REVIEWER) as server:
        page = open_page(browser, server)
        page.goto(f"{server.url}r/{rid}/ar/review")
        page.click('a[hreflang="ar"]')  # the reviewer works in Arabic
        page.wait_for_selector('html[dir="rtl"]')
        page.click("#seg-p1 button.approve")
        page.wait_for_selector(".flash")
        assert segments(root, rid, "ar")["p1"]["status"] == "approved"
        assert direction(page, "html") == "rtl"
        assert direction(page, "#seg-p2 td.translation") == "rtl"
        page.screenshot(path=str(ARTIFACTS / "workspace-review-ar.png"))
        page.click("#approve-all")
        page.wait_for_selector(".flash")
        assert "publish" in page.inner_text(".moves")
        assert page.dialogs == []
    on_disk = segments(root, rid, "ar")
    assert all(s["status"] == "approved" and s["reviewed_by"] == "Lina Aziz" for s in on_disk.values())

    with workspace(root, EDITOR) as server:
        page = open_page(browser, server)
        page.goto(f"{server.url}r/{rid}/ar/review")
        page.click("#move-publish")
        page.wait_for_selector(".flash")
        assert "publish" in page.inner_text(".flash")
    release = yaml.safe_load((root / "releases" / rid / "release.yaml").read_text("utf-8"))
    assert release["state"] == "published"
    history = cli("history", rid).stdout  # type: ignore[attr-defined]
    lines = history.splitlines()
    # Every save in the browser is an event of its own, by the person working there; then the review.
    assert len([x for x in lines if " translated " in x and "Rami Haddad [ar]" in x]) == len(ids)
    assert any(" reviewed " in x and "Lina Aziz [ar]" in x for x in lines)
    assert "Hala Darwish" in history
    assert "publish" in history


def test_machine_suggestion_on_demand_and_errors_ask_first(browser: Any, cli: Cli, in_translation: str,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.libre_server import LibreServer
    from tests.test_mt import ENV, configure

    rid = in_translation
    monkeypatch.setenv("LIBRE_TEST_KEY", ENV["LIBRE_TEST_KEY"])
    with LibreServer() as libre:
        configure(cli.root, libre.url)
        with workspace(cli.root, TRANSLATOR) as server:
            page = open_page(browser, server)
            page.goto(f"{server.url}r/{rid}/ar/s/p1")
            page.keyboard.press("Alt+N")  # skip
            page.wait_for_url(f"**/r/{rid}/ar/s/p2")
            page.keyboard.press("Alt+P")  # previous
            page.wait_for_url(f"**/r/{rid}/ar/s/p1")
            assert libre.requests == []  # nothing is sent to the provider until asked
            page.focus("#text")
            page.keyboard.press("Alt+M")
            page.wait_for_selector("#machine-text:not(:empty)")
            assert len(libre.requests) == 1
            assert "libre" in page.inner_text("#machine-label")
            suggestion = page.inner_text("#machine-text")
            assert suggestion.startswith("[en>ar] The Syrian Coalition")
            page.keyboard.press("Alt+A")
            assert page.input_value("#text") == suggestion
            assert page.input_value("#origin") == "machine:libre"
            page.keyboard.press("Control+Enter")
            # A machine text in Latin script is no Arabic translation: the checks say so, and ask first.
            page.wait_for_selector("#save-anyway")
            assert "[script]" in page.inner_text("#findings")
            assert segments(cli.root, rid, "ar").get("p1", {}).get("text") is None
            page.click("#save-anyway")
            page.wait_for_url(f"**/r/{rid}/ar/s/p2**")
    saved = segments(cli.root, rid, "ar")["p1"]
    assert saved["origin"] == "machine:libre"
    assert saved["status"] == "translated"
    assert saved["by"] == "Rami Haddad"
