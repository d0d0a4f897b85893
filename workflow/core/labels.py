"""The words people read for pubflow's ids, in the interface language.

Segment statuses (`translated`), check severities (`error`) and workflow
states (`review`) are ids: files, JSON, `--state` and the catalogs' code keep
them as they are.  What a person reads is a label: the catalog's word for a
status or a severity, and for a state the newsroom's own label from
pubflow.yaml, per language (`label: {en: In review, ar: قيد المراجعة}`), or a
plain `label: In review` looked up in the catalog (so the built-in workflow's
labels read in Arabic too), or else the state's name.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from workflow.i18n import current_language, pgettext

if TYPE_CHECKING:
    from workflow.core.statemachine import Workflow

STATE_CONTEXT = "workflow state"  # msgctxt of the built-in workflow's state labels


def status_label(status: str) -> str:
    """A segment status (untranslated, machine, stale, translated, approved) in the interface language."""
    labels = {
        "untranslated": pgettext("segment status", "untranslated"),
        "machine": pgettext("segment status", "machine"),
        "stale": pgettext("segment status", "stale"),
        "translated": pgettext("segment status", "translated"),
        "approved": pgettext("segment status", "approved"),
    }
    return labels.get(status, status)


def severity_label(severity: str) -> str:
    """A check severity (error, warning) in the interface language."""
    labels = {"error": pgettext("check severity", "error"), "warning": pgettext("check severity", "warning")}
    return labels.get(severity, severity)


def state_label(workflow: Workflow, state: str) -> str:
    """A workflow state as the newsroom labels it, in the interface language."""
    spec = workflow.states.get(state)
    if spec is None:
        return state
    own = spec.labels.get(current_language())
    if own:
        return own
    return pgettext(STATE_CONTEXT, spec.label) if spec.label else state
