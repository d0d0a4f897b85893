"""Translation-memory lookup time on a 100,000-segment memory (run by hand, not by the test suite).

    /work/venv/bin/python bench/bench_memory.py [--entries 100000] [--queries 300] [--releases 0]

Builds a memory of N English->Arabic segments (plus the reverse direction)
from press-release sentences with varied names, places, numbers and word
order, then times `Memory.lookup` on three kinds of queries: exact (a stored
segment), fuzzy (a stored segment with a few words changed) and new (no
close match).  Prints the median and p95 per kind and overall, the ratio to
the 20 ms target, and how often the indexed lookup finds the same best
match as an exhaustive rapidfuzz scan (recall).

With --releases R it also writes a real newsroom of R releases to a temporary
folder and times `open_memory` cold (parsing every release), from the cache
file, and `lookup(nr, ...)` including the freshness check of every release.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(HERE))

from workflow.translation import memory  # noqa: E402
from workflow.translation.memory import Entry, Memory, normal  # noqa: E402

TARGET_MS = 20.0
PLACES = [("Idlib", "إدلب"), ("Hama", "حماة"), ("Aleppo", "حلب"), ("Maaret al-Nu'man", "معرة النعمان"),
          ("Khan Shaykhun", "خان شيخون"), ("Kafr Nabl", "كفرنبل"), ("Ariha", "أريحا"),
          ("Jisr al-Shughur", "جسر الشغور"),
          ("Saraqib", "سراقب"), ("Latamna", "اللطامنة"), ("Daraa", "درعا"), ("Douma", "دوما")]
ACTORS = [("the Assad regime", "نظام الأسد"), ("Russian forces", "القوات الروسية"),
          ("Iranian militias", "الميليشيات الإيرانية"), ("regime helicopters", "مروحيات النظام")]
DAYS = [("Monday", "الاثنين"), ("Tuesday", "الثلاثاء"), ("Wednesday", "الأربعاء"), ("Thursday", "الخميس"),
        ("Friday", "الجمعة"), ("Saturday", "السبت"), ("Sunday", "الأحد")]
TEMPLATES = [
    ("{actor} shelled towns and villages in rural {place} on {day}, killing at least {n} civilians.",
     "قصف {actor} بلدات وقرى في ريف {place} يوم {day}، ما أدى إلى مقتل {n} مدنياً على الأقل."),
    ("The Syrian Coalition condemned the attack by {actor} on a crowded market in {place} that killed {n} people.",
     "أدان الائتلاف الوطني السوري هجوم {actor} على سوق مكتظة في {place} أسفر عن مقتل {n} شخصاً."),
    ("Civil defense teams recovered {n} bodies from the rubble in {place} after airstrikes by {actor} on {day}.",
     "انتشلت فرق الدفاع المدني {n} جثة من تحت الأنقاض في {place} بعد غارات {actor} يوم {day}."),
    ("The Coalition called on the United Nations to protect the {n} thousand displaced people around {place}.",
     "دعا الائتلاف الأمم المتحدة إلى حماية {n} ألف نازح في محيط {place}."),
    ("At least {n} barrel bombs were dropped by {actor} on {place} on {day}, the Coalition said.",
     "قال الائتلاف إن {actor} ألقى {n} برميلاً متفجراً على الأقل على {place} يوم {day}."),
    ("The international community must act to stop the crimes of {actor} in {place} and revive the political "
     "process.", "على المجتمع الدولي التحرك لوقف جرائم {actor} في {place} وإحياء العملية السياسية."),
]
FILLER = ("in a statement issued on", "according to local sources", "the media department reported",
          "despite the ceasefire agreement", "in the de-escalation zone", "for the third day in a row")
FILLER_AR = ("في بيان صدر يوم", "بحسب مصادر محلية", "وفق ما أفادت الدائرة الإعلامية", "رغم اتفاق وقف إطلاق النار",
             "في منطقة خفض التصعيد", "لليوم الثالث على التوالي")


def make_pair(rng: random.Random, serial: int) -> tuple[str, str]:
    en, ar = TEMPLATES[rng.randrange(len(TEMPLATES))]
    actor, place, day = rng.choice(ACTORS), rng.choice(PLACES), rng.choice(DAYS)
    n = rng.randint(2, 400)
    values_en = {"actor": actor[0], "place": place[0], "day": day[0], "n": n}
    values_ar = {"actor": actor[1], "place": place[1], "day": day[1], "n": n}
    text_en, text_ar = en.format(**values_en), ar.format(**values_ar)
    extra = rng.randrange(len(FILLER))
    if rng.random() < 0.7:
        text_en = f"{text_en[:-1]} {FILLER[extra]} {day[0]} {serial % 28 + 1} July {2013 + serial % 8}."
        text_ar = f"{text_ar[:-1]} {FILLER_AR[extra]} {day[1]} {serial % 28 + 1} تموز {2013 + serial % 8}."
    if rng.random() < 0.5:
        text_en = text_en[0].upper() + text_en[1:]
    return text_en, text_ar


def entries(count: int, rng: random.Random) -> list[Entry]:
    out = []
    for i in range(count):
        en, ar = make_pair(rng, i)
        release = f"{2013 + i % 8}-07-{i % 28 + 1:02d}-release-{i // 12}"
        out.append(Entry("en", "ar", en, ar, release, f"p{i % 12 + 1}", "approved"))
        out.append(Entry("ar", "en", ar, en, release, f"p{i % 12 + 1}", "approved"))
    return out


def edit(text: str, rng: random.Random) -> str:
    words = text.split()
    for _ in range(max(1, len(words) // 10)):
        i = rng.randrange(len(words))
        action = rng.random()
        if action < 0.4:
            words[i] = rng.choice(["several", "dozens", "rural", "southern", "heavy", "new"])
        elif action < 0.7 and len(words) > 5:
            del words[i]
        else:
            words.insert(i, rng.choice(["also", "again", "reportedly"]))
    return " ".join(words)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def report(name: str, times: list[float]) -> None:
    med, p95 = statistics.median(times), percentile(times, 95)
    print(f"  {name:<8} n={len(times):<4} median {med:6.2f} ms   p95 {p95:6.2f} ms   "
          f"median/target {med / TARGET_MS:4.2f}   p95/target {p95 / TARGET_MS:4.2f}")


def bench_lookup(count: int, queries: int, seed: int) -> None:
    rng = random.Random(seed)
    data = entries(count, rng)
    started = time.perf_counter()
    mem = Memory.from_entries(data)
    built = time.perf_counter() - started
    print(f"memory: {len(mem):,} entries ({count:,} en->ar segments and their ar->en reverse), "
          f"loaded in {built:.1f} s")
    for src, tgt in (("en", "ar"), ("ar", "en")):
        started = time.perf_counter()
        mem.lookup("warm up", src, tgt)
        print(f"  first lookup {src}->{tgt} indexes that pair: {time.perf_counter() - started:.1f} s")
    forward = [e for e in data if e.source_lang == "en"]
    reverse = [e for e in data if e.source_lang == "ar"]
    kinds: dict[str, list[tuple[str, str, str]]] = {"exact": [], "fuzzy": [], "new": []}
    for _ in range(queries // 3):
        pool = forward if rng.random() < 0.5 else reverse
        stored = rng.choice(pool)
        kinds["exact"].append((stored.source, stored.source_lang, stored.target_lang))
        stored = rng.choice(pool)
        kinds["fuzzy"].append((edit(stored.source, rng), stored.source_lang, stored.target_lang))
        kinds["new"].append(("The weather in Geneva was mild as delegates discussed budget rules for "
                             f"committee {rng.randint(1, 10_000)} and the next meeting.", "en", "ar"))
    all_times: list[float] = []
    print(f"lookup (limit=3, min score {memory.MIN_SCORE}):")
    found_any = 0
    for kind, items in kinds.items():
        times = []
        for text, src, tgt in items:
            t0 = time.perf_counter()
            result = mem.lookup(text, src, tgt, limit=3)
            times.append((time.perf_counter() - t0) * 1000)
            found_any += bool(result) and kind != "new"
        report(kind, times)
        all_times += times
    report("all", all_times)
    print(f"  queries with a match: {found_any} of {len(kinds['exact']) + len(kinds['fuzzy'])} exact+fuzzy")

    # Recall: does the index find what an exhaustive scan finds?
    from rapidfuzz import fuzz, process

    sample = kinds["fuzzy"][:30]
    same = 0
    exhaustive_ms = []
    for text, src, tgt in sample:
        pair = mem.pairs[(src, tgt)]
        t0 = time.perf_counter()
        best = process.extractOne(normal(text), pair.normals, scorer=fuzz.ratio, processor=None)
        exhaustive_ms.append((time.perf_counter() - t0) * 1000)
        ours = mem.lookup(text, src, tgt, limit=1)
        if best and ours and round(best[1]) <= ours[0].score + 1:
            same += 1
    print(f"recall vs exhaustive rapidfuzz scan: {same}/{len(sample)} fuzzy queries get a best match as good; "
          f"the exhaustive scan takes median {statistics.median(exhaustive_ms):.0f} ms per query")


def bench_newsroom(releases: int, seed: int) -> None:
    from tests.conftest import FIXTURES
    from workflow.core.model import SCHEMA
    from workflow.storage import store, yamlio
    from workflow.storage.newsroom import Newsroom

    rng = random.Random(seed)
    tmp = Path(tempfile.mkdtemp(prefix="pubflow-bench-memory-"))
    try:
        root = tmp / "newsroom"
        shutil.copytree(FIXTURES / "newsroom", root)
        t0 = time.perf_counter()
        for r in range(releases):
            rid = f"{2013 + r % 8}-07-{r % 28 + 1:02d}-release-{r}"
            pairs = [make_pair(rng, r * 12 + k) for k in range(12)]
            folder = root / "releases" / rid
            segs = [("title", pairs[0])] + [(f"p{k}", pairs[k]) for k in range(1, 12)]
            files = {
                "release.yaml": {
                    "schema": SCHEMA, "id": rid, "date": rid[:10], "category": "news", "source_language": "en",
                    "languages": ["en", "ar"], "embargo": None, "state": "published", "revision": 1,
                    "history": []},
                "en.yaml": {"schema": SCHEMA, "release": rid, "language": "en",
                            "segments": [{"id": i, "text": p[0]} for i, p in segs]},
                "ar.yaml": {"schema": SCHEMA, "release": rid, "language": "ar", "segments": [
                    {"id": i, "status": "approved", "text": p[1], "source": p[0], "origin": "human",
                     "by": "Lina Aziz"} for i, p in segs]},
            }
            for name, data in files.items():  # as the newsroom writes YAML
                store.write_text(folder / name, yamlio.format_yaml(data))
        print(f"newsroom: {releases:,} releases ({releases * 12:,} segments) written in "
              f"{time.perf_counter() - t0:.0f} s")
        nr = Newsroom.open(root)
        t0 = time.perf_counter()
        mem = memory.open_memory(nr)
        print(f"  open_memory cold (parse every release): {time.perf_counter() - t0:.1f} s, {len(mem):,} entries")
        memory._OPEN.clear()
        t0 = time.perf_counter()
        memory.open_memory(nr)
        print(f"  open_memory from .pubflow/memory.json:  {time.perf_counter() - t0:.1f} s")
        text = make_pair(rng, 5)[0]
        times = []
        for _ in range(20):
            t1 = time.perf_counter()
            memory.lookup(nr, text, "en", "ar")
            times.append((time.perf_counter() - t1) * 1000)
        print(f"  lookup(nr, ...) with the freshness check of {releases:,} releases: "
              f"median {statistics.median(times):.1f} ms")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--releases", type=int, default=0)
    parser.add_argument("--seed", type=int, default=2019)
    args = parser.parse_args()
    bench_lookup(args.entries, args.queries, args.seed)
    if args.releases:
        bench_newsroom(args.releases, args.seed)


if __name__ == "__main__":
    main()
