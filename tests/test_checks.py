"""Translation checks: each check fails on a bad segment and passes on a good one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EDITOR, Cli
from workflow.core.config import Config
from workflow.errors import InvalidData
from workflow.storage.config_file import load_config
from workflow.storage.newsroom import Newsroom
from workflow.translation.checks import CHECKS, CHECKS_BY_ID, check_text
from workflow.translation.glossary import load_glossary, parse_glossary


@pytest.fixture
def config(newsroom: Path) -> Config:
    return load_config(newsroom)


def found(config: Config, source: str, target: str, src: str = "en", tgt: str = "ar") -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for check_id, _severity, message in check_text(config, source, target, src, tgt):
        out.setdefault(check_id, []).append(message)
    return out


# ------------------------------------------------------------------ numbers
def test_17_turned_into_71_is_an_error_quoting_both(config: Config) -> None:
    result = check_text(config, "At least 17 people were killed.", "قُتل 71 شخصاً على الأقل.", "en", "ar")
    assert result == [("numbers", "error", "the number ‘17’ in the source is ‘71’ in the translation")]


@pytest.mark.parametrize("target", [
    "قُتل ١٧ شخصاً على الأقل.",  # Arabic-Indic digits
    "قُتل ۱۷ شخصاً على الأقل.",  # Extended Arabic-Indic digits
    "قُتل 17 شخصاً على الأقل.",
])
def test_arabic_digits_equal_latin_digits(config: Config, target: str) -> None:
    assert "numbers" not in found(config, "At least 17 people were killed.", target)


def test_numbers_with_separators_and_missing_numbers(config: Config) -> None:
    source = "At least 50 people, 1,200 homes and 3.5 km of road."
    assert "numbers" not in found(config, source, "٥٠ شخصاً و١٬٢٠٠ منزل و٣٫٥ كم من الطريق.")
    assert "numbers" not in found(config, source, "50 شخصاً و1200 منزل و3.5 كم من الطريق.")
    assert found(config, source, "٥٠ شخصاً و١٬٢٠٠ منزل من الطريق.")["numbers"] == [
        "the number ‘3.5’ from the source is missing"]
    assert found(config, "On Monday.", "يوم الاثنين 22.")["numbers"] == ["the number ‘22’ is not in the source"]


def test_numbers_from_arabic_to_english(config: Config) -> None:
    assert "numbers" not in found(config, "قُتل ٥٠ شخصاً", "50 people were killed", "ar", "en")
    assert found(config, "قُتل ٥٠ شخصاً", "15 people were killed", "ar", "en")["numbers"] == [
        "the number ‘٥٠’ in the source is ‘15’ in the translation"]


# ------------------------------------------------------------------ the other checks, failing and passing
CASES = [
    # check id, source, bad target, good target
    ("empty", "The Coalition said.", "  ", "قال الائتلاف."),
    ("identical", "The Coalition said.", "The Coalition said.", "قال الائتلاف."),
    ("script", "The Coalition said today that it will act.", "قال The Coalition said today that it will act.",
     "قال الائتلاف اليوم إنه سيتحرك."),
    ("urls", "See https://en.etilaf.org/news.", "انظر الموقع.", "انظر https://en.etilaf.org/news."),
    ("urls", "Write to media@etilaf.org today.", "راسلونا اليوم.", "راسلوا media@etilaf.org اليوم."),
    ("markup", "Hello {name}, read <b>this</b> &amp; that %s.", "مرحبا، اقرأ هذا وذاك.",
     "مرحبا {name}، اقرأ <b>هذا</b> &amp; ذاك %s."),
    ("glossary", "The Assad regime shelled Idlib.", "قصفت القوات إدلب.", "قصف نظام الأسد إدلب."),
    ("forbidden", "The Assad regime shelled Idlib.", "قصف نظام الأسد والحكومة السورية إدلب.",
     "قصف نظام الأسد إدلب."),
    ("bidi", "He said it.", "قال \u202bذلك.", "قال ذلك."),
    ("bidi", "He said it.", "قال \u202eذلك\u202c.", "قال \u200fذلك."),
    ("control", "He said it.", "قال ذلك\x0c.", "قال ذلك."),
    ("control", "He said it.", "قال \x1b[2Jذلك.", "قال\tذلك."),
    ("bidi", "He said it.", "قال \u2068ذلك.", "قال \u2068ذلك\u2069."),
    ("punctuation", "Will the world act?", "هل سيتحرك العالم.", "هل سيتحرك العالم؟"),
    ("arabic_punctuation", "Will the world act?", "هل سيتحرك العالم?", "هل سيتحرك العالم؟"),
    ("spaces", "The Coalition said.", "قال  الائتلاف.", "قال الائتلاف."),
    ("spaces", "The Coalition said.", " قال الائتلاف.", "قال الائتلاف."),
    ("length_ratio", "The Coalition reaffirmed that the United Nations must act now.", "نعم.",
     "وجدد الائتلاف تأكيده أن على الأمم المتحدة أن تتحرك الآن."),
]


@pytest.mark.parametrize(("check_id", "source", "bad", "good"), CASES)
def test_each_check_fails_and_passes(config: Config, check_id: str, source: str, bad: str, good: str) -> None:
    assert check_id in found(config, source, bad), found(config, source, bad)
    assert found(config, source, good) == {}


def test_every_check_has_a_case() -> None:
    assert {c for c, *_rest in CASES} | {"numbers"} == set(CHECKS_BY_ID)
    assert all(c.severity in ("error", "warning") and c.description for c in CHECKS)


def test_messages_quote_the_offending_part(config: Config) -> None:
    result = found(config, "Will the world act?", "هل سيتحرك العالم.")
    assert result["punctuation"] == [
        "the source ends with a question mark but the translation ends with a full stop: ‘هل سيتحرك العالم.’"]
    assert found(config, "See https://en.etilaf.org/news.", "انظر.")["urls"] == [
        "the URL ‘https://en.etilaf.org/news’ is missing or changed"]
    bidi = found(config, "He said it.", "قال \u202bذلك.")["bidi"]
    assert bidi == ["RLE (U+202B) can make text display differently from what is stored; use RLM/LRM marks: "
                    "‘قال <U+202B>ذلك.’"]
    assert found(config, "He said it.", "قال ذلك\x01.")["control"] == ["control character U+0001: ‘قال ذلك<U+0001>.’"]
    forbidden = found(config, "The Assad regime.", "نظام الأسد والحكومة السورية.")["forbidden"]
    assert forbidden == ["‘الحكومة السورية’ is a forbidden variant; write ‘نظام الأسد’ (glossary)"]


def test_punctuation_from_arabic_to_english(config: Config) -> None:
    assert found(config, "هل سيتحرك العالم؟", "Will the world act?", "ar", "en") == {}
    result = found(config, "قال الائتلاف، وأكد؛", "The Coalition said، and stressed;", "ar", "en")
    assert result["arabic_punctuation"] == ["use ‘,’ instead of ‘،’ in en: ‘…alition said، and stresse…’"]
    assert "arabic_punctuation" not in found(config, "قُتل 1,000 شخص", "١,٠٠٠ شخص قتلوا", "en", "ar")


def test_glossary_matches_arabic_with_attached_prefixes(config: Config) -> None:
    source = "The United Nations and the international community must act."
    assert "glossary" not in found(config, source, "على للأمم المتحدة والمجتمع الدولي أن يتحركا.")
    assert "glossary" not in found(config, "وأكد الائتلاف أن الأمم المتحدة", "The Coalition said the United Nations",
                                   "ar", "en")
    assert found(config, "The Hamas statement", "بيان حماس") == {}  # Hama is not Hamas


def test_the_longest_glossary_term_wins(config: Config) -> None:
    """"UN" inside "UN Security Council" asks for no الأمم المتحدة; on its own elsewhere it still does."""
    glossary = load_glossary(config.root, ("en", "ar"))
    source = "We call on the UN Security Council to meet."
    assert [t.preferred("en") for t in glossary.terms_in(source, "en", "ar")] == ["UN Security Council"]
    assert "glossary" not in found(config, source, "نطالب مجلس الأمن الدولي بالانعقاد.")
    assert found(config, source, "نطالب المجلس بالانعقاد.")["glossary"] == [
        "‘UN Security Council’ should be translated as ‘مجلس الأمن الدولي’ (glossary)"]
    both = "The UN and the UN Security Council must act."
    assert [t.preferred("en") for t in glossary.terms_in(both, "en", "ar")] == ["United Nations",
                                                                                "UN Security Council"]
    assert found(config, both, "على مجلس الأمن الدولي أن يتحرك.")["glossary"] == [
        "‘UN’ should be translated as ‘الأمم المتحدة’ (glossary)"]
    # Arabic: مجلس الأمن الدولي holds no separate term either way.
    assert "glossary" not in found(config, "طالب الائتلاف مجلس الأمن الدولي", "The Coalition asked the UN "
                                   "Security Council", "ar", "en")


def test_disabled_checks_and_severity_overrides(newsroom: Path) -> None:
    with (newsroom / "pubflow.yaml").open("a", encoding="utf-8") as fh:
        fh.write("checks: {disabled: [numbers], severity: {glossary: error}}\n")
    config = load_config(newsroom)
    result = check_text(config, "17 killed by the Assad regime.", "قُتل 71 شخصاً بقصف القوات.", "en", "ar")
    assert [(c, s) for c, s, _m in result] == [("glossary", "error")]


@pytest.mark.parametrize(("section", "message"), [
    ("{disabled: [numbrs]}", "disabled: unknown check 'numbrs'"),
    ("{severity: {numbers: fatal}}", "is not error or warning"),
    ("{length_ratio: {min: 3, max: 2}}", "0 <= min < max"),
    ("{enabled: [numbers]}", "unknown field 'enabled'"),
])
def test_invalid_checks_config_exits_5(cli: Cli, newsroom: Path, sample_id: str, section: str, message: str) -> None:
    with (newsroom / "pubflow.yaml").open("a", encoding="utf-8") as fh:
        fh.write(f"checks: {section}\n")
    result: Any = cli("check", sample_id)
    assert result.exit_code == 5
    assert message in result.stderr
    assert "pubflow check --list" in result.stderr


def test_invalid_glossary_is_refused() -> None:
    with pytest.raises(InvalidData, match="needs forms in at least two languages"):
        parse_glossary({"terms": [{"en": "Idlib"}]}, "glossary.yaml")
    with pytest.raises(InvalidData, match="forbidden 'الأسد' occurs inside the accepted"):
        parse_glossary({"terms": [{"en": "Assad regime", "ar": "نظام الأسد", "forbidden": {"ar": ["الأسد"]}}]},
                       "glossary.yaml")
    with pytest.raises(InvalidData, match="unknown field or language 'fr'"):
        parse_glossary({"terms": [{"en": "a", "fr": "b"}]}, "glossary.yaml", ("en", "ar"))
    with pytest.raises(InvalidData, match="has no accepted form"):
        parse_glossary({"terms": [{"en": "a", "ar": "ب", "forbidden": {"fr": ["c"]}}]}, "glossary.yaml")


def test_newsroom_glossary_loads_and_finds_sample_terms(newsroom: Path) -> None:
    glossary = load_glossary(newsroom, ("en", "ar"))
    assert len(glossary) >= 15
    repo = Path(__file__).resolve().parents[1]
    assert (repo / "glossary.yaml").read_bytes() == (newsroom / "glossary.yaml").read_bytes()
    text = (repo / "samples" / "coalition-news-2019-07-22.txt").read_text(encoding="utf-8")
    found_terms = {t.preferred("en") for t in glossary.terms_in(text, "en", "ar")}
    assert {"Syrian Coalition", "Assad regime", "de-escalation zone", "civil defense", "barrel bombs",
            "United Nations", "international community", "political process", "Idlib", "Hama",
            "Maaret al-Nu'man"} <= found_terms


# ------------------------------------------------------------------ whole releases, CLI, publish gate
def translate_all(root: Path, release_id: str, texts: dict[str, str], status: str = "approved") -> None:
    """Translations as a translator and a reviewer leave them (recorded, bound), whatever the checks say."""
    from tests.pubhelp import set_translation

    set_translation(Newsroom.open(root), release_id, texts, status=status)


def test_the_project_translation_of_the_sample_is_clean(cli: Cli, newsroom: Path, in_translation: str,
                                                        sample_arabic: dict[str, str]) -> None:
    translate_all(newsroom, in_translation, sample_arabic)
    result: Any = cli("check", in_translation)
    assert result.exit_code == 0, result.output
    assert f"{in_translation}: 0 error(s), 0 warning(s) in ar" in result.stdout


def test_check_on_a_release_in_progress(cli: Cli, newsroom: Path, in_translation: str,
                                        sample_arabic: dict[str, str]) -> None:
    partial = {k: sample_arabic[k] for k in ("title", "p1", "p3")}
    partial["p3"] = partial["p3"].replace("50", "15")
    translate_all(newsroom, in_translation, partial, status="translated")
    result: Any = cli("check", in_translation, "--lang", "ar")
    assert result.exit_code == 4
    assert "‘50’ in the source is ‘15’ in the translation" in result.stdout
    assert "ar: 8 segment(s) have no translation yet: p2, p4, p5, p6, p7, p8 … source" in result.stdout
    as_json: Any = cli("check", in_translation, "--json")
    findings = json.loads(as_json.stdout)
    assert as_json.exit_code == 4
    assert {"release", "language", "segment", "check", "severity", "message", "waived_by"} == set(findings[0])
    assert {(f["segment"], f["check"]) for f in findings if f["check"] != "empty"} == {("p3", "numbers")}
    assert len([f for f in findings if f["check"] == "empty"]) == 8
    # Work in progress: leave the untranslated out, fix the number, and it is clean.
    translate_all(newsroom, in_translation, {"p3": sample_arabic["p3"]}, status="translated")
    clean: Any = cli("check", in_translation, "--skip-untranslated")
    assert clean.exit_code == 0, clean.output


def test_checks_clean_blocks_publish(cli: Cli, newsroom: Path, in_translation: str,
                                     sample_arabic: dict[str, str]) -> None:
    texts = dict(sample_arabic)
    texts["p3"] = texts["p3"].replace("50", "71")
    translate_all(newsroom, in_translation, texts)
    result: Any = cli("publish", in_translation, as_=EDITOR)
    assert result.exit_code == 4
    assert "check error" in result.stderr
    assert "‘50’ in the source is ‘71’" in result.stderr


def test_check_list_and_usage(cli: Cli, newsroom: Path) -> None:
    listed: Any = cli("check", "--list", "--json")
    assert listed.exit_code == 0
    assert [row["id"] for row in json.loads(listed.stdout)] == [c.id for c in CHECKS]
    text: Any = cli("check", "--list")
    assert "numbers" in text.stdout
    assert "Switch checks off with `checks: {disabled: [id, ...]}`" in text.stdout
    missing: Any = cli("check")
    assert missing.exit_code == 2
    assert "give a release id, or --list" in missing.stderr
    unknown: Any = cli("check", "2019-07-22-nothing")
    assert unknown.exit_code == 3


def test_check_refuses_a_language_the_release_does_not_have(cli: Cli, sample_id: str) -> None:
    result: Any = cli("check", sample_id, "--lang", "en")
    assert result.exit_code == 2
    assert "has no en translation" in result.stderr
