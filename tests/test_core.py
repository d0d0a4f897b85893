"""The pure core: guards read the checks through one context, one guard loop, one approval scan."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import replace

import pytest

from tests.pubhelp import approved_sample, arabic_texts, at
from workflow.core.config import find_person
from workflow.core.guards import GUARDS, GuardContext, checks_clean
from workflow.core.history import (
    first_broken,
    last_approval,
    recorded_content,
    replay_history,
    seal,
    unrecorded_edit,
)
from workflow.core.integrity import Stored, release_problems
from workflow.core.statemachine import guard_refusal, permits, role_admits
from workflow.editorial.transitions import apply_transition
from workflow.errors import Refused
from workflow.storage.newsroom import Newsroom
from workflow.translation.gate import guard_context
from workflow.translation.queues import release_actions


def _with_wrong_number(root) -> tuple[Newsroom, str]:
    texts = arabic_texts()
    texts[1] = texts[1] + " 1234"  # a number the source does not have: a check error
    rid = approved_sample(root, arabic=texts)
    return Newsroom.open(root), rid


def test_publish_and_inbox_refuse_with_the_same_check_error(newsroom):
    nr, rid = _with_wrong_number(newsroom)
    editor = find_person(nr.config, "hala.darwish@example.org")
    with pytest.raises(Refused) as refused:
        apply_transition(nr, rid, "publish", editor, now=at(10))
    assert "check error(s), first ar:p1 numbers" in refused.value.message
    actions = release_actions(nr.load(rid), nr.config, editor, at(10))
    publish = next(a for a in actions if a.transition == "publish")
    assert not publish.ready
    assert refused.value.message == f"cannot publish: {publish.reason}"


def test_a_clean_release_is_ready_in_the_inbox_and_publishes(newsroom):
    rid = approved_sample(newsroom)
    nr = Newsroom.open(newsroom)
    editor = find_person(nr.config, "hala.darwish@example.org")
    actions = release_actions(nr.load(rid), nr.config, editor, at(10))
    assert [(a.transition, a.ready) for a in actions] == [("publish", True)]
    assert apply_transition(nr, rid, "publish", editor, now=at(10)).release.state == "published"


def test_checks_clean_without_the_checks_wired_in_is_a_programming_error(newsroom):
    rid = approved_sample(newsroom)
    nr = Newsroom.open(newsroom)
    with pytest.raises(TypeError, match="guard_context"):
        checks_clean(GuardContext(nr.load(rid), nr.config, at(10)))


def test_the_guard_loop_stops_at_the_first_refusal_and_runs_no_later_guard(newsroom):
    nr, rid = _with_wrong_number(newsroom)
    publish = nr.config.workflow.transitions["publish"]
    asked: list[tuple[str, ...]] = []
    base = guard_context(nr.load(rid), nr.config, at(10))
    assert base.findings is not None

    def counting(langs):
        asked.append(tuple(langs))
        return base.findings(langs)

    ctx = replace(base, findings=counting)
    assert "check error" in (guard_refusal(publish, GUARDS, ctx) or "")
    assert asked == [("ar",)]
    # Under embargo the loop still stops at the first guard that refuses, in `requires` order.
    embargoed = replace(ctx, doc=replace(ctx.doc, release=replace(ctx.doc.release, embargo="2030-01-01T00:00:00Z")))
    asked.clear()
    assert "check error" in (guard_refusal(publish, GUARDS, embargoed) or "")
    no_checks = replace(publish, requires=("embargo_passed", "checks_clean"))
    asked.clear()
    assert "embargo" in (guard_refusal(no_checks, GUARDS, embargoed) or "")
    assert asked == []  # the checks never ran


def test_role_matching_is_one_rule_for_moves_and_replay(newsroom):
    assert role_admits("translator", "translator:ar")
    assert not role_admits("translator:ar", "translator:en")
    assert not role_admits("reviewer", "translator:ar")
    rid = approved_sample(newsroom)
    nr = Newsroom.open(newsroom)
    wf = nr.config.workflow
    assert permits(wf.transitions["approve"], "editor")
    assert not permits(wf.transitions["approve"], "writer")
    assert not permits(wf.transitions["approve"], "")
    # A history whose approval was recorded under a role the workflow does not admit (re-sealed).
    release = nr.load(rid).release
    history: list = []
    for event in release.history:
        event = replace(event, role="writer") if event.transition == "approve" else event
        history.append(seal(history, replace(event, hash="")))
    forged = replace(release, history=tuple(history))
    assert replay_history(wf, forged) == [
        "event 3 (transition at 2019-07-22T06:02:00Z): role 'writer' may not approve"]
    assert replay_history(wf, release) == []


def test_the_approval_scan_is_shared_by_the_guard_and_verify(newsroom):
    rid = approved_sample(newsroom)
    nr = Newsroom.open(newsroom)
    doc = nr.load(rid)
    approval = last_approval(doc.release.history, nr.config.workflow)
    assert approval is not None
    assert approval.transition == "approve"
    assert recorded_content(doc.release.history) == doc.content_hash()
    assert unrecorded_edit(doc, nr.config.workflow) is None
    # The source edited by hand after the approval: verify and the guard both see it.
    edited = replace(doc, source=tuple(replace(s, text=s.text + " Changed.") if s.id == "p1" else s
                                       for s in doc.source))
    assert unrecorded_edit(edited, nr.config.workflow) == doc.content_hash()
    assert "edited by hand" in release_problems(nr.config, Stored(edited))[0].message
    reason = GUARDS["approval_current"](guard_context(edited, nr.config, at(10)))
    assert reason is not None
    assert "the source changed after Hala Darwish approved it" in reason
    assert first_broken(doc.release.history) is None
    altered = (doc.release.history[0], replace(doc.release.history[1], actor="Someone Else"),
               *doc.release.history[2:])
    assert first_broken(altered) == 1


def test_core_imports_no_storage_translation_or_io_library():
    code = ("import sys\n"
            "import workflow.core.config, workflow.core.guards, workflow.core.history, workflow.core.summary\n"
            "bad = sorted(m for m in sys.modules if m.startswith(('workflow.storage', 'workflow.translation',"
            " 'workflow.editorial', 'yaml', 'subprocess', 'sqlite3', 'filelock')))\n"
            "print(' '.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_one_digit_table_for_checks_memory_datelines_and_pages():
    from workflow.core.digits import in_style, to_latin
    from workflow.editorial.sourcetext import parse_source_text
    from workflow.translation.memory import normal
    from workflow.translation.numbers import read_digits

    assert to_latin("عام ٢٠١٩ و۱۴۰۰") == "عام 2019 و1400"
    assert in_style("22 July 2019", "arab") == "٢٢ July ٢٠١٩"
    assert in_style("22 July 2019", "latn") == "22 July 2019"
    assert [set(values) for _s, _e, values in read_digits("١٬٠٠٠", "ar")] == [{1000}]
    assert [set(values) for _s, _e, values in read_digits("۳٫۵۰", "ar")] == [{3.5}]
    assert normal("قُتل ٥٠ مدنياً") == normal("قتل 50 مدنيا")
    imported = parse_source_text("العنوان\n\n٢٢ تموز ٢٠١٩ في أخبار الائتلاف\n\nالفقرة الأولى.", "<text>")
    assert (imported.date, imported.category, imported.paragraphs) == ("2019-07-22", "أخبار الائتلاف",
                                                                       ["الفقرة الأولى."])
