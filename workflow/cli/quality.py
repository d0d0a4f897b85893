"""`pubflow suggest` (machine suggestions) and `pubflow check` (translation checks).

Exit codes: `check` exits 0 when it finds no error (warnings allowed) and 4
when at least one error is found (the same errors make `publish` refuse);
`suggest` exits 7 when the provider fails (offline, timeout, HTTP error,
missing API key), keeping every suggestion saved before the failure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from workflow.cli import complete
from workflow.cli.common import Area, AsOpt, JsonOpt, actor, echo, newsroom, print_json, table
from workflow.i18n import N_, _

if TYPE_CHECKING:
    from workflow.translation.checks import Finding

app = Area()


LangOpt = Annotated[str, typer.Option("--lang", "-l", help=N_("Target language code, e.g. ar."),
                                      show_default=False, autocompletion=complete.languages)]


@app.command("suggest")
def suggest_cmd(
    release_id: Annotated[str, typer.Argument(help=N_("Release id, e.g. 2019-07-22-some-title."), show_default=False)],
    lang: LangOpt,
    provider: Annotated[str | None, typer.Option(
        "--provider", help=N_("libre, google, mymemory, microsoft, yandex or qcri (default: pubflow.yaml)."))] = None,
    url: Annotated[str | None, typer.Option("--url", help=N_("Server URL of a self-hosted LibreTranslate."))] = None,
    no_memory: Annotated[bool, typer.Option("--no-memory", help=N_("Do not use exact translation-memory matches."))]
    = False,
    memory_only: Annotated[bool, typer.Option("--memory-only", help=N_(
        "Only exact translation-memory matches: no provider, no network."))] = False,
    as_name: AsOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Pre-fill untranslated segments with machine suggestions (status machine until a person confirms)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from workflow.translation.mt import suggest_release

    nr = newsroom()
    who = actor(nr, as_name)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    console = _stderr_console()
    # Only on a terminal: rich ends even a disabled-looking bar with a newline, which made every
    # error line of `suggest` in a pipe or a log start with an empty line.
    with Progress(*columns, console=console, transient=True, disable=as_json or not console.is_terminal) as bar:
        task = bar.add_task(_("suggesting"), total=None)

        def progress(done: int, total: int, segment: str) -> None:
            bar.update(task, completed=done, total=total, description=_("suggesting {segment}").format(
                segment=segment))

        result = suggest_release(nr, release_id, lang, who, provider=provider, url=url, progress=progress,
                                 use_memory=not no_memory, memory_only=memory_only)
    if as_json:
        print_json(result.public())
        return
    if not result.total:
        echo(_("{id} [{lang}]: no untranslated segment").format(id=release_id, lang=lang))
        return
    if memory_only:
        echo(_("{id} [{lang}]: {n} suggestion(s) from translation memory saved with status machine; "
                     "{left} segment(s) without an exact match").format(
            id=release_id, lang=lang, n=len(result.filled), left=len(result.unmatched)))
    else:
        echo(_("{id} [{lang}]: {n} suggestion(s) saved with status machine "
                     "({memory} from memory, {cache} from the cache, {sent} sent to {provider})").format(
            id=release_id, lang=lang, n=len(result.filled), memory=result.from_memory, cache=result.from_cache,
            sent=result.requests, provider=result.provider))
    if result.skipped:
        echo(_("Skipped (translated meanwhile): {ids}").format(ids=", ".join(result.skipped)))
    errors = [f for f in result.findings if f.severity == "error"]
    if errors:
        echo(_("Check errors in the suggestions:"))
        _findings_table(errors)
    if result.findings:
        echo(_("Checks: {errors} error(s), {warnings} warning(s) in the suggestions; "
                     "see `pubflow check {id} --lang {lang}`").format(
            errors=len(errors), warnings=len(result.findings) - len(errors), id=release_id, lang=lang))
    echo(_("Next: confirm or edit them with `pubflow translate {id} --lang {lang}`.").format(
        id=release_id, lang=lang))


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def _findings_table(findings: list[Finding]) -> None:
    table(None, [_("segment"), _("lang"), _("check"), _("severity"), _("message")],
          [[f.segment, f.language, f.check, f.severity, f.message] for f in findings])


@app.command("check")
def check_cmd(
    release_id: Annotated[str | None, typer.Argument(help=N_("Release id (omit with --list)."),
                                                     show_default=False)] = None,
    lang: Annotated[str | None, typer.Option("--lang", "-l", help=N_("Only this target language."),
                                             autocompletion=complete.languages)] = None,
    skip_untranslated: Annotated[bool, typer.Option(
        "--skip-untranslated", help=N_("Leave out segments that have no translation yet (work in progress)."))]
    = False,
    list_checks: Annotated[bool, typer.Option("--list", help=N_("List the checks and exit."))] = False,
    as_json: JsonOpt = False,
) -> None:
    """Run the translation checks on a release; exit 4 when any error is found."""
    from workflow.errors import REFUSED, UsageError

    if list_checks:
        _list_checks(as_json)
        return
    if release_id is None:
        raise UsageError(_("give a release id, or --list to see the checks"), _("see `pubflow list` for the ids"))
    from workflow.translation.checks import check_release

    report = check_release(newsroom(), release_id, [lang] if lang else None, skip_untranslated=skip_untranslated)
    if as_json:
        print_json([f.public() for f in report.findings])
    else:
        shown = [f for f in report.findings if f.check != "empty"]
        if shown:
            _findings_table(shown)
        for code, segments in report.untranslated().items():
            more = f" … {segments[-1]}" if len(segments) > 6 else ""
            echo(_("{lang}: {n} segment(s) have no translation yet: {ids}{more} (see `pubflow pending`)").format(
                lang=code, n=len(segments), ids=", ".join(segments[:6]), more=more))
        echo(_("{id}: {errors} error(s), {warnings} warning(s) in {langs}").format(
            id=release_id, errors=report.errors, warnings=report.warnings, langs=", ".join(report.languages) or "-"))
    if report.errors:
        raise typer.Exit(REFUSED)


def _list_checks(as_json: bool) -> None:
    from workflow.errors import NotFound
    from workflow.translation.checks import CHECKS, Settings, enabled_checks, settings

    try:
        conf = settings(newsroom().config)
    except NotFound:  # outside a newsroom: the defaults
        conf = Settings()
    effective = dict((c.id, sev) for c, sev in enabled_checks(conf))
    rows = [{"id": c.id, "severity": effective.get(c.id, c.severity), "enabled": c.id in effective,
             "description": _(c.description)} for c in CHECKS]
    if as_json:
        print_json(rows)
        return
    table(None, [_("check"), _("severity"), _("enabled"), _("description")],
          [[str(r["id"]), str(r["severity"]), _("yes") if r["enabled"] else _("no"), str(r["description"])]
           for r in rows])
    echo(_("Switch checks off with `{setting}` in pubflow.yaml.").format(setting="checks: {disabled: [id, ...]}"))
