"""The interactive session: driven by scripted answers, by CliRunner input, and as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EDITOR, REVIEWER, TRANSLATOR, WRITER
from tests.libre_server import LibreServer
from workflow.core.config import find_person
from workflow.storage.newsroom import Newsroom
from workflow.translation.session import ScriptedIO, run_session


def statuses(root: Path, rid: str) -> dict[str, str]:
    return Newsroom.open(root).load(rid).statuses("ar")


def texts(root: Path, rid: str) -> dict[str, str]:
    return {k: v.text for k, v in Newsroom.open(root).load(rid).target("ar").items()}


def session(root: Path, rid: str, answers: list[str], who: str = TRANSLATOR, **kwargs: object) -> ScriptedIO:
    nr = Newsroom.open(root)
    io = ScriptedIO(answers)
    run_session(nr, rid, "ar", find_person(nr.config, who), io, **kwargs)  # type: ignore[arg-type]
    return io


def test_type_skip_back_quit(newsroom, in_translation, sample_arabic):
    rid = in_translation
    io = session(newsroom, rid, [sample_arabic["title"], "s", "b", "?", sample_arabic["p1"], "q"])
    out = io.output
    assert "[1/11] title (untranslated)" in out
    assert "saved title (translated)" in out
    assert out.count("[2/11] p1 (untranslated)") == 2  # skipped, then back from p2
    assert "s = skip · b = back · q = quit" in out
    assert "Saved 2, skipped 0; 9 segment(s) still to translate" in out
    assert texts(newsroom, rid)["p1"] == sample_arabic["p1"]
    assert statuses(newsroom, rid)["p2"] == "untranslated"


def test_glossary_terms_are_shown(newsroom, in_translation):
    (newsroom / "glossary.yaml").write_text(
        "schema: 1\nterms:\n  - en: [barrel bombs, barrel bombing]\n    ar: [البراميل المتفجرة]\n"
        "    note: not a calque\n", encoding="utf-8")
    io = session(newsroom, in_translation, ["s", "s", "s", "q"])
    p3 = io.output.split("[4/11] p3")[1]
    assert "term: barrel bombing → البراميل المتفجرة (not a calque)" in p3
    assert "term:" not in io.output.split("[4/11] p3")[0]


def test_check_errors_ask_before_saving(newsroom, in_translation, sample_arabic):
    rid = in_translation
    wrong = sample_arabic["p3"].replace("50", "51")
    io = session(newsroom, rid, ["s", "s", "s", wrong, "n", wrong, "y", "q"])
    out = io.output
    assert "error [numbers]" in out
    assert "51" in out
    assert "save anyway? [y/N]" in out
    assert out.count("saved p3") == 1
    assert texts(newsroom, rid)["p3"] == wrong
    io = session(newsroom, rid, ["s", "s", "s", "q"])
    assert "10 segment(s) to translate" in io.output  # p3 is translated: no longer in the walk
    assert "p3 (" not in io.output


def test_stale_segment_shows_a_word_diff_and_can_be_kept(newsroom, cli, in_translation, sample_arabic):
    rid = in_translation
    cli("set", rid, "p4", "--lang", "ar", "--text", sample_arabic["p4"], as_=TRANSLATOR)
    en = newsroom / "releases" / rid / "en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace("no fewer than 20 people", "no fewer than 22 people"),
                  encoding="utf-8")
    io = session(newsroom, rid, [*["s"] * 4, "k", "n", "k", "y", "q"])
    out = io.output
    assert "p4 (stale)" in out
    assert "source changed: " in out
    assert "no fewer than [-20-]{+22+} people" in out
    assert f"old translation: {sample_arabic['p4']}" in out
    # keeping the old text is a save like any other: the checks run first (20 is not 22)
    assert "error [numbers] the number ‘22’ in the source is ‘20’ in the translation" in out
    assert out.count("save anyway? [y/N] ") == 2
    assert "kept the old translation of p4" in out
    assert statuses(newsroom, rid)["p4"] == "translated"


def test_memory_match_is_offered_and_accepted(newsroom, cli, in_translation, sample_arabic):
    rid = in_translation
    body = json.loads(cli("show", rid, "--json").stdout)["segments"][1]["text"]
    r = cli("new", "--title", "Older news", "--body", body, "--date", "2019-07-01", as_=WRITER)
    assert r.exit_code == 0, r.output
    older = "2019-07-01-older-news"
    cli("submit", older, as_=WRITER)
    cli("approve", older, as_=EDITOR)
    assert cli("set", older, "p1", "--lang", "ar", "--text", sample_arabic["p1"], as_=TRANSLATOR).exit_code == 0
    io = session(newsroom, rid, ["s", "1", "q"])
    assert f"1) memory 100% {older} p1: {sample_arabic['p1']}" in io.output
    target = Newsroom.open(newsroom).load(rid).target("ar")["p1"]
    assert (target.text, target.status, target.origin) == (sample_arabic["p1"], "translated", f"memory:{older}")
    io = session(newsroom, rid, ["9", "q"])
    assert "there is no suggestion 9 here" in io.output


def test_machine_suggestion_is_offered_and_accepted(newsroom, in_translation, monkeypatch):
    # An Arabic suggestion: the fake server's "[en>ar] <English>" is not Arabic and `script` would refuse it.
    with LibreServer(translate=lambda text, source, target: "الائتلاف: جرائم نظام الأسد وروسيا جرائم دولية") \
            as server:
        settings = {"provider": "libre", "timeout": 5, "retries": 0,
                    "providers": {"libre": {"url": server.url, "api_key_env": "LIBRE_TEST_KEY"}}}
        with (newsroom / "pubflow.yaml").open("a", encoding="utf-8") as fh:
            fh.write("machine_translation: " + json.dumps(settings) + "\n")
        monkeypatch.setenv("LIBRE_TEST_KEY", "k")
        io = session(newsroom, in_translation, ["a", "q"])
    assert "a) machine (libre): " in io.output
    target = Newsroom.open(newsroom).load(in_translation).target("ar")["title"]
    assert target.status == "translated"
    assert target.origin == "machine:libre"


def test_unreachable_provider_turns_suggestions_off_once(newsroom, in_translation, monkeypatch):
    from tests.libre_server import closed_port_url

    settings = {"provider": "libre", "timeout": 1, "retries": 0,
                "providers": {"libre": {"url": closed_port_url(), "api_key_env": "LIBRE_TEST_KEY"}}}
    with (newsroom / "pubflow.yaml").open("a", encoding="utf-8") as fh:
        fh.write("machine_translation: " + json.dumps(settings) + "\n")
    monkeypatch.setenv("LIBRE_TEST_KEY", "k")
    io = session(newsroom, in_translation, ["s", "s", "q"])
    assert io.output.count("machine suggestions off for this session") == 1


def test_ctrl_c_keeps_what_was_saved(newsroom, in_translation, sample_arabic):
    class Interrupting(ScriptedIO):
        def ask(self, prompt: str, prefill: str = "") -> str:
            if len([x for x in self.lines if x.startswith("saved")]) == 2:
                raise KeyboardInterrupt
            return super().ask(prompt, prefill)

    nr = Newsroom.open(newsroom)
    io = Interrupting([sample_arabic["title"], sample_arabic["p1"], sample_arabic["p2"]])
    with pytest.raises(KeyboardInterrupt):
        run_session(nr, in_translation, "ar", find_person(nr.config, TRANSLATOR), io)
    got = statuses(newsroom, in_translation)
    assert (got["title"], got["p1"], got["p2"]) == ("translated", "translated", "untranslated")
    assert io.lines[-1] == f"Saved 2, skipped 0; 9 segment(s) still to translate in {in_translation} (ar)."


def test_refusals(cli, newsroom, sample_id, snapshot):
    before = snapshot(newsroom)
    r = cli("translate", sample_id, "--lang", "ar", as_=TRANSLATOR, input="x\n")
    assert r.exit_code == 4
    assert "is in draft" in r.stderr
    cli("submit", sample_id, as_=WRITER)
    cli("approve", sample_id, as_=EDITOR)
    before = snapshot(newsroom)
    r = cli("translate", sample_id, "--lang", "ar", as_=EDITOR, input="x\n")
    assert r.exit_code == 4
    assert "needs the role translator:ar" in r.stderr
    r = cli("translate", sample_id, "--lang", "en", as_=TRANSLATOR, input="x\n")
    assert r.exit_code == 2
    assert snapshot(newsroom) == before


def test_done_when_arabic_from_nothing_to_approved_interactively(cli, newsroom, in_translation, sample_arabic):
    rid = in_translation
    order = ["title", *[f"p{i}" for i in range(1, 10)], "source"]
    answers = "".join(sample_arabic[k] + "\n" for k in order)
    r = cli("translate", rid, "--lang", "ar", "--no-machine", as_=TRANSLATOR, input=answers)
    assert r.exit_code == 0, r.output
    assert "error [" not in r.stdout
    assert "Saved 11, skipped 0; 0 segment(s) still to translate" in r.stdout
    r = cli("translate", rid, "--lang", "ar", as_=TRANSLATOR, input="")
    assert "Nothing to translate" in r.stdout
    r = cli("review", rid, "--lang", "ar", as_=REVIEWER)
    assert r.exit_code == 0, r.output
    assert set(statuses(newsroom, rid).values()) == {"approved"}
    assert texts(newsroom, rid) == sample_arabic
    assert json.loads(cli("pending", "--json").stdout) == []


@pytest.mark.slow
def test_real_process_reads_stdin_and_saves_each_segment(newsroom, in_translation, sample_arabic):
    env = dict(os.environ, PUBFLOW_USER=TRANSLATOR, COLUMNS="200")
    env.pop("PUBFLOW_ROOT", None)
    answers = f"{sample_arabic['title']}\ns\n{sample_arabic['p2']}\n"  # then end of input
    proc = subprocess.run(
        [sys.executable, "-m", "workflow", "--root", str(newsroom), "translate", in_translation, "--lang", "ar",
         "--no-machine"],
        input=answers.encode("utf-8"), capture_output=True, timeout=60, env=env, check=False)
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""
    assert "saved title (translated)" in out
    assert "Saved 2, skipped 1; 9 segment(s) still to translate" in out
    got = statuses(newsroom, in_translation)
    assert (got["title"], got["p1"], got["p2"]) == ("translated", "untranslated", "translated")


def test_a_machine_suggestion_left_in_english_is_refused_by_the_script_check(newsroom, in_translation, monkeypatch):
    with LibreServer() as server:  # answers "[en>ar] <the English text>"
        settings = {"provider": "libre", "timeout": 5, "retries": 0,
                    "providers": {"libre": {"url": server.url, "api_key_env": "LIBRE_TEST_KEY"}}}
        with (newsroom / "pubflow.yaml").open("a", encoding="utf-8") as fh:
            fh.write("machine_translation: " + json.dumps(settings) + "\n")
        monkeypatch.setenv("LIBRE_TEST_KEY", "k")
        io = session(newsroom, in_translation, ["a", "n", "q"])
    assert "of the words are in the Arabic script of ar" in io.output
    assert "save anyway? [y/N]" in io.output
    assert Newsroom.open(newsroom).load(in_translation).target("ar")["title"].status == "untranslated"


# ------------------------------------------------------------------ feedback, pre-fill, --url
def test_every_key_says_what_it_did(newsroom, in_translation, sample_arabic):
    io = session(newsroom, in_translation, ["s", "b", "x", "", sample_arabic["title"], "q"])
    out = io.lines
    assert "skipped title (still untranslated)" in out
    assert "back to title" in out
    assert "x is not a key here; ? shows the keys (=TEXT saves TEXT as typed)" in out
    assert out.count("a = accept suggestion · 1,2… = accept memory match · k = keep old translation (stale) · "
                     "s = skip · b = back · q = quit · =TEXT = save TEXT as typed · anything else = your "
                     "translation") == 1  # for the empty line ("" is help; the welcome line has it inline)
    assert "saved title (translated)" in out
    assert statuses(newsroom, in_translation)["title"] == "translated"


def test_a_refused_save_comes_back_pre_filled(newsroom, in_translation, sample_arabic):
    wrong = sample_arabic["title"] + " 1999"  # a number the source does not have: an error
    io = session(newsroom, in_translation, [wrong, "n", sample_arabic["title"], "q"])
    assert "not saved; your text is back for editing" in io.lines
    assert io.prefills[:3] == ["", "", wrong]  # the title, save anyway?, the title again with the text
    assert texts(newsroom, in_translation)["title"] == sample_arabic["title"]
    # An answer that is neither yes nor no is asked again, not taken as no.
    io = session(newsroom, in_translation, [wrong, "maybe", "نعم", "q"])
    assert "Please answer y or n." in io.lines
    assert texts(newsroom, in_translation)["p1"] == wrong


def test_back_pre_fills_the_text_saved_there(newsroom, in_translation, sample_arabic):
    io = session(newsroom, in_translation, [sample_arabic["title"], "b", "q"])
    assert io.prefills == ["", "", sample_arabic["title"]]  # title, p1 (after saving), title again
    assert io.lines[-2] == f"ar> [{sample_arabic['title']}]"


def test_a_suggestion_typed_as_it_is_keeps_its_provenance(newsroom, in_translation):
    arabic = "الائتلاف: جرائم نظام الأسد وروسيا جرائم دولية"
    with LibreServer(translate=lambda text, source, target: arabic) as server:
        io = session(newsroom, in_translation, [arabic, "q"], url=server.url, provider="libre")
    assert "a) machine (libre): " + arabic in io.output
    target = Newsroom.open(newsroom).load(in_translation).target("ar")["title"]
    assert (target.text, target.status, target.origin) == (arabic, "translated", "machine:libre")


def test_translate_url_option(cli, newsroom, in_translation):
    arabic = "الائتلاف: جرائم نظام الأسد وروسيا جرائم دولية"
    with LibreServer(translate=lambda text, source, target: arabic) as server:
        r = cli("translate", in_translation, "--lang", "ar", "--provider", "libre", "--url", server.url,
                as_=TRANSLATOR, input="a\nq\n")
        assert r.exit_code == 0, r.output
        assert server.count >= 1
    assert f"a) machine (libre): {arabic}" in r.stdout
    assert Newsroom.open(newsroom).load(in_translation).target("ar")["title"].origin == "machine:libre"


def test_arabic_answers_and_arabic_words(cli, newsroom, in_translation, sample_arabic):
    wrong = sample_arabic["title"] + " 1999"
    r = cli("--ui-lang", "ar", "translate", in_translation, "--lang", "ar", "--no-machine", as_=TRANSLATOR,
            input=f"{wrong}\nن\ns\nq\n")
    assert r.exit_code == 0, r.output
    assert "هل تحفظها رغم ذلك؟ [نعم/لا]" in r.stdout
    assert texts(newsroom, in_translation)["title"] == wrong  # ن is yes
    assert "(غير مترجم)" in r.stdout
