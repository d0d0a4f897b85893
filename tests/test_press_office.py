"""Issue 13: what a press office sends out — categories and notices per language, archive
publication times, scheduled embargoes, canonical/hreflang/Open Graph, contact and notes to
editors, the DRAFT banner, paginated indexes and a bounded feed.  Each bad input: one line on
stderr, the documented exit code, nothing written."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EDITOR, WRITER, Cli
from tests.pubhelp import SAMPLE_EN, SAMPLE_ID, T0, approved_sample, at, one_line, set_translation
from workflow.editorial.actors import find_person
from workflow.editorial.transitions import apply_transition
from workflow.publishing.publish import publish_release
from workflow.publishing.schedule import release_due, schedule_release
from workflow.storage.newsroom import Newsroom


def published(root: Path, **kwargs: Any) -> str:
    rid = approved_sample(root, **kwargs)
    nr = Newsroom.open(root)
    publish_release(nr, rid, find_person(nr.config, EDITOR), now=at(10))
    return rid


def page(root: Path, lang: str, rid: str = SAMPLE_ID, name: str = "index.html") -> str:
    return (root / "dist" / lang / rid / name).read_text("utf-8")


def set_config(root: Path, old: str, new: str) -> None:
    path = root / "pubflow.yaml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


# ---------------------------------------------------------------- categories per language
def test_each_language_shows_its_own_category(newsroom: Path) -> None:
    published(newsroom)
    assert '<span class="category">Coalition News</span>' in page(newsroom, "en")
    assert '<span class="category">أخبار الائتلاف</span>' in page(newsroom, "ar")
    feed = (newsroom / "dist" / "ar" / "feed.atom").read_text("utf-8")
    assert '<category term="coalition-news" label="أخبار الائتلاف"/>' in feed
    record = json.loads(page(newsroom, "en", name="release.json"))
    assert (record["category"], record["category_id"]) == ("Coalition News", "coalition-news")


def test_an_undefined_category_is_refused_and_nothing_is_written(cli: Cli, newsroom: Path,
                                                                 snapshot: Callable[[Path], dict[str, str]]) -> None:
    before = snapshot(newsroom)
    line = one_line(cli("new", "--from", str(SAMPLE_EN), "--category", "Sports", as_=WRITER), 2)
    assert "--category: 'Sports' is not a category of this newsroom" in line
    assert "coalition-news (Coalition News / أخبار الائتلاف)" in line  # what is defined
    source = newsroom / "in.md"
    source.write_text("---\ntitle: A statement\ncategory: Sports\n---\n\nText.\n", "utf-8")
    before = snapshot(newsroom)
    line = one_line(cli("new", "--from", str(source), as_=WRITER), 5)
    assert "category: 'Sports' is not a category of this newsroom" in line
    assert snapshot(newsroom) == before


def test_a_category_is_found_by_its_label_in_either_language(cli: Cli) -> None:
    result: Any = cli("new", "--title", "Statement", "--body", "Text.", "--category", "بيانات", "--json",
                      as_=WRITER)
    assert json.loads(result.stdout)["category"] == "statements"


def test_a_datelines_unknown_category_leaves_the_release_unfiled(cli: Cli, tmp_path: Path) -> None:
    text = tmp_path / "in.txt"
    text.write_text("Title here\n\n22 July 2019 In Sports News\n\nFirst paragraph.\n", "utf-8")
    result: Any = cli("new", "--from", str(text), as_=WRITER)
    assert result.exit_code == 0, result.output
    assert "The dateline's category 'Sports News' is not defined in pubflow.yaml" in result.stderr
    shown: Any = cli("show", "2019-07-22-title-here", "--json")
    assert json.loads(shown.stdout)["category"] == ""


@pytest.mark.parametrize(("old", "new", "words"), [
    ("  statements:     {en: Statements, ar: بيانات}", "  statements:     {en: Statements}",
     "categories.statements: no label in ar"),
    ("  statements:     {en: Statements, ar: بيانات}", "  Statements:     {en: Statements, ar: بيانات}",
     "categories.Statements: a category key is lower-case a-z, 0-9 and hyphens"),
    ("  statements:     {en: Statements, ar: بيانات}", "  statements:     {en: Coalition News, ar: بيانات}",
     "the label 'Coalition News' is also coalition-news's"),
    ("categories:", "contact: {en: press@example.org}\ncategories:", "contact: no text in ar"),
    ("  statements:     {en: Statements, ar: بيانات}", '  statements:     {en: "State\\x01ments", ar: بيانات}',
     "categories.statements.en contains the control character U+0001 at character 6"),
    ("  statements:     {en: Statements, ar: بيانات}", '  statements:     {en: "\\u202eStatements", ar: بيانات}',
     "categories.statements.en contains the bidi override RLO (U+202E)"),
    ("categories:", 'contact: {en: "press\\x1b[2J@example.org", ar: press@example.org}\ncategories:',
     "contact.en contains the control character U+001B at character 6"),
])
def test_bad_categories_and_blocks_in_the_config_are_refused(cli: Cli, newsroom: Path, old: str, new: str,
                                                             words: str) -> None:
    set_config(newsroom, old, new)
    line = one_line(cli("list"), 5)
    assert words in line


# ---------------------------------------------------------------- notices per language
def test_a_correction_needs_its_notice_in_every_language_that_is_out(
        cli: Cli, newsroom: Path, snapshot: Callable[[Path], dict[str, str]]) -> None:
    rid = published(newsroom)
    before = snapshot(newsroom)
    line = one_line(cli("correct", rid, "-m", "Corrected the death toll."), 4)
    assert f"{rid}: the notice is missing in ar, which readers see" in line
    assert "--message-ar TEXT" in line
    assert snapshot(newsroom) == before  # no event, no output
    result: Any = cli("correct", rid, "-m", "Corrected the death toll.", "--message-ar", "صُحّح عدد الضحايا.")
    assert result.exit_code == 0, result.output
    en, ar = page(newsroom, "en"), page(newsroom, "ar")
    assert "Corrected the death toll." in en
    assert "صُحّح عدد الضحايا." in ar
    assert "Corrected the death toll." not in ar
    ar_feed = (newsroom / "dist" / "ar" / "feed.atom").read_text("utf-8")
    assert "صُحّح عدد الضحايا." in ar_feed
    assert "Corrected the death toll" not in ar_feed
    event = json.loads(cli("history", rid, "--json").stdout)[-1]
    assert (event["comment"], event["notices"]) == ("Corrected the death toll.", {"ar": "صُحّح عدد الضحايا."})
    assert cli("verify").exit_code == 0  # type: ignore[attr-defined]


def test_a_retraction_takes_its_notices_from_a_file(cli: Cli, newsroom: Path, tmp_path: Path) -> None:
    rid = published(newsroom)
    notices = tmp_path / "notices.yaml"
    notices.write_text("en: Published in error.\nar: نُشر عن طريق الخطأ.\n", "utf-8")
    result: Any = cli("retract", rid, "--messages", str(notices))
    assert result.exit_code == 0, result.output
    assert "Published in error." in page(newsroom, "en")
    ar = page(newsroom, "ar")
    assert "نُشر عن طريق الخطأ." in ar
    assert "Published in error" not in ar


def test_two_texts_for_the_source_language_or_a_notice_on_a_plain_move_are_refused(cli: Cli, newsroom: Path) -> None:
    rid = published(newsroom)
    line = one_line(cli("correct", rid, "-m", "One.", "--message-en", "Two.", "--message-ar", "ثلاثة"), 2)
    assert "-m and the en message give two different texts for the source language" in line


# ---------------------------------------------------------------- archive publication time
def test_published_at_gives_an_archive_release_its_own_date(cli: Cli, newsroom: Path) -> None:
    result: Any = cli("new", "--from", str(SAMPLE_EN), "--slug", "archive", "--published-at",
                      "2019-07-22T09:10+03:00", "--json", as_=WRITER)
    assert result.exit_code == 0, result.output
    rid = json.loads(result.stdout)["id"]
    nr = Newsroom.open(newsroom)
    editor = find_person(nr.config, EDITOR)
    apply_transition(nr, rid, "submit", editor)
    apply_transition(nr, rid, "approve", editor)
    from tests.pubhelp import arabic_texts

    set_translation(nr, rid, arabic_texts())
    assert cli("publish", rid).exit_code == 0  # type: ignore[attr-defined]
    assert "نُشر في 22 تموز 2019" in page(newsroom, "ar", rid)
    assert "Published 22 July 2019" in page(newsroom, "en", rid)
    assert json.loads(page(newsroom, "en", rid, "release.json"))["published"] == "2019-07-22T06:10:00Z"
    assert cli("verify").exit_code == 0  # type: ignore[attr-defined]


@pytest.mark.parametrize(("value", "words"), [
    ("22/07/2019", "--published-at: '22/07/2019' is not an ISO 8601 time"),
    ("2019-07-22T09:10", "--published-at"),  # no zone
    ("2999-01-01T00:00Z", "--published-at: 2999-01-01T00:00Z lies in the future"),
])
def test_a_bad_published_at_is_refused(cli: Cli, newsroom: Path, value: str, words: str,
                                       snapshot: Callable[[Path], dict[str, str]]) -> None:
    before = snapshot(newsroom)
    line = one_line(cli("new", "--from", str(SAMPLE_EN), "--published-at", value, as_=WRITER), 2)
    assert words in line
    assert snapshot(newsroom) == before


def test_front_matter_published(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "old.md"
    source.write_text("---\ntitle: An old statement\npublished: 2018-03-01T10:00:00+02:00\n---\n\nText.\n", "utf-8")
    result: Any = cli("new", "--from", str(source), "--json", as_=WRITER)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == "2018-03-01-an-old-statement"  # the day it went out


# ---------------------------------------------------------------- scheduled embargoes
EMBARGO = "2019-07-22T12:00:00+03:00"  # 09:00 UTC, three hours after T0


def test_a_scheduled_release_goes_out_at_the_first_build_after_its_embargo(newsroom: Path) -> None:
    rid = approved_sample(newsroom, embargo=EMBARGO)
    nr = Newsroom.open(newsroom)
    scheduled = schedule_release(nr, rid, find_person(nr.config, EDITOR), now=at(5))
    assert scheduled.event is not None
    assert scheduled.event.kind == "schedule"
    assert release_due(nr, now=at(60)) == []  # before the embargo: nothing
    assert not (newsroom / "dist" / "en" / rid).exists()
    due = release_due(nr, now=T0 + dt.timedelta(hours=3, minutes=1))
    assert [(d.release, d.published, d.by) for d in due] == [(rid, True, "Hala Darwish")]
    assert (newsroom / "dist" / "ar" / rid / "index.html").is_file()
    history = nr.load(rid).release.history
    assert (history[-1].kind, history[-1].transition, history[-1].actor) == ("transition", "publish", "Hala Darwish")
    assert release_due(nr, now=T0 + dt.timedelta(hours=4)) == []  # it is out: nothing pending


def test_pubflow_build_publishes_what_is_due_with_nobody_running_publish(cli: Cli, newsroom: Path) -> None:
    rid = approved_sample(newsroom, embargo=EMBARGO)
    nr = Newsroom.open(newsroom)
    schedule_release(nr, rid, find_person(nr.config, EDITOR), now=at(5))
    result: Any = cli("build", as_=None)
    assert result.exit_code == 0, result.output
    assert f"{rid}: published at its embargo (en, ar), as scheduled by Hala Darwish" in result.stdout
    assert (newsroom / "dist" / "en" / rid / "index.html").is_file()
    again: Any = cli("build", as_=None)
    assert rid not in again.stdout.split("\n")[0]  # nothing scheduled any more


def test_a_fresh_clone_finds_its_scheduled_releases_without_an_index(cli: Cli, newsroom: Path) -> None:
    rid = approved_sample(newsroom, embargo=EMBARGO)
    nr = Newsroom.open(newsroom)
    schedule_release(nr, rid, find_person(nr.config, EDITOR), now=at(5))
    for name in ("index.sqlite", "index.sqlite-wal", "index.sqlite-shm"):
        (newsroom / ".pubflow" / name).unlink(missing_ok=True)  # as after a clone: no .pubflow index
    result: Any = cli("build", as_=None)
    assert result.exit_code == 0, result.output
    assert f"{rid}: published at its embargo (en, ar), as scheduled by Hala Darwish" in result.stdout


def test_a_fresh_clone_finds_a_schedule_spelled_with_a_yaml_escape(cli: Cli, newsroom: Path) -> None:
    """The fresh-clone pre-filter looks for the bytes `schedule` in release.yaml; a hand-written
    `"\\x73chedule"` is the same event to YAML (and to the index), but the release was skipped."""
    rid = approved_sample(newsroom, embargo=EMBARGO)
    nr = Newsroom.open(newsroom)
    schedule_release(nr, rid, find_person(nr.config, EDITOR), now=at(5))
    path = newsroom / "releases" / rid / "release.yaml"
    text = path.read_text("utf-8")
    assert text.count("kind: schedule\n") == 1
    path.write_text(text.replace("kind: schedule\n", 'kind: "\\x73chedule"\n'), "utf-8")
    assert b"schedule" not in path.read_bytes()
    for name in ("index.sqlite", "index.sqlite-wal", "index.sqlite-shm"):
        (newsroom / ".pubflow" / name).unlink(missing_ok=True)  # as after a clone: no .pubflow index
    result: Any = cli("build", as_=None)
    assert result.exit_code == 0, result.output
    assert f"{rid}: published at its embargo (en, ar), as scheduled by Hala Darwish" in result.stdout


def test_publish_at_embargo_checks_the_guards_now(cli: Cli, newsroom: Path, sample_id: str,
                                                  snapshot: Callable[[Path], dict[str, str]]) -> None:
    assert cli("edit", sample_id, "--embargo", "2999-01-01T09:00+03:00").exit_code == 0  # type: ignore[attr-defined]
    before = snapshot(newsroom)
    line = one_line(cli("publish", sample_id, "--at-embargo"), 4)
    assert "cannot publish from draft" in line
    assert snapshot(newsroom) == before


def test_publish_at_embargo_without_an_embargo_is_a_usage_error(cli: Cli, sample_id: str) -> None:
    line = one_line(cli("publish", sample_id, "--at-embargo"), 2)
    assert f"{sample_id} has no embargo to publish at" in line


def test_a_scheduled_release_whose_guards_fail_at_the_moment_stays_scheduled(cli: Cli, newsroom: Path,
                                                                           tmp_path: Path) -> None:
    rid = approved_sample(newsroom, embargo=EMBARGO)
    nr = Newsroom.open(newsroom)
    schedule_release(nr, rid, find_person(nr.config, EDITOR), now=at(5))
    changed = tmp_path / "v2.txt"
    changed.write_text(SAMPLE_EN.read_text("utf-8").replace("At least 50 people", "At least 52 people"), "utf-8")
    assert cli("edit", rid, "--from", str(changed)).exit_code == 0  # type: ignore[attr-defined]
    result: Any = cli("build", as_=None)
    assert result.exit_code == 0, result.output
    assert f"{rid}: still scheduled, not published:" in result.stdout
    assert not (newsroom / "dist" / "en" / rid).exists()
    strict: Any = cli("build", "--strict", as_=None)
    assert strict.exit_code == 4
    assert f"{rid}: still scheduled" in strict.stdout


def test_unschedule_cancels_a_schedule_and_history_names_both(cli: Cli, newsroom: Path) -> None:
    rid = approved_sample(newsroom, embargo=EMBARGO)
    nr = Newsroom.open(newsroom)
    schedule_release(nr, rid, find_person(nr.config, EDITOR), now=at(5))
    refused = one_line(cli("unschedule", rid, as_=WRITER), 4)  # a writer may not publish, nor cancel
    assert "publish" in refused
    result: Any = cli("unschedule", rid, "-m", "Embargo moved: the minister speaks tomorrow")
    assert result.exit_code == 0, result.output
    assert f"{rid}: no longer scheduled" in result.stdout
    assert release_due(Newsroom.open(newsroom), now=T0 + dt.timedelta(hours=4)) == []
    assert not (newsroom / "dist" / "en" / rid).exists()
    lines = cli("history", rid).stdout.splitlines()  # type: ignore[attr-defined]
    kinds = [line.split()[1] for line in lines[-2:]]
    assert kinds == ["schedule", "unschedule"], lines
    assert "Embargo moved" in lines[-1]
    again = one_line(cli("unschedule", rid), 4)
    assert f"{rid} is not scheduled" in again
    assert cli("verify", as_=None).exit_code == 0  # type: ignore[attr-defined]


# ---------------------------------------------------------------- staples
def test_canonical_hreflang_and_open_graph(newsroom: Path) -> None:
    published(newsroom)
    en = page(newsroom, "en")
    assert '<link rel="canonical" href="./">' in en  # no base_url in the fixture: relative
    assert f'<link rel="alternate" hreflang="ar" href="../../ar/{SAMPLE_ID}/">' in en
    assert '<meta property="og:title" content="Coalition: Assad regime and Russia&#39;s crimes' in en
    assert '<meta property="og:locale" content="en_GB">' in en
    assert '<meta property="og:locale:alternate" content="ar_SY">' in en
    assert '<meta name="twitter:card" content="summary">' in en


def test_hreflang_only_to_languages_that_are_out(newsroom: Path, cli: Cli) -> None:
    set_config(newsroom, "publish_policy: all_at_once", "publish_policy: source_first")
    rid = approved_sample(newsroom)
    nr = Newsroom.open(newsroom)
    publish_release(nr, rid, find_person(nr.config, EDITOR), lang="en", now=at(10))
    en = page(newsroom, "en", rid)
    assert "hreflang" not in en
    assert "og:locale:alternate" not in en


def test_contact_and_notes_to_editors_per_language(newsroom: Path) -> None:
    set_config(newsroom, "categories:", "contact:\n  en: |\n    Media Department\n    press@example.org\n"
               "  ar: |\n    الدائرة الإعلامية\n    press@example.org\n"
               "boilerplate:\n  en: The **Syrian Coalition** represents the opposition.\n"
               "  ar: يمثّل **الائتلاف الوطني** المعارضة.\ncategories:")
    published(newsroom)
    en, ar = page(newsroom, "en"), page(newsroom, "ar")
    assert '<h2 id="notes-to-editors">Notes to editors</h2>' in en
    assert "The <strong>Syrian Coalition</strong> represents the opposition." in en
    assert '<h2 id="media-contact">Media contact</h2>' in en
    assert '<a href="mailto:press@example.org"' in en
    assert "يمثّل <strong>الائتلاف الوطني</strong> المعارضة." in ar
    assert "الدائرة الإعلامية" in ar
    assert "Syrian Coalition</strong>" not in ar
    text = page(newsroom, "ar", name="release.txt")
    assert "للتواصل الإعلامي" in text


def test_draft_banner_on_render_never_in_dist(cli: Cli, newsroom: Path, sample_id: str, tmp_path: Path) -> None:
    out = tmp_path / "look"
    result: Any = cli("render", sample_id, "-o", str(out))
    assert result.exit_code == 0, result.output
    html = (out / "en" / sample_id / "index.html").read_text("utf-8")
    assert '<div class="draft-banner" role="note">DRAFT — not for publication</div>' in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    ar = (out / "ar" / sample_id / "index.html").read_text("utf-8")
    assert "مسودة — ليست للنشر" in ar
    published(newsroom, slug="other")
    for path in (newsroom / "dist").rglob("*.html"):
        assert "draft-banner" not in path.read_text("utf-8")


# ---------------------------------------------------------------- pagination and the feed's size
def _many(newsroom: Path, n: int) -> list[str]:
    nr = Newsroom.open(newsroom)
    editor = find_person(nr.config, EDITOR)
    ids = []
    for i in range(n):
        rid = approved_sample(newsroom, slug=f"r{i:02d}", text=f"Release {i}\n\nParagraph {i}.",
                              title=f"Release {i}", arabic={"title": f"البيان {i}", "p1": f"الفقرة {i}."})
        publish_release(nr, rid, editor, now=at(10 + i))
        ids.append(rid)
    return ids


def test_site_index_pages_and_the_feed_hold_the_newest(newsroom: Path, cli: Cli) -> None:
    set_config(newsroom, "  pdf: false", "  pdf: false\n  page_size: 2\n  feed_size: 3")
    ids = _many(newsroom, 5)
    dist = newsroom / "dist" / "en"
    index = (dist / "index.html").read_text("utf-8")
    assert index.count('<li class="entry') == 2
    assert "Release 4" in index
    assert "Release 3" in index
    assert 'href="archive/3/"' in index  # older releases, page by page
    pages = sorted(p.parent.name for p in (dist / "archive").glob("*/index.html"))
    assert pages == ["1", "2", "3"]
    first = (dist / "archive" / "1" / "index.html").read_text("utf-8")
    assert "Release 0" in first
    assert "Release 1" in first
    assert "Release 2" not in first
    feed = (dist / "feed.atom").read_text("utf-8")
    assert feed.count("<entry>") == 3
    assert ids[0] not in feed
    # One more release: the index, the last archive page and the feed change; older pages do not.
    stamp = (dist / "archive" / "1" / "index.html").stat().st_mtime_ns
    more: Any = cli("build")
    assert more.exit_code == 0
    _many_more = approved_sample(newsroom, slug="r99", text="Release 99\n\nParagraph.", title="Release 99",
                                 arabic={"title": "البيان 99", "p1": "الفقرة."})
    result: Any = cli("publish", _many_more)
    assert result.exit_code == 0, result.output
    assert "en/archive/1/index.html" not in result.stdout
    assert (dist / "archive" / "1" / "index.html").stat().st_mtime_ns == stamp


def test_a_long_notice_is_written_and_read_back(cli: Cli, newsroom: Path) -> None:
    """Notices have no length limit, like comments: what `correct` records, the release reads back."""
    rid = published(newsroom)
    long_ar = "صُحّح عدد الضحايا. " * 300
    result: Any = cli("correct", rid, "-m", "Corrected. " * 300, "--message-ar", long_ar)
    assert result.exit_code == 0, result.output
    assert cli("verify").exit_code == 0  # type: ignore[attr-defined]
    assert long_ar.strip() in page(newsroom, "ar")
