"""Translation memory: exact and fuzzy matches with scores, both directions, derived cache."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from tests.conftest import EDITOR, Cli
from tests.test_checks import translate_all
from workflow.storage.newsroom import Newsroom
from workflow.translation import memory
from workflow.translation.memory import Entry, Memory, lookup


def test_exact_and_fuzzy_matches_both_directions(newsroom: Path, in_translation: str,
                                                 sample_arabic: dict[str, str]) -> None:
    translate_all(newsroom, in_translation, sample_arabic, status="translated")
    nr = Newsroom.open(newsroom)
    doc = nr.load(in_translation)
    p4 = doc.source_text("p4")

    exact = lookup(nr, p4, "en", "ar")
    assert exact[0].score == 100
    assert (exact[0].target, exact[0].release, exact[0].segment) == (sample_arabic["p4"], in_translation, "p4")
    assert exact[0].status == "translated"

    edited = p4.replace("20 people", "25 people").replace("Monday morning", "Tuesday morning")
    fuzzy = lookup(nr, edited, "en", "ar")
    assert 80 <= fuzzy[0].score < 100
    assert fuzzy[0].segment == "p4"

    reverse = lookup(nr, sample_arabic["p4"], "ar", "en")
    assert reverse[0].score == 100
    assert reverse[0].target == p4
    reverse_fuzzy = lookup(nr, sample_arabic["p4"].replace("الاثنين", "الثلاثاء"), "ar", "en")
    assert 80 <= reverse_fuzzy[0].score < 100
    assert reverse_fuzzy[0].target == p4

    assert lookup(nr, "Completely unrelated words about football results.", "en", "ar") == []
    assert lookup(nr, p4, "en", "ar", exclude_release=in_translation) == []
    assert lookup(nr, p4, "en", "fr") == []


def test_case_and_digit_variants_score_99(newsroom: Path, in_translation: str,
                                          sample_arabic: dict[str, str]) -> None:
    translate_all(newsroom, in_translation, {"p3": sample_arabic["p3"]}, status="approved")
    nr = Newsroom.open(newsroom)
    p3 = nr.load(in_translation).source_text("p3")
    assert lookup(nr, p3.upper(), "en", "ar")[0].score == 99
    arabic_digits = sample_arabic["p3"].replace("50", "٥٠")
    match = lookup(nr, arabic_digits, "ar", "en")[0]
    assert match.score == 99
    assert match.status == "approved"


def test_only_confirmed_current_translations_are_remembered(cli: Cli, newsroom: Path, in_translation: str,
                                                           sample_arabic: dict[str, str]) -> None:
    translate_all(newsroom, in_translation, {"title": sample_arabic["title"]}, status="machine")
    translate_all(newsroom, in_translation, {"p1": sample_arabic["p1"]}, status="translated")
    nr = Newsroom.open(newsroom)
    doc = nr.load(in_translation)
    assert lookup(nr, doc.title, "en", "ar") == []  # machine suggestions are not memory
    assert lookup(nr, doc.source_text("p1"), "en", "ar")[0].score == 100
    # The source of p1 changes: its translation is stale and leaves the memory.
    reject: Any = cli("reject", in_translation, "-m", "rewrite p1", as_=EDITOR)
    assert reject.exit_code == 0, reject.output
    en = newsroom / "releases" / in_translation / "en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace("The Syrian Coalition stressed", "The Coalition stressed"),
                  encoding="utf-8")
    assert lookup(Newsroom.open(newsroom), doc.source_text("p1"), "en", "ar") == []


def test_cache_is_derived_and_refreshed(newsroom: Path, in_translation: str, sample_arabic: dict[str, str]) -> None:
    translate_all(newsroom, in_translation, {"p2": sample_arabic["p2"]}, status="translated")
    nr = Newsroom.open(newsroom)
    p2 = nr.load(in_translation).source_text("p2")
    first = lookup(nr, p2, "en", "ar")
    cache = newsroom / ".pubflow" / "memory.json"
    assert cache.is_file()
    memory.forget(nr)  # drop the in-process copy and the file
    assert not cache.exists()
    assert lookup(nr, p2, "en", "ar") == first
    assert cache.is_file()
    memory._OPEN.clear()  # a new process: served from the cache file
    assert lookup(nr, p2, "en", "ar") == first
    # A new translation shows up on the next lookup.
    translate_all(newsroom, in_translation, {"p5": sample_arabic["p5"]}, status="translated")
    p5 = nr.load(in_translation).source_text("p5")
    assert lookup(nr, p5, "en", "ar")[0].target == sample_arabic["p5"]
    # A corrupt cache is ignored and rebuilt.
    memory._OPEN.clear()
    cache.write_text("{not json", encoding="utf-8")
    assert lookup(nr, p5, "en", "ar")[0].score == 100


def test_fuzzy_match_found_among_many_entries() -> None:
    rng = random.Random(7)
    words = ("regime forces shelled villages towns Idlib Hama coalition said statement civilians killed market "
             "airstrikes Russian international community United Nations political process displacement").split()
    entries = [Entry("en", "ar", " ".join(rng.choice(words) for _ in range(rng.randint(8, 30))) + f" n{i}",
                     f"ترجمة {i}", f"2019-01-01-r{i // 10}", f"p{i % 10 + 1}", "approved") for i in range(5000)]
    wanted = "The Coalition condemned the barrel bombing of the Kafr Nabl hospital in southern Idlib"
    entries.append(Entry("en", "ar", wanted, "أدان الائتلاف قصف مشفى كفرنبل بالبراميل المتفجرة في ريف إدلب الجنوبي",
                         "2019-07-01-hospital", "p1", "approved"))
    mem = Memory.from_entries(entries)
    query = "The Coalition condemned the barrel bombing of the Kafr Nabl hospital in rural Idlib"
    best = mem.lookup(query, "en", "ar", limit=3)
    assert best[0].release == "2019-07-01-hospital"
    assert 80 <= best[0].score < 100
    assert all(a.score >= b.score for a, b in zip(best, best[1:], strict=False))
