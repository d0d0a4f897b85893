"""CAT exchange: PO and XLIFF export/import, bad input, lossless round trips."""

from __future__ import annotations

import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EDITOR, FIXTURES, REVIEWER, TRANSLATOR
from workflow.core.config import Person
from workflow.core.guards import GuardContext, translations_complete
from workflow.core.model import Document, Release, TargetSegment, utc_now
from workflow.core.segments import SourceSegment, normalize
from workflow.storage.config_file import load_config
from workflow.storage.newsroom import Newsroom
from workflow.translation.exchange import XLIFF_NS, apply_units, export_bytes, parse_exchange

NS = {"x": XLIFF_NS}


def export(cli, tmp_path, rid, fmt, *extra, as_=TRANSLATOR, name=None):
    out = tmp_path / (name or f"out.{fmt}")
    r = cli("export", rid, "--lang", "ar", "--format", fmt, "-o", str(out), *extra, as_=as_)
    assert r.exit_code == 0, r.output
    return out


def fill_xliff(path, texts, state="translated"):
    """What a CAT tool does: write targets and mark them."""
    ET.register_namespace("", XLIFF_NS)
    tree = ET.parse(path)
    for tu in tree.getroot().iter(f"{{{XLIFF_NS}}}trans-unit"):
        seg_id = tu.get("id")
        target = tu.find("x:target", NS)
        if target is None:
            target = ET.Element(f"{{{XLIFF_NS}}}target")
            tu.insert(1, target)
        if seg_id in texts:
            target.text = texts[seg_id]
        target.set("state", state)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def fill_po(path, texts):
    import polib  # test-side stand-in for Poedit

    po = polib.pofile(str(path))
    for entry in po:
        if entry.msgctxt in texts:
            entry.msgstr = texts[entry.msgctxt]
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
            entry.previous_msgid = None
    po.save(str(path))


def statuses(cli, rid):
    rows = json.loads(cli("show", rid, "--json").stdout)["segments"]
    return {row["id"]: row["translations"]["ar"]["status"] for row in rows}


def validate_xliff(shared: Path, data: bytes) -> None:
    etree = pytest.importorskip("lxml.etree")
    schemas = shared / "schemas"
    schema = etree.XMLSchema(etree.parse(str(schemas / "xliff-core-1.2-strict.xsd")))
    doc = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
    assert schema.validate(doc), schema.error_log


# ---------------------------------------------------------------- export
def test_po_export_has_context_comments_previous_source_and_fuzzy(cli, newsroom, tmp_path, in_translation):
    rid = in_translation
    cli("set", rid, "p3", "--lang", "ar", "--text", "قتل 50 شخصاً", as_=TRANSLATOR)
    en = newsroom / "releases" / rid / "en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace("At least 50 people", "At least 71 people"),
                  encoding="utf-8")
    text = export(cli, tmp_path, rid, "po").read_text(encoding="utf-8")
    assert '"X-Pubflow-Release: 2019-07-22-assad-russia-crimes-international\\n"' in text
    assert '"Language: ar\\n"' in text
    block = text[text.index('msgctxt "p3"') - 400: text.index('msgctxt "p4"')]
    assert "#. release 2019-07-22-assad-russia-crimes-international: Coalition: Assad" in block
    assert "#. p3: paragraph 3 of 9" in block
    assert "#, fuzzy" in block
    assert '#| msgid ""\n#| "The Assad regime' in block
    assert "At least 71" in block.split('msgctxt "p3"')[1]
    assert 'msgstr "قتل 50 شخصاً"' in block
    if shutil.which("msgfmt"):
        check = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(tmp_path / "out.po")],
                               capture_output=True, text=True, check=False)
        assert check.returncode == 0, check.stderr


def test_xliff_export_is_schema_valid_with_states(cli, newsroom, tmp_path, in_translation, shared):
    rid = in_translation
    cli("set", rid, "title", "--lang", "ar", "--text", "عنوان", as_=TRANSLATOR)
    cli("set", rid, "p1", "--lang", "ar", "--text", "فقرة <أولى> & \"ثانية\"", as_=TRANSLATOR)
    cli("review", rid, "--lang", "ar", "--segment", "p1", as_=REVIEWER)
    cli("set", rid, "p2", "--lang", "ar", "--text", "قديم", as_=TRANSLATOR)
    en = newsroom / "releases" / rid / "en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace("issued on Monday", "issued on Tuesday"), encoding="utf-8")
    data = export(cli, tmp_path, rid, "xliff", "--all").read_bytes()
    validate_xliff(shared, data)
    root = ET.fromstring(data)
    units = {tu.get("id"): tu for tu in root.iter(f"{{{XLIFF_NS}}}trans-unit")}
    assert len(units) == 11
    assert units["title"].find("x:target", NS).get("state") == "translated"
    assert units["p1"].get("approved") == "yes"
    assert units["p1"].find("x:target", NS).get("state") == "signed-off"
    assert units["p1"].find("x:target", NS).text == "فقرة <أولى> & \"ثانية\""
    stale = units["p2"]
    assert stale.find("x:target", NS).get("state") == "needs-translation"
    alt = stale.find("x:alt-trans", NS)
    assert alt.get("alttranstype") == "previous-version"
    assert "issued on Monday" in alt.find("x:source", NS).text
    assert units["p3"].find("x:target", NS) is None
    # without --all: only what needs work
    data = export(cli, tmp_path, rid, "xliff", name="pending.xlf").read_bytes()
    assert len(list(ET.fromstring(data).iter(f"{{{XLIFF_NS}}}trans-unit"))) == 9


def test_export_to_stdout_and_nothing_to_export(cli, in_translation):
    r = cli("export", in_translation, "--lang", "ar", "--format", "po")
    assert r.exit_code == 0
    assert r.stdout.startswith("#\nmsgid \"\"")
    r = cli("export", in_translation, "--lang", "ar", "--format", "docx")
    assert r.exit_code == 2
    assert "unknown format 'docx'" in r.stderr


# ---------------------------------------------------------------- import
def test_po_import_applies_and_refuses_units_whose_source_changed(cli, newsroom, tmp_path, in_translation,
                                                                sample_arabic):
    rid = in_translation
    path = export(cli, tmp_path, rid, "po")
    fill_po(path, sample_arabic)
    en = newsroom / "releases" / rid / "en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace("At least 50 people", "At least 51 people"),
                  encoding="utf-8")
    r = cli("import", str(path), "--json", as_=TRANSLATOR)
    assert r.exit_code == 6
    assert r.stderr == ("error: 1 unit(s) not applied because the source changed since the export: p3 "
                        f"(export them again with `pubflow export {rid} --lang ar`)\n")
    result = json.loads(r.stdout)
    assert len(result["applied"]) == 10
    assert result["refused"] == [{"segment": "p3", "reason": "the source changed since the export"}]
    states = statuses(cli, rid)
    assert states["p3"] == "untranslated"
    assert states["p4"] == "translated"
    # the same file again: nothing new, p3 still refused
    r = cli("import", str(path), "--json", as_=TRANSLATOR)
    assert len(json.loads(r.stdout)["unchanged"]) == 10


def test_fuzzy_and_empty_units_are_skipped(cli, tmp_path, in_translation):
    path = export(cli, tmp_path, in_translation, "po")
    import polib

    po = polib.pofile(str(path))
    po[0].msgstr = "عنوان"
    po[0].flags = ["fuzzy"]
    po[1].msgstr = "فقرة"
    po.save(str(path))
    r = cli("import", str(path), as_=TRANSLATOR)
    assert r.exit_code == 0, r.output
    assert "applied 1, approved 0, unchanged 0, skipped 10, refused 0" in r.stdout
    assert "skipped title: still marked as needing translation or review" in r.stdout


BAD_XLIFF_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
XXE = BAD_XLIFF_HEAD + (
    '<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    f'<xliff version="1.2" xmlns="{XLIFF_NS}"><file original="ID" source-language="en" target-language="ar" '
    'datatype="plaintext"><body><trans-unit id="p1"><source>x</source><target>&xxe;</target></trans-unit>'
    '</body></file></xliff>')
LAUGHS = BAD_XLIFF_HEAD + (
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    f'<xliff version="1.2" xmlns="{XLIFF_NS}"><file original="ID" source-language="en" target-language="ar" '
    'datatype="plaintext"><body><trans-unit id="p1"><source>x</source><target>&lol3;</target></trans-unit>'
    '</body></file></xliff>')


def _bad_cases(rid):
    """(name, make(path_of_a_good_po, path_of_a_good_xliff) -> (file, extra args), exit code, message)."""
    def po_broken(po, xlf):
        text = po.read_text(encoding="utf-8").replace('msgctxt "p2"', 'msgctxt "p2')
        po.write_text(text, encoding="utf-8")
        return po, ()

    def xliff_broken(po, xlf):
        xlf.write_bytes(xlf.read_bytes()[:-40])
        return xlf, ()

    def write(text):
        def make(po, xlf):
            xlf.write_text(text.replace("ID", rid), encoding="utf-8")
            return xlf, ()
        return make

    def other_release(po, xlf):
        return po, ("--release", "2019-01-01-other")

    def other_language(po, xlf):
        return xlf, ("--lang", "en")

    def unknown_release(po, xlf):
        po.write_text(po.read_text(encoding="utf-8").replace(f"X-Pubflow-Release: {rid}",
                                                             "X-Pubflow-Release: 2019-01-01-gone"), encoding="utf-8")
        return po, ()

    def source_language_file(po, xlf):
        xlf.write_text(xlf.read_text(encoding="utf-8").replace('target-language="ar"', 'target-language="en"'),
                       encoding="utf-8")
        return xlf, ()

    def unknown_ids(po, xlf):
        po.write_text(po.read_text(encoding="utf-8").replace('msgctxt "p2"', 'msgctxt "p77"'), encoding="utf-8")
        return po, ()

    def not_xliff(po, xlf):
        xlf.write_text('<?xml version="1.0"?><html><body/></html>', encoding="utf-8")
        return xlf, ()

    def binary(po, xlf):
        po.write_bytes(b"msgid \"\xff\xfe\"\n")
        return po, ()

    return [
        ("malformed PO", po_broken, 5, "is not valid PO"),
        ("malformed XLIFF", xliff_broken, 5, "not well-formed XML"),
        ("external entity", write(XXE), 5, "refused: the file declares a DTD or entities"),
        ("billion laughs", write(LAUGHS), 5, "refused: the file declares a DTD or entities"),
        ("not XLIFF", not_xliff, 5, "not an XLIFF 1.2 file"),
        ("not UTF-8", binary, 5, "not UTF-8"),
        ("another release", other_release, 4, f"is for release {rid}, not 2019-01-01-other"),
        ("another language", other_language, 4, "is for language ar, not en"),
        ("unknown release", unknown_release, 3, "is for release 2019-01-01-gone, which this newsroom does not have"),
        ("source language", source_language_file, 4, "is for language en, which is not a target"),
        ("unknown segment ids", unknown_ids, 5, "has no segment(s) p77; nothing was imported"),
    ]


@pytest.mark.parametrize("case", range(11))
def test_bad_files_apply_nothing(cli, newsroom, tmp_path, in_translation, snapshot, sample_arabic, case):
    rid = in_translation
    name, make, code, message = _bad_cases(rid)[case]
    po = export(cli, tmp_path, rid, "po")
    fill_po(po, sample_arabic)
    xlf = export(cli, tmp_path, rid, "xliff")
    fill_xliff(xlf, sample_arabic)
    path, extra = make(po, xlf)
    before = snapshot(newsroom)
    r = cli("import", str(path), *extra, as_=TRANSLATOR)
    assert r.exit_code == code, (name, r.output)
    assert r.stdout == "", name
    assert r.stderr.startswith("error: "), name
    assert r.stderr.count("\n") == 1, name
    assert message in r.stderr, (name, r.stderr)
    assert snapshot(newsroom) == before, name


def test_import_needs_the_translator_role_and_an_open_release(cli, newsroom, tmp_path, in_translation,
                                                            sample_arabic, snapshot):
    path = export(cli, tmp_path, in_translation, "xliff")
    fill_xliff(path, sample_arabic)
    before = snapshot(newsroom)
    r = cli("import", str(path), as_=EDITOR)
    assert r.exit_code == 4
    assert "needs the role translator:ar" in r.stderr
    assert cli("reject", in_translation, "-m", "rewrite", as_=EDITOR).exit_code == 0
    before = snapshot(newsroom)
    r = cli("import", str(path), as_=TRANSLATOR)
    assert r.exit_code == 4
    assert "is in draft" in r.stderr
    assert snapshot(newsroom) == before
    r = cli("import", str(tmp_path / "missing.xlf"), as_=TRANSLATOR)
    assert r.exit_code == 3


# ---------------------------------------------------------------- done when
def test_done_when_arabic_from_nothing_to_approved_through_xliff(cli, newsroom, tmp_path, in_translation,
                                                                 sample_arabic, shared):
    rid = in_translation
    assert set(statuses(cli, rid).values()) == {"untranslated"}
    # the translator exports, translates in a CAT tool, imports
    path = export(cli, tmp_path, rid, "xliff")
    validate_xliff(shared, path.read_bytes())
    fill_xliff(path, sample_arabic)
    r = cli("import", str(path), "--release", rid, "--lang", "ar", as_=TRANSLATOR)
    assert r.exit_code == 0, r.output
    assert "applied 11, approved 0" in r.stdout
    assert set(statuses(cli, rid).values()) == {"translated"}
    # the reviewer reads the whole file and signs it off
    path = export(cli, tmp_path, rid, "xliff", "--all", as_=REVIEWER, name="review.xlf")
    fill_xliff(path, {}, state="signed-off")
    r = cli("import", str(path), as_=REVIEWER)
    assert r.exit_code == 0, r.output
    assert "applied 0, approved 11" in r.stdout
    assert set(statuses(cli, rid).values()) == {"approved"}
    rows = json.loads(cli("show", rid, "--json").stdout)["segments"]
    assert {row["id"]: row["translations"]["ar"]["text"] for row in rows} == sample_arabic
    assert json.loads(cli("pending", "--json").stdout) == []
    nr = Newsroom.open(newsroom)
    assert translations_complete(GuardContext(nr.load(rid), nr.config, utc_now())) is None


# ---------------------------------------------------------------- round trips
ALPHABET = st.sampled_from(list("abc xyz 09٠٩ سلام عليكم\n\t\"'“”<>&;:#\\%{}") +
                           ["\u200e", "\u200f", "\u2066", "\u2067", "\u2068", "\u2069", "\u202b", "\u202c",
                            "msgid ", "]]>", "&amp;"])
TEXT = st.lists(ALPHABET, min_size=1, max_size=25).map("".join).map(normalize).filter(bool)
STATUS = st.sampled_from(["untranslated", "machine", "stale", "translated", "approved"])
PERSON = Person("Lina Aziz", "lina.aziz@example.org", ("reviewer:ar", "translator:ar"))


@st.composite
def documents(draw):
    n = draw(st.integers(min_value=2, max_value=6))
    ids = ["title"] + [f"p{i}" for i in range(1, n)]
    sources = [draw(TEXT) for _ in ids]
    targets = []
    for seg_id, source in zip(ids, sources, strict=True):
        status = draw(STATUS)
        if status == "untranslated":
            continue
        text = draw(TEXT)
        if status == "stale":
            old = draw(TEXT.filter(lambda t, s=source: t != s))
            targets.append(TargetSegment(seg_id, text, "translated", old, "human", "Rami Haddad",
                                         "2019-07-22T10:00:00Z"))
        elif status == "machine":
            targets.append(TargetSegment(seg_id, text, "machine", source, "machine:libre", "pubflow",
                                         "2019-07-22T10:00:00Z"))
        else:
            targets.append(TargetSegment(seg_id, text, status, source, "human", "Rami Haddad", "2019-07-22T10:00:00Z",
                                         "Hala Darwish" if status == "approved" else "",
                                         "2019-07-22T11:00:00Z" if status == "approved" else ""))
    release = Release("2019-07-22-round-trip", "2019-07-22", "", "en", ("en", "ar"), "translation", 3)
    return Document(release, tuple(SourceSegment(i, s) for i, s in zip(ids, sources, strict=True)),
                    {"ar": tuple(targets)})


CONFIG = load_config(FIXTURES / "newsroom")


@pytest.mark.parametrize("fmt", ["po", "xliff"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doc=documents())
def test_export_import_round_trip_loses_nothing(fmt, doc):
    data, count = export_bytes(doc, "ar", fmt, include_all=True)
    assert count == len(doc.source)
    parsed = parse_exchange(data, f"file.{fmt}")
    assert (parsed.release, parsed.language, parsed.source_language) == (doc.release.id, "ar", "en")
    targets = doc.target("ar")
    assert [u.segment for u in parsed.units] == [s.id for s in doc.source]
    for unit, source in zip(parsed.units, doc.source, strict=True):
        target = targets[source.id]
        status = target.effective_status(source.text)
        assert unit.source == source.text
        assert unit.text == target.text
        assert unit.status == status
        assert unit.old_source == (target.source if status == "stale" else None)
    # importing what was exported changes nothing
    after, result = apply_units(doc, CONFIG, parsed, PERSON)
    assert after == doc
    assert result.applied == []
    assert result.refused == []
