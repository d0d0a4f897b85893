"""Backbone round: create, move through the workflow, history, verify."""

from __future__ import annotations

import json

from tests.conftest import EDITOR, WRITER


def test_draft_to_translation_and_verify(cli, sample_id):
    assert cli("submit", sample_id, as_=WRITER).exit_code == 0
    r = cli("approve", sample_id, as_=EDITOR)
    assert r.exit_code == 0, r.output
    listed = json.loads(cli("list", "--json").stdout)
    assert listed[0]["state"] == "translation"
    events = json.loads(cli("history", sample_id, "--json").stdout)
    assert [e["transition"] for e in events] == [None, "submit", "approve"]
    assert cli("verify").exit_code == 0
