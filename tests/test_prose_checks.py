"""`pubflow check` on a realistic Arabic<->English release pair, the `script` check, check parameters.

The pair (tests/fixtures/pair/) is a correct translation written the way Arabic
newsrooms write numbers (١٢٠ ألف نازح, ٤٥ ألفاً, أسبوعين, ثلاث مراحل, ١٫٥ مليون,
مليون ونصف المليون, ١٥٠ في المئة, dates with month names).  Checked in both
directions it gives no error; each real error injected into it gives exactly one
finding.  Before the numbers check understood prose it gave 9 errors each way.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EDITOR, FIXTURES, TRANSLATOR, WRITER, Cli

PAIR = FIXTURES / "pair"
STEM = "displacement-2025-01-15"
RELEASE = "2025-01-15-coalition-warns-of-humanitarian-disaster"


def segments(lang: str) -> dict[str, str]:
    """title, p1..p8, source of one side of the pair (the dateline under the title is no segment)."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", (PAIR / f"{STEM}.{lang}.txt").read_text("utf-8")) if b.strip()]
    title = blocks[0].split("\n")[0]
    return {"title": title, **{f"p{i}": p for i, p in enumerate(blocks[1:-1], start=1)}, "source": blocks[-1]}


def _prepare(root: Path, source: str, target: str) -> None:
    cli = Cli(root)
    result: Any = cli("new", "--from", str(PAIR / f"{STEM}.{source}.txt"), "--lang", source, "--slug",
                      RELEASE.removeprefix("2025-01-15-"), "--json", as_=WRITER)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["id"] == RELEASE
    assert cli("submit", RELEASE, as_=WRITER).exit_code == 0  # type: ignore[attr-defined]
    assert cli("approve", RELEASE, as_=EDITOR).exit_code == 0  # type: ignore[attr-defined]
    for seg, text in segments(target).items():
        result = cli("set", RELEASE, seg, "--lang", target, "--text", text, as_=TRANSLATOR)
        assert result.exit_code == 0, (seg, result.output)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The pair imported once per direction (ar source + en translation, en source + ar translation)."""
    out = {}
    for source, target in (("ar", "en"), ("en", "ar")):
        root = tmp_path_factory.mktemp(f"{source}-{target}") / "newsroom"
        shutil.copytree(FIXTURES / "newsroom", root)
        _prepare(root, source, target)
        out[f"{source}->{target}"] = root
    return out


@pytest.fixture
def pair(request: pytest.FixtureRequest, prepared: dict[str, Path], tmp_path: Path) -> tuple[Cli, str]:
    """A copy of the prepared newsroom for one direction, and the target language."""
    direction: str = request.param
    root = tmp_path / "newsroom"
    shutil.copytree(prepared[direction], root)
    return Cli(root), direction.split("->")[1]


def check(cli: Cli) -> tuple[int, list[dict[str, str]]]:
    result: Any = cli("check", RELEASE, "--json")
    return result.exit_code, json.loads(result.stdout)


# No finding at all in either direction.  The last false alarm was the glossary's: "UN" of "UN Security
# Council" was expected as الأمم المتحدة in an Arabic text that says مجلس الأمن الدولي (the longest term wins).
BASELINE: dict[str, list[dict[str, str]]] = {"ar->en": [], "en->ar": []}


@pytest.mark.parametrize("pair", ["ar->en", "en->ar"], indirect=True)
def test_the_correct_pair_has_no_error(pair: tuple[Cli, str]) -> None:
    cli, target = pair
    code, findings = check(cli)
    direction = "ar->en" if target == "en" else "en->ar"
    assert [{k: f[k] for k in ("segment", "check", "severity", "message")} for f in findings] == BASELINE[direction]
    assert code == 0
    text: Any = cli("check", RELEASE)
    warnings = len(BASELINE[direction])
    assert f"{RELEASE}: 0 error(s), {warnings} warning(s) in {target}" in text.stdout


# (direction, segment, text replaced, replacement, check, message)
INJECTED = [
    ("ar->en", "p2", "37 civilians", "73 civilians", "numbers",
     "the number ‘٣٧’ in the source is ‘73’ in the translation"),
    ("ar->en", "p1", "120,000", "210,000", "numbers",
     "the number ‘١٢٠ ألف’ in the source is ‘210,000’ in the translation"),
    ("ar->en", "p3", ", 45,000 of whom are living", ", many of whom are living", "numbers",
     "the number ‘٤٥ ألفاً’ from the source is missing"),
    ("ar->en", "p4", "three-phase", "four-phase", "numbers",
     "the number ‘ثلاث’ in the source is ‘four’ in the translation"),
    ("ar->en", "p4", "$1.5 million", "$15 million", "numbers",
     "the number ‘١٫٥ مليون’ in the source is ‘15 million’ in the translation"),
    ("ar->en", "p3", "60%", "16%", "numbers", "the number ‘٦٠’ in the source is ‘16’ in the translation"),
    ("ar->en", "p1", "in just two weeks", "in just three weeks", "numbers",
     "the number ‘three’ is not in the source"),
    ("ar->en", "p5", "Twenty-three towns", "Thirty-two towns", "numbers",
     "the number ‘٢٣’ in the source is ‘Thirty-two’ in the translation"),
    ("ar->en", "p7", "including 1.5 million people", "including 1.2 million people", "numbers",
     "the number ‘مليون ونصف المليون’ in the source is ‘1.2 million’ in the translation"),
    ("en->ar", "p2", "٣٧ مدنياً", "٧٣ مدنياً", "numbers", "the number ‘37’ in the source is ‘٧٣’ in the translation"),
    ("en->ar", "p1", "١٢٠ ألف", "٢١٠ آلاف", "numbers",
     "the number ‘120,000’ in the source is ‘٢١٠ آلاف’ in the translation"),
    ("en->ar", "p3", "يعيش ٤٥ ألفاً منهم", "يعيش كثيرون منهم", "numbers",
     "the number ‘45,000’ from the source is missing"),
    ("en->ar", "p4", "ثلاث مراحل", "أربع مراحل", "numbers",  # three is answered by الثالثة (as in ages)
     "the number ‘أربع’ is not in the source"),
    ("en->ar", "p6", "١٥٠ في المئة", "١٠٥ في المئة", "numbers",
     "the number ‘150’ in the source is ‘١٠٥’ in the translation"),
    ("en->ar", "p7", "١٦٫٧ مليون", "١٦ مليون", "numbers",
     "the number ‘16.7 million’ in the source is ‘١٦ مليون’ in the translation"),
]


@pytest.mark.parametrize(("pair", "segment", "old", "new", "check_id", "message"),
                         INJECTED, indirect=["pair"], ids=[f"{d}-{s}-{n}" for d, s, _o, n, *_r in INJECTED])
def test_each_real_error_is_one_finding(pair: tuple[Cli, str], segment: str, old: str, new: str, check_id: str,
                                        message: str) -> None:
    cli, target = pair
    text = segments(target)[segment]
    assert text.count(old) == 1
    result: Any = cli("set", RELEASE, segment, "--lang", target, "--text", text.replace(old, new), as_=TRANSLATOR)
    assert result.exit_code == 4, result.output  # saved, and the error said at once (issue 10)
    assert f"{target}:{segment} {check_id}: " in result.stderr
    code, findings = check(cli)
    new_findings = findings
    assert [(f["segment"], f["check"], f["severity"], f["message"]) for f in new_findings] == [
        (segment, check_id, "error", message)]
    assert code == 4


@pytest.mark.parametrize("pair", ["ar->en", "en->ar"], indirect=True)
def test_a_paragraph_left_in_the_source_language_is_one_finding(pair: tuple[Cli, str]) -> None:
    """Pasted untranslated with one word changed: `script` (not identical), and no glossary noise."""
    cli, target = pair
    source = "ar" if target == "en" else "en"
    pasted = segments(source)["p8"].replace("لن يقبل", "لا يقبل").replace("will not accept", "would not accept")
    assert cli("set", RELEASE, "p8", "--lang", target, "--text", pasted, as_=TRANSLATOR).exit_code == 4  # type: ignore[attr-defined]
    code, findings = check(cli)
    new_findings = findings
    assert [(f["segment"], f["check"], f["severity"]) for f in new_findings] == [("p8", "script", "error")]
    script = "Latin" if target == "en" else "Arabic"
    assert new_findings[0]["message"].startswith(f"only 0% of the words are in the {script} script of {target}")
    assert code == 4
    # Left exactly as the source: `identical` says it, and `script` does not say it again.
    assert cli("set", RELEASE, "p8", "--lang", target, "--text", segments(source)["p8"],  # type: ignore[attr-defined]
               as_=TRANSLATOR).exit_code == 4  # identical is an error: saved, and said
    code, findings = check(cli)
    new_findings = findings
    assert [(f["segment"], f["check"]) for f in new_findings] == [("p8", "identical")]


# ------------------------------------------------------------------ the script check on single segments
@pytest.fixture
def config(newsroom: Path) -> Any:
    from workflow.storage.config_file import load_config

    return load_config(newsroom)


def script_findings(config: Any, source: str, target: str, src: str, tgt: str) -> list[str]:
    from workflow.translation.checks import check_text

    return [m for c, _s, m in check_text(config, source, target, src, tgt) if c == "script"]


def test_an_english_translation_entirely_in_arabic_is_an_error(config: Any) -> None:
    found = script_findings(config, "قال الائتلاف إن القصف مستمر.", "قال الائتلاف إن القصف ما زال مستمراً.",
                            "ar", "en")
    assert found == ["only 0% of the words are in the Latin script of en (at least 50% needed): "
                     "‘قال الائتلاف إن…’"]


@pytest.mark.parametrize(("source", "target"), [
    # Names and acronyms kept in Latin script inside Arabic text.
    ("Save the Children and UNICEF said on Monday that the UN must act.",
     "قالت منظمة Save the Children واليونيسف يوم الاثنين إن على UN أن تتحرك."),
    ("See https://example.org/report or write to media@example.org (OCHA).",
     "انظروا https://example.org/report أو راسلوا media@example.org (OCHA)."),
    ("Follow us on X: @SyrianCoalition #Idlib", "تابعونا على منصة X: @SyrianCoalition #Idlib"),
])
def test_names_urls_and_acronyms_are_allowed(config: Any, source: str, target: str) -> None:
    assert script_findings(config, source, target, "en", "ar") == []


def test_latin_words_not_taken_from_the_source_count(config: Any) -> None:
    found = script_findings(config, "The Coalition said the shelling continues.",
                            "قال the coalition said that shelling continues", "en", "ar")
    assert len(found) == 1
    assert found[0].startswith("only 14% of the words are in the Arabic script of ar")


# ------------------------------------------------------------------ parameters in pubflow.yaml
def write_checks(newsroom: Path, section: str) -> None:
    with (newsroom / "pubflow.yaml").open("a", encoding="utf-8") as fh:
        fh.write(f"checks: {section}\n")


@pytest.mark.parametrize(("section", "message"), [
    ("{numbrs: {scale_words: {}}}", "unknown field 'numbrs' (use disabled, severity, or the id of a check with "
                                    "parameters: length_ratio, numbers, script)"),
    ("{numbers: {scale_word: {en: {lakh: 100000}}}}", "numbers: unknown parameter 'scale_word' (use scale_words)"),
    ("{empty: {min: 1}}", "the check 'empty' takes no parameters"),
    ("{numbers: {scale_words: {en: {lakh: 1}}}}", "numbers.scale_words.en.lakh: 1 is not a whole number of 10"),
    ("{numbers: {scale_words: {english: {lakh: 100000}}}}", "'english' is not a language code"),
    ("{numbers: {scale_words: {en: {two words: 100}}}}", "'two words' is not a single word"),
    ("{script: {min_share: 1.5}}", "script.min_share must be a number in (0, 1], not 1.5"),
    ("{script: {scripts: {ku: Klingon}}}", "script.scripts.ku: 'Klingon' is not one of Latin, Arabic"),
    ("{length_ratio: {min: 0.2, max: 3, min_lenght: 5}}", "length_ratio: unknown parameter 'min_lenght'"),
    ("{script: [min_share]}", "script must be a mapping of parameters (min_share, scripts)"),
])
def test_invalid_parameters_are_refused(cli: Cli, newsroom: Path, section: str, message: str) -> None:
    write_checks(newsroom, section)
    result: Any = cli("check", "--list")
    assert result.exit_code == 5, result.output
    assert message in result.stderr
    assert "pubflow check --list" in result.stderr


def test_parameters_change_what_is_checked(newsroom: Path) -> None:
    from workflow.storage.config_file import load_config
    from workflow.translation.checks import check_text

    def ids(source: str, target: str, src: str, tgt: str) -> list[str]:
        return [c for c, _s, _m in check_text(load_config(newsroom), source, target, src, tgt)]

    lakh = ("At least 3 lakh people fled.", "فرّ ٣٠٠ ألف شخص على الأقل.")
    mixed = ("The minister said the talks in Geneva went well.", "قال الوزير إن the talks in Geneva went well.")
    assert ids(*lakh, "en", "ar") == ["numbers"]
    assert ids(*mixed, "en", "ar") == ["script"]
    write_checks(newsroom, "{numbers: {scale_words: {en: {lakh: 100000}}}, script: {min_share: 0.3}, "
                           "length_ratio: {min_length: 1000}}")
    assert ids(*lakh, "en", "ar") == []
    assert ids(*mixed, "en", "ar") == []
