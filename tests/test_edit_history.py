"""`pubflow edit` records what changed as data; `history` renders it in the reader's language."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from tests.conftest import EDITOR
from workflow.core.history import chain_hash, event_note, seal
from workflow.core.model import EditChanges, Event, event_from_dict
from workflow.storage.newsroom import Newsroom

ARABIC = re.compile("[\u0600-\u06ff]")


def _edited_body(tmp_path: Path, cli, rid: str) -> Path:
    rows = {r["id"]: r["text"] for r in json.loads(cli("show", rid, "--json").stdout)["segments"]}
    paragraphs = [rows[k] for k in rows if k.startswith("p")]
    paragraphs[2] = paragraphs[2].replace("At least 50 people", "At least 71 people")
    text = "\n\n".join([rows["title"], "A new opening paragraph.", *paragraphs, rows["source"]]) + "\n"
    path = tmp_path / "edited.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _history_lines(cli, rid: str, *ui: str) -> list[str]:
    result = cli(*ui, "history", rid)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def test_an_edit_in_arabic_stores_no_interface_text(cli, newsroom, tmp_path, sample_id):
    r = cli("--ui-lang", "ar", "edit", sample_id, "--from", str(_edited_body(tmp_path, cli, sample_id)), as_=EDITOR)
    assert r.exit_code == 0, r.output
    release_yaml = (newsroom / "releases" / sample_id / "release.yaml").read_text(encoding="utf-8")
    assert not ARABIC.search(release_yaml)  # the summary is data, not Arabic words
    last = yaml.safe_load(release_yaml)["history"][-1]
    assert last["kind"] == "edit"
    assert "comment" not in last
    assert last["changes"] == {"changed": ["p3"], "added": ["p10"], "removed": []}
    # The reader's language, whoever edited.
    assert _history_lines(cli, sample_id)[-1].endswith("“changed p3, added p10, removed -”")
    assert _history_lines(cli, sample_id, "--ui-lang", "ar")[-1].endswith("“المُعدَّل p3، المُضاف p10، المحذوف -”")
    # JSON carries the data.
    events = json.loads(cli("history", sample_id, "--json").stdout)
    assert events[-1]["changes"] == {"changed": ["p3"], "added": ["p10"], "removed": [], "by_hand": False}
    assert events[-1]["comment"] is None
    assert cli("verify").exit_code == 0


def test_recording_a_hand_edit_stores_a_flag(cli, newsroom, sample_id):
    path = newsroom / "releases" / sample_id / "en.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("no fewer than 20 people", "no fewer than 21 people"), encoding="utf-8")
    r = cli("--ui-lang", "ar", "edit", sample_id, as_=EDITOR)
    assert r.exit_code == 0, r.output
    last = Newsroom.open(newsroom).load_release(sample_id).history[-1]
    assert last.changes == EditChanges(by_hand=True)
    assert last.comment is None
    assert _history_lines(cli, sample_id)[-1].endswith("“recorded a change made to the files by hand”")
    assert _history_lines(cli, sample_id, "--ui-lang", "ar")[-1].endswith("“سُجّل تغيير أُجري على الملفات يدوياً”")


def test_an_edit_recorded_before_keeps_its_words_and_its_hash():
    # An edit event as 0.1 wrote it: the summary in the editor's language, in `comment`.
    old = seal((), Event(at="2019-07-22T08:00:00Z", kind="edit", actor="Hala Darwish", role="editor",
                         source="draft", target="draft", comment="المُعدَّل p1، المُضاف -، المحذوف -",
                         content="abc"))
    data = old.to_dict()
    assert "changes" not in data  # the chain hash of old events is what it was
    again = event_from_dict(data, "release.yaml: history[0]")
    assert again == old
    assert chain_hash("", again) == old.hash
    assert event_note(again) == "المُعدَّل p1، المُضاف -، المحذوف -"


def test_changes_are_validated_like_every_field():
    import pytest

    from workflow.errors import InvalidData

    base = {"at": "2019-07-22T08:00:00Z", "kind": "edit", "actor": "Hala Darwish", "content": ""}
    for bad in ({"changed": ["../etc"]}, {"changed": "p1"}, {"moved": ["p1"]}, {"by_hand": "yes"}, ["p1"]):
        with pytest.raises(InvalidData):
            event_from_dict({**base, "changes": bad}, "release.yaml: history[3]")
    ok = event_from_dict({**base, "changes": {"changed": ["p2"], "removed": ["p9"]}}, "x")
    assert ok.changes == EditChanges(changed=("p2",), removed=("p9",))
