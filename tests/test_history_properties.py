"""Property tests of history merging and replay (issue 10): whatever two clones append, the
merge keeps every event once, keeps each side's order, is in time order, extends both sides,
replays cleanly, and is refused only for two moves; `extends` refuses truncation,
rewriting and reordering."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.core.guards import GUARDS
from workflow.core.history import (
    MergeRefused,
    extends,
    first_broken,
    interleave,
    merge_histories,
    merge_logs,
    replay_history,
    seal,
)
from workflow.core.model import Event, Release, format_time
from workflow.core.statemachine import DEFAULT_WORKFLOW, parse_workflow

WF = parse_workflow(DEFAULT_WORKFLOW, GUARDS)
T0 = dt.datetime(2024, 3, 1, 9, 0, tzinfo=dt.UTC)
PEOPLE = {"Sami Khoury": ("writer",), "Hala Darwish": ("editor", "writer"), "Lina Aziz": ("reviewer:ar",)}


def chain(events: list[Event]) -> tuple[Event, ...]:
    out: list[Event] = []
    for event in events:
        out.append(seal(out, event))
    return tuple(out)


def release(events: tuple[Event, ...], state: str) -> Release:
    return Release(id="2024-03-01-talks", date="2024-03-01", category="", source_language="en",
                   languages=("en", "ar"), state=state, revision=len(events), history=events)


BASE = [Event(at=format_time(T0), kind="create", actor="Sami Khoury", role="writer", target="draft"),
        Event(at=format_time(T0 + dt.timedelta(minutes=1)), kind="transition", actor="Sami Khoury",
              role="writer", transition="submit", source="draft", target="review")]


def comment(minute: int, text: str, who: str = "Hala Darwish", role: str = "editor") -> Event:
    return Event(at=format_time(T0 + dt.timedelta(minutes=minute)), kind="comment", actor=who, role=role,
                 source="review", target="review", comment=text)


minutes = st.lists(st.integers(min_value=2, max_value=60), max_size=6).map(sorted)


@settings(max_examples=150, deadline=None)
@given(mine=minutes, theirs=minutes, approve_at=st.one_of(st.none(), st.integers(min_value=2, max_value=60)))
def test_merging_two_clones_keeps_everything_in_time_order_and_replays(mine: list[int], theirs: list[int],
                                                                      approve_at: int | None) -> None:
    base = chain(BASE)
    ours_events = [comment(m, f"ours {i}") for i, m in enumerate(mine)]
    theirs_events = [comment(m, f"theirs {i}") for i, m in enumerate(theirs)]
    state = "review"
    if approve_at is not None:  # one side (theirs) moves the release too
        approve = Event(at=format_time(T0 + dt.timedelta(minutes=approve_at)), kind="transition",
                        actor="Hala Darwish", role="editor", transition="approve", source="review",
                        target="translation")
        theirs_events = sorted([*theirs_events, approve], key=lambda e: e.at)
        state = "translation"
    ours = release(chain([*BASE, *ours_events]), "review")
    other = release(chain([*BASE, *theirs_events]), state)
    merged = merge_histories(release(base, "review"), ours, other)
    history = merged.history
    assert first_broken(history) is None
    bodies = [replace(e, hash="") for e in history]
    expected = [replace(e, hash="") for e in (*base, *ours_events, *theirs_events)]
    assert sorted(bodies, key=repr) == sorted(expected, key=repr)  # every event once
    times = [e.at for e in history]
    assert times == sorted(times)  # ordered by time
    assert extends(ours.history, history) is None  # each side carried on, its order kept
    assert extends(other.history, history) is None
    assert merged.state == state
    assert replay_history(WF, merged, PEOPLE, T0 + dt.timedelta(days=1)) == []
    # The merge driver is symmetric in what it keeps.
    swapped = merge_histories(release(base, "review"), other, ours)
    assert sorted((replace(e, hash="") for e in swapped.history), key=repr) == sorted(bodies, key=repr)


@settings(max_examples=100, deadline=None)
@given(first=minutes, second=minutes)
def test_two_moves_never_merge(first: list[int], second: list[int]) -> None:
    base = chain(BASE)
    approve = Event(at=format_time(T0 + dt.timedelta(minutes=30)), kind="transition", actor="Hala Darwish",
                    role="editor", transition="approve", source="review", target="translation")
    reject = Event(at=format_time(T0 + dt.timedelta(minutes=31)), kind="transition", actor="Hala Darwish",
                   role="editor", transition="reject", source="review", target="draft", comment="no")
    ours = release(chain([*BASE, *(comment(m, "a") for m in first if m < 30), approve]), "translation")
    theirs = release(chain([*BASE, *(comment(m, "b") for m in second if m < 31), reject]), "draft")
    with pytest.raises(MergeRefused, match="conflicting moves"):
        merge_histories(release(base, "review"), ours, theirs)


def segment_event(minute: int, seg: str, who: str = "Rami Haddad") -> Event:
    return Event(at=format_time(T0 + dt.timedelta(minutes=minute)), kind="translated", actor=who,
                 role="translator:ar", segments=((seg, "0123456789abcdef:fedcba9876543210"),))


@settings(max_examples=150, deadline=None)
@given(common=st.integers(min_value=0, max_value=3), mine=minutes, theirs=minutes)
def test_language_file_histories_merge_by_time(common: int, mine: list[int], theirs: list[int]) -> None:
    base = chain([segment_event(1, f"p{i}") for i in range(common)])
    ours = chain([*base, *(segment_event(m, "p10") for m in mine)])
    other = chain([*base, *(segment_event(m, "p11", "Lina Aziz") for m in theirs)])
    merged = merge_logs(base, ours, other, "ar.yaml")
    assert len(merged) == common + len(mine) + len(theirs)
    assert [e.at for e in merged] == sorted(e.at for e in merged)
    assert extends(ours, merged) is None
    assert extends(other, merged) is None
    assert first_broken(merged) is None
    assert interleave(base, ours, ()) == list(ours)  # nothing of theirs: ours unchanged, chain and all


@settings(max_examples=150, deadline=None)
@given(extra=minutes, cut=st.integers(min_value=1, max_value=8), swap=st.integers(min_value=0, max_value=8),
       data=st.data())
def test_extends_refuses_truncation_rewriting_and_reordering(extra: list[int], cut: int, swap: int,
                                                              data: st.DataObject) -> None:
    old = chain([*BASE, *(comment(m, f"c{i}") for i, m in enumerate(extra))])
    appended = chain([*old, comment(61, "later")])
    assert extends(old, appended) is None
    assert extends(old, old) is None
    truncated = old[:max(0, len(old) - cut)]
    if len(truncated) < len(old):
        assert extends(old, truncated) is not None
    index = data.draw(st.integers(min_value=0, max_value=len(old) - 1))
    rewritten = chain([*(replace(e, hash="") for e in old[:index]), replace(old[index], actor="Someone", hash=""),
                       *(replace(e, hash="") for e in old[index + 1:])])
    assert extends(old, rewritten) is not None
    if len(old) > 2:
        i = swap % (len(old) - 1)
        if old[i].at != old[i + 1].at or old[i].kind != old[i + 1].kind:
            items = [replace(e, hash="") for e in old]
            items[i], items[i + 1] = items[i + 1], items[i]
            if items != [replace(e, hash="") for e in old]:
                assert extends(old, chain(items)) is not None
