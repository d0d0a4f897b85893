"""Queues: `pubflow pending` and `pubflow inbox`."""

from __future__ import annotations

import json

from tests.conftest import EDITOR, REVIEWER, TRANSLATOR, WRITER

OLDER = "2019-07-01-older-news"


def make_older(cli, state="translation"):
    r = cli("new", "--title", "Older news", "--body", "First paragraph.\n\nSecond paragraph.", "--date",
            "2019-07-01", as_=WRITER)
    assert r.exit_code == 0, r.output
    if state in ("review", "translation"):
        assert cli("submit", OLDER, as_=WRITER).exit_code == 0
    if state == "translation":
        assert cli("approve", OLDER, as_=EDITOR).exit_code == 0
    return OLDER


def pending_json(cli, *args, as_=EDITOR):
    r = cli("pending", *args, "--json", as_=as_)
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_drafts_have_nothing_pending(cli, sample_id):
    assert pending_json(cli) == []
    r = cli("pending")
    assert r.stdout == "Nothing pending.\n"


def test_pending_lists_segments_oldest_release_first(cli, in_translation):
    make_older(cli)
    items = pending_json(cli, "--lang", "ar")
    releases = [i["release"] for i in items]
    assert releases == [OLDER] * 3 + [in_translation] * 11
    first = items[0]
    assert {k: first[k] for k in ("release", "language", "segment", "status", "source")} == {
        "release": OLDER, "language": "ar", "segment": "title", "status": "untranslated", "source": "Older news"}
    assert [i["segment"] for i in items[:4]] == ["title", "p1", "p2", "title"]
    text = cli("pending", "--lang", "ar").stdout
    assert text.index(OLDER) < text.index(in_translation)
    assert "14 segment(s) pending in 2 release(s)." in text


def test_pending_mine_splits_translation_and_review(cli, in_translation):
    rid = in_translation
    cli("set", rid, "title", "--lang", "ar", "--text", "عنوان", as_=TRANSLATOR)
    cli("set", rid, "p1", "--lang", "ar", "--text", "فقرة", as_=REVIEWER)
    everything = pending_json(cli)
    assert {(i["segment"], i["needs"]) for i in everything} >= {("title", "review"), ("p1", "review"),
                                                                 ("p2", "translation")}
    # the translator sees only what needs translating
    mine = pending_json(cli, "--mine", as_=TRANSLATOR)
    assert {i["needs"] for i in mine} == {"translation"}
    assert "title" not in {i["segment"] for i in mine}
    # the reviewer approves Rami's title, but not her own p1
    lina = pending_json(cli, "--mine", as_=REVIEWER)
    review = [i["segment"] for i in lina if i["needs"] == "review"]
    assert review == ["title"]
    # the editor translates nothing
    assert pending_json(cli, "--mine", as_=EDITOR) == []


def test_complete_when_translated_needs_no_review(cli, newsroom, in_translation):
    config = newsroom / "pubflow.yaml"
    config.write_text(config.read_text().replace("complete_when: approved", "complete_when: translated"))
    cli("set", in_translation, "title", "--lang", "ar", "--text", "عنوان", as_=TRANSLATOR)
    assert "title" not in {i["segment"] for i in pending_json(cli)}


def test_published_corrections_are_pending_but_retracted_are_not(cli, newsroom, in_translation):
    config = newsroom / "pubflow.yaml"
    config.write_text(config.read_text().replace("complete_when: approved",
                                                 "complete_when: approved\n  states: [translation]"))
    assert pending_json(cli) != []
    config.write_text(config.read_text().replace("states: [translation]", "states: [review]"))
    assert pending_json(cli) == []
    config.write_text(config.read_text().replace("states: [review]", "states: [nowhere]"))
    r = cli("pending")
    assert r.exit_code == 5
    assert "translation.states: unknown state 'nowhere'" in r.stderr


def test_pending_bad_language(cli, in_translation):
    r = cli("pending", "--lang", "xx")
    assert r.exit_code == 2
    assert r.stderr.count("\n") == 1


def test_inbox_per_role(cli, in_translation):
    rid = in_translation
    make_older(cli, state="review")
    cli("set", rid, "title", "--lang", "ar", "--text", "عنوان", as_=TRANSLATOR)
    rami = json.loads(cli("inbox", "--json", as_=TRANSLATOR).stdout)
    assert len(rami["translate"]) == 10
    assert rami["review"] == []
    assert rami["actions"] == []
    lina = json.loads(cli("inbox", "--json", as_=REVIEWER).stdout)
    assert [i["segment"] for i in lina["review"]] == ["title"]
    hala = json.loads(cli("inbox", "--json", as_=EDITOR).stdout)
    assert hala["translate"] == []
    assert hala["review"] == []
    actions = {(a["release"], a["transition"]): a for a in hala["actions"]}
    assert actions[(OLDER, "approve")]["ready"] is True
    publish = actions[(rid, "publish")]
    assert publish["ready"] is False
    assert "not approved" in publish["reason"]
    text = cli("inbox", as_=EDITOR).stdout
    assert f"pubflow approve {OLDER}" in text
    assert "Waiting (1):" in text
    sami = json.loads(cli("inbox", "--json", as_=WRITER).stdout)
    assert sami["actions"] == []
    assert cli("inbox", as_=WRITER).stdout == "Nothing awaits Sami Khoury.\n"
