"""The event-built YAML reading gives exactly what the full strict loader gives.

`yamlio.parse` builds plain documents from the C parser's events (twice as
fast) and hands anything else to the full loader; whichever path reads a
text, the caller must see the same data or the same error line.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLE_ID
from workflow.errors import PubflowError
from workflow.storage import yamlio


def _outcome(text: str, fast: bool) -> object:
    saved = yamlio._from_events
    if not fast:
        def refuse(_text: str) -> object:
            raise yamlio._Unusual
        yamlio._from_events = refuse  # type: ignore[assignment]
    try:
        return ("data", yamlio.parse(text, "f.yaml"))
    except PubflowError as exc:
        return ("error", type(exc).__name__, exc.line())
    except Exception as exc:  # noqa: BLE001 - whatever the full loader raises, both must raise it
        return ("raised", type(exc).__name__, str(exc))
    finally:
        yamlio._from_events = saved


def same(text: str) -> object:
    fast, full = _outcome(text, True), _outcome(text, False)
    assert fast == full, text
    return fast


scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.text(max_size=30),
                    st.floats(allow_nan=False), st.dates(), st.sampled_from(
                        ["yes", "no", "on", "off", "~", "null", "0123", "0x1f", "1_000", "+5", "-0", "0",
                         "2019-07-22", "1.5e3", ".inf", "<<", "=", "!x", "&a", "*a", "- a", "a: b", "#c", "٢٠١٩"]))
data = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8) | st.sampled_from(["yes", "1", "~"]), inner,
                                                 max_size=4)), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(data, st.sampled_from([None, True, False]), st.booleans())
def test_dumped_data_reads_the_same_both_ways(value, flow, unicode):
    text = yaml.safe_dump(value, default_flow_style=flow, allow_unicode=unicode)
    same(yamlio.format_yaml(value))  # as pubflow writes it
    outcome = same(text)
    if not isinstance(value, datetime.date):
        assert outcome == ("data", yaml.load(text, Loader=yaml.SafeLoader))  # noqa: S506


FRAGMENTS = ["a: 1\n", "a: 2\n", "b: &x [1]\n", "c: *x\n", "d: !!str 5\n", "<<: {e: 1}\n", "f: 2019-02-30\n",
             "g: 0o17\n", "h:\n  - 1\n  - [2, {i: 3}]\n", "? [j]\n: 4\n", "---\n", "...\n", "k: !!binary aGk=\n",
             "l: |\n  block\n", "m: 'quoted'\n", "n:\n", "1: int key\n", "o: {p: 1, p: 2}\n", "q: [\n",
             "r: \"\\x41\"\n", "s: !custom 1\n", "t: &y text\n", "u: *y\n", "%YAML 1.1\n", "v: 1.0\n",
             "w: -7\n", "x: ~\n", "- 1\n"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=6))
def test_odd_documents_read_or_fail_the_same_both_ways(parts):
    same("".join(parts))


def test_what_only_the_full_loader_reads():
    assert same("a: &x [1]\nb: *x\n")[0] == "error"  # an alias of a container: refused
    assert same("a: &x t\nb: *x\n") == ("data", {"a": "t", "b": "t"})  # a scalar alias: harmless
    assert same("<<: {a: 1}\nb: 2\n") == ("data", {"a": 1, "b": 2})  # a merge key
    assert same("a: 1\na: 2\n")[2].endswith("duplicate key 'a' (keep one of them: YAML would silently use only "
                                            "the last)")
    assert same("a: 0123\nb: 0o17\nc: 1_000\nd: 2019-07-22\n") == ("data", {
        "a": 83, "b": "0o17", "c": 1000, "d": datetime.date(2019, 7, 22)})
    assert same("[" * 70 + "]" * 70)[2].startswith("f.yaml: nested more than 64 levels deep")
    assert same("a: 1\n---\nb: 2\n")[0] == "error"
    assert same("") == ("data", None)


def test_a_date_that_is_none_is_invalid_data_not_a_crash():
    assert same("date: 2019-02-30\n") == ("error", "InvalidData", "f.yaml: a value YAML cannot read: day is out of "
                                          "range for month (fix that value, or quote it to keep it as text)")


def test_an_integer_over_pythons_digit_limit_does_not_hide_the_first_real_error(cli, sample_id):
    """int() refuses more than 4,300 digits; the event-built path met that number before the full
    loader's syntax and duplicate-key checks, so the same file gave another error line."""
    huge = "9" * 5000
    for tail, words in (("a: 1\n", "duplicate key 'a'"), ("b: [\n", "did not find expected node content")):
        assert same(f"a: {huge}\n{tail}")[2] == _outcome(f"a: {huge}\n{tail}", False)[2]
        path = cli.root / "releases" / sample_id / "release.yaml"
        path.write_text(path.read_text("utf-8") + f"a: {huge}\n{tail}", "utf-8")
        result = cli("show", sample_id)
        assert result.exit_code == 5, result.output
        assert words in result.stderr, result.stderr
        assert "4300 digits" not in result.stderr, result.stderr
        path.write_text(path.read_text("utf-8").replace(f"a: {huge}\n{tail}", ""), "utf-8")


def test_an_integer_too_long_to_print_is_a_value_yaml_cannot_read() -> None:
    """Hexadecimal, binary and sexagesimal integers escape int()'s digit limit; the first message that
    showed one was an internal error (exit 1).  Both paths refuse it like a long decimal one."""
    for text in ("a: 0x" + "f" * 5000, "a: 0b" + "1" * 20000, "a: " + "1:" * 3000 + "1",
                 "? 0x" + "f" * 5000 + "\n: 1\n", "a: " + "1" * 5000):
        outcome = same(text)
        assert outcome[0] == "error", outcome
        assert "a value YAML cannot read" in str(outcome[2])
    assert same("a: [0x1f, 0b11, 190:20:30]") == ("data", {"a": [31, 3, 685230]})


def test_a_release_with_an_endless_hexadecimal_category_is_invalid_data(sample: Path,
                                                                        run: Callable[..., str]) -> None:
    release = sample / "releases" / SAMPLE_ID / "release.yaml"
    text = release.read_text("utf-8")
    release.write_text(re.sub(r"(?m)^category:.*$", "category: 0x" + "f" * 5000, text, count=1), "utf-8")
    line = run("build", code=5)
    assert "release.yaml: a value YAML cannot read" in line
