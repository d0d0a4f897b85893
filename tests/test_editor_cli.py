"""The editor's commands, driven through the CLI the way a user or a script would."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EDITOR, REVIEWER, SAMPLE, TRANSLATOR, WRITER, Cli
from tests.pubhelp import arabic_texts, set_translation
from workflow.storage import yamlio
from workflow.storage.newsroom import Newsroom

EVENT_KEYS = {"at", "actor", "transition", "from", "to", "comment"}
RELEASE_KEYS = {"id", "title", "state", "source_language", "languages"}


def ok(result: Any) -> Any:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


def fails(result: Any, code: int) -> str:
    """The one stderr line of a refused command."""
    assert result.exit_code == code, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def set_workflow(root: Path, workflow: dict[str, Any]) -> None:
    config = yamlio.read(root / "pubflow.yaml")
    config["workflow"] = workflow
    (root / "pubflow.yaml").write_text(yamlio.format_yaml(config), encoding="utf-8")  # a hand edit


def edit_release_yaml(root: Path, release_id: str, **fields: Any) -> None:
    path = root / "releases" / release_id / "release.yaml"
    data = yamlio.read(path)
    data.update(fields)
    path.write_text(yamlio.format_yaml(data), encoding="utf-8")  # a hand edit


def translate(cli: Cli, release_id: str, texts: dict[str, str]) -> None:
    """A translator saves each Arabic segment and the reviewer approves them all."""
    for segment, text in texts.items():
        ok(cli("set", release_id, segment, "--lang", "ar", "--text", text, as_=TRANSLATOR))
    ok(cli("review", release_id, "--lang", "ar", as_=REVIEWER))


# ---------------------------------------------------------------- list, show, history, people
def test_list_json_shape_and_filters(cli, sample_id):
    ok(cli("new", "--title", "Second release", "--body", "One paragraph.", "--date", "2019-08-01", as_=WRITER))
    listed = json.loads(ok(cli("list", "--json")).stdout)
    assert [r["id"] for r in listed] == [sample_id, "2019-08-01-second-release"]
    for release in listed:
        assert RELEASE_KEYS <= set(release)
        assert release["languages"] == ["en", "ar"]
        assert release["progress"]["ar"]["total"] == release["progress"]["ar"]["untranslated"]
    ok(cli("submit", sample_id, as_=WRITER))
    assert [r["id"] for r in json.loads(cli("list", "--state", "review", "--json").stdout)] == [sample_id]
    assert [r["id"] for r in json.loads(cli("list", "--state", "draft", "--json").stdout)] == [
        "2019-08-01-second-release"]
    assert json.loads(cli("list", "--lang", "ar", "--json").stdout) == []
    assert len(json.loads(cli("list", "--lang", "en", "--json").stdout)) == 2
    assert "unknown state 'reviewed'" in fails(cli("list", "--state", "reviewed"), 2)
    assert "'english' is not a language code" in fails(cli("list", "--lang", "english"), 2)
    assert "unknown language 'fr'" in fails(cli("list", "--lang", "fr"), 2)


def test_list_table_one_line_per_release(cli, sample_id):
    out = ok(cli("list")).stdout
    row = next(line for line in out.splitlines() if sample_id in line)
    assert "Coalition: Assad regime and Russia's crimes" in row
    assert " draft " in row
    assert " en " in row
    assert "ar 0/11" in row
    narrow = ok(cli("list", env={"COLUMNS": "100"})).stdout
    assert all(len(line.rstrip()) <= 100 for line in narrow.splitlines())
    assert any(line.startswith(sample_id) and "…" in line for line in narrow.splitlines())


def test_list_with_no_releases(cli):
    assert ok(cli("list")).stdout.strip() == "No releases."
    assert json.loads(ok(cli("list", "--json")).stdout) == []


def test_show_text_and_json(cli, sample_id):
    text = ok(cli("show", sample_id)).stdout
    assert text.startswith(f"{sample_id}  [Draft]  r1")
    assert "next steps: submit" in text
    assert "[p9] The Coalition reaffirmed" in text
    assert "ar (untranslated): -" in text
    data = json.loads(ok(cli("show", sample_id, "--json")).stdout)
    assert RELEASE_KEYS <= set(data)
    assert data["allowed_transitions"] == ["submit"]
    assert [s["id"] for s in data["segments"]][:2] == ["title", "p1"]
    assert data["segments"][0]["translations"]["ar"]["status"] == "untranslated"
    assert EVENT_KEYS <= set(data["history"][0])


def test_history_text_and_json(cli, sample_id):
    ok(cli("submit", sample_id, as_=WRITER))
    ok(cli("reject", sample_id, "-m", "Check the death toll in p3", as_=EDITOR))
    ok(cli("comment", sample_id, "-m", "Toll confirmed by civil defense", as_=WRITER))
    events = json.loads(ok(cli("history", sample_id, "--json")).stdout)
    for event in events:
        assert EVENT_KEYS <= set(event)
        assert event["at"].endswith("Z")
    assert [(e["transition"], e["from"], e["to"], e["actor"]) for e in events] == [
        (None, None, "draft", "Sami Khoury"),
        ("submit", "draft", "review", "Sami Khoury"),
        ("reject", "review", "draft", "Hala Darwish"),
        (None, "draft", "draft", "Sami Khoury"),
    ]
    assert events[2]["comment"] == "Check the death toll in p3"
    assert events[3]["kind"] == "comment"
    assert events[3]["comment"] == "Toll confirmed by civil defense"
    lines = ok(cli("history", sample_id)).stdout.splitlines()
    assert len(lines) == 4
    assert "create     draft " in lines[0]
    assert "None" not in lines[0]
    assert "submit     draft → review" in lines[1]
    assert lines[2].endswith("“Check the death toll in p3”")


def test_people_text_and_json(cli):
    people = json.loads(ok(cli("people", "--json")).stdout)
    assert people[0] == {"name": "Hala Darwish", "email": EDITOR, "roles": ["editor", "writer"]}
    assert {p["name"] for p in people} == {"Hala Darwish", "Sami Khoury", "Rami Haddad", "Lina Aziz", "Nour Kassem"}
    text = ok(cli("people")).stdout
    assert "rami.haddad@example.org" in text
    assert "translator:ar, translator:en" in text


def test_workflow_table_mermaid_json(cli):
    table = ok(cli("workflow")).stdout
    assert "States" in table
    assert "Transitions" in table
    assert "approval_current, translations_complete, checks_clean, embargo_passed" in table
    mermaid = ok(cli("workflow", "--format", "mermaid")).stdout
    assert mermaid.splitlines()[:3] == ["stateDiagram-v2", "    [*] --> draft",
                                        "    draft --> review: submit (writer, editor)"]
    assert "    retracted --> [*]" in mermaid
    data = json.loads(ok(cli("workflow", "--format", "json")).stdout)
    assert data["initial"] == "draft"
    assert [t["name"] for t in data["transitions"]] == ["submit", "reject", "approve", "publish", "correct",
                                                        "retract"]
    assert "unknown format 'svg'" in fails(cli("workflow", "--format", "svg"), 2)


# ---------------------------------------------------------------- moving
def test_transition_commands_in_the_default_workflow(cli, sample_id):
    moved = json.loads(ok(cli("submit", sample_id, "--json", as_=WRITER)).stdout)
    assert moved["release"]["state"] == "review"
    assert EVENT_KEYS <= set(moved["event"])
    assert (moved["event"]["from"], moved["event"]["to"]) == ("draft", "review")
    assert ok(cli("approve", sample_id)).stdout.strip() == f"{sample_id}: approve (review → translation)"
    # Publishing needs the translations: refused, saying which segments are missing.
    line = fails(cli("publish", sample_id), 4)
    assert "cannot publish: 11 segment(s) are not approved: ar:title (untranslated)" in line
    ok(cli("reject", sample_id, "-m", "Wait for the new toll"))
    assert json.loads(cli("list", "--json").stdout)[0]["state"] == "draft"
    assert ok(cli("verify")).stdout.strip() == "1 release checked, 0 problem(s)."


def test_publish_correct_retract(cli, in_translation, sample_arabic):
    sample_id = in_translation
    translate(cli, sample_id, sample_arabic)
    ok(cli("publish", sample_id))
    assert "correct needs a comment" in fails(cli("correct", sample_id), 4)
    ok(cli("correct", sample_id, "-m", "Fixed the spelling of Maaret al-Nu'man", "--message-ar", "تصحيح."))
    ok(cli("retract", sample_id, "-m", "Withdrawn at the source's request", "--message-ar", "سُحب."))
    assert "cannot correct from retracted (allowed here: none)" in fails(
        cli("correct", sample_id, "-m", "again", "--message-ar", "تصحيح."), 4)
    events = json.loads(cli("history", sample_id, "--json").stdout)
    assert [e["transition"] for e in events if not e["segments"]] == [
        None, "submit", "approve", "publish", "correct", "retract"]
    assert ok(cli("verify")).exit_code == 0


def test_move_with_a_custom_workflow(cli, newsroom, sample_id):
    custom = {
        "initial": "draft",
        "states": {
            "draft": {"label": "Draft"},
            "legal": {"label": "Legal check"},
            "ready": {"label": "Ready"},
            "out": {"label": "Out", "final": True, "live": True},
        },
        "transitions": {
            "to_legal": {"from": ["draft"], "to": "legal", "roles": ["writer"]},
            "clear": {"from": ["legal"], "to": "ready", "roles": ["editor"], "comment": "required",
                      "approval": True},
            "bounce": {"from": ["legal", "ready"], "to": "draft", "roles": ["editor"]},
            "release": {"from": ["ready"], "to": "out", "roles": ["translator"]},
        },
    }
    set_workflow(newsroom, custom)
    # The sample was created as "draft", which this workflow also starts in.
    assert "cannot clear from draft (allowed here: to_legal)" in fails(cli("move", sample_id, "clear", "-m", "x"), 4)
    ok(cli("move", sample_id, "to_legal", as_=WRITER))
    assert "Sami Khoury may not clear: it needs the role editor" in fails(
        cli("move", sample_id, "clear", "-m", "fine", as_=WRITER), 4)
    assert "clear needs a comment" in fails(cli("move", sample_id, "clear", as_=EDITOR), 4)
    ok(cli("move", sample_id, "clear", "-m", "Lawyers agree", as_=EDITOR))
    # Whatever the table requires, nothing goes out untranslated or unapproved (issue 10).
    assert "cannot release: 11 segment(s) are not approved: ar:title (untranslated)" in fails(
        cli("move", sample_id, "release", as_=TRANSLATOR), 4)
    set_translation(Newsroom.open(newsroom), sample_id, arabic_texts())
    # A bare `translator` in the table admits translator:ar.
    moved = json.loads(ok(cli("move", sample_id, "release", "--json", as_=TRANSLATOR)).stdout)
    assert moved["event"]["role"] == "translator:ar"
    assert moved["release"]["state"] == "out"
    assert "unknown transition 'submit'" in fails(cli("submit", sample_id), 2)
    assert ok(cli("verify")).exit_code == 0
    mermaid = ok(cli("workflow", "--format", "mermaid")).stdout
    assert "    legal --> ready: clear (editor)" in mermaid
    assert "    out --> [*]" in mermaid


# ---------------------------------------------------------------- verify
def test_verify_json_when_everything_follows(cli, sample_id):
    ok(cli("submit", sample_id))
    report = json.loads(ok(cli("verify", "--json")).stdout)
    assert report == {"ok": True, "checked": 1, "problems": [], "warnings": []}


def test_verify_finds_a_state_that_does_not_follow_the_history(cli, newsroom, sample_id):
    ok(cli("submit", sample_id))
    edit_release_yaml(newsroom, sample_id, state="published")
    result = cli("verify")
    assert result.exit_code == 5
    assert f"{sample_id}: release.yaml: state: history ends in review but the release says published" in result.stdout
    assert "1 release checked, 1 problem(s)." in result.stdout
    report = json.loads(cli("verify", "--json").stdout)
    assert report["ok"] is False
    assert report["problems"] == [{"release": sample_id, "file": "release.yaml", "field": "state",
                                   "message": "history ends in review but the release says published",
                                   "severity": "error"}]


def test_verify_reports_a_broken_file_and_goes_on(cli, newsroom, sample_id):
    ok(cli("new", "--title", "Second", "--body", "Text.", "--date", "2019-08-01", as_=WRITER))
    (newsroom / "releases" / sample_id / "en.yaml").write_text("segments: [\n", encoding="utf-8")
    result = cli("verify")
    assert result.exit_code == 5
    assert f"{sample_id}: releases/{sample_id}/en.yaml:2:1: did not find expected node content" in result.stdout
    assert "2 releases checked, 1 problem(s)." in result.stdout


# ---------------------------------------------------------------- approval and embargo
def test_editing_after_approval_voids_it(cli, in_translation, sample_arabic, tmp_path):
    sample_id = in_translation
    translate(cli, sample_id, sample_arabic)
    changed = tmp_path / "changed.txt"
    changed.write_text(SAMPLE.read_text(encoding="utf-8").replace("At least 50 people", "At least 53 people"),
                       encoding="utf-8")
    edited = json.loads(ok(cli("edit", sample_id, "--from", str(changed), "--title",
                               "Coalition: Assad regime and Russia's crimes in northwestern Syria are "
                               "international crimes", "--json")).stdout)
    assert edited["changed"] == ["p3"]
    line = fails(cli("publish", sample_id), 4)
    assert "cannot publish: the source changed after Hala Darwish approved it on" in line
    assert "pubflow reject" in line
    ok(cli("reject", sample_id, "-m", "Re-approve the new toll"))
    ok(cli("submit", sample_id))
    ok(cli("approve", sample_id))
    # The approval is current again; now the Arabic p3 is what is missing.
    assert "1 segment(s) are not approved: ar:p3 (stale)" in fails(cli("publish", sample_id), 4)
    translate(cli, sample_id, {"p3": sample_arabic["p3"].replace("50", "53")})
    ok(cli("publish", sample_id))
    assert ok(cli("verify")).exit_code == 0


def test_a_hand_edit_after_approval_is_caught_too(cli, newsroom, in_translation, sample_arabic):
    sample_id = in_translation
    translate(cli, sample_id, sample_arabic)
    path = newsroom / "releases" / sample_id / "en.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("At least 50", "At least 60"), encoding="utf-8")
    line = fails(cli("publish", sample_id), 5)  # the gate: the files are not what the history recorded
    assert f"{sample_id} is not what its history recorded: en.yaml: segments: the source text differs" in line
    assert cli("verify").exit_code == 5


def test_embargo_needs_an_explicit_time_zone(cli):
    line = fails(cli("new", "--title", "T", "--body", "B.", "--embargo", "2019-07-22T09:00", as_=WRITER), 2)
    assert "--embargo: '2019-07-22T09:00' has no time zone (add an offset such as +03:00 or Z)" in line


@pytest.mark.parametrize(("embargo", "published"), [("2999-01-01T09:00:00+03:00", False),
                                                    ("2019-07-22T09:00:00+03:00", True)])
def test_embargo_passed_guard(cli, embargo, published):
    created = json.loads(ok(cli("new", "--title", "Embargoed", "--body", "Text.", "--date", "2019-07-22",
                                "--embargo", embargo, "--json")).stdout)
    assert created["embargo"] == embargo
    release_id = created["id"]
    ok(cli("submit", release_id))
    ok(cli("approve", release_id))
    translate(cli, release_id, {"title": "محظور", "p1": "نص."})
    result = cli("publish", release_id)
    if published:
        ok(result)
    else:
        assert f"cannot publish: it is under embargo until {embargo}" in fails(result, 4)


# ---------------------------------------------------------------- who is acting
def test_actor_from_as_then_env_then_git(cli, newsroom, sample_id, tmp_path):
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text(f"[user]\n\temail = {WRITER}\n", encoding="utf-8")
    git_env = {"GIT_CONFIG_GLOBAL": str(gitconfig), "GIT_CONFIG_NOSYSTEM": "1"}
    ok(cli("comment", sample_id, "-m", "from git", as_=None, env=git_env))
    ok(cli("comment", sample_id, "-m", "from env", as_=TRANSLATOR, env=git_env))
    ok(cli("comment", sample_id, "-m", "from --as", "--as", "Hala Darwish", as_=TRANSLATOR, env=git_env))
    events = json.loads(cli("history", sample_id, "--json").stdout)
    assert [(e["comment"], e["actor"]) for e in events[1:]] == [
        ("from git", "Sami Khoury"), ("from env", "Rami Haddad"), ("from --as", "Hala Darwish")]


def test_unknown_or_missing_actor(cli, sample_id):
    line = fails(cli("comment", sample_id, "-m", "hi", as_="mallory@example.org"), 4)
    assert "'mallory@example.org' is not one of this newsroom's people" in line
    nobody = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
    assert "who is acting?" in fails(cli("comment", sample_id, "-m", "hi", as_=None, env=nobody), 2)


# ---------------------------------------------------------------- a new newsroom
def test_init_then_a_full_round(tmp_path):
    root = tmp_path / "room"
    created = ok(Cli(tmp_path)("init", str(root), "--site-name", "Press Office")).stdout
    assert f"Created a newsroom in {root}" in created
    for folder in ("releases", "templates", "locales"):
        assert (root / folder).is_dir()
    assert ".pubflow/" in (root / ".gitignore").read_text(encoding="utf-8")
    cli = Cli(root)
    assert "already a newsroom" in fails(cli("init", str(root)), 6)
    editor, writer = "editor@example.org", "writer@example.org"
    ok(cli("new", "--from", str(SAMPLE), "--title", "Coalition: crimes in northwestern Syria are international",
           as_=writer))
    release_id = "2019-07-22-coalition-crimes-in-northwestern-syria-are-international"
    ok(cli("submit", release_id, as_=writer))
    assert "Writer may not approve" in fails(cli("approve", release_id, as_=writer), 4)
    ok(cli("approve", release_id, as_=editor))
    listed = json.loads(ok(cli("list", "--json")).stdout)
    assert [(r["id"], r["state"]) for r in listed] == [(release_id, "translation")]
    events = json.loads(ok(cli("history", release_id, "--json")).stdout)
    assert [(e["transition"], e["actor"]) for e in events] == [(None, "Writer"), ("submit", "Writer"),
                                                               ("approve", "Editor")]
    assert ok(cli("verify")).stdout.strip() == "1 release checked, 0 problem(s)."
