"""The site pages a build renders from cached records: the same slices as from a list of pages."""

from __future__ import annotations

from typing import Any

import pytest

from workflow.publishing.bundles import archive_chunk


def _old_archive_chunk(ordered: list[Any], number: int, page_size: int) -> list[Any]:
    """The definition `archive_chunk` had: reverse, slice from the oldest, reverse back."""
    oldest_first = list(reversed(ordered))
    return list(reversed(oldest_first[(number - 1) * page_size:number * page_size]))


def test_archive_chunk_slices_what_reversing_twice_gave() -> None:
    for count in range(26):
        ordered: Any = [f"r{n}" for n in range(count)]
        for size in range(1, 8):
            for number in range(0, count // size + 3):
                assert archive_chunk(ordered, number, size) == _old_archive_chunk(ordered, number, size), \
                    (count, size, number)


def test_lazy_pages_make_only_what_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from workflow.publishing import build

    made: list[int] = []

    def make(record: Any) -> Any:
        made.append(record[0])
        return ("page", record[0])

    monkeypatch.setattr(build, "page_from_record", make)
    lazy: Any = build._LazyPages([[n] for n in range(30)])
    assert len(lazy) == 30
    assert lazy[:3] == [("page", 0), ("page", 1), ("page", 2)]
    assert lazy[-1] == ("page", 29)
    chunk: Any = archive_chunk(lazy, 1, 10)
    assert chunk == [("page", n) for n in range(20, 30)]
    assert sorted(set(made)) == [0, 1, 2, *range(20, 30)]
    assert lazy[1] == ("page", 1)
    assert made.count(1) == 1  # made once
