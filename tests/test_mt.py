"""Machine suggestions: deep-translator's real code against a local LibreTranslate-compatible server."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EDITOR, TRANSLATOR, WRITER, Cli
from tests.libre_server import HangingServer, LibreServer, closed_port_url
from workflow.errors import ExternalError, InvalidData, UsageError
from workflow.storage.config_file import load_config
from workflow.storage.newsroom import Newsroom
from workflow.translation.mt import PROVIDERS, mt_settings, provider_config, redact, suggest_text

KEY = "s3cret-KEY-4242"
ENV = {"LIBRE_TEST_KEY": KEY}


@pytest.fixture
def libre() -> Iterator[LibreServer]:
    with LibreServer() as server:
        yield server


def configure(root: Path, url: str, **extra: Any) -> None:
    """Add a machine_translation section for libre at `url` to the newsroom's pubflow.yaml."""
    settings = {"provider": "libre", "timeout": 5, "retries": 2, "backoff": 0.01,
                "providers": {"libre": {"url": url, "api_key_env": "LIBRE_TEST_KEY"}}}
    settings.update(extra)
    with (root / "pubflow.yaml").open("a", encoding="utf-8") as fh:
        fh.write("machine_translation: " + json.dumps(settings) + "\n")


def statuses(root: Path, release_id: str, lang: str = "ar") -> dict[str, str]:
    return Newsroom.open(root).load(release_id).statuses(lang)


def test_suggest_fills_untranslated_segments_with_machine_status(cli: Cli, newsroom: Path, in_translation: str,
                                                                 libre: LibreServer) -> None:
    configure(newsroom, libre.url)
    result: Any = cli("suggest", in_translation, "--lang", "ar", as_=TRANSLATOR, env=ENV)
    assert result.exit_code == 0, result.output
    doc = Newsroom.open(newsroom).load(in_translation)
    segments = doc.target("ar")
    assert set(doc.statuses("ar").values()) == {"machine"}
    title = segments["title"]
    assert title.text == "[en>ar] " + doc.title
    assert title.origin == "machine:libre"
    assert title.by == "Rami Haddad"
    assert title.source == doc.title
    assert libre.count == len(doc.source)
    assert {r["api_key"] for r in libre.requests} == {KEY}
    assert {(r["source"], r["target"]) for r in libre.requests} == {("en", "ar")}
    assert f"{len(doc.source)} suggestion(s) saved with status machine" in result.stdout
    # Suggestions are not translations: the publish gate still refuses.
    published: Any = cli("publish", in_translation, as_=EDITOR)
    assert published.exit_code == 4
    assert "not approved" in published.stderr or "machine" in published.stderr


def test_same_text_is_never_sent_twice(cli: Cli, newsroom: Path, in_translation: str, libre: LibreServer) -> None:
    configure(newsroom, libre.url)
    first: Any = cli("suggest", in_translation, "--lang", "ar", as_=TRANSLATOR, env=ENV)
    assert first.exit_code == 0, first.output
    sent = libre.count
    (newsroom / "releases" / in_translation / "ar.yaml").unlink()  # everything untranslated again
    second: Any = cli("suggest", in_translation, "--lang", "ar", "--json", as_=TRANSLATOR, env=ENV)
    assert second.exit_code == 0, second.output
    assert libre.count == sent  # 0 new requests
    report = json.loads(second.stdout)
    assert report["from_cache"] == sent
    assert report["requests"] == 0
    assert set(statuses(newsroom, in_translation).values()) == {"machine"}
    # suggest_text uses the same cache
    nr = Newsroom.open(newsroom)
    title = nr.load(in_translation).title
    hit = suggest_text(nr, title, "en", "ar")
    assert hit.cached
    assert hit.text == "[en>ar] " + title
    assert libre.count == sent


def test_http_500_is_retried(cli: Cli, newsroom: Path, in_translation: str, libre: LibreServer) -> None:
    configure(newsroom, libre.url)
    libre.fail_next = [500, 503]
    result: Any = cli("suggest", in_translation, "--lang", "ar", as_=TRANSLATOR, env=ENV)
    assert result.exit_code == 0, result.output
    segments = len(Newsroom.open(newsroom).load(in_translation).source)
    assert libre.count == segments + 2
    assert set(statuses(newsroom, in_translation).values()) == {"machine"}


def test_persistent_server_error_exits_7_after_retries(cli: Cli, newsroom: Path, in_translation: str,
                                                       libre: LibreServer) -> None:
    configure(newsroom, libre.url, retries=1)
    libre.fail_next = [500] * 10
    result: Any = cli("suggest", in_translation, "--lang", "ar", as_=TRANSLATOR, env=ENV)
    assert result.exit_code == 7
    assert result.stderr.strip() == (f"error: machine translation: libre at {libre.url.rstrip('/')} failed with "
                                     "HTTP 500 after 2 attempts (try again later, or use another provider with "
                                     "--provider)")
    assert libre.count == 2
    assert set(statuses(newsroom, in_translation).values()) == {"untranslated"}


def test_server_that_never_answers_times_out(cli: Cli, newsroom: Path, in_translation: str) -> None:
    with HangingServer() as hanging:
        configure(newsroom, hanging.url, timeout=0.3, retries=1)
        started = time.monotonic()
        result: Any = cli("suggest", in_translation, "--lang", "ar", as_=TRANSLATOR, env=ENV)
        elapsed = time.monotonic() - started
    assert result.exit_code == 7
    assert elapsed < 5
    assert "did not answer within 0.3 s after 2 attempts" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert KEY not in result.stderr
    assert KEY not in result.stdout
    assert set(statuses(newsroom, in_translation).values()) == {"untranslated"}


def test_offline_connection_refused(cli: Cli, newsroom: Path, in_translation: str) -> None:
    url = closed_port_url()
    configure(newsroom, url, retries=1)
    result: Any = cli("suggest", in_translation, "--lang", "ar", as_=TRANSLATOR, env=ENV)
    assert result.exit_code == 7
    assert f"cannot connect to libre at {url.rstrip('/')} (offline, or a wrong URL?)" in result.stderr
    assert "check the network connection" in result.stderr
    assert KEY not in result.stderr
    assert "api_key" not in result.stderr


def test_missing_api_key_sends_nothing(cli: Cli, newsroom: Path, in_translation: str, libre: LibreServer) -> None:
    configure(newsroom, libre.url)
    result: Any = cli("suggest", in_translation, "--lang", "ar", as_=TRANSLATOR)
    assert result.exit_code == 7
    assert "the environment variable LIBRE_TEST_KEY holding its API key is not set" in result.stderr
    assert "export LIBRE_TEST_KEY=" in result.stderr
    assert libre.count == 0


def test_rejected_key_never_appears_in_output(cli: Cli, newsroom: Path, in_translation: str,
                                              libre: LibreServer) -> None:
    # deep-translator puts the key in the URL and in its AuthorizationException text.
    configure(newsroom, libre.url)
    libre.required_key = "another-key"
    result: Any = cli("suggest", in_translation, "--lang", "ar", as_=TRANSLATOR, env=ENV)
    assert result.exit_code == 7
    assert "libre refused the API key (HTTP 403)" in result.stderr
    assert "check the key in LIBRE_TEST_KEY" in result.stderr
    assert KEY not in result.stderr
    assert KEY not in result.stdout
    assert libre.count == 1  # a refused key is not retried


def test_url_option_and_provider_errors(cli: Cli, newsroom: Path, in_translation: str, libre: LibreServer) -> None:
    configure(newsroom, closed_port_url())
    result: Any = cli("suggest", in_translation, "--lang", "ar", "--url", libre.url, as_=TRANSLATOR, env=ENV)
    assert result.exit_code == 0, result.output
    assert libre.count > 0
    unknown: Any = cli("suggest", in_translation, "--lang", "ar", "--provider", "babelfish", as_=TRANSLATOR)
    assert unknown.exit_code == 2
    assert "unknown provider 'babelfish'" in unknown.stderr
    bad_url: Any = cli("suggest", in_translation, "--lang", "ar", "--provider", "google", "--url", libre.url,
                       as_=TRANSLATOR)
    assert bad_url.exit_code == 2
    assert "--url applies to self-hosted providers" in bad_url.stderr


def test_no_provider_configured(cli: Cli, in_translation: str) -> None:
    result: Any = cli("suggest", in_translation, "--lang", "ar", as_=TRANSLATOR)
    assert result.exit_code == 2
    assert "no machine translation provider is configured" in result.stderr


def test_suggest_refuses_a_person_without_the_role(cli: Cli, newsroom: Path, in_translation: str,
                                                   libre: LibreServer) -> None:
    configure(newsroom, libre.url)
    result: Any = cli("suggest", in_translation, "--lang", "ar", as_=WRITER, env=ENV)
    assert result.exit_code == 4
    assert libre.count == 0


def test_unsupported_language_code_is_reported(cli: Cli, newsroom: Path, in_translation: str,
                                               libre: LibreServer) -> None:
    configure(newsroom, libre.url, providers={"libre": {"url": libre.url, "api_key_env": "LIBRE_TEST_KEY",
                                                        "languages": {"ar": "ar-XX"}}})
    result: Any = cli("suggest", in_translation, "--lang", "ar", as_=TRANSLATOR, env=ENV)
    assert result.exit_code == 7
    assert "libre does not support en -> ar-XX" in result.stderr
    assert libre.count == 0


def test_provider_language_codes(newsroom: Path) -> None:
    config = load_config(newsroom)
    assert provider_config(config, "mymemory").code("ar") == "ar-SA"
    assert provider_config(config, "mymemory").code("en") == "en-GB"
    assert provider_config(config, "google").code("ar") == "ar"
    assert set(PROVIDERS) == {"libre", "google", "mymemory", "microsoft", "yandex", "qcri"}


@pytest.mark.parametrize(("section", "message"), [
    ({"provider": "deepl"}, "unknown provider 'deepl'"),
    ({"providers": {"libre": {"url": "ftp://x"}}}, "is not an http(s) URL"),
    ({"providers": {"libre": {"api_key_env": "sk-123 456"}}}, "is not an environment variable name"),
    ({"providers": {"libre": {"token": "x"}}}, "token: unknown setting"),
    ({"timeout": 0}, "timeout: 0 is not a number of seconds > 0"),
    ({"retries": -1}, "is not a whole number"),
    ({"speed": 1}, "unknown field 'speed'"),
])
def test_invalid_machine_translation_config(newsroom: Path, section: dict[str, Any], message: str) -> None:
    with (newsroom / "pubflow.yaml").open("a", encoding="utf-8") as fh:
        fh.write("machine_translation: " + json.dumps(section) + "\n")
    with pytest.raises(InvalidData, match="machine_translation") as info:
        mt_settings(load_config(newsroom))
    assert message in info.value.line()


def test_suggest_text_errors(newsroom: Path, libre: LibreServer, monkeypatch: pytest.MonkeyPatch) -> None:
    configure(newsroom, libre.url)
    monkeypatch.setenv("LIBRE_TEST_KEY", KEY)
    nr = Newsroom.open(newsroom)
    with pytest.raises(UsageError):
        suggest_text(nr, "   ", "en", "ar")
    first = suggest_text(nr, "The Coalition said", "en", "ar")
    assert first.text == "[en>ar] The Coalition said"
    assert not first.cached
    assert first.provider == "libre"
    reverse = suggest_text(nr, "قال الائتلاف", "ar", "en")
    assert reverse.text == "[ar>en] قال الائتلاف"
    libre.fail_next = [404]
    with pytest.raises(ExternalError, match=r"rejected the request \(HTTP 404\)"):
        suggest_text(nr, "Another text", "en", "ar")


def test_redact() -> None:
    assert redact("url?api_key=abc&q=1", "abc", None) == "url?api_key=***&q=1"


# ------------------------------------------------------------------ suggest --memory-only (offline offices)
def test_memory_only_suggests_from_memory_without_any_provider(cli: Cli, newsroom: Path, in_translation: str,
                                                               sample_arabic: dict[str, str]) -> None:
    """No provider configured, no network: exact memory matches only; the rest stays untranslated."""
    from tests.conftest import SAMPLE
    from tests.test_checks import translate_all

    translate_all(newsroom, in_translation, {k: sample_arabic[k] for k in ("title", "p1", "p2")}, "translated")
    second = "2019-07-22-the-same-statement-again"
    made: Any = cli("new", "--from", str(SAMPLE), "--slug", "the-same-statement-again", "--title",
                    "Coalition: Assad regime and Russia's crimes in northwestern Syria are international crimes",
                    as_=WRITER)
    assert made.exit_code == 0, made.output
    assert cli("submit", second, as_=WRITER).exit_code == 0
    assert cli("approve", second, as_=EDITOR).exit_code == 0
    result: Any = cli("suggest", second, "--lang", "ar", "--memory-only", as_=TRANSLATOR)
    assert result.exit_code == 0, result.output
    total = len(Newsroom.open(newsroom).load(second).source)
    assert (f"{second} [ar]: 3 suggestion(s) from translation memory saved with status machine; "
            f"{total - 3} segment(s) without an exact match") in result.stdout
    doc = Newsroom.open(newsroom).load(second)
    target = doc.target("ar")
    assert [(s, target[s].text, target[s].status, target[s].origin) for s in ("title", "p1", "p2")] == [
        (s, sample_arabic[s], "machine", f"memory:{in_translation}") for s in ("title", "p1", "p2")]
    assert {target[s.id].status for s in doc.source if s.id not in ("title", "p1", "p2")} == {"untranslated"}
    as_json: Any = cli("suggest", second, "--lang", "ar", "--memory-only", "--json", as_=TRANSLATOR)
    data = json.loads(as_json.stdout)
    assert (data["provider"], data["filled"], data["requests"]) == ("memory", [], 0)
    assert len(data["unmatched"]) == total - 3
    # Without --memory-only the same newsroom has no provider: the usual usage error.
    assert cli("suggest", second, "--lang", "ar", as_=TRANSLATOR).exit_code == 2  # type: ignore[attr-defined]


def test_memory_only_never_touches_the_network(cli: Cli, newsroom: Path, in_translation: str,
                                               libre: LibreServer) -> None:
    configure(newsroom, libre.url)
    result: Any = cli("suggest", in_translation, "--lang", "ar", "--memory-only", as_=TRANSLATOR, env=ENV)
    assert result.exit_code == 0, result.output
    assert libre.count == 0
    assert set(statuses(newsroom, in_translation).values()) == {"untranslated"}
    both: Any = cli("suggest", in_translation, "--lang", "ar", "--memory-only", "--url", libre.url, as_=TRANSLATOR)
    assert both.exit_code == 2
    assert "--memory-only uses no provider (leave out --provider and --url)" in both.stderr
    none: Any = cli("suggest", in_translation, "--lang", "ar", "--memory-only", "--no-memory", as_=TRANSLATOR)
    assert none.exit_code == 2
    assert libre.count == 0
