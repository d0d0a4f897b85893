"""The interface language: per context (CLI process, request, task), reported honestly; one PO module.

The catalogs themselves (in step, complete, msgfmt-clean) are tests/test_catalogs.py's.
"""

from __future__ import annotations

import asyncio
import contextvars
import gettext
import io
import threading
from pathlib import Path

import pytest

from workflow import i18n
from workflow.errors import InvalidData, NotFound
from workflow.i18n import pofile
from workflow.maintenance import catalogs

REPO = Path(__file__).resolve().parents[1]
NO_RELEASES = {"en": "No releases.", "ar": "لا توجد بيانات صحفية."}


def _no_checkout_message(where: Path) -> str:
    """A real operation's error, in whatever language the current context speaks."""
    with pytest.raises(NotFound) as caught:
        catalogs.source_tree(where)
    return caught.value.message


# ---------------------------------------------------------------- choosing the language
def test_set_language_reports_arabic_when_arabic_is_served() -> None:
    """Bug: GNUTranslations subclasses NullTranslations, so "ar" used to come back as "en"."""
    assert i18n.set_language("ar") == "ar"
    assert i18n.current_language() == "ar"
    assert i18n._("No releases.") == NO_RELEASES["ar"]
    assert i18n.set_language("ar_SY.UTF-8") == "ar"  # the form LANGUAGE and LANG use
    assert i18n.set_language("en") == "en"
    assert i18n.current_language() == "en"
    assert i18n._("No releases.") == NO_RELEASES["en"]


@pytest.mark.parametrize("asked", ["xx", "fr", "../ar", "/etc", "."])
def test_an_unknown_language_is_reported_and_english_served(asked: str) -> None:
    i18n.set_language("ar")
    assert i18n.set_language(asked) == "en"
    assert i18n.current_language() == "en"
    assert i18n._("No releases.") == NO_RELEASES["en"]


def test_available_languages_lists_the_catalogs_and_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert i18n.available_languages() == ["ar", "en"]
    locales = tmp_path / "locales"
    (locales / "fr" / "LC_MESSAGES").mkdir(parents=True)  # a folder without a catalog does not count
    (locales / "de" / "LC_MESSAGES").mkdir(parents=True)
    (locales / "de" / "LC_MESSAGES" / "pubflow.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\nmsgid "No releases."\n'
        'msgstr "Keine Meldungen."\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "locales_dir", lambda: locales)
    assert i18n.available_languages() == ["de", "en"]
    assert i18n.set_language("de") == "de"
    assert i18n._("No releases.") == "Keine Meldungen."


def test_a_catalog_that_cannot_be_read_is_reported_as_english(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    locales = tmp_path / "locales"
    po = locales / "ar" / "LC_MESSAGES" / "pubflow.po"
    po.parent.mkdir(parents=True)
    po.write_bytes(b'msgid "No releases."\nmsgstr "\xff\xfe"\n')  # not UTF-8
    monkeypatch.setattr(i18n, "locales_dir", lambda: locales)
    assert i18n.set_language("ar") == "en"
    assert i18n._("No releases.") == NO_RELEASES["en"]


def test_catalog_key_changes_with_the_catalog_and_is_withheld_while_racy(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Output cached under `catalog_key()` (pending, inbox) goes stale when the catalog changes."""
    import shutil
    import time

    from workflow import filestamp

    locales = tmp_path / "locales"
    shutil.copytree(REPO / "locales", locales, ignore=shutil.ignore_patterns("*.mo"))
    monkeypatch.setattr(i18n, "locales_dir", lambda: locales)
    later = [False]  # False: now; True: as if two seconds had passed since the files were written
    monkeypatch.setattr(i18n, "racy_cutoff", lambda: filestamp.racy_cutoff(time.time_ns() + 2 * 10**9 * later[0]))
    po = locales / "ar" / "LC_MESSAGES" / "pubflow.po"
    assert i18n.set_language("ar") == "ar"
    assert i18n.catalog_key() is None  # just copied: racy, not to be cached on
    later[0] = True
    i18n.set_language("ar")
    first = i18n.catalog_key()
    assert first is not None
    assert first.startswith("ar|")
    i18n.set_language("ar")
    assert i18n.catalog_key() == first  # same files, same key
    i18n.set_language("en")
    assert i18n.catalog_key() not in (None, first)
    po.write_text(po.read_text(encoding="utf-8").replace('"لا توجد بيانات صحفية."', '"ليس هناك أي بيان."'),
                  encoding="utf-8")
    later[0] = False
    assert i18n.set_language("ar") == "ar"
    assert i18n.catalog_key() is None
    assert i18n._("No releases.") == "ليس هناك أي بيان."
    later[0] = True
    i18n.set_language("ar")
    assert i18n.catalog_key() not in (None, first)
    assert i18n._("No releases.") == "ليس هناك أي بيان."


# ---------------------------------------------------------------- one language per context
def test_use_language_is_scoped_and_nests() -> None:
    assert i18n.set_language("en") == "en"
    with i18n.use_language("ar") as served:
        assert served == "ar"
        assert i18n._("No releases.") == NO_RELEASES["ar"]
        with i18n.use_language("en"):
            assert i18n.current_language() == "en"
        assert i18n.current_language() == "ar"
    assert i18n.current_language() == "en"
    with pytest.raises(RuntimeError), i18n.use_language("ar"):  # restored on errors too
        raise RuntimeError
    assert i18n.current_language() == "en"
    with i18n.use_language("xx") as served:
        assert served == "en"


def test_two_threads_render_different_languages_at_once(tmp_path: Path) -> None:
    """Two requests of a web workspace, interleaved: each sees its own language only."""
    barrier = threading.Barrier(2, timeout=10)
    seen: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def request(lang: str) -> None:
        try:
            with i18n.use_language(lang):
                barrier.wait()  # both requests are inside their block now
                out = []
                for _ in range(50):
                    out.append(i18n._("No releases."))
                    out.append(_no_checkout_message(tmp_path))
                    out.append(i18n.current_language())
                barrier.wait()
                seen[lang] = out
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=request, args=(lang,)) for lang in ("ar", "en")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert not errors
    assert set(seen["ar"]) == {NO_RELEASES["ar"], "ar", f"لا توجد نسخة مصدر لـpubflow في {tmp_path.resolve()} "
                                                        "(لا يوجد babel.cfg بجانب workflow/)"}
    assert set(seen["en"]) == {NO_RELEASES["en"], "en", f"no pubflow source checkout at {tmp_path.resolve()} "
                                                        "(no babel.cfg next to workflow/)"}
    assert i18n.current_language() == "en"  # the main context was never touched


def test_asyncio_tasks_keep_their_own_language() -> None:
    async def handle(lang: str, pause: float) -> tuple[str, str]:
        with i18n.use_language(lang):
            await asyncio.sleep(pause)  # the other task runs meanwhile
            return i18n.current_language(), i18n._("No releases.")

    async def both() -> list[tuple[str, str]]:
        return list(await asyncio.gather(handle("ar", 0.05), handle("en", 0.01)))

    assert asyncio.run(both()) == [("ar", NO_RELEASES["ar"]), ("en", NO_RELEASES["en"])]


def test_a_thread_speaks_the_cli_language_only_when_given_the_context() -> None:
    """The CLI sets the language once; a thread it starts must carry the context along."""
    i18n.set_language("ar")
    got: dict[str, str] = {}
    bare = threading.Thread(target=lambda: got.update(bare=i18n._("No releases.")))
    context = contextvars.copy_context()
    carried = threading.Thread(target=context.run, args=(lambda: got.update(carried=i18n._("No releases.")),))
    for thread in (bare, carried):
        thread.start()
        thread.join(10)
    assert got == {"bare": NO_RELEASES["en"], "carried": NO_RELEASES["ar"]}


# ---------------------------------------------------------------- pofile: plain library errors, callers translate
def test_pofile_errors_carry_a_reason_and_no_interface_text() -> None:
    i18n.set_language("ar")
    cases = {
        b"msgid \"a\"\nmsgstr \"\xff\"\n": (pofile.CatalogError.NOT_UTF8, {"position": 18}),
        b'msgid "a"\nmsgstr "b\x00"\n': (pofile.CatalogError.NUL, {}),
        b'msgid "a"\nmsgstr "unclosed\n': (pofile.CatalogError.BAD_LINE, {"line": 2}),
        b"# only a comment\n": (pofile.CatalogError.NO_ENTRIES, {}),
    }
    for data, (reason, where) in cases.items():
        with pytest.raises(pofile.CatalogError) as caught:
            pofile.read_po_strict(data)
        assert isinstance(caught.value, ValueError)
        assert caught.value.reason == reason
        for name, value in where.items():
            assert getattr(caught.value, name) == value
        assert str(caught.value).isascii()  # no Arabic: the caller words it


def test_the_exchange_turns_a_pofile_error_into_a_translated_message() -> None:
    from workflow.translation.exchange import parse_exchange

    bad = b'msgid ""\nmsgstr ""\n"X-Pubflow-Release: r\\n"\n\nmsgid "a"\nmsgstr "\xff"\n'
    with i18n.use_language("ar"), pytest.raises(InvalidData) as caught:
        parse_exchange(bad, "ar.po")
    assert caught.value.message == f"ar.po: ليس بترميز UTF-8 (البايت {bad.index(0xFF)})"
    with pytest.raises(InvalidData) as caught:
        parse_exchange(bad, "ar.po")
    assert caught.value.message == f"ar.po: not UTF-8 (byte {bad.index(0xFF)})"


def test_compile_mo_stamps_the_source_hash_and_leaves_fuzzy_out() -> None:
    po = ('msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
          'msgid "Home"\nmsgstr "الرئيسية"\n\n#, fuzzy\nmsgid "Back"\nmsgstr "رجوع"\n').encode()
    tr = gettext.GNUTranslations(io.BytesIO(pofile.compile_mo(po)))
    assert tr.info()["x-pubflow-source"] == pofile.source_hash(po)
    assert (tr.gettext("Home"), tr.gettext("Back")) == ("الرئيسية", "Back")
    tr = gettext.GNUTranslations(io.BytesIO(pofile.compile_mo(po, use_fuzzy=True)))
    assert tr.gettext("Back") == "رجوع"


def test_write_po_and_read_po_strict_round_trip() -> None:
    entries = [pofile.PoEntry(msgid="Line one\nline \"two\"", msgstr="سطر", context="p1", fuzzy=True,
                              previous_msgid="old", comments=("release x", "pubflow: status=machine")),
               pofile.PoEntry(msgid="Title", context="title")]
    data = pofile.write_po(entries, {"Language": "ar"})
    back = pofile.read_po_strict(data)
    assert back.metadata["Language"] == "ar"
    assert list(back.entries) == entries
