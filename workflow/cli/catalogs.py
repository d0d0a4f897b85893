"""`pubflow catalogs ...`: pubflow's own interface catalogs (the Babel workflow).

These commands maintain the gettext catalogs of pubflow itself - the
`locales/` folder of a pubflow source checkout - not a newsroom's files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from workflow.cli.common import Area, JsonOpt, echo, print_json, table
from workflow.i18n import N_, _

app = Area()
catalogs_app = Area(
    name="catalogs",
    help=N_("Interface catalogs of pubflow itself (extract, update, compile, stats). They work on the locales/ "
           "folder of the pubflow source checkout this command runs from (or --source DIR), whatever newsroom "
           "you are in; stats also reads an installed copy, and compile and stats take --locales DIR for a "
           "newsroom's own overrides."),
    no_args_is_help=True,
)
app.add_typer(catalogs_app, name="catalogs")

SourceOpt = Annotated[Path | None, typer.Option(
    "--source", help=N_("pubflow source checkout (folder with babel.cfg and locales/); default: this pubflow's."),
    show_default=False)]
LocalesOpt = Annotated[Path | None, typer.Option(
    "--locales", help=N_("Work on this locales/ folder instead, e.g. a newsroom's own overrides of single strings."),
    show_default=False)]
LangsOpt = Annotated[list[str] | None, typer.Option(
    "--lang", "-l", help=N_("Only this language (repeat for more); default: every catalog."), show_default=False)]


@catalogs_app.command("extract")
def extract_cmd(source: SourceOpt = None, as_json: JsonOpt = False) -> None:
    """Extract every marked string of the code and templates into locales/messages.pot."""
    from workflow.maintenance.catalogs import extract_interface, source_tree

    result = extract_interface(source_tree(source))
    if as_json:
        print_json(result.public())
        return
    line = _("{path}: {n} messages, {added} new, {removed} gone").format(
        path=result.template, n=result.messages, added=len(result.added), removed=len(result.removed))
    if not result.written:
        line += " " + _("(unchanged)")
    echo(line)
    for text in result.added:
        echo(f"  + {text}")
    for text in result.removed:
        echo(f"  - {text}")


@catalogs_app.command("update")
def update_cmd(
    langs: LangsOpt = None,
    source: SourceOpt = None,
    ignore_obsolete: Annotated[bool, typer.Option(
        "--ignore-obsolete", help=N_("Drop strings gone from the code instead of keeping them as #~ entries."))
    ] = False,
    no_fuzzy: Annotated[bool, typer.Option(
        "--no-fuzzy-matching", help=N_("Do not reuse the translation of a similar old string (marked fuzzy)."))
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Merge locales/messages.pot into every catalog, like `pybabel update`.

    A --lang without a catalog gets a new one (`pybabel init`). Changed strings keep their old translation
    marked fuzzy for review; strings gone from the code stay as obsolete #~ entries.
    """
    from workflow.maintenance.catalogs import source_tree, update_interface

    results = update_interface(source_tree(source), langs, ignore_obsolete=ignore_obsolete,
                               no_fuzzy_matching=no_fuzzy)
    if as_json:
        print_json([r.public() for r in results])
        return
    for r in results:
        line = _("{lang}: {added} new, {fuzzy} fuzzy, {obsolete} obsolete").format(
            lang=r.language, added=r.added, fuzzy=r.fuzzy, obsolete=r.obsolete)
        if r.created:
            line += " " + _("(created {path})").format(path=r.path)
        elif not r.written:
            line += " " + _("(unchanged)")
        echo(line)


@catalogs_app.command("compile")
def compile_cmd(
    langs: LangsOpt = None,
    source: SourceOpt = None,
    use_fuzzy: Annotated[bool, typer.Option("--use-fuzzy", help=N_("Also compile fuzzy translations."))] = False,
    locales: LocalesOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Compile each catalog to pubflow.mo, like `pybabel compile` (fuzzy entries left out).

    Optional: without a current .mo, pubflow compiles the .po in memory at start-up.
    """
    from workflow.maintenance.catalogs import compile_interface, source_tree

    folder = locales if locales is not None else source_tree(source).locales
    results = compile_interface(folder, langs, use_fuzzy=use_fuzzy)
    if as_json:
        print_json([r.public() for r in results])
        return
    for r in results:
        if r.skipped:
            echo(_("{lang}: not compiled: {reason}").format(lang=r.language, reason=r.skipped), err=True)
            continue
        echo(_("{lang}: {n} messages -> {path} ({fuzzy} fuzzy, {untranslated} untranslated left out)").format(
            lang=r.language, n=r.messages, path=r.path, fuzzy=r.fuzzy, untranslated=r.untranslated))


@catalogs_app.command("stats")
def stats_cmd(langs: LangsOpt = None, source: SourceOpt = None, locales: LocalesOpt = None,
              as_json: JsonOpt = False) -> None:
    """Show how complete each interface catalog is (translated, fuzzy, untranslated, percent)."""
    from workflow.i18n import locales_dir
    from workflow.maintenance.catalogs import interface_stats, source_tree

    if locales is None:
        locales = source_tree(source).locales if source is not None else locales_dir()
    stats = interface_stats(locales, langs)
    if as_json:
        print_json([s.public() for s in stats])
        return
    table(None, [_("language"), _("translated"), _("fuzzy"), _("untranslated"), _("obsolete"),
                 _("not merged"), _("complete")],
          [[s.language, str(s.translated), str(s.fuzzy), str(s.untranslated), str(s.obsolete),
            "-" if s.missing is None else str(s.missing), f"{s.percent:.1f}%"] for s in stats])
