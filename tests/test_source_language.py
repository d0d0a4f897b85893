"""The source language of a release: detected by `new`, checked against --lang, repaired by `edit --lang`."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import EDITOR, FIXTURES, SAMPLE, TRANSLATOR, WRITER, Cli

PAIR = FIXTURES / "pair"
AR_FILE = PAIR / "displacement-2025-01-15.ar.txt"
EN_FILE = PAIR / "displacement-2025-01-15.en.txt"
AR_ID = "2025-01-15-displacement"


def new(cli: Cli, *args: str) -> Any:
    return cli("new", *args, as_=WRITER)


def read(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ new: detection
def test_an_arabic_file_without_lang_becomes_an_arabic_source_release(cli: Cli, newsroom: Path) -> None:
    result = new(cli, "--from", str(AR_FILE), "--slug", "displacement")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"Created {AR_ID} (10 segments, state draft).",
        "Source language: ar (detected from the text's script; pass --lang to choose)",
    ]
    folder = newsroom / "releases" / AR_ID
    release = read(folder / "release.yaml")
    assert (release["source_language"], release["languages"]) == ("ar", ["ar", "en"])
    assert read(folder / "ar.yaml")["segments"][0]["text"].startswith("الائتلاف يحذّر")
    assert read(folder / "en.yaml")["segments"] == []
    shown: Any = cli("show", AR_ID, "--json")
    assert json.loads(shown.stdout)["source_language"] == "ar"


def test_an_english_file_is_english_and_json_says_where_the_language_came_from(cli: Cli) -> None:
    result = new(cli, "--from", str(EN_FILE), "--slug", "displacement", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert (data["source_language"], data["language_from"]) == ("en", "script")
    given = new(cli, "--from", str(AR_FILE), "--slug", "given", "--lang", "ar", "--json")
    assert json.loads(given.stdout)["language_from"] == "option"
    plain = new(cli, "--from", str(AR_FILE), "--slug", "plain", "--lang", "ar")
    assert "Source language" not in plain.stdout  # chosen by the writer: nothing to say


def test_a_text_without_words_takes_the_newsroom_default(cli: Cli) -> None:
    result = new(cli, "--title", "2025", "--body", "١٢٠ / 45 000 — 17.", "--slug", "numbers")
    assert result.exit_code == 0, result.output
    assert "Source language: en (the newsroom's default: the text did not show its language)" in result.stdout


def test_front_matter_lang_is_used_and_checked(cli: Cli, tmp_path: Path) -> None:
    body = AR_FILE.read_text(encoding="utf-8").split("\n", 1)[1]
    good = tmp_path / "good.md"
    good.write_text("---\ntitle: الائتلاف يحذّر من كارثة إنسانية\nlang: ar\n---\n" + body, encoding="utf-8")
    result = new(cli, "--from", str(good), "--slug", "front", "--json")
    assert (json.loads(result.stdout)["source_language"], json.loads(result.stdout)["language_from"]) == ("ar", "file")
    bad = tmp_path / "bad.md"
    bad.write_text("---\ntitle: الائتلاف يحذّر من كارثة إنسانية\nlang: en\n---\n" + body, encoding="utf-8")
    refused = new(cli, "--from", str(bad), "--slug", "bad")
    assert refused.exit_code == 5
    assert "the text is not in en" in refused.stderr
    assert "fix lang: in the file's front matter" in refused.stderr


# ------------------------------------------------------------------ bad input: new --lang en on Arabic text
def test_new_with_lang_en_on_arabic_text_is_refused_and_creates_nothing(
        cli: Cli, newsroom: Path, snapshot: Callable[[Path], dict[str, str]]) -> None:
    before = snapshot(newsroom)
    result = new(cli, "--from", str(AR_FILE), "--lang", "en")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "error: the text is not in en: only 0% of its words are in the Latin script (e.g. ‘الائتلاف’) "
        "(pass --lang ar, or leave --lang out to detect it)"]
    assert snapshot(newsroom) == before
    assert not (newsroom / "releases").exists() or not any((newsroom / "releases").iterdir())
    english_as_arabic = new(cli, "--from", str(SAMPLE), "--lang", "ar")
    assert english_as_arabic.exit_code == 2
    assert "the text is not in ar: only 0% of its words are in the Arabic script" in english_as_arabic.stderr
    assert snapshot(newsroom) == before


def test_names_and_acronyms_in_latin_do_not_make_arabic_text_english(cli: Cli) -> None:
    body = ("قالت منظمة Save the Children وUNICEF يوم الاثنين إن آلاف الأطفال نزحوا من إدلب خلال أسبوع، "
            "وإن المخيمات في الشمال لا تتسع لمزيد من العائلات. للمزيد: https://example.org/report")
    result = new(cli, "--title", "آلاف الأطفال ينزحون من إدلب", "--body", body, "--slug", "children", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["source_language"] == "ar"


# ------------------------------------------------------------------ edit --lang: repairing a draft
def relabel(folder: Path, **fields: Any) -> None:
    """Change release.yaml's metadata as if the release had been created with it: its history says
    so too (the metadata the create event set, the hash every event records, the chain; issue 10)."""
    from workflow.core.history import chain_hash
    from workflow.core.model import event_from_dict, metadata_hash

    release = read(folder / "release.yaml")
    release.update(json.loads(json.dumps(fields)))  # copies: YAML would write a shared list as an alias
    previous = ""
    for event in release["history"]:
        if "metadata" in event:
            event["metadata"].update(json.loads(json.dumps(fields)))
        event["meta"] = metadata_hash(release)
        event["hash"] = chain_hash(previous, event_from_dict(event, "test"))
        previous = event["hash"]
    (folder / "release.yaml").write_text(yaml.safe_dump(release, allow_unicode=True, sort_keys=False), "utf-8")


def mislabel(root: Path, release_id: str) -> None:
    """Turn an Arabic-source draft into what older pubflow made of an Arabic file: an English-source release."""
    folder = root / "releases" / release_id
    relabel(folder, source_language="en", languages=["en", "ar"])
    source = read(folder / "ar.yaml")
    source["language"] = "en"
    (folder / "en.yaml").write_text(yaml.safe_dump(source, allow_unicode=True, sort_keys=False), "utf-8")
    (folder / "ar.yaml").write_text(yaml.safe_dump({"schema": 1, "release": release_id, "language": "ar",
                                                    "segments": []}), "utf-8")


@pytest.fixture
def mislabelled(cli: Cli, newsroom: Path) -> str:
    assert new(cli, "--from", str(AR_FILE), "--slug", "displacement").exit_code == 0
    mislabel(newsroom, AR_ID)
    shown: Any = cli("show", AR_ID, "--json")
    assert json.loads(shown.stdout)["source_language"] == "en"
    return AR_ID


def test_edit_lang_repairs_a_drafts_source_language(cli: Cli, newsroom: Path, mislabelled: str) -> None:
    folder = newsroom / "releases" / mislabelled
    texts = [s["text"] for s in read(folder / "en.yaml")["segments"]]
    result: Any = cli("edit", mislabelled, "--lang", "ar", as_=WRITER)
    assert result.exit_code == 0, result.output
    assert result.stdout == f"{mislabelled}: source language en → ar\n"
    release = read(folder / "release.yaml")
    assert (release["source_language"], release["languages"], release["state"]) == ("ar", ["ar", "en"], "draft")
    assert [s["text"] for s in read(folder / "ar.yaml")["segments"]] == texts  # the same text, ids kept
    assert read(folder / "ar.yaml")["language"] == "ar"
    assert read(folder / "en.yaml")["segments"] == []
    history: Any = cli("history", mislabelled, "--json")
    last = json.loads(history.stdout)[-1]
    assert (last["kind"], last["actor"], last["comment"]) == ("edit", "Sami Khoury", None)
    assert (last["changes"]["language"], last["changes"]["dropped"]) == ({"from": "en", "to": "ar"}, 0)
    text: Any = cli("history", mislabelled)
    assert text.stdout.splitlines()[-1].endswith("Sami Khoury  “source language en → ar”")
    arabic: Any = cli("--ui-lang", "ar", "history", mislabelled)
    assert "لغة المصدر en ← ar" in arabic.stdout.splitlines()[-1]  # rendered in the reader's language
    assert cli("verify").exit_code == 0  # type: ignore[attr-defined]
    again: Any = cli("edit", mislabelled, "--lang", "ar", as_=WRITER)
    assert (again.exit_code, again.stdout) == (0, f"{mislabelled}: the source language already is ar\n")
    # The repaired release goes on like any Arabic-source release.
    assert cli("submit", mislabelled, as_=WRITER).exit_code == 0  # type: ignore[attr-defined]
    assert cli("approve", mislabelled, as_=EDITOR).exit_code == 0  # type: ignore[attr-defined]
    english = EN_FILE.read_text(encoding="utf-8").split("\n", 1)[0]
    done: Any = cli("set", mislabelled, "title", "--lang", "en", "--text", english, as_=TRANSLATOR)
    assert done.exit_code == 0, done.output


def test_edit_lang_to_a_language_the_text_is_not_in_is_refused(
        cli: Cli, newsroom: Path, snapshot: Callable[[Path], dict[str, str]]) -> None:
    assert new(cli, "--from", str(AR_FILE), "--slug", "displacement").exit_code == 0
    before = snapshot(newsroom)
    result: Any = cli("edit", AR_ID, "--lang", "en", as_=WRITER)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "error: the text is not in en: only 0% of its words are in the Latin script (e.g. ‘الائتلاف’) "
        "(pass --lang ar)"]
    assert snapshot(newsroom) == before


def test_edit_lang_only_for_drafts_and_writers(cli: Cli, newsroom: Path, mislabelled: str,
                                               snapshot: Callable[[Path], dict[str, str]]) -> None:
    before = snapshot(newsroom)
    translator: Any = cli("edit", mislabelled, "--lang", "ar", as_=TRANSLATOR)
    assert translator.exit_code == 4
    assert "Rami Haddad may not edit the source: it needs the role writer or editor" in translator.stderr
    assert snapshot(newsroom) == before
    assert cli("submit", mislabelled, as_=WRITER).exit_code == 0  # type: ignore[attr-defined]
    before = snapshot(newsroom)
    result: Any = cli("edit", mislabelled, "--lang", "ar", as_=EDITOR)
    assert result.exit_code == 4
    assert result.stderr.splitlines() == [
        f"error: {mislabelled} is review: only a release in draft can change its source language "
        "(`pubflow reject` sends a release in review back to draft)"]
    assert snapshot(newsroom) == before
    mixed: Any = cli("edit", mislabelled, "--lang", "ar", "--title", "x", as_=EDITOR)
    assert mixed.exit_code == 2


def test_translations_into_the_new_source_language_are_dropped_only_when_asked(
        cli: Cli, newsroom: Path, mislabelled: str, snapshot: Callable[[Path], dict[str, str]]) -> None:
    # Someone "translated" the mislabelled text into Arabic while it was open for translation.
    assert cli("submit", mislabelled, as_=WRITER).exit_code == 0  # type: ignore[attr-defined]
    assert cli("approve", mislabelled, as_=EDITOR).exit_code == 0  # type: ignore[attr-defined]
    for seg in ("title", "p1"):
        done: Any = cli("set", mislabelled, seg, "--lang", "ar", "--text", "ترجمة عربية لهذا المقطع", as_=TRANSLATOR)
        assert done.exit_code == 4, done.output  # saved; the checks say the numbers are missing (issue 10)
        assert "error: saved, but ar:" in done.stderr
    assert cli("reject", mislabelled, "-m", "wrong language", as_=EDITOR).exit_code == 0  # type: ignore[attr-defined]
    before = snapshot(newsroom)
    refused: Any = cli("edit", mislabelled, "--lang", "ar", as_=EDITOR)
    assert refused.exit_code == 4
    assert refused.stderr.splitlines() == [
        f"error: {mislabelled} has 2 translations into ar, which would become its source language "
        "(pass --discard-translations to drop them)"]
    assert snapshot(newsroom) == before
    result: Any = cli("edit", mislabelled, "--lang", "ar", "--discard-translations", as_=EDITOR)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [f"{mislabelled}: source language en → ar", "dropped 2 translations into ar"]
    folder = newsroom / "releases" / mislabelled
    assert read(folder / "ar.yaml")["segments"][0]["text"].startswith("الائتلاف يحذّر")
    assert read(folder / "en.yaml")["segments"] == []
    history: Any = cli("history", mislabelled)
    assert history.stdout.splitlines()[-1].endswith("“source language en → ar; dropped 2 translations into ar”")


def test_translations_into_languages_that_stay_targets_are_kept(cli: Cli, newsroom: Path, mislabelled: str) -> None:
    """With three languages, the French translation of the (unchanged) text survives the relabelling."""
    config = newsroom / "pubflow.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace(
        "  ar: {name: العربية", "  fr: {name: Français, direction: ltr, date_locale: fr_FR, digits: latn}\n"
        "  ar: {name: العربية").replace("roles: [translator:ar, translator:en]",
                                        "roles: [translator:ar, translator:en, translator:fr]").replace(
        "ar: أخبار الائتلاف}", "ar: أخبار الائتلاف, fr: Actualités}").replace(
        "ar: بيانات}", "ar: بيانات, fr: Communiqués}"), encoding="utf-8")
    folder = newsroom / "releases" / mislabelled
    relabel(folder, languages=["en", "ar", "fr"])
    (folder / "fr.yaml").write_text(yaml.safe_dump({"schema": 2, "release": mislabelled, "language": "fr",
                                                    "segments": []}), "utf-8")
    assert cli("submit", mislabelled, as_=WRITER).exit_code == 0  # type: ignore[attr-defined]
    assert cli("approve", mislabelled, as_=EDITOR).exit_code == 0  # type: ignore[attr-defined]
    title = "La Coalition met en garde contre une catastrophe humanitaire"
    done: Any = cli("set", mislabelled, "title", "--lang", "fr", "--text", title, as_=TRANSLATOR)
    assert done.exit_code == 4, done.output  # saved; the title's number is missing (the checks, issue 10)
    assert cli("reject", mislabelled, "-m", "wrong language", as_=EDITOR).exit_code == 0  # type: ignore[attr-defined]
    result: Any = cli("edit", mislabelled, "--lang", "ar", as_=EDITOR)
    assert result.exit_code == 0, result.output
    release = read(folder / "release.yaml")
    assert (release["source_language"], release["languages"]) == ("ar", ["ar", "en", "fr"])
    french = read(folder / "fr.yaml")["segments"]
    assert [(s["id"], s["text"], s["status"]) for s in french] == [("title", title, "translated")]
    shown: Any = cli("show", mislabelled, "--json")
    title_row = json.loads(shown.stdout)["segments"][0]
    assert title_row["translations"]["fr"]["status"] == "translated"  # not stale: the text did not change
    assert title_row["translations"]["en"]["status"] == "untranslated"
