"""Publishing: bundles and manifests, deterministic rebuilds, incremental build, embargo,
corrections, retraction tombstones, source_first, and refusals that leave nothing behind."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EDITOR, enable_pdf, run_env
from tests.pubhelp import approved_sample, files_of, published, set_translation

BUNDLE_FILES = ["assets/pubflow.css", "index.html", "release.json", "release.pdf", "release.txt"]



def test_publish_writes_a_bundle_per_language_with_a_correct_manifest(cli: Any, newsroom: Path) -> None:
    enable_pdf(newsroom)
    rid = approved_sample(newsroom)
    result = cli("publish", rid)
    assert result.exit_code == 0, result.output
    dist = newsroom / "dist"
    lines = result.stdout.strip().splitlines()
    assert lines[-3] == f"Bundles in {dist}:"  # the output ends by showing where the bundles are
    assert lines[-2:] == [f"  {dist / f'{rid}-en.zip'}", f"  {dist / f'{rid}-ar.zip'}"]
    for lang in ("en", "ar"):
        folder = dist / lang / rid
        assert sorted(files_of(folder)) == BUNDLE_FILES
        with zipfile.ZipFile(dist / f"{rid}-{lang}.zip") as archive:
            names = archive.namelist()
            assert names == sorted(names) == sorted([*BUNDLE_FILES, "manifest.json"])
            for info in archive.infolist():
                assert info.date_time == (1980, 1, 1, 0, 0, 0)
                assert (info.external_attr >> 16) & 0o777 == 0o644
            manifest = json.loads(archive.read("manifest.json"))
            assert manifest["release"] == rid
            assert manifest["language"] == lang
            assert manifest["revision"] == 1  # the first text out; each correction adds one
            assert manifest["published"].endswith("Z")
            listed = {f["path"]: f for f in manifest["files"]}
            assert sorted(listed) == BUNDLE_FILES
            for name, entry in listed.items():
                data = archive.read(name)
                assert data == (folder / name).read_bytes()
                assert entry["size"] == len(data)
                assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert rid in (dist / "en" / "index.html").read_text("utf-8")
    assert rid in (dist / "ar" / "feed.atom").read_text("utf-8")
    listing = cli("list", "--json")
    assert json.loads(listing.stdout)[0]["published_languages"] == ["en", "ar"]


def test_rebuild_is_byte_identical_and_incremental(cli: Any, newsroom: Path) -> None:
    rid = published(cli, newsroom)
    dist = newsroom / "dist"
    before = files_of(dist)
    second = cli("build")
    assert second.exit_code == 0
    assert "Nothing changed" in second.stdout
    assert "wrote" not in second.stdout
    assert second.stdout.strip().splitlines()[-1] == f"  {dist / f'{rid}-ar.zip'}"
    forced = cli("build", "--force")
    assert forced.exit_code == 0
    assert "wrote" not in forced.stdout
    assert files_of(dist) == before
    # A full rebuild from nothing gives the same bytes.
    import shutil

    shutil.rmtree(dist)
    shutil.rmtree(newsroom / ".pubflow")
    assert cli("build").exit_code == 0
    assert files_of(dist) == before


def test_force_rebuilds_what_incremental_trusts(cli: Any, newsroom: Path) -> None:
    rid = published(cli, newsroom)
    page = newsroom / "dist" / "en" / rid / "index.html"
    original = page.read_bytes()
    page.write_bytes(original.replace(b"<h1>", b"<h2>"))  # same size: the state still says fresh
    assert "Nothing changed" in cli("build").stdout
    result = cli("build", "--force")
    assert f"wrote en/{rid}/index.html" in result.stdout
    assert page.read_bytes() == original


def test_build_rerenders_only_what_changed(cli: Any, newsroom: Path) -> None:
    rid = published(cli, newsroom)
    other = approved_sample(newsroom, slug="second-release")
    assert cli("publish", other).exit_code == 0
    text = newsroom / "templates" / "release.txt.j2"
    text.parent.mkdir(exist_ok=True)
    from workflow.publishing.render import packaged_templates

    text.write_text(packaged_templates().joinpath("release.txt.j2").read_text("utf-8") + "\nEND\n", "utf-8")
    result = cli("build")
    written = [line.split(" ", 1)[1] for line in result.stdout.splitlines() if line.startswith("wrote ")]
    assert f"en/{rid}/release.txt" in written
    assert f"ar/{other}/release.txt" in written
    assert not any(name.endswith("index.html") for name in written)
    cli("comment", other, "-m", "note")  # a comment is not in what is out: nothing to render
    written = [line for line in cli("build").stdout.splitlines() if line.startswith("wrote ")]
    assert written == []


def test_incremental_build_from_cached_releases_equals_a_build_from_scratch(cli: Any, newsroom: Path) -> None:
    """Releases whose files did not change are not parsed again (their facts and index/feed
    pages come from the build state); a hand edit is still seen, and the result is what a
    build from nothing writes."""
    import shutil
    import time

    rid = published(cli, newsroom)
    other = approved_sample(newsroom, slug="second-release")
    assert cli("publish", other).exit_code == 0
    time.sleep(1.1)  # files changed within the last second are never trusted from the state
    assert cli("build").exit_code == 0  # records both releases' stat keys
    assert "Nothing changed" in cli("build").stdout
    from tests.pubhelp import arabic_texts
    from workflow.storage.newsroom import Newsroom

    texts = arabic_texts()
    set_translation(Newsroom.open(newsroom), other, ["«تعديل» " + texts[0], *texts[1:]])
    time.sleep(1.1)
    result = cli("build")  # the changed files are parsed again; the new title is not approved out yet
    assert [line for line in result.stdout.splitlines() if line.startswith("wrote ")] == []
    assert "«تعديل»" not in (newsroom / "dist" / "ar" / other / "index.html").read_text("utf-8")
    result = cli("correct", other, "-m", "New Arabic title.", "--message-ar", "تصحيح.")
    written = [line.split(" ", 1)[1] for line in result.stdout.splitlines() if line.startswith("wrote ")]
    assert f"ar/{other}/index.html" in written
    assert "ar/feed.atom" in written
    assert all(rid not in name for name in written)
    assert "«تعديل»" in (newsroom / "dist" / "ar" / other / "index.html").read_text("utf-8")
    time.sleep(1.1)
    assert "Nothing changed" in cli("build").stdout
    incremental = files_of(newsroom / "dist")
    shutil.rmtree(newsroom / "dist")
    shutil.rmtree(newsroom / ".pubflow")
    assert cli("build").exit_code == 0
    assert files_of(newsroom / "dist") == incremental


@pytest.mark.parametrize("damage", ["facts", "unit", "pages", "planted"])
def test_a_damaged_build_state_costs_a_full_build_not_an_error(cli: Any, newsroom: Path, damage: str) -> None:
    """The build's memory under .pubflow/ is derived data: a damaged entry is ignored, the
    build renders again and writes the same bytes (it used to stop with an internal error)."""
    import time

    rid = published(cli, newsroom)
    time.sleep(1.1)  # files changed within the last second are never trusted from the state
    assert cli("build").exit_code == 0
    before = files_of(newsroom / "dist")
    state_path = newsroom / ".pubflow" / "build.json"
    if damage == "pages":
        (newsroom / ".pubflow" / "build-pages.marshal").write_bytes(b"\x00not marshal")
    else:
        state = json.loads(state_path.read_text("utf-8"))
        if damage == "facts":
            state["releases"][rid]["facts"] = {"moments": "en"}
        elif damage == "unit":
            state["units"][f"bundle:en:{rid}"] = ["not", "a", "unit"]
        else:  # a state naming files outside the output folder: never removed
            (newsroom / "keep.txt").write_text("mine", "utf-8")
            state["units"]["bundle:en:gone"] = {"key": "k", "files": {"../keep.txt": {"size": 4, "sha256": ""}}}
        state_path.write_text(json.dumps(state), "utf-8")
    result = cli("build")
    assert result.exit_code == 0, result.output
    assert "Nothing changed" in result.stdout
    assert files_of(newsroom / "dist") == before
    assert "Nothing changed" in cli("build").stdout
    if damage == "planted":
        assert (newsroom / "keep.txt").read_text("utf-8") == "mine"


def test_build_on_two_cores_writes_the_same_bytes(cli: Any, newsroom: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Releases and site pages split between this process and a forked one: same files."""
    import shutil

    from workflow.publishing import build as publish
    from workflow.storage.newsroom import Newsroom

    published(cli, newsroom)
    other = approved_sample(newsroom, slug="second-release")
    assert cli("publish", other).exit_code == 0
    alone = files_of(newsroom / "dist")
    shutil.rmtree(newsroom / "dist")
    shutil.rmtree(newsroom / ".pubflow")
    monkeypatch.setattr(publish, "PARALLEL_MIN", 0)
    result = publish.build_locked(Newsroom.open(newsroom))
    assert sorted(result.written) == sorted(alone)
    assert files_of(newsroom / "dist") == alone



def build_fails_leaving_dist_as_it_was(cli: Any, newsroom: Path, code: int, first_words: str) -> None:
    """`build --force` fails with exit `code` and one line starting with `first_words`; dist/ is as it
    was and no temp file of either half is left."""
    dist = newsroom / "dist"
    before = files_of(dist)
    result = cli("build", "--force")
    assert result.exit_code == code, result.output
    assert result.stderr.startswith(first_words), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert files_of(dist) == before
    assert not [p for p in newsroom.rglob("*") if p.name.endswith(".pubflow-tmp")]

@pytest.mark.parametrize("blocked", ["site", "bundle"])
def test_a_write_failing_on_either_core_leaves_the_output_folder_as_it_was(
        cli: Any, newsroom: Path, monkeypatch: pytest.MonkeyPatch, blocked: str) -> None:
    """Outputs are staged on two cores (units in sorted order: the bundles here, the site index
    and feed in the forked child).  A write that fails in either half is the same one line and
    exit code as on one core, and neither half's temp files stay: the output folder is as it was."""
    import shutil

    from workflow.publishing import build as publish

    first = published(cli, newsroom)
    assert cli("publish", approved_sample(newsroom, slug="second-release")).exit_code == 0
    dist = newsroom / "dist"
    (dist / "en" / "index.html").unlink()  # something for each half to write again
    (dist / "ar" / first / "release.txt").unlink()
    folder = dist / "en" / "assets" if blocked == "site" else dist / "ar" / first / "assets"
    shutil.rmtree(folder)
    folder.write_text("a file where a folder should be\n", "utf-8")
    monkeypatch.setattr(publish, "PARALLEL_MIN", 0)
    build_fails_leaving_dist_as_it_was(cli, newsroom, 5, "error: cannot write ")
    folder.unlink()
    assert cli("build").exit_code == 0
    monkeypatch.setattr(publish, "PARALLEL_MIN", 10**6)
    alone = files_of(dist)
    shutil.rmtree(dist)
    assert cli("build").exit_code == 0
    assert files_of(dist) == alone


def test_a_killed_second_build_process_is_an_error_not_a_hang(
        cli: Any, newsroom: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The forked half of a two-core build killed (the kernel's out-of-memory killer, a crash in a C
    library): the build waited for its answer forever (multiprocessing.Pool loses the task). Now it
    is one line, and the output folder is as it was."""
    import os
    import signal

    from workflow.publishing import build as publish
    from workflow.storage import store

    published(cli, newsroom)
    assert cli("publish", approved_sample(newsroom, slug="second-release")).exit_code == 0
    dist = newsroom / "dist"
    parent = os.getpid()
    real = store.stage_output

    def stage_or_die(*args: Any, **kwargs: Any) -> str:
        if os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "stage_output", stage_or_die)
    monkeypatch.setattr(publish, "PARALLEL_MIN", 0)
    (dist / "en" / "index.html").unlink()  # something for each half to write again
    build_fails_leaving_dist_as_it_was(
        cli, newsroom, 1, "error: the second build process stopped without an answer (killed by signal 9)")
    monkeypatch.setattr(store, "stage_output", real)
    assert cli("build").exit_code == 0


def test_missing_translation_refuses_publish_naming_segments(cli: Any, newsroom: Path) -> None:
    rid = approved_sample(newsroom, arabic={"title": "عنوان"})
    result = cli("publish", rid)
    assert result.exit_code == 4
    assert "10 segment(s)" in result.stderr
    assert "ar:p1 (untranslated)" in result.stderr
    assert not (newsroom / "dist").exists()
    assert json.loads(cli("show", rid, "--json").stdout)["state"] == "translation"


@pytest.mark.parametrize(("template", "content", "line"), [
    ("release.html.j2", "{% extends 'base.html.j2' %}\n{% block main %}\n{% if %}\n{% endblock %}\n", 3),
    ("feed.atom.j2", "<feed>\n\n{{ no_such_variable }}\n</feed>\n", 3),
])
def test_template_error_refuses_publish_and_writes_nothing(cli: Any, newsroom: Path, snapshot: Any,
                                                           template: str, content: str, line: int) -> None:
    rid = approved_sample(newsroom)
    (newsroom / "templates").mkdir(exist_ok=True)
    (newsroom / "templates" / template).write_text(content, "utf-8")
    before = snapshot(newsroom)
    result = cli("publish", rid)
    assert result.exit_code == 5
    assert f"templates/{template}, line {line}" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(newsroom) == before  # not published, no dist/
    assert not (newsroom / "dist").exists()


def test_unwritable_output_folder_is_one_clear_line(cli: Any, newsroom: Path) -> None:
    rid = approved_sample(newsroom)
    (newsroom / "dist").write_text("a file where the output folder should be\n", "utf-8")
    result = cli("publish", rid)
    assert result.exit_code == 5
    assert result.stderr.startswith("error: cannot write to the output folder")
    assert "outputs.dir" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert json.loads(cli("show", rid, "--json").stdout)["state"] == "translation"
    assert cli("build").exit_code == 5


def test_unknown_outputs_setting_is_refused(cli: Any, newsroom: Path) -> None:
    config = newsroom / "pubflow.yaml"
    config.write_text(config.read_text("utf-8").replace("  dir: dist\n", "  dir: dist\n  folder: x\n"), "utf-8")
    result = cli("build")
    assert result.exit_code == 5
    assert "outputs.folder" in result.stderr


SCHEDULING = """
    publish: {from: [translation], to: published, roles: [editor],
              requires: [approval_current, translations_complete, checks_clean, embargo_passed]}
"""


def test_embargo_keeps_a_release_out_of_every_output_until_its_time(cli: Any, newsroom: Path) -> None:
    config = newsroom / "pubflow.yaml"  # a newsroom that schedules: publish before the embargo
    config.write_text(config.read_text("utf-8").replace(
        "requires: [approval_current, translations_complete, checks_clean, embargo_passed]}",
        "requires: [approval_current, translations_complete, checks_clean]}"), "utf-8")
    rid = approved_sample(newsroom, embargo="2999-01-01T09:00:00+03:00")
    result = cli("publish", rid)
    assert result.exit_code == 0, result.output
    dist = newsroom / "dist"
    everything = b"".join(files_of(dist).values())
    assert rid.encode() not in everything
    assert not list(dist.glob("*.zip"))
    assert "No release is published yet" in result.stdout
    early = cli("build", "--at", "2999-01-01T05:59:00Z")
    assert "nothing" in early.stdout
    late = cli("build", "--at", "2999-01-01T06:00:00Z")
    assert f"{rid}  en, ar" in late.stdout
    assert "Nothing written" in late.stdout
    assert rid.encode() not in b"".join(files_of(dist).values())  # --at alone writes nothing
    preview = newsroom / "at-preview"
    assert cli("build", "--at", "2999-01-01T06:00:00Z", "-o", str(preview)).exit_code == 0
    manifest = json.loads(zipfile.ZipFile(preview / f"{rid}-en.zip").read("manifest.json"))
    assert manifest["published"] == "2999-01-01T06:00:00Z"  # publication time is the embargo's end


def test_embargo_guard_refuses_early_publish(cli: Any, newsroom: Path) -> None:
    rid = approved_sample(newsroom, embargo="2999-01-01T09:00:00+03:00")
    result = cli("publish", rid)
    assert result.exit_code == 4
    assert "embargo" in result.stderr
    assert not (newsroom / "dist").exists()


def test_correction_adds_a_dated_notice_to_page_and_feed(cli: Any, newsroom: Path) -> None:
    rid = published(cli, newsroom)
    result = cli("correct", rid, "-m", "An earlier version gave the wrong death toll.", "--message-ar", "تصحيح.")
    assert result.exit_code == 0, result.output
    assert f"wrote en/{rid}/index.html" in result.stdout  # `correct` writes what it changes
    assert "Nothing changed" in cli("build").stdout
    page = (newsroom / "dist" / "en" / rid / "index.html").read_text("utf-8")
    assert '<aside class="correction" role="note">' in page
    assert "An earlier version gave the wrong death toll." in page
    feed = (newsroom / "dist" / "en" / "feed.atom").read_text("utf-8")
    assert "An earlier version gave the wrong death toll." in feed
    data = json.loads((newsroom / "dist" / "ar" / rid / "release.json").read_text("utf-8"))
    assert data["corrections"][0]["text"] == "تصحيح."  # each language its own notice
    assert data["updated"] == data["corrections"][0]["at"]
    assert data["updated"] >= data["published"]


def test_retraction_leaves_a_tombstone_at_the_same_url(cli: Any, newsroom: Path) -> None:
    rid = published(cli, newsroom)
    assert cli("retract", rid, "-m", "Published in error.", "--message-ar", "سُحب.").exit_code == 0
    result = cli("publish", rid)  # on a live release: a rebuild
    assert result.exit_code == 0
    assert "already out" in result.stdout
    for lang, reason in (("en", "Published in error."), ("ar", "سُحب.")):
        page = (newsroom / "dist" / lang / rid / "index.html").read_text("utf-8")
        assert '<div class="tombstone" role="note">' in page
        assert reason in page
        assert "de-escalation" not in page
        assert "خفض التصعيد" not in page
        data = json.loads((newsroom / "dist" / lang / rid / "release.json").read_text("utf-8"))
        assert data["retracted"]["text"] == reason
        assert data["paragraphs"] == []
        with zipfile.ZipFile(newsroom / "dist" / f"{rid}-{lang}.zip") as archive:
            assert b"de-escalation" not in archive.read("release.txt")
    feed = (newsroom / "dist" / "en" / "feed.atom").read_text("utf-8")
    assert "<title>Retracted: Coalition" in feed
    assert "Published in error." in feed


def test_source_first_publishes_the_source_while_translation_goes_on(cli: Any, newsroom: Path) -> None:
    config = newsroom / "pubflow.yaml"
    config.write_text(config.read_text("utf-8").replace("publish_policy: all_at_once",
                                                        "publish_policy: source_first"), "utf-8")
    rid = approved_sample(newsroom, arabic={"title": "عنوان"})
    from workflow.storage.newsroom import Newsroom

    result = cli("publish", rid, "--lang", "ar")
    assert result.exit_code == 4
    assert "ar:p1" in result.stderr
    result = cli("publish", rid, "--lang", "en")
    assert result.exit_code == 0, result.output
    assert "stays in Translation" in result.stdout
    summary = json.loads(cli("list", "--json").stdout)[0]
    assert summary["state"] == "translation"
    assert summary["published_languages"] == ["en"]
    assert "en 11/11" not in cli("list").stdout  # progress is of ar; the mark shows what is out
    dist = newsroom / "dist"
    assert (dist / f"{rid}-en.zip").is_file()
    assert not (dist / f"{rid}-ar.zip").exists()
    assert rid not in (dist / "ar" / "index.html").read_text("utf-8")
    history = json.loads(cli("history", rid, "--json").stdout)
    assert history[-1]["kind"] == "release"
    assert history[-1]["language"] == "en"
    from tests.pubhelp import arabic_texts

    set_translation(Newsroom.open(newsroom), rid, arabic_texts())
    result = cli("publish", rid, "--lang", "ar")
    assert result.exit_code == 0, result.output
    summary = json.loads(cli("list", "--json").stdout)[0]
    assert summary["state"] == "published"
    assert summary["published_languages"] == ["en", "ar"]
    assert (dist / f"{rid}-ar.zip").is_file()
    assert cli("verify").exit_code == 0


def test_lang_needs_source_first_policy(cli: Any, newsroom: Path) -> None:
    rid = approved_sample(newsroom)
    result = cli("publish", rid, "--lang", "en")
    assert result.exit_code == 4
    assert "source_first" in result.stderr


def test_render_writes_pages_of_an_unpublished_release(cli: Any, newsroom: Path, sample_id: str) -> None:
    enable_pdf(newsroom)
    out = newsroom / "look"
    result = cli("render", sample_id, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "not translated yet" in result.stderr
    ar = (out / "ar" / sample_id / "index.html").read_text("utf-8")
    assert '<div lang="en" dir="ltr" class="untranslated">\n<p>' in ar
    assert (out / "en" / sample_id / "release.txt").is_file()
    assert (out / "ar" / sample_id / "release.pdf").read_bytes().startswith(b"%PDF-")
    assert not (newsroom / "dist").exists()
    only = cli("render", sample_id, "--lang", "en", "-o", str(newsroom / "look2"))
    assert only.exit_code == 0
    assert not (newsroom / "look2" / "ar" / sample_id).exists()


@pytest.mark.slow
def test_preview_serves_every_language_and_stops_on_ctrl_c(newsroom: Path, sample_id: str) -> None:
    env = run_env(PUBFLOW_ROOT=str(newsroom), PUBFLOW_USER=EDITOR)
    proc = subprocess.Popen([sys.executable, "-m", "workflow", "preview", sample_id, "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stdout is not None
        urls = [proc.stdout.readline().strip() for _ in range(2)]
        assert urls[0].startswith("http://127.0.0.1:")
        assert urls[0].endswith(f"/en/{sample_id}/")
        assert urls[1].endswith(f"/ar/{sample_id}/")
        with urllib.request.urlopen(urls[1], timeout=10) as response:
            assert response.headers["Content-Type"] == "text/html; charset=utf-8"
            assert '<html lang="ar" dir="rtl">' in response.read().decode("utf-8")
        with urllib.request.urlopen(urls[0] + "release.txt", timeout=10) as response:
            assert response.headers["Content-Type"].startswith("text/plain")
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(urls[0] + "../../../pubflow.yaml", timeout=10)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert "stopped" in (proc.stderr.read() if proc.stderr else "")
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not (newsroom / "dist").exists()
    assert os.environ.get("PUBFLOW_ROOT") is None


def test_ctrl_c_on_two_cores_prints_no_traceback_of_the_forked_half(tmp_path: Path) -> None:
    """Ctrl-C reaches every process of the terminal's group: the forked half of a build printed its
    own KeyboardInterrupt traceback under the parent's one-line message.  It leaves it to the parent."""
    import subprocess
    import sys
    import textwrap

    started = tmp_path / "child-started"
    script = textwrap.dedent(f"""
        import os, signal, sys, time
        from workflow.publishing import workers
        parent = os.getpid()
        def work(items):
            if os.getpid() != parent:
                open({str(started)!r}, "w").close()
                time.sleep(60)
                return items
            while not os.path.exists({str(started)!r}):
                time.sleep(0.01)
            os.killpg(0, signal.SIGINT)  # what a terminal's Ctrl-C does
            time.sleep(60)
            return items
        try:
            workers.two_cores(work, [1, 2], True)
        except KeyboardInterrupt:
            print("interrupted", file=sys.stderr)
            sys.exit(130)
        """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=50,
                          start_new_session=True, cwd=Path(__file__).resolve().parents[1])
    if not started.exists():
        pytest.skip("no second process here (one core, or no fork)")
    assert done.returncode == 130, done.stderr
    assert done.stderr == "interrupted\n"
