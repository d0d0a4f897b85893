"""Readable release ids: a slug from the title in either script, --slug made a slug, the rules in
the error when it cannot be (issue 13, item 6)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import WRITER, tree_hash
from workflow.core.slug import SLUG_RE, slugify, transliterate


@pytest.mark.parametrize(("title", "slug"), [
    ("Water Plan for Idlib", "water-plan-for-idlib"),
    ("Café déjà vu: 2025!", "cafe-deja-vu-2025"),
    ("خطة المياه في إدلب", "khta-al-myah-fi-idlb"),
    ("الائتلاف الوطني السوري", "al-aitlaf-al-wtni-al-suri"),
    ("علي عمر في حلب", "ali-amr-fi-hlb"),
    ("COVID-19 في سوريا: ١٢٠ إصابة", "covid-19-fi-surya-120-isaba"),
    ("مؤتمر بروكسل ۲۰۲۵", "mutmr-bruksl-2025"),
    ("بيانٌ صحفيّ", "byanun-shfi"),  # written short vowels are kept, shadda leaves nothing
    ("日本語のタイトル", ""),
    ("!!! ؟؟؟ …", ""),
])
def test_slug_from_a_title_in_either_script(title: str, slug: str) -> None:
    assert slugify(title) == slug
    assert slug == "" or SLUG_RE.match(slug)


def test_slugs_are_cut_at_a_word_boundary_and_always_ascii() -> None:
    title = "الائتلاف: جرائم نظام الأسد وروسيا في شمال غرب سوريا جرائم دولية"
    slug = slugify(title)
    assert slug == "al-aitlaf-jraim-nzam-al-asd-wrusya-fi-shmal-ghrb-surya-jraim"
    assert len(slug) <= 60
    assert slug.isascii()
    assert slugify("a" * 100) == "a" * 60
    assert transliterate("\u202eabc\u202c") == "abc"  # bidi controls have no Latin form


def created(cli: Any, *args: str) -> Any:
    return cli("new", "--body", "One paragraph.", "--date", "2025-03-14", *args, "--json", as_=WRITER)


def test_arabic_title_gives_a_transliterated_id(cli: Any, newsroom: Path) -> None:
    result = created(cli, "--title", "خطة المياه في إدلب", "--body", "الفقرة الأولى.", "--lang", "ar")
    assert result.exit_code == 0, result.output
    rid = json.loads(result.stdout)["id"]
    assert rid == "2025-03-14-khta-al-myah-fi-idlb"
    assert (newsroom / "releases" / rid / "release.yaml").is_file()


@pytest.mark.parametrize(("given", "slug"), [
    ("Water Plan", "water-plan"),
    ("  Water   Plan!  ", "water-plan"),
    ("خطة المياه", "khta-al-myah"),
    ("../../etc", "etc"),  # nothing outside releases/
    (f"a{chr(0x202E)}b", "ab"),
    ("WATER_plan--2025", "water-plan-2025"),
])
def test_slug_option_is_made_a_slug(cli: Any, newsroom: Path, given: str, slug: str) -> None:
    result = created(cli, "--title", "Some title", "--slug", given)
    assert result.exit_code == 0, result.output
    rid = json.loads(result.stdout)["id"]
    assert rid == f"2025-03-14-{slug}"
    assert [p.name for p in (newsroom / "releases").iterdir()] == [rid]


@pytest.mark.parametrize(("given", "message"), [
    ("!!!", "--slug '!!!' has no letter or digit to make a slug of"),
    ("日本語", "--slug '日本語' has no letter or digit to make a slug of"),
    ("word " * 20, "makes a slug of 99 characters"),
])
def test_a_slug_that_cannot_be_made_is_refused_with_the_rules(cli: Any, newsroom: Path, given: str,
                                                              message: str) -> None:
    before = tree_hash(newsroom)
    result = created(cli, "--title", "Some title", "--slug", given)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert message in line
    assert ("(a slug is lower-case a-z, digits 0-9 and single hyphens, at most 60 characters; other text is made "
            "one: accents dropped, Arabic transliterated, spaces and punctuation become hyphens") in line
    assert tree_hash(newsroom) == before


def test_a_title_with_no_latin_form_gets_a_short_hash(cli: Any) -> None:
    result = created(cli, "--title", "日本語のタイトル")
    assert result.exit_code == 0, result.output
    rid = json.loads(result.stdout)["id"]
    assert rid.startswith("2025-03-14-release-")
    assert len(rid) == len("2025-03-14-release-") + 8
