"""pubflow's own interface catalogs: in step with the code, valid, Arabic complete, used by the CLI.

The repository's `locales/` is only read here; every command that writes runs
on a copy of the source tree in tmp_path.
"""

from __future__ import annotations

import gettext
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from tests.conftest import Cli
from workflow import i18n
from workflow.cli.app import app
from workflow.maintenance import catalogs

REPO = Path(__file__).resolve().parents[1]
LOCALES = REPO / "locales"
ARABIC_PLURAL = ("nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "
                 "n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);")
FIX = ("pubflow catalogs extract && pubflow catalogs update, translate the new entries of "
       "locales/ar/LC_MESSAGES/pubflow.po, then pubflow catalogs stats")


def po_files() -> list[Path]:
    return sorted(LOCALES.glob("*/LC_MESSAGES/pubflow.po"))


def ids_of(path: Path) -> set[str]:
    import polib

    return {e.msgid for e in polib.pofile(str(path)) if e.msgid and not e.obsolete}


@pytest.fixture(scope="module")
def extracted() -> set[str]:
    """Message ids extracted from the code right now (done once: it takes a second)."""
    catalog = catalogs.extract_catalog(catalogs.source_tree(REPO))
    return {m.id[0] if isinstance(m.id, tuple) else m.id for m in catalog if m.id}


def run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def copy_source(tmp_path: Path) -> Path:
    """The parts of a pubflow checkout the catalog commands read, in tmp_path."""
    root = tmp_path / "src"
    shutil.copytree(REPO / "workflow", root / "workflow", ignore=shutil.ignore_patterns("__pycache__", "_locales"))
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copytree(LOCALES, root / "locales", ignore=shutil.ignore_patterns("*.mo"))
    shutil.copy2(REPO / "babel.cfg", root / "babel.cfg")
    return root


# ---------------------------------------------------------------- in step with the code
def test_template_lists_every_message_of_the_code(extracted: set[str]) -> None:
    in_pot = ids_of(LOCALES / "messages.pot")
    missing, stale = sorted(extracted - in_pot), sorted(in_pot - extracted)
    assert (missing, stale) == ([], []), (
        f"locales/messages.pot is out of date with the code: {len(missing)} new message(s) "
        f"{missing[:5]}, {len(stale)} gone {stale[:5]}; run {FIX}")


def test_every_catalog_has_every_message_of_the_template() -> None:
    template = ids_of(LOCALES / "messages.pot")
    for po in po_files():
        missing = sorted(template - ids_of(po))
        assert not missing, f"{po} lacks {len(missing)} message(s), e.g. {missing[:3]}; run {FIX}"


def test_command_docstrings_are_extracted(extracted: set[str]) -> None:
    assert "List releases with their state and translation progress." in extracted
    assert "Show how complete each interface catalog is (translated, fuzzy, untranslated, percent)." in extracted


# ---------------------------------------------------------------- valid catalogs
def test_catalogs_exist_for_english_and_arabic() -> None:
    assert [p.parts[-3] for p in po_files()] == ["ar", "en"]


@pytest.mark.parametrize("po", po_files(), ids=lambda p: p.parts[-3])
def test_msgfmt_check_accepts_the_catalog(po: Path, tmp_path: Path) -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext (msgfmt) is not installed")
    out = subprocess.run([msgfmt, "-c", "-o", str(tmp_path / "x.mo"), str(po)], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_arabic_is_complete_without_fuzzy_entries() -> None:
    [stats] = catalogs.interface_stats(LOCALES, ["ar"])
    assert (stats.untranslated, stats.fuzzy, stats.missing) == (0, 0, 0), FIX
    assert stats.percent == 100.0
    assert stats.plural_forms == ARABIC_PLURAL


@pytest.mark.parametrize("po", po_files(), ids=lambda p: p.parts[-3])
def test_translations_keep_every_placeholder(po: Path) -> None:
    assert catalogs.placeholder_problems(po) == []


def test_a_translation_that_drops_a_placeholder_is_found(tmp_path: Path) -> None:
    po = tmp_path / "bad.po"
    po.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
                  'msgid "no release {id!r}"\nmsgstr "لا يوجد بيان {rid!r}"\n', encoding="utf-8")
    [problem] = catalogs.placeholder_problems(po)
    assert "'no release {id!r}'" in problem
    assert "rid" in problem


# ---------------------------------------------------------------- Arabic plural forms
def test_arabic_plural_forms_select_the_cldr_form(tmp_path: Path) -> None:
    """Compile with GNU msgfmt, load with the stdlib: n=0,1,2,3,11,100 pick forms 0..5."""
    msgfmt = shutil.which("msgfmt")
    po = LOCALES / "ar" / "LC_MESSAGES" / "pubflow.po"
    if msgfmt is None:
        data = catalogs.compile_po_bytes(po)
    else:
        subprocess.run([msgfmt, "-o", str(tmp_path / "ar.mo"), str(po)], check=True)
        data = (tmp_path / "ar.mo").read_bytes()
    tr = gettext.GNUTranslations(io.BytesIO(data))
    assert [tr.plural(n) for n in (0, 1, 2, 3, 11, 100)] == [0, 1, 2, 3, 4, 5]  # type: ignore[attr-defined]
    from babel import Locale

    order = ["zero", "one", "two", "few", "many", "other"]
    arabic = Locale("ar")
    for n in range(0, 1210):
        assert tr.plural(n) == order.index(arabic.plural_form(n)), n  # type: ignore[attr-defined]
    singular, plural = "{n} release checked, {p} problem(s).", "{n} releases checked, {p} problem(s)."
    assert tr.ngettext(singular, plural, 1).format(n=1, p=0) == "فُحص بيان واحد، وعدد المشكلات: 0."
    assert tr.ngettext(singular, plural, 2).format(n=2, p=0) == "فُحص بيانان، وعدد المشكلات: 0."
    assert tr.ngettext(singular, plural, 3).format(n=3, p=0) == "فُحصت 3 بيانات، وعدد المشكلات: 0."
    assert tr.ngettext(singular, plural, 11).format(n=11, p=0) == "فُحص 11 بياناً، وعدد المشكلات: 0."
    assert tr.ngettext(singular, plural, 100).format(n=100, p=0) == "فُحص 100 بيان، وعدد المشكلات: 0."


def test_a_new_arabic_catalog_gets_the_gnu_plural_header(tmp_path: Path) -> None:
    root = copy_source(tmp_path)
    shutil.rmtree(root / "locales" / "ar")
    result = run("catalogs", "update", "--lang", "ar", "--source", str(root))
    assert result.exit_code == 0, result.output
    assert "ar:" in result.stdout
    text = (root / "locales" / "ar" / "LC_MESSAGES" / "pubflow.po").read_text(encoding="utf-8")
    assert '"Plural-Forms: nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : "\n' in text
    assert '"n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);\\n"' in text


# ---------------------------------------------------------------- the CLI speaks Arabic
def test_ui_lang_ar_lists_and_fails_in_arabic(cli: Cli) -> None:
    result: Any = cli("--ui-lang", "ar", "list")
    assert result.exit_code == 0
    assert result.stdout.strip() == "لا توجد بيانات صحفية."
    result = cli("--ui-lang", "ar", "show", "2019-01-01-nothing-here")
    assert result.exit_code == 3
    assert result.stderr.startswith("خطأ: لا يوجد بيان '2019-01-01-nothing-here' (راجع `pubflow list`")
    assert len(result.stderr.strip().splitlines()) == 1


def test_pubflow_lang_env_selects_arabic(cli: Cli) -> None:
    result: Any = cli("list", env={"PUBFLOW_LANG": "ar"})
    assert result.stdout.strip() == "لا توجد بيانات صحفية."
    result = cli("list", env={"PUBFLOW_LANG": "fr"})  # no French catalog: English
    assert result.stdout.strip() == "No releases."


@pytest.mark.slow
def test_language_env_gives_arabic_help_and_errors_in_a_real_process(newsroom: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PUBFLOW_LANG", "PUBFLOW_USER", "PUBFLOW_ROOT")}
    env.update(LANGUAGE="ar_SY:en", COLUMNS="200")
    cmd = [sys.executable, "-m", "workflow"]
    out = subprocess.run([*cmd, "list", "--help"], env=env, capture_output=True, text=True, cwd=newsroom)
    assert out.returncode == 0, out.stderr
    assert "اعرض البيانات مع حالتها وتقدّم ترجمتها." in out.stdout  # the command's docstring
    assert "البيانات التي في هذه الحالة فقط." in out.stdout  # an option's help
    assert out.stdout.startswith("الاستخدام: pubflow list [OPTIONS]")  # typer's own words too
    assert "الخيارات:" in out.stdout
    assert "اعرض هذه الرسالة ثم اخرج." in out.stdout
    out = subprocess.run([*cmd, "list"], env=env, capture_output=True, text=True, cwd=newsroom)
    assert (out.returncode, out.stdout.strip()) == (0, "لا توجد بيانات صحفية.")
    out = subprocess.run([*cmd, "show", "2019-01-01-nothing-here"], env=env, capture_output=True, text=True,
                         cwd=newsroom)
    assert out.returncode == 3
    assert out.stderr.startswith("خطأ: لا يوجد بيان '2019-01-01-nothing-here'")
    env["LANGUAGE"] = "en"
    out = subprocess.run([*cmd, "--ui-lang", "ar", "--help"], env=env, capture_output=True, text=True, cwd=newsroom)
    assert "سير عمل نشر ثنائي اللغة للمكاتب الصحفية" in out.stdout


@pytest.mark.slow
def test_an_installed_layout_without_mo_files_speaks_arabic(tmp_path: Path, newsroom: Path) -> None:
    """What a wheel holds (workflow/_locales with .po only) is enough: the .po is compiled in memory."""
    site = tmp_path / "site"
    shutil.copytree(REPO / "workflow", site / "workflow", ignore=shutil.ignore_patterns("__pycache__", "_locales"))
    shutil.copytree(LOCALES, site / "workflow" / "_locales", ignore=shutil.ignore_patterns("*.mo"))
    env = {k: v for k, v in os.environ.items() if k not in ("PUBFLOW_LANG", "LANGUAGE")}
    env.update(PYTHONPATH=str(site), PUBFLOW_LANG="ar")
    out = subprocess.run([sys.executable, "-c", "import workflow.i18n as i; print(i.locales_dir()); "
                          "from workflow.cli.app import main; main()", "list"],
                         env=env, capture_output=True, text=True, cwd=newsroom)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [str(site / "workflow" / "_locales"), "لا توجد بيانات صحفية."]
    assert not list((site / "workflow" / "_locales").rglob("*.mo"))  # read-only use: nothing written


# ---------------------------------------------------------------- the .mo / .po choice at run time
def test_runtime_uses_a_current_mo_and_recompiles_a_stale_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locales = tmp_path / "locales"
    shutil.copytree(LOCALES, locales, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(i18n, "locales_dir", lambda: locales)
    po = locales / "ar" / "LC_MESSAGES" / "pubflow.po"
    mo = po.with_suffix(".mo")
    assert i18n._load("ar").gettext("No releases.") == "لا توجد بيانات صحفية."  # no .mo: compiled in memory
    mo.write_bytes(catalogs.compile_po_bytes(po))
    current = i18n._load("ar")
    assert current.info()["x-pubflow-source"] == catalogs.source_hash(po.read_bytes())
    # edit the .po after compiling: the old .mo no longer counts
    po.write_text(po.read_text(encoding="utf-8").replace('"لا توجد بيانات صحفية."', '"ليس هناك أي بيان."'),
                  encoding="utf-8")
    assert i18n._load("ar").gettext("No releases.") == "ليس هناك أي بيان."
    # English reads its catalog only once compiled
    assert isinstance(i18n._load("en"), gettext.NullTranslations)
    assert i18n._load("xx").gettext("No releases.") == "No releases."


# ---------------------------------------------------------------- the catalogs commands (on a copy)
def test_extract_update_compile_stats_on_a_copy(tmp_path: Path) -> None:
    root = copy_source(tmp_path)
    src = str(root)
    before = (root / "locales" / "ar" / "LC_MESSAGES" / "pubflow.po").read_text(encoding="utf-8")
    assert "لا توجد بيانات صحفية." in before
    # first bring the copy in step with its code (other work may have added strings)
    assert run("catalogs", "extract", "--source", src).exit_code == 0
    assert run("catalogs", "update", "--source", src, "--no-fuzzy-matching").exit_code == 0
    base = {s["language"]: s for s in json.loads(run("catalogs", "stats", "--source", src, "--json").stdout)}
    # a new message, and a changed one
    (root / "workflow" / "zz_new.py").write_text(
        'from workflow.i18n import _\n\n\ndef hello(who: str) -> str:\n'
        '    return _("A brand-new greeting for {who}").format(who=who)\n', encoding="utf-8")
    cli_py = root / "workflow" / "cli" / "catalogs.py"
    code = cli_py.read_text(encoding="utf-8").replace('_("(unchanged)")', '_("(unchanged here)")')
    code = code.replace('help=N_("Also compile fuzzy translations.")', 'help="Also compile fuzzy translations."')
    cli_py.write_text(code, encoding="utf-8")
    result = run("catalogs", "extract", "--source", src, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["written"] is True
    assert set(data["added"]) == {"A brand-new greeting for {who}", "(unchanged here)"}
    assert data["removed"] == ["(unchanged)", "Also compile fuzzy translations."]
    result = run("catalogs", "update", "--source", src, "--json")
    by_lang = {r["language"]: r for r in json.loads(result.stdout)}
    assert (by_lang["ar"]["added"], by_lang["ar"]["fuzzy"], by_lang["ar"]["obsolete"]) == (1, 1, 1)
    ar_po = root / "locales" / "ar" / "LC_MESSAGES" / "pubflow.po"
    text = ar_po.read_text(encoding="utf-8")
    assert '#, fuzzy\nmsgid "(unchanged here)"\nmsgstr "(دون تغيير)"' in text
    assert '#~ msgid "Also compile fuzzy translations."' in text
    assert '#~ msgid "(unchanged)"' not in text  # it lives on as the fuzzy entry, as with pybabel
    assert 'msgid "A brand-new greeting for {who}"\nmsgstr ""' in text
    # the English catalog translates each message to itself, fuzzy or new
    en_text = (root / "locales" / "en" / "LC_MESSAGES" / "pubflow.po").read_text(encoding="utf-8")
    assert 'msgid "(unchanged here)"\nmsgstr "(unchanged here)"' in en_text
    stats = {s["language"]: s for s in json.loads(run("catalogs", "stats", "--source", src, "--json").stdout)}
    assert stats["ar"]["fuzzy"] == base["ar"]["fuzzy"] + 1
    assert stats["ar"]["untranslated"] == base["ar"]["untranslated"] + 1
    assert stats["ar"]["missing"] == 0
    assert stats["ar"]["percent"] < 100.0
    assert stats["en"]["percent"] == 100.0
    table = run("catalogs", "stats", "--source", src)
    assert "ar" in table.stdout
    assert "%" in table.stdout
    # compile: fuzzy entries are left out, as pybabel and msgfmt do; --use-fuzzy takes them
    result = run("catalogs", "compile", "--source", src, "--lang", "ar")
    assert result.exit_code == 0, result.output
    mo = ar_po.with_suffix(".mo")
    tr = gettext.GNUTranslations(io.BytesIO(mo.read_bytes()))
    assert tr.gettext("(unchanged here)") == "(unchanged here)"
    assert tr.gettext("error: {message}") == "خطأ: {message}"
    run("catalogs", "compile", "--source", src, "--lang", "ar", "--use-fuzzy")
    tr = gettext.GNUTranslations(io.BytesIO(mo.read_bytes()))
    assert tr.gettext("(unchanged here)") == "(دون تغيير)"
    # update again with --ignore-obsolete drops the #~ entry
    run("catalogs", "update", "--source", src, "--ignore-obsolete")
    assert "\n#~ msgid" not in ar_po.read_text(encoding="utf-8")
    # nothing new: extract leaves the template alone
    pot = root / "locales" / "messages.pot"
    stamp = pot.read_bytes()
    result = run("catalogs", "extract", "--source", src, "--json")
    assert json.loads(result.stdout)["written"] is False
    assert pot.read_bytes() == stamp


def test_compile_refuses_a_catalog_with_a_broken_placeholder(tmp_path: Path) -> None:
    root = copy_source(tmp_path)
    ar_po = root / "locales" / "ar" / "LC_MESSAGES" / "pubflow.po"
    ar_po.write_text(ar_po.read_text(encoding="utf-8").replace('msgstr "{id}: سُجّل التعليق"',
                                                               'msgstr "{rid}: سُجّل التعليق"'), encoding="utf-8")
    result = run("catalogs", "compile", "--source", str(root), "--lang", "ar")
    assert result.exit_code == 5
    assert "{id}: comment recorded" in result.stderr
    assert not ar_po.with_suffix(".mo").exists()


def test_catalog_commands_outside_a_source_checkout(tmp_path: Path) -> None:
    result = run("catalogs", "extract", "--source", str(tmp_path))
    assert result.exit_code == 3
    assert result.stderr.startswith("error: no pubflow source checkout at")
    assert "pass --source" in result.stderr
    root = copy_source(tmp_path)
    result = run("catalogs", "update", "--source", str(root), "--lang", "qq-nonsense")
    assert result.exit_code == 2
    assert "unknown language 'qq-nonsense'" in result.stderr
    result = run("catalogs", "stats", "--source", str(root), "--lang", "fr")
    assert result.exit_code == 3
    assert "pubflow catalogs update --lang fr" in result.stderr


def test_a_newsroom_overrides_single_strings_with_its_own_compiled_catalog(newsroom: Path) -> None:
    own = newsroom / "locales"
    po = own / "ar" / "LC_MESSAGES" / "pubflow.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: ar\\n"\n\n'
                  'msgid "Home"\nmsgstr "الصفحة الأولى"\n', encoding="utf-8")
    result = run("catalogs", "compile", "--locales", str(own), "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["messages"] == 1
    stats = json.loads(run("catalogs", "stats", "--locales", str(own), "--json").stdout)
    assert [(s["language"], s["translated"], s["missing"]) for s in stats] == [("ar", 1, None)]
    pages = i18n.translations_for("ar", own)
    assert pages.gettext("Home") == "الصفحة الأولى"  # the newsroom's word
    assert pages.gettext("Press release") == "بيان صحفي"  # pubflow's catalog behind it


@pytest.mark.parametrize(("name", "text", "kind"), [
    ("templates/bad.html.j2", '{% if x %}\n{{ _("Broken") }}\n', "TemplateSyntaxError"),
    ("workflow/zz_bad.py", 'from workflow.i18n import _\nx = _("unclosed\n', "TokenError"),
])
def test_extract_names_a_file_that_does_not_parse_and_writes_nothing(tmp_path: Path, name: str, text: str,
                                                                      kind: str) -> None:
    root = copy_source(tmp_path)
    (root / name).write_text(text, encoding="utf-8")
    pot = root / "locales" / "messages.pot"
    before = pot.read_bytes()
    result = run("catalogs", "extract", "--source", str(root))
    assert result.exit_code == 5
    assert result.stderr.startswith(f"error: cannot extract messages from {name}: {kind}")
    assert len(result.stderr.splitlines()) == 1
    assert pot.read_bytes() == before
