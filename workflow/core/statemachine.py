"""The release workflow: a declarative table from YAML plus pure functions.

`parse_workflow` turns the `workflow:` section of pubflow.yaml into a
`Workflow` and rejects a broken definition (unknown states, unreachable
states, dead ends not marked final, unknown guards) as `InvalidDefinition`.
`check_transition` refuses a move at run time (wrong state, role, missing
comment, failing guard) as `Refused`.  Nothing here touches the disk.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from workflow.errors import InvalidDefinition, Refused, UsageError
from workflow.i18n import NC_, _

NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
COMMENT_MODES = ("required", "optional")
# Role names a transition may ask for; `translator` and `reviewer` may carry a
# language (`translator:ar`), and a bare `translator` admits any language.
ROLE_NAMES = ("writer", "editor", "translator", "reviewer")
STATE_FIELDS = {"label", "final", "live"}
TRANSITION_FIELDS = {"from", "to", "roles", "comment", "requires", "approval", "label"}


@dataclass(frozen=True)
class State:
    name: str
    label: str  # a plain label, or the English one of `labels` (see core.labels.state_label)
    final: bool = False
    live: bool = False
    labels: Mapping[str, str] = field(default_factory=dict)  # per language: {en: In review, ar: قيد المراجعة}


@dataclass(frozen=True)
class Transition:
    name: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]
    comment: str = "optional"
    requires: tuple[str, ...] = ()
    approval: bool = False
    label: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Workflow:
    initial: str
    states: Mapping[str, State]
    transitions: Mapping[str, Transition]

    def allowed_from(self, state: str) -> list[str]:
        """Names of the transitions that leave `state`, in definition order."""
        return [t.name for t in self.transitions.values() if state in t.sources]

    def approval_transitions(self) -> list[str]:
        return [t.name for t in self.transitions.values() if t.approval]


DEFAULT_WORKFLOW: dict[str, Any] = {
    "initial": "draft",
    "states": {
        # The catalogs translate these plain labels (msgctxt "workflow state"): a newsroom that keeps
        # them reads its states in Arabic too; its own labels may be per language.
        "draft": {"label": NC_("workflow state", "Draft")},
        "review": {"label": NC_("workflow state", "In review")},
        "translation": {"label": NC_("workflow state", "Translation")},
        "published": {"label": NC_("workflow state", "Published"), "live": True},
        "retracted": {"label": NC_("workflow state", "Retracted"), "live": True, "final": True},
    },
    "transitions": {
        "submit": {"from": ["draft"], "to": "review", "roles": ["writer", "editor"]},
        "reject": {"from": ["review", "translation"], "to": "draft", "roles": ["editor"],
                   "comment": "required"},
        "approve": {"from": ["review"], "to": "translation", "roles": ["editor"], "approval": True},
        "publish": {"from": ["translation"], "to": "published", "roles": ["editor"],
                    "requires": ["approval_current", "translations_complete", "checks_clean",
                                 "embargo_passed"]},
        "correct": {"from": ["published"], "to": "published", "roles": ["editor"],
                    "comment": "required", "requires": ["checks_clean"]},
        "retract": {"from": ["published"], "to": "retracted", "roles": ["editor"],
                    "comment": "required"},
    },
}


def _fail(message: str) -> InvalidDefinition:
    return InvalidDefinition(message, _("fix the workflow section of pubflow.yaml"))


def _names(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value:
        raise _fail(_("{where}: expected a list of names, not {value!r}").format(where=where, value=value))
    for item in value:
        if not isinstance(item, str) or not item:
            # YAML 1.1 reads unquoted yes/no/on/off as true/false and 0123 as a number.
            raise _fail(_("{where}: {value!r} is not a name (quote it if YAML read it as "
                          "true/false or a number)").format(where=where, value=item))
    return tuple(value)


def _check_role(role: str, where: str) -> None:
    base, sep, lang = role.partition(":")
    if base not in ROLE_NAMES or (sep and (base not in ("translator", "reviewer") or not lang)):
        raise _fail(_("{where}: unknown role {role!r} (use writer, editor, translator, reviewer, "
                      "translator:LANG or reviewer:LANG)").format(where=where, role=role))


LABEL_LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _label(value: Any, where: str) -> tuple[str, dict[str, str]]:
    """(plain label, labels per language) of a state or transition.

    `label: In review` or `label: {en: In review, ar: قيد المراجعة}`; the plain
    label of a per-language one is its English text (else its first).
    """
    if isinstance(value, str) and value.strip():
        return value.strip(), {}
    if isinstance(value, dict) and value:
        labels: dict[str, str] = {}
        for code, text in value.items():
            if not isinstance(code, str) or not LABEL_LANGUAGE_RE.match(code):
                raise _fail(_("{where}: {code!r} is not a language code").format(where=where, code=code))
            if not isinstance(text, str) or not text.strip():
                raise _fail(_("{where}.{code}: expected a label").format(where=where, code=code))
            labels[code] = text.strip()
        return labels.get("en") or next(iter(labels.values())), labels
    raise _fail(_("{where}: expected a label, or labels per language such as {{en: Draft, ar: مسودة}}").format(
        where=where))


def parse_workflow(data: Any, known_guards: Iterable[str], where: str = "workflow") -> Workflow:
    """Build and validate a Workflow from its YAML table."""
    import re

    if not isinstance(data, dict):
        raise _fail(_("{where}: expected a mapping with initial, states and transitions").format(where=where))
    unknown = set(data) - {"initial", "states", "transitions"}
    if unknown:
        raise _fail(_("{where}: unknown field {field} (known: initial, states, transitions)").format(
            where=where, field=sorted(map(str, unknown))[0]))
    states_raw = data.get("states")
    transitions_raw = data.get("transitions")
    if not isinstance(states_raw, dict) or not states_raw:
        raise _fail(_("{where}.states: expected a mapping of state names").format(where=where))
    if not isinstance(transitions_raw, dict) or not transitions_raw:
        raise _fail(_("{where}.transitions: expected a mapping of transition names").format(where=where))

    states: dict[str, State] = {}
    for name, spec in states_raw.items():
        spec = spec or {}
        if not isinstance(name, str) or not re.match(NAME_PATTERN, name):
            raise _fail(_("{where}.states: {name!r} is not a state name (lower-case letters, digits and _; "
                          "quote it if YAML read it as true/false or a number)").format(where=where, name=name))
        if not isinstance(spec, dict):
            raise _fail(_("{where}.states.{name}: expected a mapping such as {{label: Draft}}").format(
                where=where, name=name))
        extra = set(spec) - STATE_FIELDS
        if extra:
            raise _fail(_("{where}.states.{name}: unknown field {field} (known: {known})").format(
                where=where, name=name, field=sorted(map(str, extra))[0], known=", ".join(sorted(STATE_FIELDS))))
        for flag in ("final", "live"):
            if not isinstance(spec.get(flag, False), bool):
                raise _fail(_("{where}.states.{name}.{flag}: expected true or false").format(
                    where=where, name=name, flag=flag))
        label, labels = _label(spec.get("label", name), f"{where}.states.{name}.label")
        states[name] = State(name, label, bool(spec.get("final", False)), bool(spec.get("live", False)), labels)

    initial = data.get("initial")
    if initial not in states:
        raise _fail(_("{where}.initial: unknown state {state!r} (states: {known})").format(
            where=where, state=initial, known=", ".join(states)))

    guards = set(known_guards)
    transitions: dict[str, Transition] = {}
    for name, spec in transitions_raw.items():
        at = f"{where}.transitions.{name}"
        if not isinstance(name, str) or not re.match(NAME_PATTERN, name):
            raise _fail(_("{where}.transitions: {name!r} is not a transition name (lower-case letters, digits "
                          "and _)").format(where=where, name=name))
        if not isinstance(spec, dict):
            raise _fail(_("{where}: expected a mapping with from, to and roles").format(where=at))
        extra = set(spec) - TRANSITION_FIELDS
        if extra:
            raise _fail(_("{where}: unknown field {field} (known: {known})").format(
                where=at, field=sorted(map(str, extra))[0], known=", ".join(sorted(TRANSITION_FIELDS))))
        for key in ("from", "to", "roles"):
            if spec.get(key) is None:
                raise _fail(_("{where}: missing field {field}").format(where=at, field=key))
        sources = _names(spec.get("from"), f"{at}.from")
        target = spec.get("to")
        roles = _names(spec.get("roles"), f"{at}.roles")
        for role in roles:
            _check_role(role, f"{at}.roles")
        requires = _names(spec.get("requires", []), f"{at}.requires") if spec.get("requires") else ()
        if not isinstance(target, str):
            raise _fail(_("{where}.to: expected one state name, not {value!r}").format(where=at, value=target))
        for state in (*sources, target):
            if state not in states:
                raise _fail(_("{where}: unknown state {state!r} (states: {known})").format(
                    where=at, state=state, known=", ".join(states)))
        for guard in requires:
            if guard not in guards:
                raise _fail(_("{where}: unknown guard {guard!r} (known: {known})").format(
                    where=at, guard=guard, known=", ".join(sorted(guards))))
        comment = spec.get("comment", "optional")
        if comment not in COMMENT_MODES:
            raise _fail(_("{where}.comment: expected required or optional, not {value!r}").format(
                where=at, value=comment))
        if not isinstance(spec.get("approval", False), bool):
            raise _fail(_("{where}.approval: expected true or false").format(where=at))
        label, labels = _label(spec.get("label", name), f"{at}.label")
        transitions[name] = Transition(name, sources, str(target), roles, comment, requires,
                                       bool(spec.get("approval", False)), label, labels)

    workflow = Workflow(str(initial), states, transitions)
    problems = definition_problems(workflow)
    if problems:
        raise _fail(f"{where}: " + "; ".join(problems))
    return workflow


def definition_problems(workflow: Workflow) -> list[str]:
    """Unreachable states and dead ends (no way out and not marked final)."""
    problems: list[str] = []
    reachable = {workflow.initial}
    frontier = [workflow.initial]
    while frontier:
        state = frontier.pop()
        for t in workflow.transitions.values():
            if state in t.sources and t.target not in reachable:
                reachable.add(t.target)
                frontier.append(t.target)
    for name in workflow.states:
        if name not in reachable:
            problems.append(_("state {state!r} cannot be reached from {initial!r}").format(
                state=name, initial=workflow.initial))
    for name, spec in workflow.states.items():
        leaves = [t for t in workflow.transitions.values() if name in t.sources and t.target != name]
        if not leaves and not spec.final:
            problems.append(_("state {state!r} has no way out; add a transition or mark it final: true").format(
                state=name))
        if leaves and spec.final:
            problems.append(_("state {state!r} is marked final but {name} leaves it; remove final: true or "
                              "the transition").format(state=name, name=leaves[0].name))
    return problems


def role_admits(wanted: str, role: str) -> bool:
    """Does a held `role` satisfy a transition's `wanted` role?

    `translator` admits `translator:ar`; `translator:ar` admits only that language.
    """
    return role == wanted or role.split(":", 1)[0] == wanted


def role_for(transition: Transition, roles: Iterable[str]) -> str | None:
    """The actor's role that permits `transition`, if any (the first of the transition's roles wins)."""
    held = list(roles)
    for wanted in transition.roles:
        for role in held:
            if role_admits(wanted, role):
                return role
    return None


def permits(transition: Transition, role: str) -> bool:
    """May someone acting as `role` make `transition`? (`role_for` for one recorded role.)"""
    return role_for(transition, (role,)) is not None


GuardFn = Callable[[Any], "str | None"]


def guard_refusal(transition: Transition, guards: Mapping[str, GuardFn], context: Any) -> str | None:
    """The reason of the first of `transition`'s guards that refuses, or None: the one guard loop."""
    for guard in transition.requires:
        reason = guards[guard](context)
        if reason:
            return reason
    return None


@dataclass(frozen=True)
class Decision:
    """What a permitted move does: from where to where, under which role."""

    transition: str
    source: str
    target: str
    role: str
    approval: bool = False
    notes: list[str] = field(default_factory=list)


def check_transition(
    workflow: Workflow,
    state: str,
    name: str,
    actor_name: str,
    actor_roles: Iterable[str],
    comment: str | None,
    guards: Mapping[str, GuardFn],
    context: Any,
) -> Decision:
    """Decide whether `actor` may apply transition `name` in `state`; pure."""
    transition = workflow.transitions.get(name)
    if transition is None:
        raise UsageError(
            _("unknown transition {name!r}").format(name=name),
            _("known transitions: {names}").format(names=", ".join(workflow.transitions)),
        )
    if state not in transition.sources:
        allowed = workflow.allowed_from(state)
        raise Refused(
            _("cannot {name} from {state}").format(name=name, state=state),
            _("allowed here: {names}").format(names=", ".join(allowed) or _("none")),
        )
    role = role_for(transition, actor_roles)
    if role is None:
        raise Refused(
            _("{actor} may not {name}: it needs the role {roles}").format(
                actor=actor_name, name=name, roles=" or ".join(transition.roles)),
            _("ask someone with that role, or add the role in pubflow.yaml"),
        )
    if transition.comment == "required" and not (comment and comment.strip()):
        raise Refused(
            _("{name} needs a comment").format(name=name),
            _("add -m \"why\""),
        )
    reason = guard_refusal(transition, guards, context)
    if reason:
        raise Refused(_("cannot {name}: {reason}").format(name=name, reason=reason))
    return Decision(name, state, transition.target, role, transition.approval)
