"""The workflow table: definition validation, role matching, and property tests of moves."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.conftest import FIXTURES
from workflow.core.config import Person
from workflow.core.guards import GUARDS
from workflow.core.history import replay_history, seal
from workflow.core.model import Document, Event, Release, TargetSegment, metadata_values
from workflow.core.segments import build, pair_hash
from workflow.core.statemachine import DEFAULT_WORKFLOW, Transition, check_transition, parse_workflow, role_for
from workflow.editorial.transitions import transition_document
from workflow.errors import InvalidDefinition, Refused, UsageError
from workflow.storage.config_file import load_config

CONFIG = load_config(FIXTURES / "newsroom")
WORKFLOW = CONFIG.workflow
PASS = {name: (lambda ctx: None) for name in GUARDS}


def definition(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(DEFAULT_WORKFLOW)
    for path, value in changes.items():
        node = data
        *parents, last = path.split("__")
        for key in parents:
            node = node[key]
        if value is None:
            del node[last]
        else:
            node[last] = value
    return data


def refusal(data: Any) -> str:
    with pytest.raises(InvalidDefinition) as info:
        parse_workflow(data, GUARDS, "pubflow.yaml: workflow")
    return info.value.line()


# ---------------------------------------------------------------- definition validation
def test_default_workflow_is_valid_and_matches_the_guide():
    wf = parse_workflow(DEFAULT_WORKFLOW, GUARDS)
    assert wf.initial == "draft"
    assert list(wf.states) == ["draft", "review", "translation", "published", "retracted"]
    assert wf.allowed_from("published") == ["correct", "retract"]
    assert wf.transitions["reject"].comment == "required"
    assert wf.approval_transitions() == ["approve"]


def test_unknown_state_in_a_transition():
    line = refusal(definition(transitions__approve__to="translated"))
    assert "pubflow.yaml: workflow.transitions.approve" in line
    assert "unknown state 'translated'" in line


def test_unknown_initial_state():
    assert "initial: unknown state 'start'" in refusal(definition(initial="start"))


def test_unreachable_state():
    line = refusal(definition(states__archived={"label": "Archived", "final": True}))
    assert "'archived' cannot be reached from 'draft'" in line


def test_every_problem_is_reported_on_one_line():
    line = refusal(definition(transitions__retract=None))
    assert "'retracted' cannot be reached" in line
    assert "'published' has no way out" in line
    assert "\n" not in line


def test_dead_end_not_marked_final():
    data = definition()
    data["transitions"]["hide"] = {"from": ["published"], "to": "hidden", "roles": ["editor"]}
    data["states"]["hidden"] = {"label": "Hidden"}
    line = refusal(data)
    assert "'hidden' has no way out" in line
    assert "final: true" in line


def test_final_state_with_a_way_out_is_contradictory():
    data = definition()
    data["transitions"]["restore"] = {"from": ["retracted"], "to": "published", "roles": ["editor"]}
    assert "'retracted' is marked final but restore leaves it" in refusal(data)


def test_unknown_guard():
    line = refusal(definition(transitions__publish__requires=["embargo_passed", "moon_is_full"]))
    assert "unknown guard 'moon_is_full'" in line
    assert "embargo_passed" in line


def test_unknown_fields():
    assert "unknown field colour" in refusal(definition(transitions__submit__colour="red"))
    assert "unknown field color" in refusal(definition(states__draft={"label": "Draft", "color": "x"}))
    assert "unknown field actions" in refusal(definition(actions=[]))


def test_bad_comment_mode():
    line = refusal(definition(transitions__reject__comment="mandatory"))
    assert "reject.comment: expected required or optional, not 'mandatory'" in line


def test_unknown_role_and_empty_lists():
    assert "unknown role 'boss'" in refusal(definition(transitions__submit__roles=["boss"]))
    assert "expected a list of names" in refusal(definition(transitions__submit__roles=[]))
    assert "missing field from" in refusal(definition(transitions__submit__from=None))


def test_yaml_booleans_are_explained():
    # `from: [no]` unquoted is read by YAML 1.1 as False.
    line = refusal(definition(transitions__submit__from=[False]))
    assert "quote it" in line


def test_definition_errors_name_the_fix():
    with pytest.raises(InvalidDefinition) as info:
        parse_workflow(definition(initial="start"), GUARDS)
    assert info.value.exit_code == 5
    assert "pubflow.yaml" in (info.value.hint or "")


# ---------------------------------------------------------------- roles
def _transition(*roles: str) -> Transition:
    return Transition("t", ("a",), "b", tuple(roles))


def test_bare_translator_admits_any_language():
    assert role_for(_transition("translator"), ["translator:ar"]) == "translator:ar"
    assert role_for(_transition("reviewer"), ["translator:ar"]) is None


def test_language_role_admits_only_that_language():
    assert role_for(_transition("translator:ar"), ["translator:en"]) is None
    assert role_for(_transition("translator:ar"), ["translator:en", "translator:ar"]) == "translator:ar"


def test_first_listed_role_wins():
    assert role_for(_transition("writer", "editor"), ["editor", "writer"]) == "writer"
    assert role_for(_transition("editor"), ["writer"]) is None


def test_refusals_say_what_is_allowed():
    with pytest.raises(Refused) as info:
        check_transition(WORKFLOW, "published", "approve", "Hala", ["editor"], None, PASS, None)
    assert info.value.line() == "cannot approve from published (allowed here: correct, retract)"
    with pytest.raises(UsageError) as unknown:
        check_transition(WORKFLOW, "draft", "launch", "Hala", ["editor"], None, PASS, None)
    assert "known transitions: submit, reject" in unknown.value.line()


# ---------------------------------------------------------------- property: moves on the default workflow
PEOPLE = [
    *CONFIG.people,
    Person("Nobody", "nobody@example.org", ()),
    Person("Ar Reviewer", "rev@example.org", ("reviewer:ar",)),
]
NAMES = [*WORKFLOW.transitions, "launch"]
START = dt.datetime(2019, 7, 22, 9, 0, tzinfo=dt.UTC)


ARABIC = {"title": "عنوان", "p1": "الفقرة الأولى.", "p2": "الفقرة الثانية.", "source": "(المصدر: المكتب)"}


def new_document() -> Document:
    """A draft whose Arabic is already approved: what goes out is complete (issue 10's integrity
    guards apply whatever the workflow requires), so only state, role and comment decide here."""
    segments = build("A title", ["First paragraph.", "Second paragraph."], "(Source: Desk)")
    release = Release(id="2019-07-22-a-title", date="2019-07-22", category="", source_language="en",
                      languages=("en", "ar"), state=WORKFLOW.initial, revision=1)
    arabic = tuple(TargetSegment(s.id, ARABIC[s.id], "approved", s.text, "human", "Rami Haddad",
                                 "2019-07-22T08:00:00Z", "Lina Aziz", "2019-07-22T08:00:00Z",
                                 pair_hash(s.text, ARABIC[s.id])) for s in segments)
    doc = Document(release, tuple(segments), {"ar": arabic})
    created = seal((), Event(at="2019-07-22T08:00:00Z", kind="create", actor="Sami Khoury", role="writer",
                             target=WORKFLOW.initial, metadata=metadata_values(release.metadata()),
                             content=doc.content_hash()))
    return replace(doc, release=replace(release, history=(created,)))


def expected_ok(state: str, name: str, person: Person, comment: str | None) -> bool:
    t = WORKFLOW.transitions.get(name)
    if t is None or state not in t.sources:
        return False
    if not any(held == wanted or held.split(":")[0] == wanted for wanted in t.roles for held in person.roles):
        return False
    return t.comment != "required" or bool(comment and comment.strip())


moves = st.lists(
    st.tuples(st.sampled_from(NAMES), st.sampled_from(PEOPLE), st.sampled_from([None, "", "  ", "Looks good"])),
    max_size=25,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(moves)
def test_a_move_succeeds_iff_state_role_and_comment_allow_it(sequence):
    doc = new_document()
    done = 0
    for step, (name, person, comment) in enumerate(sequence):
        state = doc.release.state
        ok = expected_ok(state, name, person, comment)
        now = START + dt.timedelta(minutes=step)
        if ok:
            doc, event = transition_document(CONFIG, doc, name, person, comment, now, guards=PASS)
            assert (event.source, event.target, event.transition) == (state, WORKFLOW.transitions[name].target, name)
            assert event.actor == person.name
            assert event.content == doc.content_hash()
            assert doc.release.history[-1] == event
            done += 1
        else:
            error = UsageError if name not in WORKFLOW.transitions else Refused
            before = doc
            with pytest.raises(error):
                transition_document(CONFIG, doc, name, person, comment, now, guards=PASS)
            assert doc == before
    # Every accepted move, and nothing else, is in the history; replaying it reaches the state.
    assert len(doc.release.history) == 1 + done
    assert replay_history(WORKFLOW, doc.release) == []


@settings(max_examples=60, deadline=None)
@given(moves)
def test_replay_notices_a_state_that_does_not_follow(sequence):
    doc = new_document()
    for step, (name, person, comment) in enumerate(sequence):
        if expected_ok(doc.release.state, name, person, comment):
            doc, _event = transition_document(CONFIG, doc, name, person, comment,
                                              START + dt.timedelta(minutes=step), guards=PASS)
    other = next(s for s in WORKFLOW.states if s != doc.release.state)
    forged = replace(doc.release, state=other)
    problems = replay_history(WORKFLOW, forged)
    assert any(f"but the release says {other}" in p for p in problems)


def test_a_failing_guard_refuses_with_its_reason():
    doc = new_document()
    editor = CONFIG.people[0]
    for name in ("submit", "approve"):
        doc, _event = transition_document(CONFIG, doc, name, editor, None, START, guards=PASS)
    guards = {**PASS, "embargo_passed": lambda ctx: "it is under embargo until tomorrow"}
    with pytest.raises(Refused, match="cannot publish: it is under embargo until tomorrow"):
        transition_document(CONFIG, doc, "publish", editor, None, START, guards=guards)


# ---------------------------------------------------------------- property: generated tables
STATE_NAMES = ["s0", "s1", "s2", "s3", "s4"]
# Mostly valid pieces, so that many generated tables get as far as the graph checks.
ROLE_CHOICES = ["writer", "editor", "translator", "reviewer:ar"] * 5 + ["boss"]
GUARD_CHOICES = [*GUARDS] * 5 + ["moon_is_full"]
COMMENT_CHOICES = ["optional", "required"] * 10 + ["sometimes"]


@st.composite
def tables(draw: st.DrawFn) -> dict[str, Any]:
    names = draw(st.lists(st.sampled_from(STATE_NAMES), min_size=1, max_size=5, unique=True))
    pool = [*names] * 8 + ["ghost"]
    transitions = {}
    for index in range(draw(st.integers(0, 6))):
        transitions[f"t{index}"] = {
            "from": draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True)),
            "to": draw(st.sampled_from(pool)),
            "roles": draw(st.lists(st.sampled_from(ROLE_CHOICES), min_size=1, max_size=2, unique=True)),
            "comment": draw(st.sampled_from(COMMENT_CHOICES)),
            "requires": draw(st.lists(st.sampled_from(GUARD_CHOICES), max_size=2, unique=True)),
        }
    states = {}
    for name in names:
        exits = any(name in t["from"] and t["to"] != name for t in transitions.values())
        # Usually marked final exactly when it has no way out; sometimes not, to test that rule too.
        final = draw(st.sampled_from([not exits] * 9 + [exits]))
        states[name] = {"label": name.upper(), "final": final}
    return {"initial": draw(st.sampled_from(names)), "states": states, "transitions": transitions}


def independently_valid(data: dict[str, Any]) -> bool:
    """The definition rules, restated without the parser's code."""
    states, transitions = data["states"], data["transitions"]
    if not transitions or data["initial"] not in states:
        return False
    for t in transitions.values():
        if t["to"] not in states or any(s not in states for s in t["from"]):
            return False
        if "boss" in t["roles"] or "moon_is_full" in t["requires"] or t["comment"] == "sometimes":
            return False
    reachable, frontier = {data["initial"]}, [data["initial"]]
    while frontier:
        here = frontier.pop()
        for t in transitions.values():
            if here in t["from"] and t["to"] not in reachable:
                reachable.add(t["to"])
                frontier.append(t["to"])
    if reachable != set(states):
        return False
    for name, spec in states.items():
        leaves = any(name in t["from"] and t["to"] != name for t in transitions.values())
        if leaves == spec["final"]:
            return False
    return True


CYCLE_OFF_TO_THE_SIDE = {  # s1 and s2 reach each other but nothing reaches them
    "initial": "s0",
    "states": {"s0": {"final": False}, "s1": {"final": False}, "s2": {"final": False}, "s3": {"final": True}},
    "transitions": {"t0": {"from": ["s0"], "to": "s3", "roles": ["editor"], "comment": "optional", "requires": []},
                    "t1": {"from": ["s1"], "to": "s2", "roles": ["editor"], "comment": "optional", "requires": []},
                    "t2": {"from": ["s2"], "to": "s1", "roles": ["editor"], "comment": "optional", "requires": []}},
}


@settings(max_examples=150, deadline=None)
@example(CYCLE_OFF_TO_THE_SIDE)
@given(tables())
def test_generated_tables_validate_or_say_why(data):
    if not independently_valid(data):
        with pytest.raises(InvalidDefinition) as info:
            parse_workflow(data, GUARDS, "pubflow.yaml: workflow")
        assert info.value.line().startswith("pubflow.yaml: workflow")
        assert info.value.exit_code == 5
        return
    wf = parse_workflow(data, GUARDS, "pubflow.yaml: workflow")
    # Every state of a valid table is reachable from the initial state.
    seen, frontier = {wf.initial}, [wf.initial]
    while frontier:
        here = frontier.pop()
        for name in wf.allowed_from(here):
            target = wf.transitions[name].target
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(wf.states)
