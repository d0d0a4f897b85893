"""Segment status per language: set, confirm, review, stale after source changes."""

from __future__ import annotations

import json

import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import EDITOR, REVIEWER, TRANSLATOR, WRITER
from workflow.core.guards import GuardContext, translations_complete
from workflow.core.model import utc_now
from workflow.storage.newsroom import Newsroom
from workflow.translation.operations import render_diff, word_diff

AR_TITLE = "الائتلاف: جرائم نظام الأسد وروسيا في شمال غرب سوريا جرائم دولية"


def show(cli, rid):
    result = cli("show", rid, "--json")
    assert result.exit_code == 0, result.output
    return {row["id"]: row for row in json.loads(result.stdout)["segments"]}


def ar_file(newsroom, rid):
    return yaml.safe_load((newsroom / "releases" / rid / "ar.yaml").read_text(encoding="utf-8"))


def test_set_records_text_status_source_and_provenance(cli, newsroom, in_translation):
    r = cli("set", in_translation, "title", "--lang", "ar", "--text", f"  {AR_TITLE} ", as_=TRANSLATOR)
    assert r.exit_code == 0, r.output
    assert "untranslated → translated" in r.stdout
    row = show(cli, in_translation)["title"]
    assert row["translations"]["ar"] == {"status": "translated", "text": AR_TITLE, "origin": "human"}
    (stored,) = ar_file(newsroom, in_translation)["segments"]
    assert stored["source"] == row["text"]
    assert stored["by"] == "Rami Haddad"
    assert stored["at"].endswith("Z")
    # setting the same text again changes nothing
    again = cli("set", in_translation, "title", "--lang", "ar", "--text", AR_TITLE, "--json", as_=TRANSLATOR)
    assert json.loads(again.stdout)["changed"] is False


def test_set_refusals_change_nothing(cli, newsroom, sample_id, snapshot):
    before = snapshot(newsroom)
    r = cli("set", sample_id, "p1", "--lang", "ar", "--text", "نص", as_=TRANSLATOR)
    assert r.exit_code == 4
    assert r.stderr.count("\n") == 1
    assert "is in draft: translation happens in translation, published" in r.stderr
    cli("submit", sample_id, as_=WRITER)
    cli("approve", sample_id, as_=EDITOR)
    before = snapshot(newsroom)
    cases = [
        (("p1", "--lang", "ar", "--text", "نص"), EDITOR, 4, "needs the role translator:ar"),
        (("p99", "--lang", "ar", "--text", "نص"), TRANSLATOR, 3, "has no segment 'p99'"),
        (("p1", "--lang", "en", "--text", "x"), TRANSLATOR, 2, "en is the source language"),
        (("p1", "--lang", "fr", "--text", "x"), TRANSLATOR, 2, "unknown language 'fr'"),
        (("p1", "--lang", "ar", "--text", "   "), TRANSLATOR, 2, "the translation of p1 is empty"),
    ]
    for args, who, code, message in cases:
        r = cli("set", sample_id, *args, as_=who)
        assert r.exit_code == code, (args, r.output)
        assert r.stderr.startswith("error: ")
        assert r.stderr.count("\n") == 1
        assert message in r.stderr
    assert snapshot(newsroom) == before


def test_review_approves_translated_and_refuses_the_rest(cli, in_translation):
    rid = in_translation
    cli("set", rid, "title", "--lang", "ar", "--text", AR_TITLE, as_=TRANSLATOR)
    cli("set", rid, "p2", "--lang", "ar", "--text", "وقال الائتلاف", as_=REVIEWER)
    # explicit untranslated segment: refused with the reason
    r = cli("review", rid, "--lang", "ar", "--segment", "p1", as_=REVIEWER)
    assert r.exit_code == 4
    assert "cannot approve p1 (ar): it has no translation yet" in r.stderr
    # a translator without the reviewer role
    r = cli("review", rid, "--lang", "ar", as_=TRANSLATOR)
    assert r.exit_code == 4
    assert "needs the role reviewer:ar" in r.stderr
    # bulk: approves title, leaves p2 (her own) and the untranslated ones
    r = cli("review", rid, "--lang", "ar", "--json", as_=REVIEWER)
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["done"] == ["title"]
    left = dict((x["segment"], x["reason"]) for x in data["left"])
    assert "another reviewer must approve it" in left["p2"]
    assert left["p1"] == "it has no translation yet"
    row = show(cli, rid)
    assert row["title"]["translations"]["ar"]["status"] == "approved"
    assert row["p2"]["translations"]["ar"]["status"] == "translated"
    # nothing left to approve: a clear refusal
    r = cli("review", rid, "--lang", "ar", as_=REVIEWER)
    assert r.exit_code == 4
    assert "nothing to approve" in r.stderr


def test_self_review_when_the_newsroom_allows_it(cli, newsroom, in_translation):
    config = newsroom / "pubflow.yaml"
    config.write_text(config.read_text().replace("complete_when: approved", "complete_when: approved\n"
                                                 "  self_review: true"))
    cli("set", in_translation, "p2", "--lang", "ar", "--text", "وقال الائتلاف", as_=REVIEWER)
    r = cli("review", in_translation, "--lang", "ar", "--segment", "p2", as_=REVIEWER)
    assert r.exit_code == 0, r.output
    assert "approved p2" in r.stdout


def _write_machine(newsroom, rid, seg_id, text, source, origin="machine:libre"):
    path = newsroom / "releases" / rid / "ar.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["segments"].append({"id": seg_id, "status": "machine", "text": text, "source": source,
                             "origin": origin, "by": "pubflow", "at": "2019-07-22T10:00:00Z"})
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_machine_suggestion_needs_a_person_then_keeps_its_provenance(cli, newsroom, in_translation):
    rid = in_translation
    source = show(cli, rid)["p1"]["text"]
    _write_machine(newsroom, rid, "p1", "أكد الائتلاف", source)
    assert show(cli, rid)["p1"]["translations"]["ar"]["status"] == "machine"
    r = cli("review", rid, "--lang", "ar", "--segment", "p1", as_=REVIEWER)
    assert r.exit_code == 4
    assert "unconfirmed machine or memory suggestion" in r.stderr
    r = cli("confirm", rid, "--lang", "ar", as_=TRANSLATOR)
    assert r.exit_code == 0, r.output
    assert "confirmed p1" in r.stdout
    assert show(cli, rid)["p1"]["translations"]["ar"] == {
        "status": "translated", "text": "أكد الائتلاف", "origin": "machine:libre"}
    assert cli("review", rid, "--lang", "ar", "--segment", "p1", as_=REVIEWER).exit_code == 0
    assert show(cli, rid)["p1"]["translations"]["ar"]["status"] == "approved"


def test_accepting_a_suggestion_unchanged_via_set_keeps_origin(cli, newsroom, in_translation):
    source = show(cli, in_translation)["p1"]["text"]
    _write_machine(newsroom, in_translation, "p1", "أكد الائتلاف", source, origin="memory:2019-01-01-old")
    cli("set", in_translation, "p1", "--lang", "ar", "--text", "أكد الائتلاف", as_=TRANSLATOR)
    assert show(cli, in_translation)["p1"]["translations"]["ar"]["origin"] == "memory:2019-01-01-old"
    cli("set", in_translation, "p1", "--lang", "ar", "--text", "أكّد الائتلاف", as_=TRANSLATOR)
    assert show(cli, in_translation)["p1"]["translations"]["ar"]["origin"] == "human"


def _body_file(tmp_path, cli, rid, change):
    rows = show(cli, rid)
    paragraphs = [rows[k]["text"] for k in rows if k.startswith("p")]
    paragraphs = change(paragraphs)
    text = rows["title"]["text"] + "\n\n" + "\n\n".join(paragraphs) + "\n\n" + rows["source"]["text"] + "\n"
    path = tmp_path / "edited.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_source_edit_makes_changed_segments_stale_and_keeps_ids(cli, newsroom, tmp_path, in_translation):
    rid = in_translation
    names = {"p1": "أ", "p2": "ب", "p3": "ج"}  # no digits: "p1" would be a number the source lacks
    for seg_id in ("p1", "p2", "p3"):
        cli("set", rid, seg_id, "--lang", "ar", "--text", f"ترجمة {names[seg_id]}", as_=TRANSLATOR)
    cli("review", rid, "--lang", "ar", as_=REVIEWER)
    old_p3 = show(cli, rid)["p3"]["text"]

    def change(paragraphs):
        paragraphs[2] = paragraphs[2].replace("At least 50 people", "At least 71 people")
        return ["A new opening paragraph about the Coalition's statement.", *paragraphs]

    r = cli("edit", rid, "--from", str(_body_file(tmp_path, cli, rid, change)), "--json", as_=EDITOR)
    assert r.exit_code == 0, r.output
    edit = json.loads(r.stdout)
    assert edit["changed"] == ["p3"]
    assert edit["added"] == ["p10"]
    rows = show(cli, rid)
    assert list(rows)[:4] == ["title", "p10", "p1", "p2"]
    assert rows["p1"]["translations"]["ar"]["status"] == "approved"
    assert rows["p3"]["translations"]["ar"] == {"status": "stale", "text": "ترجمة ج", "origin": "human"}
    assert rows["p10"]["translations"]["ar"]["status"] == "untranslated"
    # the queue shows the old source next to the new one
    items = json.loads(cli("pending", rid, "--lang", "ar", "--json").stdout)
    stale = next(i for i in items if i["segment"] == "p3")
    assert stale["status"] == "stale"
    assert stale["old_source"] == old_p3
    assert "71" in stale["source"]
    # a reviewer cannot approve it; the guard sees it too
    r = cli("review", rid, "--lang", "ar", "--segment", "p3", as_=REVIEWER)
    assert r.exit_code == 4
    assert "its source changed after it was translated" in r.stderr
    nr = Newsroom.open(newsroom)
    reason = translations_complete(GuardContext(nr.load(rid), nr.config, utc_now()))
    assert reason is not None
    assert "ar:p3 (stale)" in reason
    # the translator may confirm that the old text still fits: saved, but the checks speak at once
    r = cli("confirm", rid, "--lang", "ar", "--segment", "p3", as_=TRANSLATOR)
    assert r.exit_code == 4, r.output
    assert "error: saved, but ar:p3 numbers: the number ‘71’ from the source is missing" in r.stderr
    assert show(cli, rid)["p3"]["translations"]["ar"]["status"] == "translated"


def test_hand_edit_of_the_source_file_makes_the_segment_stale(cli, newsroom, in_translation):
    rid = in_translation
    cli("set", rid, "p4", "--lang", "ar", "--text", "وأشارت الحصيلة", as_=TRANSLATOR)
    path = newsroom / "releases" / rid / "en.yaml"
    text = path.read_text(encoding="utf-8")
    assert "no fewer than 20 people" in text
    path.write_text(text.replace("no fewer than 20 people", "no fewer than 21 people"), encoding="utf-8")
    assert show(cli, rid)["p4"]["translations"]["ar"]["status"] == "stale"
    items = json.loads(cli("pending", "--lang", "ar", "--json").stdout)
    assert {"segment": "p4", "status": "stale"}.items() <= next(i for i in items if i["segment"] == "p4").items()


def test_word_diff_renders_like_git_word_diff():
    parts = word_diff("At least 50 people were killed", "At least 71 people were killed today")
    assert render_diff(parts) == "At least [-50-]{+71+} people were killed{+ today+}"


@given(st.text(alphabet="ab صس .\n", max_size=30), st.text(alphabet="ab صس .\n", max_size=30))
def test_word_diff_keeps_both_sides(old, new):
    parts = word_diff(old, new)
    assert "".join(t for op, t in parts if op != "+") == old
    assert "".join(t for op, t in parts if op != "-") == new
