"""A newcomer's first hour (issue 16): init in an empty folder, a source-first round, help and tables, errors,
and the Arabic interface with no English words left (issue 11, item 4)."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from tests.test_help import PATHS
from workflow.cli.app import COMMANDS, app
from workflow.storage import yamlio

ROOT = Path(__file__).resolve().parents[1]
STATEMENT = "Minister opens new school\n\nThe minister opened a school in the north.\n\nIt has 300 pupils.\n"
ARABIC = {"title": "الوزير يفتتح مدرسة جديدة", "p1": "افتتح الوزير مدرسة في الشمال.", "p2": "فيها 300 تلميذ."}


def run(*args: str, as_: str | None = None, cwd_env: dict[str, str] | None = None) -> Any:
    env = {"COLUMNS": "200", **({"PUBFLOW_USER": as_} if as_ else {}), **(cwd_env or {})}
    return CliRunner().invoke(app, list(args), prog_name="pubflow", env=env, catch_exceptions=False)


def ok(result: Any) -> Any:
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result


@pytest.fixture
def empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "office"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.delenv("PUBFLOW_ROOT", raising=False)
    return folder


def test_init_in_an_empty_folder_asks_nothing_and_copies_no_template(empty: Path) -> None:
    out = ok(run("init")).stdout  # no DIR: this folder; not a terminal: no question
    assert out.startswith("Created a newsroom in .\n")
    assert out.rstrip().endswith("Next: put your people in pubflow.yaml, then write a release: "
                                 "`pubflow new --from FILE`.")
    config = yamlio.read(empty / "pubflow.yaml")
    assert config["site"] == {"en": "Press Office", "ar": "المكتب الصحفي"}
    assert "base_url" not in config["outputs"]
    assert list((empty / "templates").iterdir()) == []  # pubflow's templates serve until the newsroom adds one
    glossary = yamlio.read(empty / "glossary.yaml")
    assert glossary == {"schema": 1, "terms": []}
    assert "# " in (empty / "glossary.yaml").read_text(encoding="utf-8")  # it explains itself
    again = run("init")
    assert again.exit_code == 6
    assert again.stderr == (f"error: {empty / 'pubflow.yaml'} is already a newsroom (nothing was written; work in "
                            "it with `pubflow list`, or init another folder)\n")


def test_init_takes_site_names_and_base_url(tmp_path: Path) -> None:
    room = tmp_path / "room"
    out = ok(run("init", str(room), "--site-en", "Media Office", "--site-ar", "المكتب الإعلامي",
                 "--base-url", "https://example.org/news")).stdout
    assert f"`cd {room} && pubflow new --from FILE`" in out
    config = yamlio.read(room / "pubflow.yaml")
    assert config["site"] == {"en": "Media Office", "ar": "المكتب الإعلامي"}
    assert config["outputs"]["base_url"] == "https://example.org/news/"
    bad = run("init", str(tmp_path / "other"), "--base-url", "javascript:alert(1)")
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: --base-url 'javascript:alert(1)' is not an http(s) URL (give the address")
    assert not (tmp_path / "other").exists()


def test_templates_copy_starts_an_override_and_the_others_stay_pubflows(empty: Path) -> None:
    ok(run("init"))
    listed = ok(run("templates")).stdout
    assert re.search(r"^release\.html\.j2 +pubflow's$", listed, re.M)
    done = ok(run("templates", "copy", "release.txt.j2")).stdout
    assert done == "Copied to templates/release.txt.j2; edit it there: it now overrides pubflow's release.txt.j2.\n"
    assert [p.name for p in (empty / "templates").iterdir()] == ["release.txt.j2"]
    assert re.search(r"^release\.txt\.j2 +yours: templates/release\.txt\.j2$", ok(run("templates")).stdout, re.M)
    ours = empty / "templates" / "release.txt.j2"
    ours.write_text("OURS {{ page.title }}\n", encoding="utf-8")
    again = run("templates", "copy", "release.txt.j2")
    assert again.exit_code == 6
    assert ours.read_text(encoding="utf-8") == "OURS {{ page.title }}\n"
    unknown = run("templates", "copy", "../pubflow.yaml")
    assert unknown.exit_code == 3
    assert "choose one of base.html.j2" in unknown.stderr
    # the override is used, the packaged page template still renders the HTML
    (empty / "statement.txt").write_text(STATEMENT, encoding="utf-8")
    ok(run("new", "--from", "statement.txt", as_="Writer"))
    rid = next(p.name for p in (empty / "releases").iterdir())
    ok(run("render", rid, "-l", "en", "-o", str(empty / "look")))
    assert (empty / "look" / "en" / rid / "release.txt").read_text(encoding="utf-8").startswith("OURS Minister")
    assert "<html" in (empty / "look" / "en" / rid / "index.html").read_text(encoding="utf-8")


def test_a_source_first_round_from_an_empty_folder(empty: Path) -> None:
    ok(run("init"))
    config = empty / "pubflow.yaml"
    config.write_text(config.read_text("utf-8").replace("publish_policy: all_at_once",
                                                        "publish_policy: source_first"), "utf-8")
    (empty / "statement.txt").write_text(STATEMENT, encoding="utf-8")
    created = ok(run("new", "--from", "statement.txt", as_="Writer")).stdout
    rid = re.match(r"Created (\S+) ", created).group(1)  # type: ignore[union-attr]
    ok(run("submit", rid, as_="Writer"))
    ok(run("approve", rid, as_="Editor"))
    published = ok(run("publish", rid, "-l", "en", as_="Editor")).stdout
    assert published.startswith(f"{rid}: published en; the release stays in Translation until every language")
    listed = ok(run("list")).stdout
    assert re.search(rf"^{rid} .* translation +en +en ✓ ar 0/3$", listed, re.M), listed
    shown = ok(run("show", rid)).stdout
    assert "\nprogress: en ✓ ar 0/3\nout: en\n" in shown
    again = ok(run("publish", rid, "-l", "en", as_="Editor")).stdout
    assert again.splitlines()[0] == f"{rid}: en already out and up to date; nothing to do."
    assert "Nothing changed" not in again
    # the translator's queue: aligned columns that say what to do
    pending = ok(run("pending")).stdout.splitlines()
    assert pending[1].split() == ["lang", "segment", "to", "do", "text"]
    starts = {line.index("translate") for line in pending[2:5]}
    assert len(starts) == 1, pending
    for segment, text in ARABIC.items():
        ok(run("set", rid, segment, "-l", "ar", "--text", text, as_="Translator"))
    # the reviewer sees the translation to approve, its source under it
    inbox = ok(run("inbox", as_="Reviewer")).stdout.splitlines()
    assert inbox[0] == "To approve (3):"
    assert inbox[2].split() == ["lang", "segment", "to", "do", "text"]
    row = inbox[3]
    assert row.split()[:3] == ["ar", "title", "approve"]
    assert row.endswith(ARABIC["title"])
    assert inbox[4].strip() == "← Minister opens new school"
    assert inbox[4].index("←") == row.index(ARABIC["title"])
    ok(run("review", rid, "-l", "ar", as_="Reviewer"))
    ok(run("publish", rid, "-l", "ar", as_="Editor"))
    listed = ok(run("list", "--json")).stdout
    assert json.loads(listed)[0]["state"] == "published"
    assert re.search(rf"^{rid} .* published +en +en ✓ ar 3/3✓$", ok(run("list")).stdout, re.M)


# ------------------------------------------------------------------ help: click's usual form, the same short options
def _help(path: tuple[str, ...], *lang: str) -> str:
    return str(ok(run(*lang, *path, "--help")).stdout)


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "pubflow")
def test_usage_lines_and_metavars_in_clicks_form(path: tuple[str, ...]) -> None:
    text = _help(path)
    usage = text.splitlines()[0]
    assert not re.search(r"[{}<>]", usage), usage
    assert not re.search(r"\[[a-z_]+\]", usage), usage  # [DIRECTORY], not [directory]
    for line in text.splitlines():
        assert not re.search(r"<[a-z][^>]*>", line), line  # TEXT, not <str>


def test_usage_names_the_argument() -> None:
    assert _help(("show",)).startswith("Usage: pubflow show [OPTIONS] RELEASE_ID\n")
    assert "\n  --title TEXT " in _help(("new",))
    assert "\n  --limit INTEGER RANGE " in _help(("list",))


def _options() -> dict[tuple[str, ...], list[Any]]:
    found: dict[tuple[str, ...], list[Any]] = {}
    root = typer.main.get_command(app)
    ctx = typer.Context(root, info_name="pubflow")
    for path in PATHS:
        command: Any = root
        for name in path:
            command = command.get_command(ctx, name)
        found[path] = [p for p in command.params if getattr(p, "param_type_name", "") == "option"]
    return found


def test_the_same_short_option_on_every_command_with_the_long_one() -> None:
    shorts: dict[str, set[str]] = {}
    for params in _options().values():
        for param in params:
            longs = [o for o in param.opts if o.startswith("--")]
            short = sorted(o for o in param.opts if not o.startswith("--"))
            for long in longs:
                shorts.setdefault(long, set()).add(",".join(short))
    mixed = {long: sorted(s) for long, s in shorts.items() if len(s) > 1}
    assert mixed == {}
    assert shorts["--lang"] == {"-l"}
    assert shorts["--message"] == {"-m"}
    assert shorts["--segment"] == {"-s"}


# ------------------------------------------------------------------ errors: a next step, no nested parentheses
def _workflow_trees() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted((ROOT / "workflow").rglob("*.py"))]


def _error_classes(trees: list[tuple[Path, ast.Module]]) -> set[str]:
    from workflow import errors

    names = {n for n, v in vars(errors).items() if isinstance(v, type) and issubclass(v, errors.PubflowError)}
    classes = [(node.name, {b.id for b in node.bases if isinstance(b, ast.Name)})
               for _path, tree in trees for node in ast.walk(tree) if isinstance(node, ast.ClassDef)]
    grew = True
    while grew:
        grew = False
        for name, bases in classes:
            if name not in names and bases & names:
                names.add(name)
                grew = True
    return names


def _literal(node: ast.AST | None) -> str | None:
    """The message id of `_("...")` / `_("...").format(...)`, or a plain string literal."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _literal(node.func.value)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_" and node.args:
        return _literal(node.args[0])
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def test_no_next_step_has_parentheses_of_its_own() -> None:
    """An error prints `message (next step)`: a next step with parentheses of its own would nest them."""
    trees = _workflow_trees()
    classes = _error_classes(trees)
    nested = []
    for path, tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in classes:
                hint = node.args[1] if len(node.args) > 1 else next(
                    (k.value for k in node.keywords if k.arg == "hint"), None)
                text = _literal(hint)
                if text and re.search(r"[()]", text):
                    nested.append(f"{path.relative_to(ROOT)}:{node.lineno}: {text}")
    assert nested == []


def test_every_error_line_ends_with_a_next_step(tmp_path: Path) -> None:
    """Errors that give no next step of their own get one by kind (workflow.cli.exits.next_step)."""
    from workflow import errors
    from workflow.cli.exits import handle

    for kind in (errors.InvalidData, errors.InvalidDefinition, errors.UsageError, errors.NotFound, errors.Refused,
                 errors.Conflict, errors.ExternalError):
        assert handle(kind("something went wrong")) == kind.exit_code
    ok(run("init", str(tmp_path / "room")))
    (tmp_path / "room" / "glossary.yaml").write_text("schema: 9\nterms: []\n", encoding="utf-8")
    (tmp_path / "room" / "statement.txt").write_text(STATEMENT, encoding="utf-8")
    root = str(tmp_path / "room")
    ok(run("--root", root, "new", "--from", str(tmp_path / "room" / "statement.txt"), as_="Writer"))
    rid = next(p.name for p in (tmp_path / "room" / "releases").iterdir())
    lines = [
        run("--root", root, "new", "--from", str(tmp_path / "nowhere.txt"), as_="Writer").stderr,
        run("--root", root, "check", rid, "-l", "ar").stderr,
        run("--root", root, "show").stderr,
        run("--root", root, "show", rid, "extra").stderr,
        run("--root", root, "list", "--limit", "0").stderr,
        run("--root", root, "set", rid, "p9", "-l", "ar", "--text", "x", as_="Translator").stderr,
        run("--root", root, "set", rid, "p1", "-l", "ar", "--text", "x", as_="Translator").stderr,
        run("--root", root, "lsit").stderr,
    ]
    for line in lines:
        assert line.count("\n") == 1, line
        assert re.fullmatch(r"error: [^()]*(?:\([^()]*\)[^()]*)*\([^()]+\)\n", line), line  # no nesting, ends "(…)"
        assert "…" not in line, line


def test_click_usage_errors_speak_pubflow() -> None:
    assert run("show").stderr == "error: RELEASE_ID is missing (see `pubflow show --help`)\n"
    assert run("review", "x", "--segmnt", "p1").stderr == ("error: no option --segmnt (did you mean --segment? "
                                                           "see `pubflow review --help`)\n")
    assert run("list", "--limit", "x").stderr == "error: --limit takes a whole number (see `pubflow list --help`)\n"


# ------------------------------------------------------------------ the Arabic interface: no English words left
# Latin words that are not English prose: commands, values a user types or reads in files, names of things.
VALUES = {"en", "ar", "po", "xliff", "json", "table", "mermaid", "libre", "google", "microsoft", "mymemory", "qcri",
          "yandex", "title", "source", "latn", "arab", "fuzzy", "none", "copy", "git", "pubflow", "list", "rebase",
          "untranslated", "machine", "stale", "translated", "approved"}
NAMES = {"Markdown", "LibreTranslate", "Press", "Office", "Mermaid", "PDF", "XLIFF", "CAT", "Ctrl-C", "API", "HTTP",
         "Atom", "UTC", "YAML", "PO", "JSON"}


def english_words(text: str) -> list[str]:
    """Latin-script words of `text` that are not a command, option, id, value, file, or quoted code."""
    from workflow.core.statemachine import DEFAULT_WORKFLOW
    from workflow.translation.checks import CHECKS

    allowed = set(COMMANDS) | VALUES | NAMES | set(DEFAULT_WORKFLOW["states"]) | set(
        DEFAULT_WORKFLOW["transitions"]) | {c.id for c in CHECKS} | {p[-1] for p in PATHS if p}
    text = re.sub(r"`[^`]*`|'[^']*'|\"[^\"]*\"", " ", text)  # code and quoted values
    found = []
    for token in text.split():
        token = re.sub(r"^[\u0600-\u06ff\u200e\u200f(]+", "", token)  # an Arabic prefix (بـ--lang, وcompile),
        # a direction mark or an opening parenthesis before an option: (\u200e--at-embargo)
        if token.startswith("-") or re.search(r"[./_:@=\\\d]", token):
            continue  # options, files, URLs, ids, variables
        for word in re.findall(r"[A-Za-z][A-Za-z'’-]*", token):
            if word.isupper() or word in allowed or word.lower() in allowed or re.match(r"(Ctrl|Alt)-", word):
                continue  # metavars, environment variables, keys
            found.append(word)
    return found


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "pubflow")
def test_arabic_help_and_usage_errors_have_no_english_words(path: tuple[str, ...]) -> None:
    text = _help(path, "--ui-lang", "ar")
    assert english_words(text) == [], text
    wrong = run("--ui-lang", "ar", *path, "--no-such-option")
    assert wrong.exit_code == 2
    assert wrong.stderr.startswith("خطأ: ")
    assert english_words(wrong.stderr) == [], wrong.stderr


def test_arabic_show_and_a_mistyped_command_print_no_english_words(empty: Path) -> None:
    ok(run("init"))
    (empty / "statement.txt").write_text(STATEMENT, encoding="utf-8")
    rid = re.match(r"Created (\S+) ", ok(run("new", "--from", "statement.txt", as_="Writer")).stdout).group(1)  # type: ignore[union-attr]
    ok(run("submit", rid, as_="Writer"))
    ok(run("approve", rid, as_="Editor"))
    ok(run("set", rid, "title", "-l", "ar", "--text", ARABIC["title"], as_="Translator"))
    shown = ok(run("--ui-lang", "ar", "show", rid)).stdout
    # The release's own English text is content, not interface: take it out before looking.
    interface = shown.replace("Minister opens new school", "").replace(
        "The minister opened a school in the north.", "").replace("It has 300 pupils.", "")
    assert english_words(interface) == [], shown
    assert "[قيد الترجمة]" in shown
    assert "(مترجم)" in shown
    mistyped = run("--ui-lang", "ar", "lsit")
    assert mistyped.exit_code == 2
    assert english_words(mistyped.stderr) == [], mistyped.stderr
    for args in (["inbox"], ["pending"], ["list"]):
        assert english_words(ok(run("--ui-lang", "ar", *args, as_="Reviewer")).stdout.replace(
            "Minister opens new school", "").replace("It has 300 pupils.", "").replace(
            "The minister opened a school in the north.", "")) == [], args


def test_state_labels_come_from_pubflow_yaml_per_language(empty: Path) -> None:
    ok(run("init"))
    config = yamlio.read(empty / "pubflow.yaml")
    config["workflow"]["states"]["draft"]["label"] = {"en": "Being written", "ar": "قيد الكتابة"}
    (empty / "pubflow.yaml").write_text(yamlio.format_yaml(config), encoding="utf-8")
    (empty / "statement.txt").write_text(STATEMENT, encoding="utf-8")
    rid = re.match(r"Created (\S+) ", ok(run("new", "--from", "statement.txt", as_="Writer")).stdout).group(1)  # type: ignore[union-attr]
    assert ok(run("show", rid)).stdout.startswith(f"{rid}  [Being written]  r1")
    assert ok(run("--ui-lang", "ar", "show", rid)).stdout.startswith(f"{rid}  [قيد الكتابة]  r1")
    assert json.loads(ok(run("show", rid, "--json")).stdout)["state"] == "draft"  # values stay values


def test_the_segment_list_of_an_error_shows_an_ellipsis_only_for_a_gap(empty: Path) -> None:
    ok(run("init"))
    for name, paragraphs in (("five.txt", 4), ("many.txt", 9)):
        body = "\n\n".join(f"Paragraph number {n} of the statement." for n in range(1, paragraphs + 1))
        (empty / name).write_text(f"Statement {name}\n\n{body}\n", encoding="utf-8")
        rid = re.match(r"Created (\S+) ", ok(run("new", "--from", name, as_="Writer")).stdout).group(1)  # type: ignore[union-attr]
        ok(run("submit", rid, as_="Writer"))
        ok(run("approve", rid, as_="Editor"))
        error = run("set", rid, "p99", "-l", "ar", "--text", "x", as_="Translator").stderr
        if paragraphs == 4:
            assert error.endswith("(its segments: title, p1, p2, p3, p4)\n"), error
        else:
            assert error.endswith("(its segments: title, p1, p2, p3 … p9)\n"), error
