"""Quality checks on translations (Arabic-aware); each check is a small function.

Findings carry the release, language, segment, check id, severity and a
message that quotes the offending part.  A newsroom switches checks off with
`checks: {disabled: [id, ...]}` in pubflow.yaml.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from workflow.i18n import _
from workflow.release import Document

if TYPE_CHECKING:
    from workflow.config import Config


@dataclass(frozen=True)
class Finding:
    release: str
    language: str
    segment: str
    check: str
    severity: str  # "error" | "warning"
    message: str


CheckFn = Callable[[str, str], Iterable[tuple[str, str]]]


def check_empty(source: str, target: str) -> Iterable[tuple[str, str]]:
    if not target.strip():
        yield "error", _("no translation")


CHECKS: dict[str, CheckFn] = {
    "empty": check_empty,
}


def run_checks(doc: Document, config: Config, languages: Iterable[str]) -> list[Finding]:
    disabled = set(config.checks.get("disabled", []) or [])
    findings: list[Finding] = []
    for lang in languages:
        target = doc.target(lang)
        for seg in doc.source:
            text = target[seg.id].text
            for check_id, fn in CHECKS.items():
                if check_id in disabled:
                    continue
                for severity, message in fn(seg.text, text):
                    findings.append(Finding(doc.release.id, lang, seg.id, check_id, severity, message))
    return findings
