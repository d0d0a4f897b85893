"""After every kind of change, an incremental build leaves `dist/` byte for byte as a build from
scratch of the same files would (`rm -rf dist .pubflow/build*`, then `pubflow build`)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import Cli
from tests.pubhelp import approved_sample, arabic_texts, files_of, set_translation
from workflow.storage.newsroom import Newsroom


def scratch_equal(root: Path, tmp: Path, what: str) -> None:
    """`dist/` of `root` equals what a build from scratch of a copy of `root` writes."""
    copy = tmp / "scratch" / root.name
    shutil.rmtree(copy.parent, ignore_errors=True)
    shutil.copytree(root, copy, symlinks=True)
    shutil.rmtree(copy / "dist", ignore_errors=True)
    for state in (copy / ".pubflow").glob("build*"):
        if state.is_dir():
            shutil.rmtree(state)
        else:
            state.unlink()
    result: Any = Cli(copy)("build")
    assert result.exit_code == 0, result.output
    fresh, incremental = files_of(copy / "dist"), files_of(root / "dist")
    assert sorted(incremental) == sorted(fresh), what
    differ = [name for name in fresh if fresh[name] != incremental[name]]
    assert differ == [], f"after {what}: {differ}"


def shown(root: Path, text: str) -> list[str]:
    return [name for name, data in files_of(root / "dist").items() if text.encode() in data]


def ok(result: Any) -> None:
    assert result.exit_code == 0, result.output


def test_every_kind_of_change_builds_what_a_build_from_scratch_builds(newsroom: Path, tmp_path: Path) -> None:
    config = newsroom / "pubflow.yaml"
    config.write_text(config.read_text("utf-8").replace("  pdf: false", "  pdf: false\n  page_size: 2\n  feed_size: 2"),
                      "utf-8")
    cli = Cli(newsroom)
    ids = [approved_sample(newsroom, slug=f"item-{n}", category="statements" if n % 2 else None)
           for n in range(5)]
    for rid in ids[:4]:
        ok(cli("publish", rid))
    scratch_equal(newsroom, tmp_path, "four publications")
    ok(cli("publish", ids[4]))
    scratch_equal(newsroom, tmp_path, "a publication")
    ok(cli("correct", ids[1], "-m", "Fixed a figure.", "--message-ar", "صححنا رقماً."))
    scratch_equal(newsroom, tmp_path, "a correction")
    ok(cli("retract", ids[2], "-m", "Withdrawn.", "--message-ar", "سُحب البيان."))
    scratch_equal(newsroom, tmp_path, "a retraction")
    for option, value in (("--title", "A new title for the first one"), ("--date", "2019-07-25"),
                          ("--category", "coalition-news")):
        ok(cli("edit", ids[3], option, value))
        ok(cli("build"))
        scratch_equal(newsroom, tmp_path, f"edit {option}")
    assert shown(newsroom, "A new title for the first one") == []  # what is out changes only with `correct`
    later = approved_sample(newsroom, slug="embargoed", embargo="2999-01-01T09:00:00+03:00")
    ok(cli("publish", later, "--at-embargo"))
    ok(cli("build"))
    scratch_equal(newsroom, tmp_path, "a scheduled publication")
    ok(cli("unschedule", later))
    ok(cli("build"))
    scratch_equal(newsroom, tmp_path, "an unscheduled publication")
    release = newsroom / "releases" / ids[0] / "release.yaml"
    text = release.read_text("utf-8")
    release.write_text(text.replace("title: ", "title: Hand edited ", 1), "utf-8")
    ok(cli("build"))
    scratch_equal(newsroom, tmp_path, "a hand edit of a published title")
    assert shown(newsroom, "Hand edited") == []
    set_translation(Newsroom.open(newsroom), ids[3], ["عنوان جديد للبيان", *arabic_texts()[1:]])
    ok(cli("correct", ids[3], "-m", "New title.", "--message-ar", "عنوان جديد."))
    scratch_equal(newsroom, tmp_path, "a correction after edits of the metadata")
    assert shown(newsroom, "A new title for the first one") != []
    shutil.rmtree(newsroom / "releases" / ids[4])
    ok(cli("build"))
    scratch_equal(newsroom, tmp_path, "a release deleted by hand")
    config.write_text(config.read_text("utf-8").replace("Media Department", "Press Office")
                      .replace("Statements, ar", "Official statements, ar"), "utf-8")
    ok(cli("build"))
    scratch_equal(newsroom, tmp_path, "site name and category label changed")
    assert shown(newsroom, "Press Office") != []
    assert shown(newsroom, "Official statements") != []
    (newsroom / "templates").mkdir()
    index = (Path(__file__).resolve().parents[1] / "templates" / "index.html.j2").read_text("utf-8")
    (newsroom / "templates" / "index.html.j2").write_text(index.replace("</h1>", "</h1><!-- ours -->", 1), "utf-8")
    ok(cli("build"))
    scratch_equal(newsroom, tmp_path, "a template change")
    assert shown(newsroom, "<!-- ours -->") != []
    folder = newsroom / "locales" / "ar" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "pubflow.po").write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                                       'msgid "Press releases"\nmsgstr "بياناتنا الصحفية"\n', "utf-8")
    subprocess.run(["msgfmt", "-o", str(folder / "pubflow.mo"), str(folder / "pubflow.po")], check=True)
    ok(cli("build"))
    scratch_equal(newsroom, tmp_path, "a catalog change")
    assert shown(newsroom, "بياناتنا الصحفية") != []
