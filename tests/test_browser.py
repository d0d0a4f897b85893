"""A real browser: headless Chromium loads the published Arabic and English pages.

Asserts the COMPUTED document direction (getComputedStyle) and keeps a screenshot of
each page in tests/artifacts/ (or $PUBFLOW_ARTIFACTS); the paths are printed (-s shows them).
Skips with a reason when Debian's chromium is not installed (`apt-get install chromium
fonts-noto-core`; .ci/run does it).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.pubhelp import SAMPLE_ID, approved_sample, at
from workflow.core.config import find_person
from workflow.publishing.publish import publish_release
from workflow.storage.newsroom import Newsroom

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
ARTIFACTS = Path(os.environ.get("PUBFLOW_ARTIFACTS", Path(__file__).parent / "artifacts"))
PROBE = """<script>
(function () {
  var root = document.documentElement, body = document.querySelector('.body p'), h1 = document.querySelector('h1');
  root.setAttribute('data-computed-direction', getComputedStyle(root).direction);
  root.setAttribute('data-h1-direction', getComputedStyle(h1).direction);
  root.setAttribute('data-p-direction', getComputedStyle(body).direction);
  root.setAttribute('data-p-align', getComputedStyle(body).textAlign);
  root.setAttribute('data-p-start', String(Math.round(body.getBoundingClientRect().right)));
  root.setAttribute('data-width', String(document.documentElement.clientWidth));
})();
</script>
</body>"""

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium is not installed (apt-get install chromium)"),
]


def chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--hide-scrollbars", f"--user-data-dir={profile}", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=90, check=False)


@pytest.fixture
def site(newsroom: Path) -> Path:
    rid = approved_sample(newsroom)
    nr = Newsroom.open(newsroom)
    publish_release(nr, rid, find_person(nr.config, "hala.darwish@example.org"), now=at(10))
    return newsroom / "dist"


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("en", "ltr")])
def test_computed_direction_in_chromium(site: Path, tmp_path: Path, lang: str, direction: str) -> None:
    page = site / lang / SAMPLE_ID / "index.html"
    probe_dir = tmp_path / "probe"
    shutil.copytree(page.parent, probe_dir)
    probe = probe_dir / "index.html"
    probe.write_text(page.read_text("utf-8").replace("</body>", PROBE), "utf-8")
    result = chromium(tmp_path / "profile", "--window-size=1000,1400", "--dump-dom", probe.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    attrs = dict(re.findall(r'data-([a-z0-9-]+)="([^"]*)"', result.stdout.split(">", 2)[1]))
    assert attrs.get("computed-direction") == direction, result.stdout[:500]
    assert attrs["h1-direction"] == direction
    assert attrs["p-direction"] == direction
    assert attrs["p-align"] == "start"
    # In a right-to-left page the paragraph starts at the right: its right edge is near the window's.
    right_edge, width = int(attrs["p-start"]), int(attrs["width"])
    if direction == "rtl":
        assert right_edge > width / 2
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"release-{lang}.png"
    result = chromium(tmp_path / "profile2", "--window-size=1000,1400", f"--screenshot={shot}", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    assert shot.is_file()
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")


def test_index_page_screenshot(site: Path, tmp_path: Path) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for lang in ("ar", "en"):
        shot = ARTIFACTS / f"index-{lang}.png"
        result = chromium(tmp_path / f"profile-{lang}", "--window-size=1000,900", f"--screenshot={shot}",
                          (site / lang / "index.html").as_uri())
        assert result.returncode == 0, result.stderr[-2000:]
        assert shot.stat().st_size > 5_000
        print(f"screenshot: {shot}")
