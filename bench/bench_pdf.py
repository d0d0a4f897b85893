"""PDF render time per page (WeasyPrint), and what the PDFs add to a build:

    .venv/bin/python bench/bench_pdf.py [--repeat 7] [--releases 40]

1. In one process: the sample release (English source, Arabic translation) rendered to
   release.pdf per language, --repeat times after one warm-up; the median time per PDF and per
   page (layout + writing, `PdfResult.seconds`), and the first render of a process (imports,
   fontconfig) apart.
2. `pubflow build` of a generated newsroom of --releases published releases from scratch, with
   `outputs.pdf: true` and `false`: the difference is what the PDFs cost a full build.

Run by hand on a quiet machine, never in CI; prints one line per figure.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FIRST = """
import sys, time
started = time.perf_counter()
from tests.pubhelp import approved_sample, at
from workflow.core.config import find_person
from workflow.publishing.bundles import release_pdf
from workflow.publishing.outputs import output_settings
from workflow.publishing.pagemodel import page_data
from workflow.publishing.render import Renderer
from workflow.storage.newsroom import Newsroom
nr = Newsroom.open(sys.argv[1])
doc = nr.load(sys.argv[2])
settings = output_settings(nr.config)
page = page_data(doc, nr.config, sys.argv[3], alternates=["en", "ar"], allow_missing=True)
release_pdf(Renderer(nr.config), page, settings)
print(f"{time.perf_counter() - started:.3f}")
"""


def sample_newsroom(folder: Path) -> tuple[Path, str]:
    from tests.conftest import enable_pdf
    from tests.pubhelp import approved_sample

    root = folder / "newsroom"
    shutil.copytree(ROOT / "tests" / "fixtures" / "newsroom", root)
    enable_pdf(root)
    return root, approved_sample(root)


def per_page(repeat: int) -> None:
    from workflow.publishing import pdf
    from workflow.publishing.outputs import output_settings
    from workflow.publishing.pagemodel import page_data
    from workflow.publishing.render import PRINT_ASSETS, Renderer
    from workflow.storage.newsroom import Newsroom

    with tempfile.TemporaryDirectory() as tmp:
        root, rid = sample_newsroom(Path(tmp))
        for lang in ("en", "ar"):
            done = subprocess.run([sys.executable, "-c", FIRST, str(root), rid, lang], cwd=ROOT,
                                  capture_output=True, text=True, check=True)
            print(f"first PDF of a process ({lang}, imports + fontconfig + render): {float(done.stdout):.2f} s")
        nr = Newsroom.open(root)
        settings = output_settings(nr.config)
        renderer = Renderer(nr.config)
        resources = {name: renderer.asset(name) for name in PRINT_ASSETS}
        for lang in ("en", "ar"):
            page = page_data(nr.load(rid), nr.config, lang, alternates=["en", "ar"])
            html = renderer.release_print(page, settings.letterhead, pdf.ASSET_SCHEME + "assets/")
            meta = pdf.PdfMeta(page.title, lang, page.dir, page.site, "", page.published or page.date)
            pdf.render_pdf(html, meta, resources)  # warm-up
            runs = [pdf.render_pdf(html, meta, resources) for _ in range(repeat)]
            seconds = statistics.median(r.seconds for r in runs)
            pages = runs[0].pages
            print(f"release.pdf {lang}: {pages} page(s), median {seconds:.3f} s per PDF, "
                  f"{seconds / pages:.3f} s per page ({repeat} runs, {len(runs[0].data):,} bytes)")


def build_cost(count: int) -> None:
    from bench.generate import generate

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "published"
        generate(count, root, seed=1, published_only=True)
        config = root / "pubflow.yaml"
        original = config.read_text("utf-8")
        timings = {}
        for pdf_on in (False, True):
            text = original.replace("outputs:\n", f"outputs:\n  pdf: {'true' if pdf_on else 'false'}\n", 1)
            if "outputs:\n" not in original:
                text = original + f"outputs:\n  pdf: {'true' if pdf_on else 'false'}\n"
            config.write_text(text, "utf-8")
            shutil.rmtree(root / "dist", ignore_errors=True)
            shutil.rmtree(root / ".pubflow", ignore_errors=True)
            started = time.perf_counter()
            subprocess.run([sys.executable, "-m", "workflow", "--root", str(root), "build"], cwd=ROOT,
                           stdout=subprocess.DEVNULL, check=True, env={**os.environ, "COLUMNS": "120"})
            timings[pdf_on] = time.perf_counter() - started
            pdfs = sorted(root.glob("dist/*/*/release.pdf"))
            print(f"pubflow build, {count} releases, pdf: {str(pdf_on).lower()}: {timings[pdf_on]:.1f} s "
                  f"({len(pdfs)} PDFs)")
        added = timings[True] - timings[False]
        print(f"PDFs add {added:.1f} s to a full build ({added / (2 * count):.2f} s per bundle, two cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--releases", type=int, default=40)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    per_page(args.repeat)
    build_cost(args.releases)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
