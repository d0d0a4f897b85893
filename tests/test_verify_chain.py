"""`pubflow verify` as the newsroom's CI check: the hash chain catches hand edits of the past.

Editing, deleting or reordering a past event by hand is detected (exit 5,
the event named); so is a source text changed after its approval.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import WRITER, Cli

RID = "2024-04-04-chain-test"


@pytest.fixture
def chained(cli: Cli) -> str:
    assert cli("new", "--title", "Chain test", "--body", "One.\n\nTwo.", "--date", "2024-04-04",
               as_=WRITER).exit_code == 0
    assert cli("comment", RID, "-m", "first remark").exit_code == 0
    assert cli("submit", RID, as_=WRITER).exit_code == 0
    assert cli("comment", RID, "-m", "second remark").exit_code == 0
    assert cli("approve", RID).exit_code == 0
    assert cli("verify").exit_code == 0
    return RID


def release_file(root: Path) -> Path:
    return root / "releases" / RID / "release.yaml"


def rewrite(root: Path, change) -> None:  # type: ignore[no-untyped-def]
    import yaml

    data = yaml.safe_load(release_file(root).read_text(encoding="utf-8"))
    change(data["history"])
    from workflow.storage.yamlio import format_yaml

    release_file(root).write_text(format_yaml(data), encoding="utf-8")


def verify(cli: Cli) -> tuple[int, list[dict[str, str]]]:
    r = cli("verify", "--json")
    return r.exit_code, json.loads(r.stdout)["problems"]


def test_editing_a_past_comment_is_detected_and_named(cli, newsroom, chained):
    text = release_file(newsroom).read_text(encoding="utf-8")
    release_file(newsroom).write_text(text.replace("comment: first remark", "comment: no remark"), encoding="utf-8")
    code, problems = verify(cli)
    assert code == 5
    assert problems == [{"release": RID, "file": "release.yaml", "field": "history[1]",
                         "message": problems[0]["message"], "severity": "error"}]
    assert problems[0]["message"].startswith("event 2 (")
    assert "was altered, or an event before it was removed" in problems[0]["message"]
    r = cli("verify")
    assert r.exit_code == 5
    assert f"{RID}: release.yaml: history[1]: event 2 (" in r.stdout


def test_deleting_a_past_event_is_detected(cli, newsroom, chained):
    rewrite(newsroom, lambda history: history.pop(1))
    code, problems = verify(cli)
    assert code == 5
    assert problems[0]["message"].startswith("event 2 (")  # the event after the hole


def test_reordering_events_is_detected(cli, newsroom, chained):
    def swap(history: list[dict[str, object]]) -> None:
        history[1], history[3] = history[3], history[1]

    rewrite(newsroom, swap)
    code, problems = verify(cli)
    assert code == 5
    assert "was altered" in problems[0]["message"]


def test_recomputing_a_hash_without_the_rest_of_the_chain_is_detected(cli, newsroom, chained):
    from workflow.core.history import chain_hash
    from workflow.core.model import event_from_dict

    def forge(history: list[dict[str, object]]) -> None:
        history[1]["comment"] = "forged"
        history[1]["hash"] = chain_hash(str(history[0]["hash"]), event_from_dict(history[1], "x"))

    rewrite(newsroom, forge)
    code, problems = verify(cli)
    assert code == 5
    assert problems[0]["message"].startswith("event 3 (")  # the next link no longer fits


def test_changing_an_approved_text_by_hand_is_detected(cli, newsroom, chained):
    path = newsroom / "releases" / RID / "en.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("text: One.", "text: One, changed."),
                    encoding="utf-8")
    code, problems = verify(cli)
    assert code == 5
    assert "differs from the last recorded content" in problems[0]["message"]
    # Recording the change with `pubflow edit` makes the newsroom valid again.
    assert cli("edit", RID).exit_code == 0
    assert verify(cli)[0] == 0


def test_untouched_history_verifies(cli, chained):
    assert verify(cli) == (0, [])
