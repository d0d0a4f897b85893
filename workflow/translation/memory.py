"""Translation memory: every translated or approved segment, in both directions.

The memory is derived data.  It is cached in `.pubflow/memory.json` (a
`workflow.storage.cache.JsonCache`) with the stat stamps of each release's
language files (`folder_signature`); a release whose files changed, or
changed too recently to tell, is re-read, the rest comes from the cache.
Deleting the cache loses nothing.

Lookup: an exact match (same text after Unicode/space normalisation) scores
100 (99 when only case, digits or diacritics differ); fuzzy matches are
scored with rapidfuzz's `ratio` (at most 98) on candidates preselected through
an inverted index of the query's rarest word pairs, which keeps a query on a
100,000-segment memory within milliseconds (see bench/bench_memory.py).
"""

from __future__ import annotations

import heapq
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from workflow.core.digits import to_latin
from workflow.errors import PubflowError
from workflow.storage.cache import JsonCache, folder_signature, racy_cutoff

if TYPE_CHECKING:
    from workflow.core.model import Document
    from workflow.storage.newsroom import Newsroom

CACHE_NAME = "memory.json"
CACHE_VERSION = 2  # 2: fingerprints are stat stamps (inode, mtime, ctime, size)
MIN_SCORE = 60
USABLE = ("translated", "approved")
RARE_TOKENS = 12  # at most this many of the query's rarest word pairs select candidates
CANDIDATES = 120  # how many candidates rapidfuzz scores
POSTINGS_BUDGET = 3_000  # stop adding word pairs once this many postings were counted
FIRST_LIST_CAP = 20_000
_TOKEN = re.compile(r"\w+")


@dataclass(frozen=True)
class Match:
    score: int  # 0-100
    source: str
    target: str
    release: str
    segment: str
    status: str = ""  # translated | approved


@dataclass(frozen=True)
class Entry:
    """One translation unit in one direction."""

    source_lang: str
    target_lang: str
    source: str
    target: str
    release: str
    segment: str
    status: str


def tokens(norm: str) -> set[str]:
    """Index keys of a normalised text: its word pairs, and its words when it has fewer than four."""
    words = _TOKEN.findall(norm)
    keys = {f"{a} {b}" for a, b in zip(words, words[1:], strict=False)}
    if len(words) < 4:
        keys.update(words)
    return keys


def normal(text: str) -> str:
    """Comparison form: folded (case, Arabic letter variants, diacritics), Latin digits, single spaces."""
    from workflow.translation.glossary import fold

    return to_latin(fold(text).casefold()).strip()


def entries_of(doc: Document) -> Iterator[Entry]:
    """Both directions of every translated or approved (and not stale) segment of a release."""
    src_lang = doc.release.source_language
    for lang in doc.release.targets:
        target = doc.target(lang)
        for seg in doc.source:
            unit = target[seg.id]
            status = unit.effective_status(seg.text)
            if status not in USABLE or not unit.text.strip():
                continue
            yield Entry(src_lang, lang, seg.text, unit.text, doc.release.id, seg.id, status)
            yield Entry(lang, src_lang, unit.text, seg.text, doc.release.id, seg.id, status)


class _PairIndex:
    """Entries of one language pair, with an exact map and an inverted word-pair index.

    Entries are indexed lazily, on the first lookup in this pair, so opening a
    large memory costs little and a session translating en->ar never indexes ar->en.
    """

    def __init__(self) -> None:
        self.entries: list[Entry] = []
        self.normals: list[str] = []
        self.alive: list[bool] = []
        self.exact: dict[str, list[int]] = {}
        self.postings: dict[str, list[int]] = {}
        self.dead = 0

    def add(self, entry: Entry) -> int:
        self.entries.append(entry)
        self.alive.append(True)
        return len(self.entries) - 1

    def ensure_indexed(self) -> None:
        postings, exact, normals = self.postings, self.exact, self.normals
        for index in range(len(normals), len(self.entries)):
            norm = normal(self.entries[index].source)
            normals.append(norm)
            if norm in exact:
                exact[norm].append(index)
            else:
                exact[norm] = [index]
            for token in tokens(norm):
                if token in postings:
                    postings[token].append(index)
                else:
                    postings[token] = [index]

    def kill(self, index: int) -> None:
        if self.alive[index]:
            self.alive[index] = False
            self.dead += 1

    def __len__(self) -> int:
        return len(self.entries) - self.dead

    def candidates(self, norm: str) -> list[int]:
        """Entries sharing the most of the query's rarest word pairs (the ones worth scoring)."""
        postings = self.postings
        lists = sorted((postings[t] for t in tokens(norm) if t in postings), key=len)
        counts: Counter[int] = Counter()
        budget = POSTINGS_BUDGET
        for used, hits in enumerate(lists):
            if used >= RARE_TOKENS or (used and len(hits) > budget):
                break
            counts.update(hits[-FIRST_LIST_CAP:])  # the newest entries when even the rarest pair is common
            budget -= len(hits)
        alive = self.alive
        if len(counts) <= CANDIDATES:
            return [i for i in counts if alive[i]]
        # Counts are small integers: find the lowest count that still fits, without sorting everything.
        histogram = Counter(counts.values())
        room, cut = CANDIDATES, 0
        for count in sorted(histogram, reverse=True):
            if histogram[count] > room:
                cut = count
                break
            room -= histogram[count]
        chosen = [i for i, n in counts.items() if n > cut and alive[i]]
        if cut:
            chosen += [i for i, n in counts.items() if n == cut and alive[i]][:room]
        return chosen


@dataclass
class Memory:
    """A loaded translation memory (all language pairs)."""

    pairs: dict[tuple[str, str], _PairIndex] = field(default_factory=dict)
    releases: dict[str, tuple[str | None, list[tuple[tuple[str, str], int]]]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    @classmethod
    def from_entries(cls, entries: Iterable[Entry]) -> Memory:
        memory = cls()
        by_release: dict[str, list[Entry]] = {}
        for entry in entries:
            by_release.setdefault(entry.release, []).append(entry)
        for release, items in by_release.items():
            memory.add_release(release, "", items)
        return memory

    def __len__(self) -> int:
        return sum(len(p) for p in self.pairs.values())

    def add_release(self, release: str, fingerprint: str | None, entries: Iterable[Entry]) -> None:
        self.remove_release(release)
        placed = []
        for entry in entries:
            key = (entry.source_lang, entry.target_lang)
            pair = self.pairs.get(key)
            if pair is None:
                pair = self.pairs[key] = _PairIndex()
            placed.append((key, pair.add(entry)))
        self.releases[release] = (fingerprint, placed)

    def remove_release(self, release: str) -> None:
        old = self.releases.pop(release, None)
        if old:
            for key, index in old[1]:
                self.pairs[key].kill(index)

    def wasted(self) -> float:
        total = sum(len(p.entries) for p in self.pairs.values())
        return sum(p.dead for p in self.pairs.values()) / total if total else 0.0

    def lookup(self, text: str, source_lang: str, target_lang: str, limit: int = 3,
               exclude_release: str | None = None, min_score: int = MIN_SCORE) -> list[Match]:
        """Best matches for `text`, highest score first (ties: approved, then newer)."""
        pair = self.pairs.get((source_lang, target_lang))
        if pair is None or not text.strip() or limit <= 0:
            return []
        from rapidfuzz import fuzz, process

        pair.ensure_indexed()
        norm = normal(text)
        scored: dict[int, int] = {}
        for index in pair.exact.get(norm, ()):
            if pair.alive[index]:
                scored[index] = 100 if pair.entries[index].source == text.strip() else 99
        candidates = [i for i in pair.candidates(norm) if i not in scored]
        if candidates:
            choices = {i: pair.normals[i] for i in candidates}
            cutoff = max(min_score, 0)
            for _choice, score, index in process.extract(norm, choices, scorer=fuzz.ratio, processor=None,
                                                          limit=None, score_cutoff=cutoff):
                scored[index] = min(98, int(score)) if score < 100 else 99
        best: dict[tuple[str, str], Match] = {}
        ranked = heapq.nlargest(len(scored), scored.items(), key=lambda item: (
            item[1], pair.entries[item[0]].status == "approved", pair.entries[item[0]].release))
        for index, score in ranked:
            entry = pair.entries[index]
            if exclude_release is not None and entry.release == exclude_release:
                continue
            key = (entry.source, entry.target)
            if key in best:
                continue
            best[key] = Match(score, entry.source, entry.target, entry.release, entry.segment, entry.status)
            if len(best) >= limit:
                break
        return list(best.values())


# ------------------------------------------------------------------ cache on disk
def _releases(data: dict[str, Any]) -> dict[str, Any] | None:
    releases = data.get("releases")
    return releases if isinstance(releases, dict) else None


def _cache(nr: Newsroom) -> JsonCache[dict[str, Any]]:
    return JsonCache(nr.config.state_dir / CACHE_NAME, CACHE_VERSION, _releases)


_OPEN: dict[Path, Memory] = {}


def open_memory(nr: Newsroom) -> Memory:
    """The newsroom's memory, brought up to date with the release files (cached in and across calls)."""
    root = nr.root.resolve()
    memory = _OPEN.get(root)
    cutoff = racy_cutoff()
    # None: the release's files cannot be trusted yet (racy, or a write is pending): read them again.
    current = {rid: folder_signature(nr.releases_dir / rid, cutoff) for rid in nr.release_ids()}
    if (memory is not None and None not in current.values()
            and {r: fp for r, (fp, _p) in memory.releases.items()} == current):
        return memory
    cached: dict[str, Any] = {}
    if memory is None or memory.wasted() > 0.25:
        memory = Memory()
        cached = _cache(nr).load() or {}
    changed = False
    for rid in [r for r in memory.releases if r not in current]:
        memory.remove_release(rid)
        changed = True
    memory.skipped = []
    for rid, fingerprint in current.items():
        have = memory.releases.get(rid)
        if fingerprint is not None and have is not None and have[0] == fingerprint:
            continue
        hit = cached.get(rid)
        if (fingerprint is not None and isinstance(hit, dict) and hit.get("fp") == fingerprint
                and isinstance(hit.get("entries"), list)):
            try:
                entries = [Entry(*row) for row in hit["entries"]]
            except TypeError:
                entries = None
            if entries is not None:
                memory.add_release(rid, fingerprint, _both(entries))
                continue
        try:
            doc = nr.load(rid)
        except PubflowError:
            memory.remove_release(rid)
            memory.skipped.append(rid)
            continue
        memory.add_release(rid, fingerprint, entries_of(doc))
        changed = True
    if changed or set(cached) != set(memory.releases):
        _cache(nr).save({"releases": _serialise(memory)})
    _OPEN[root] = memory
    return memory


def _both(forward: list[Entry]) -> Iterator[Entry]:
    for entry in forward:
        yield entry
        yield Entry(entry.target_lang, entry.source_lang, entry.target, entry.source, entry.release,
                    entry.segment, entry.status)


def _serialise(memory: Memory) -> dict[str, Any]:
    """Per release: its fingerprint and its forward entries (the reverse ones are derived)."""
    out: dict[str, Any] = {}
    for rid, (fingerprint, placed) in memory.releases.items():
        rows = []
        for index, (key, position) in enumerate(placed):
            if index % 2 == 0:  # entries_of yields forward, reverse, forward, reverse ...
                entry = memory.pairs[key].entries[position]
                rows.append(list(asdict(entry).values()))
        out[rid] = {"fp": fingerprint, "entries": rows}
    return out


def lookup(nr: Newsroom, text: str, source_lang: str, target_lang: str, limit: int = 3,
           exclude_release: str | None = None) -> list[Match]:
    """Best memory matches for `text` (exact 100, fuzzy below), from every release but `exclude_release`."""
    return open_memory(nr).lookup(text, source_lang, target_lang, limit, exclude_release)


def forget(nr: Newsroom) -> None:
    """Drop the in-process memory and the cache file (they are rebuilt on the next lookup)."""
    _OPEN.pop(nr.root.resolve(), None)
    _cache(nr).remove()
