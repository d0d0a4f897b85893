"""Hostile input corpus: every case is refused with one clear line and changes nothing.

Across YAML (pubflow.yaml, release files, front matter), source files, release
ids, CLI arguments, PO/XLIFF files and templates.  For each case: exactly one
stderr line starting with `error: `, the documented exit code, no traceback,
and the newsroom byte-for-byte unchanged (hash of every file before/after).
XLIFF external entities and entity bombs are covered in tests/test_exchange.py.

Decision on bidi controls: the overrides LRO/RLO (U+202D/U+202E) are refused
in titles and history comments (they make stored text display differently);
RLM/LRM marks and isolates are legitimate Arabic text and accepted.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import EDITOR, FIXTURES, TRANSLATOR, WRITER, Cli, tree_hash

RID = "2024-02-02-base-release"
PWNED = "pubflow-hostile-pwned"


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    code: int
    message: str
    setup: Callable[[Path, Path], None] | None = None
    as_: str | None = EDITOR


def put(relative: str, content: str | bytes) -> Callable[[Path, Path], None]:
    """Replace a newsroom file."""
    def setup(root: Path, _tmp: Path) -> None:
        path = root / relative
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return setup


def edit(relative: str, old: str, new: str) -> Callable[[Path, Path], None]:
    """Change one piece of a newsroom file (the piece must be there)."""
    def setup(root: Path, _tmp: Path) -> None:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, (relative, old)
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return setup


def source_file(content: str | bytes, name: str = "input.md") -> Callable[[Path, Path], None]:
    """An input file outside the newsroom, passed as {input}."""
    def setup(_root: Path, tmp: Path) -> None:
        path = tmp / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return setup


def po_edit(old: str, new: str) -> Callable[[Path, Path], None]:
    """The exported PO of the base release, changed."""
    def setup(_root: Path, tmp: Path) -> None:
        path = tmp / "input.po"
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return setup


def history_mapping(root: Path, _tmp: Path) -> None:
    import yaml

    path = root / RELEASE
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["history"] = {"0": data["history"][0]}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")


CONFIG = "pubflow.yaml"
RELEASE = f"releases/{RID}/release.yaml"
EN = f"releases/{RID}/en.yaml"
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n" + \
       "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
PYTAG = f'!!python/object/apply:os.system ["touch /tmp/{PWNED}"]\n'
RLO = "\u202e"
BIG = "word " * 2_000_000  # a 10 MB paragraph

CASES = [
    # ---- YAML in pubflow.yaml
    Case("config alias bomb", ("list",), 5, "YAML anchors and aliases are not allowed", put(CONFIG, BOMB)),
    Case("config python tag", ("list",), 5, "could not determine a constructor", put(CONFIG, PYTAG)),
    Case("config python name tag", ("list",), 5, "could not determine a constructor",
         put(CONFIG, "schema: !!python/name:os.system\n")),
    Case("config deep nesting", ("list",), 5, "exceeded maximum nesting depth", put(CONFIG, "[" * 20000 + "]" * 20000)),
    Case("config NUL byte", ("list",), 5, "contains a NUL character", put(CONFIG, b"schema: 1\x00\n")),
    Case("config invalid UTF-8", ("list",), 5, "not valid UTF-8 at byte 10", put(CONFIG, b"schema: 1\n\xff\xfe\n")),
    Case("config top-level list", ("list",), 5, "expected a mapping at the top level", put(CONFIG, "- a\n- b\n")),
    Case("config 'no' as a language code", ("list",), 5, "not a BCP 47 language code",
         edit(CONFIG, "  ar: {name: العربية", "  no: {name: Norsk}\n  ar: {name: العربية")),
    Case("config languages as a list", ("list",), 5, "languages",
         edit(CONFIG, "languages:\n  en: {name: English, direction: ltr, date_locale: en_GB, digits: latn}\n"
                      "  ar: {name: العربية, direction: rtl, date_locale: ar_SY, digits: latn}",
              "languages: [en, ar]")),
    Case("config roles not a list", ("list",), 5, "roles",
         edit(CONFIG, "roles: [writer]}", "roles: writer}")),
    Case("config git section with a hostile remote", ("list",), 5, "is not a git name",
         edit(CONFIG, "publish_policy:", "git:\n  remote: '--upload-pack=touch /tmp/x'\npublish_policy:")),
    # ---- release files
    Case("release python tag", ("show", RID), 5, "could not determine a constructor", put(RELEASE, PYTAG)),
    Case("release alias", ("show", RID), 5, "YAML anchors and aliases are not allowed",
         edit(RELEASE, "history:\n", "extra: &x [1]\nmore: *x\nhistory:\n")),
    Case("release revision is text", ("show", RID), 5, "field revision must be int",
         edit(RELEASE, "revision: 4", "revision: abc")),
    Case("release negative revision", ("show", RID), 5, "revision must not be negative",
         edit(RELEASE, "revision: 4", "revision: -1")),
    Case("release state is a list", ("show", RID), 5, "field state must be str",
         edit(RELEASE, "state: translation", "state: [1]")),
    Case("release history is a mapping", ("show", RID), 5, "field history must be list", history_mapping),
    Case("release unknown event kind", ("show", RID), 5, "unknown event kind 'hack'",
         edit(RELEASE, "kind: comment", "kind: hack")),
    Case("release id does not match its folder", ("show", RID), 5, "does not match its folder",
         edit(RELEASE, f"id: {RID}", "id: 2019-01-01-other")),
    Case("release unknown language", ("show", RID), 5, "language 'fr' is not configured",
         edit(RELEASE, "- ar\n", "- ar\n- fr\n")),
    Case("release source language 'no'", ("show", RID), 5, "source_language",
         edit(RELEASE, "source_language: en", "source_language: no")),
    Case("release future schema", ("show", RID), 5, "schema 99 is not supported",
         edit(RELEASE, "schema: 2", "schema: 99")),
    Case("release embargo without zone", ("show", RID), 5, "has no time zone",
         edit(RELEASE, "embargo: null", "embargo: '2024-02-02T09:00'")),
    Case("release empty file", ("show", RID), 5, "expected a mapping", put(RELEASE, "")),
    Case("segment id path traversal", ("show", RID), 5, "is not title, source or pN",
         edit(EN, "- id: p1", "- id: ../../etc/passwd")),
    Case("segment file invalid UTF-8", ("show", RID), 5, "not valid UTF-8", put(EN, b"schema: 1\nx: \xc3\x28\n")),
    # ---- source files and front matter (pubflow new --from)
    Case("front matter alias bomb", ("new", "--from", "{input}"), 5, "YAML anchors and aliases are not allowed",
         source_file("---\n" + BOMB + "---\nBody.\n")),
    Case("front matter python tag", ("new", "--from", "{input}"), 5, "could not determine a constructor",
         source_file("---\ntitle: " + PYTAG + "---\nBody.\n")),
    Case("front matter not closed", ("new", "--from", "{input}"), 5, "front matter is not closed",
         source_file("---\ntitle: A\nBody.\n")),
    Case("front matter is a list", ("new", "--from", "{input}"), 5, "front matter must be a mapping",
         source_file("---\n- a\n---\nBody.\n")),
    Case("front matter unknown field", ("new", "--from", "{input}"), 5, "unknown front matter field script",
         source_file("---\ntitle: A\nscript: x\n---\nBody.\n")),
    Case("front matter lang 'no'", ("new", "--from", "{input}"), 5, "front matter field lang must be text",
         source_file("---\ntitle: A\nlang: no\n---\nBody.\n")),
    Case("RLO in a title from a file", ("new", "--from", "{input}"), 5, "bidi override RLO",
         source_file(f"---\ntitle: Statement{RLO}txt.exe\n---\nBody.\n")),
    Case("10 MB source file", ("new", "--from", "{input}"), 5, "file is larger than 4 MB",
         source_file("Title\n\n" + BIG + "\n")),
    Case("200 KB paragraph", ("new", "--from", "{input}"), 5, "characters long (limit 100000)",
         source_file("Title\n\n" + BIG[:200_000] + "\n")),
    Case("NUL in a source file", ("new", "--from", "{input}"), 5, "contains a NUL character",
         source_file("Title\n\nBody\x00.\n")),
    Case("source file invalid UTF-8", ("new", "--from", "{input}"), 5, "not valid UTF-8",
         source_file(b"Title\n\nBody \xe9t\xe9.\n")),
    Case("binary source file", ("new", "--from", "{input}"), 5, "not valid UTF-8",
         source_file(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff")),
    Case("empty source file", ("new", "--from", "{input}"), 5, "the file is empty", source_file("")),
    Case("source file missing", ("new", "--from", "{tmp}/nothing-here.md"), 3, "no such file"),
    # ---- release ids
    Case("id path traversal", ("show", "../x"), 2, "is not a release id"),
    Case("id absolute path", ("show", "/etc/passwd"), 2, "is not a release id"),
    Case("id with a backslash", ("comment", "2024-02-02-a\\b", "-m", "x"), 2, "is not a release id"),
    Case("id very long", ("show", "2024-02-02-" + "a" * 500), 2, "is not a release id"),
    Case("id with Arabic-Indic digits", ("show", "٢٠٢٤-٠٢-٠٢-base-release"), 2, "is not a release id"),
    Case("id with fullwidth digits", ("show", "２０２４-02-02-base-release"), 2, "is not a release id"),
    Case("id with an impossible date", ("show", "2024-02-30-base-release"), 2, "does not start with a real date"),
    Case("id traversal after a valid prefix", ("show", f"{RID}/../../etc"), 2, "is not a release id"),
    Case("slug path traversal", ("new", "--title", "A", "--body", "B", "--slug", "../../.."), 2,
         "--slug '../../..' has no letter or digit to make a slug of (a slug is lower-case a-z"),
    Case("slug of bidi controls only", ("new", "--title", "A", "--body", "B", "--slug", f"{RLO}\u202c"), 2,
         "has no letter or digit to make a slug of"),
    # ---- CLI arguments
    Case("RLO in --title", ("new", "--title", f"Invoice{RLO}fdp.exe", "--body", "B"), 5, "bidi override RLO"),
    Case("LRO in a comment", ("comment", RID, "-m", "ok \u202dreversed"), 5, "bidi override LRO"),
    Case("RLO in a transition comment", ("reject", RID, "-m", f"no{RLO}sey"), 5, "bidi override RLO"),
    Case("unknown person", ("comment", RID, "-m", "hi"), 4, "is not one of this newsroom's people",
         as_="mallory@example.org"),
    Case("'no' as --lang", ("new", "--lang", "no", "--title", "A", "--body", "B"), 2, "unknown language 'no'"),
    Case("malformed --lang", ("new", "--lang", "e n;rm", "--title", "A", "--body", "B"), 2,
         "is not a language code"),
    Case("unknown --lang for list", ("list", "--lang", "fr"), 2, "unknown language 'fr'"),
    Case("impossible --date", ("new", "--title", "A", "--body", "B", "--date", "2019-13-45"), 2, "is not a date"),
    Case("--embargo without zone", ("new", "--title", "A", "--body", "B", "--embargo", "2024-01-01T09:00"), 2,
         "has no time zone"),
    Case("empty comment", ("comment", RID, "-m", "   "), 2, "the comment is empty"),
    Case("unknown state filter", ("list", "--state", "'; DROP TABLE"), 2, "unknown state"),
    Case("unknown transition", ("move", RID, "fly"), 2, "unknown transition 'fly'"),
    Case("unknown workflow format", ("workflow", "--format", "xml"), 2, "unknown format"),
    Case("root that is no newsroom", ("--root", "/etc", "list"), 3, "no pubflow.yaml in /etc"),
    Case("bad lock timeout", ("comment", RID, "-m", "x"), 5, "PUBFLOW_LOCK_TIMEOUT"),
    # ---- PO files (pubflow import)
    Case("PO header names a traversal id", ("import", "{tmp}/input.po"), 5, "is not a release id",
         po_edit(f"X-Pubflow-Release: {RID}", "X-Pubflow-Release: ../../etc/passwd"), TRANSLATOR),
    Case("PO msgctxt traversal", ("import", "{tmp}/input.po"), 5, "../x",
         po_edit('msgctxt "p1"', 'msgctxt "../x"'), TRANSLATOR),
    Case("PO with a NUL byte", ("import", "{tmp}/input.po"), 5, "",
         po_edit('msgctxt "p1"', 'msgctxt "p1\x00"'), TRANSLATOR),
    Case("PO for an unknown language", ("import", "{tmp}/input.po"), 4, "language xx, which is not a target",
         po_edit("Language: ar", "Language: xx"), TRANSLATOR),
    # ---- templates (pubflow render)
    Case("template with a syntax error", ("render", RID, "--lang", "en", "-o", "{tmp}/out"), 5, "template",
         put("templates/release.html.j2", "{% if %}\n")),
]


ALL = CASES


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A newsroom with one release in translation (and its PO export), built once."""
    top = tmp_path_factory.mktemp("hostile")
    root = top / "newsroom"
    shutil.copytree(FIXTURES / "newsroom", root)
    if (FIXTURES.parent.parent / "templates").is_dir():
        shutil.copytree(FIXTURES.parent.parent / "templates", root / "templates", dirs_exist_ok=True)
    cli = Cli(root)
    r = cli("new", "--title", "Base release", "--body", "First paragraph.\n\nSecond paragraph.",
            "--date", "2024-02-02", as_=WRITER)
    assert r.exit_code == 0, r.output
    assert cli("submit", RID, as_=WRITER).exit_code == 0
    assert cli("comment", RID, "-m", "fine").exit_code == 0
    assert cli("approve", RID).exit_code == 0
    r = cli("export", RID, "--lang", "ar", "--format", "po", "-o", str(top / "input.po"), as_=TRANSLATOR)
    assert r.exit_code == 0, r.output
    return top


@pytest.mark.parametrize("case", ALL, ids=[c.name for c in ALL])
def test_hostile_input_is_refused_cleanly(case: Case, base: Path, tmp_path: Path) -> None:
    root = tmp_path / "newsroom"
    shutil.copytree(base / "newsroom", root)
    shutil.copy(base / "input.po", tmp_path / "input.po")
    if case.setup is not None:
        case.setup(root, tmp_path)
    before = tree_hash(root)
    outside_before = sorted(p.name for p in tmp_path.iterdir())
    args = [a.replace("{input}", str(tmp_path / "input.md")).replace("{tmp}", str(tmp_path)) for a in case.args]
    env = {"PUBFLOW_LOCK_TIMEOUT": "soon"} if case.name == "bad lock timeout" else None
    r = Cli(root)(*args, as_=case.as_, env=env)
    assert r.exit_code == case.code, (r.exit_code, r.output)
    lines = r.stderr.splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: "), lines
    assert case.message in lines[0], lines[0]
    assert "Traceback" not in r.output
    assert "internal error" not in r.stderr
    assert r.stdout == ""
    assert tree_hash(root) == before, "the newsroom changed"
    assert sorted(p.name for p in tmp_path.iterdir()) == outside_before, "files appeared next to the input"
    assert not Path("/tmp", PWNED).exists()


def test_the_corpus_is_large_enough() -> None:
    assert len(ALL) >= 40
    assert len({c.name for c in ALL}) == len(ALL)


@pytest.mark.parametrize("text", ["مرحبا\u200fبكم", "Release \u200eA1\u200e", "بيان \u2068ACME\u2069"])
def test_marks_and_isolates_are_legitimate_in_titles_and_comments(cli, text):
    r = cli("new", "--title", text, "--body", "Body.", "--date", "2024-02-02", "--slug", "marks", as_=WRITER)
    assert r.exit_code == 0, r.output
    assert cli("comment", "2024-02-02-marks", "-m", text).exit_code == 0


@pytest.mark.parametrize("name", ["../evil.html", "/etc/passwd", "en/../../x", "en\\..\\x", "", "a\x00b",
                                  "C:/windows/x", "en//x", "./x"])
def test_zip_entries_cannot_escape(name: str, tmp_path: Path) -> None:
    from workflow.errors import InvalidData
    from workflow.storage import store

    with pytest.raises(InvalidData, match="entries must be plain relative paths"):
        store.write_zip(tmp_path / "bundle.zip", {"index.html": b"ok", name: b"evil"})
    assert list(tmp_path.iterdir()) == []


def test_bundle_entries_are_plain_relative_paths(tmp_path: Path) -> None:
    import zipfile

    from workflow.storage import store

    store.write_zip(tmp_path / "b.zip", {"en/2024-02-02-x/index.html": b"<p>", "manifest.json": b"{}"})
    names = zipfile.ZipFile(tmp_path / "b.zip").namelist()
    assert names == ["en/2024-02-02-x/index.html", "manifest.json"]
