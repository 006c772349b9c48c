"""Machine translation (support/translate, issue #25) against a real local server speaking LibreTranslate's protocol
(tests/support/libretranslate_server.py): the six languages both ways with LibreTranslate's codes, nothing asked
when the languages are the same or no provider is chosen, one deadline for the whole call, every way the server can
fail answered "failed" (never raised, never cached, never logged with the text), the API key, the cache, and plain
http refused to another machine."""
import logging
import socket
import time

import pytest
import redis
from django.conf import settings
from django.test import override_settings

from support.translate import (
    CACHE_PREFIX,
    FAILED,
    OFF,
    OK,
    PROVIDERS,
    SAME,
    Translation,
    TranslationUnavailable,
    mt_enabled,
    register_provider,
    translate,
)

from .libretranslate_server import PHRASES

KO_CUSTOMER = "출금이 아직 도착하지 않았어요. 어떻게 해야 하나요?"
EN_CUSTOMER = "My withdrawal has not arrived yet. What should I do?"
EN_AGENT = "Please send me the transaction ID and I will check it now."
KO_AGENT = "거래 ID를 보내 주시면 지금 바로 확인해 드리겠습니다."
THANKS = next(phrase for phrase in PHRASES if len(phrase) == 6)
SAID = {"zh-hans": ("我的充值还没有到账。", "My deposit has not arrived yet."),
        "es": ("No puedo iniciar sesión en mi cuenta.", "I cannot log in to my account."),
        "ru": ("Как сбросить двухфакторную аутентификацию?", "How do I reset two-factor authentication?"),
        "ja": ("本人確認にはどのくらい時間がかかりますか?", "How long does identity verification take?"),
        "ko": (KO_CUSTOMER, EN_CUSTOMER)}
LIBRE = {"zh-hans": "zh"}  # LibreTranslate's code where it is not ours
MARGIN = 0.5  # seconds past the deadline a failed call may take (thread start, scheduling)


def _log_text(caplog):
    return "\n".join(record.getMessage() for record in caplog.records)


# --- translating ----------------------------------------------------------------------------------------------------

def test_the_korean_customer_and_the_english_agent_read_each_other(libretranslate):
    """The conversation of the browser test: the customer's Korean in English for the agent, the agent's English in
    Korean for the customer, each asked of the provider once, as LibreTranslate expects it."""
    server = libretranslate()
    to_agent = translate(KO_CUSTOMER, source="ko", target="en")
    to_customer = translate(EN_AGENT, source="en", target="ko")
    assert to_agent == Translation(EN_CUSTOMER, "ko", "en", OK, "libretranslate", "")
    assert to_customer == Translation(KO_AGENT, "en", "ko", OK, "libretranslate", "")
    assert to_agent.ok and to_customer.ok
    assert [request["json"] for request in server.requests] == [
        {"q": KO_CUSTOMER, "source": "ko", "target": "en", "format": "text"},
        {"q": EN_AGENT, "source": "en", "target": "ko", "format": "text"},
    ]
    assert [(r["method"], r["path"]) for r in server.requests] == [("POST", "/translate")] * 2
    assert server.requests[0]["headers"]["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("lang", ["zh-hans", "es", "ru", "ja", "ko"])
def test_every_language_to_english_and_back_with_the_providers_codes(libretranslate, lang):
    """Each of the other five languages into English and English into it, our codes sent as LibreTranslate spells
    them (zh-hans as "zh"); the answer comes back under our codes."""
    server = libretranslate()
    theirs = LIBRE.get(lang, lang)
    written, english = SAID[lang]
    into_english = translate(written, source=lang, target="en")
    from_english = translate(THANKS["en"], source="en", target=lang)
    back = translate(THANKS[theirs], source=lang, target="en")
    assert (into_english.state, into_english.text, into_english.source, into_english.target) == (
        OK, english, lang, "en")
    assert (from_english.state, from_english.text, from_english.source, from_english.target) == (
        OK, THANKS[theirs], "en", lang)
    assert (back.state, back.text) == (OK, "Thank you for waiting.")
    assert [(r["json"]["source"], r["json"]["target"]) for r in server.requests] == [
        (theirs, "en"), ("en", theirs), (theirs, "en")]


def test_a_text_outside_the_dictionary_is_marked_with_its_target_and_aliases_are_accepted(libretranslate):
    """The stand-in's other texts come back as "[target] text"; "zh-CN" and "KO" name our zh-hans and ko."""
    libretranslate()
    result = translate("Where is my refund?", source="en", target="zh-CN")
    assert (result.state, result.text, result.target) == (OK, "[zh] Where is my refund?", "zh-hans")
    assert translate("Hello", source="EN", target="KO").text == "[ko] Hello"


def test_the_language_map_is_a_setting(libretranslate):
    """MT_LANGUAGE_CODES decides what is sent: with zh-hans sent as is, LibreTranslate refuses it (400) and the
    translation fails rather than raise."""
    server = libretranslate()
    with override_settings(MT_LANGUAGE_CODES={**settings.MT_LANGUAGE_CODES, "zh-hans": "zh-hans"}):
        result = translate("Hello", source="en", target="zh-hans")
    assert (result.state, result.text, result.error_code) == (FAILED, None, "rejected")
    assert server.requests[0]["json"]["target"] == "zh-hans"


# --- nothing to ask -------------------------------------------------------------------------------------------------

def test_the_same_language_is_returned_unchanged_without_a_call(libretranslate):
    """Same language in and out (however it is spelled): the text as it was, state "same", no request."""
    server = libretranslate()
    assert translate(KO_CUSTOMER, source="ko", target="ko") == Translation(KO_CUSTOMER, "ko", "ko", SAME, "", "")
    assert translate("你好", source="zh-hans", target="zh").state == SAME
    assert server.count == 0


def test_off_unless_a_provider_is_configured(libretranslate):
    """MT_PROVIDER empty (the default): mt_enabled() is false and translate() answers "off" without a request."""
    server = libretranslate()
    assert mt_enabled() is True
    with override_settings(MT_PROVIDER=""):
        assert mt_enabled() is False
        assert translate(KO_CUSTOMER, source="ko", target="en") == Translation(None, "ko", "en", OFF, "", "")
        assert translate("Bonjour", source="fr", target="en").state == OFF
        assert translate("Hello", source="en", target="en").state == SAME
    assert server.count == 0


def test_the_default_settings_are_off():
    """Out of the box no customer text leaves the desk."""
    assert settings.MT_PROVIDER == ""
    assert mt_enabled() is False
    assert translate("Hello", source="en", target="ko").state == OFF


@pytest.mark.parametrize("text, code", [("", "empty"), ("   \n", "empty"), ("x" * 21, "too_long")])
def test_empty_or_too_long_text_fails_without_a_call(libretranslate, text, code):
    """Nothing to translate, or more than MT_MAX_CHARS characters: failed, nothing sent."""
    server = libretranslate()
    with override_settings(MT_MAX_CHARS=20):
        result = translate(text, source="en", target="ko")
        assert translate("x" * 20, source="en", target="ko").state == OK
    assert (result.state, result.text, result.error_code) == (FAILED, None, code)
    assert server.count == 1


def test_a_language_we_do_not_serve_fails_without_a_call(libretranslate):
    server = libretranslate()
    result = translate("Bonjour", source="fr", target="en")
    assert (result.state, result.error_code, result.source) == (FAILED, "unsupported_language", "fr")
    assert server.count == 0


# --- the provider fails ---------------------------------------------------------------------------------------------

def test_a_slow_server_fails_at_the_deadline(libretranslate):
    """A server that answers after MT_TIMEOUT: "failed" with "timeout", within the deadline and a small margin."""
    libretranslate(delay=3)
    with override_settings(MT_TIMEOUT=0.5):
        started = time.monotonic()
        result = translate(KO_CUSTOMER, source="ko", target="en")
        elapsed = time.monotonic() - started
    assert (result.state, result.text, result.error_code) == (FAILED, None, "timeout")
    assert elapsed < 0.5 + MARGIN


def test_one_deadline_covers_the_whole_call_even_when_bytes_keep_coming(libretranslate):
    """A server that sends its headers at once and then a byte every 0.1 s never lets a socket operation time out;
    the whole call still ends at MT_TIMEOUT."""
    libretranslate(trickle=0.1)
    with override_settings(MT_TIMEOUT=0.6):
        started = time.monotonic()
        result = translate(KO_CUSTOMER, source="ko", target="en")
        elapsed = time.monotonic() - started
    assert (result.state, result.error_code) == (FAILED, "timeout")
    assert 0.5 < elapsed < 0.6 + MARGIN


@pytest.mark.parametrize("status, error, code", [
    (400, "Invalid request: missing q parameter", "rejected"),
    (403, "Invalid API key", "forbidden"),
    (429, "Too many request limits violations", "rate_limited"),
    (500, "Cannot translate text: model failure", "server_error"),
])
def test_an_error_answer_fails_with_its_code_and_is_logged_without_the_text(libretranslate, caplog, status, error,
                                                                            code):
    """LibreTranslate's {"error": ...} with 400/403/429/500: failed with a stable code, the server's message in the
    log, the customer's text nowhere in it."""
    libretranslate(fail_status=status, fail_error=error)
    with caplog.at_level(logging.WARNING, logger="support.translate"):
        result = translate(KO_CUSTOMER, source="ko", target="en")
    assert (result.state, result.text, result.error_code, result.provider) == (FAILED, None, code, "libretranslate")
    log = _log_text(caplog)
    assert code in log and error in log and str(status) in log
    assert KO_CUSTOMER not in log


def test_an_error_message_echoing_the_text_is_logged_without_it(libretranslate, caplog):
    """Should the server quote the text in its error, the log still does not have it."""
    libretranslate(fail_status=400, fail_error=f"Cannot translate '{KO_CUSTOMER}'")
    with caplog.at_level(logging.WARNING, logger="support.translate"):
        assert translate(KO_CUSTOMER, source="ko", target="en").error_code == "rejected"
    assert KO_CUSTOMER not in _log_text(caplog) and "Cannot translate" in _log_text(caplog)


@pytest.mark.parametrize("controls", [
    {"broken_json": True},
    {"raw_body": b'{"translated": "My withdrawal has not arrived yet."}'},
    {"raw_body": b'{"translatedText": 42}'},
    {"raw_body": b'{"translatedText": "  "}'},
    {"raw_body": b'["My withdrawal has not arrived yet."]'},
    {"raw_body": b"\xff\xfe not utf-8"},
])
def test_an_answer_in_another_shape_fails(libretranslate, controls):
    """200 with broken JSON, no translatedText, or not a text: failed with "bad_answer"."""
    libretranslate(**controls)
    result = translate(KO_CUSTOMER, source="ko", target="en")
    assert (result.state, result.text, result.error_code) == (FAILED, None, "bad_answer")


def test_an_oversize_answer_is_refused(libretranslate):
    """An answer over 256 KB is not read to its end: failed with "too_large"."""
    libretranslate(raw_body=b'{"translatedText": "' + b"a" * (300 * 1024) + b'"}')
    result = translate(KO_CUSTOMER, source="ko", target="en")
    assert (result.state, result.error_code) == (FAILED, "too_large")


def test_a_server_that_is_not_there_fails_at_once():
    """Connection refused: failed with "unreachable", without waiting for the deadline."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with override_settings(MT_PROVIDER="libretranslate", MT_URL=f"http://127.0.0.1:{port}", MT_TIMEOUT=2.5):
        started = time.monotonic()
        result = translate(KO_CUSTOMER, source="ko", target="en")
        elapsed = time.monotonic() - started
    assert (result.state, result.error_code) == (FAILED, "unreachable")
    assert elapsed < 1


@pytest.mark.parametrize("url", ["http://translate.example.com", "http://10.0.0.7:5000/", "ftp://127.0.0.1/",
                                 "https://translate.example.com/?key=1", "", "http://127.0.0.1:port/"])
def test_plain_http_to_another_machine_or_a_bad_url_is_refused_before_connecting(url, caplog):
    """Customer text goes over https only (plain http to this machine alone): anything else fails "not_configured"
    at once, nothing sent."""
    with override_settings(MT_PROVIDER="libretranslate", MT_URL=url), \
            caplog.at_level(logging.WARNING, logger="support.translate"):
        started = time.monotonic()
        result = translate(KO_CUSTOMER, source="ko", target="en")
        elapsed = time.monotonic() - started
    assert (result.state, result.error_code) == (FAILED, "not_configured")
    assert elapsed < 0.2
    assert "MT_URL" in _log_text(caplog) and KO_CUSTOMER not in _log_text(caplog)


# --- the API key ----------------------------------------------------------------------------------------------------

def test_the_api_key_is_sent_when_set(libretranslate):
    """With MT_API_KEY the request carries it as "api_key" and a server that requires it translates."""
    server = libretranslate(api_key="lt-key-0123")
    assert translate(KO_CUSTOMER, source="ko", target="en").text == EN_CUSTOMER
    assert server.requests[0]["json"]["api_key"] == "lt-key-0123"


def test_without_the_key_a_server_that_wants_one_refuses(libretranslate):
    """No MT_API_KEY: no "api_key" in the request, and such a server's 403 is "forbidden"."""
    server = libretranslate(api_key="lt-key-0123")
    with override_settings(MT_API_KEY=""):
        result = translate(KO_CUSTOMER, source="ko", target="en")
    assert (result.state, result.error_code) == (FAILED, "forbidden")
    assert "api_key" not in server.requests[0]["json"]


# --- the cache ------------------------------------------------------------------------------------------------------

def test_a_translation_is_cached_for_the_configured_time_under_a_hash(libretranslate):
    """The second identical call makes no request; another target does. The key in Redis names a hash, not the
    text, and lives MT_CACHE_SECONDS."""
    server = libretranslate()
    with override_settings(MT_CACHE_SECONDS=3600):
        first = translate(KO_CUSTOMER, source="ko", target="en")
        second = translate(KO_CUSTOMER, source="ko", target="en")
    assert first == second and second.state == OK and server.count == 1
    assert translate(KO_CUSTOMER, source="ko", target="ja").text == f"[ja] {KO_CUSTOMER}"
    assert server.count == 2
    client = redis.Redis.from_url(settings.TEST_REDIS_URL)
    keys = list(client.scan_iter(f"*{CACHE_PREFIX}*"))
    assert len(keys) == 2
    assert all(KO_CUSTOMER.encode() not in key and b"ko" not in key for key in keys)
    assert any(3590 < client.ttl(key) <= 3600 for key in keys)
    client.close()


def test_failures_are_not_cached(libretranslate):
    """A failed call leaves nothing behind: once the server is back the next call asks it and translates."""
    server = libretranslate(fail_status=500, fail_error="busy")
    assert translate(KO_CUSTOMER, source="ko", target="en").state == FAILED
    server.fail_status = None
    assert translate(KO_CUSTOMER, source="ko", target="en").text == EN_CUSTOMER
    assert server.count == 2


# --- other providers ------------------------------------------------------------------------------------------------

class ShoutingProvider:
    """A provider as another one would be written: our codes in, the text out."""

    def translate(self, text, source, target):
        if text == "busy":
            raise TranslationUnavailable("rate_limited", "shouting provider busy")
        return f"{text.upper()} ({source}->{target})"


class BrokenProvider:
    def translate(self, text, source, target):
        raise RuntimeError(f"cannot handle {text!r}")


@pytest.fixture
def registered():
    yield register_provider
    PROVIDERS.pop("shouting", None)


def test_another_provider_plugs_in_by_name_or_dotted_path(registered):
    """register_provider() names a class; a dotted path in MT_PROVIDER works too; its TranslationUnavailable is a
    failure with its code."""
    registered("shouting", ShoutingProvider)
    with override_settings(MT_PROVIDER="shouting"):
        assert translate("hello", source="en", target="zh-hans") == Translation(
            "HELLO (en->zh-hans)", "en", "zh-hans", OK, "shouting", "")
        assert translate("busy", source="en", target="ko").error_code == "rate_limited"
    with override_settings(MT_PROVIDER=f"{__name__}.ShoutingProvider"):
        assert translate("hi", source="ko", target="en").text == "HI (ko->en)"


def test_a_provider_that_crashes_or_is_unknown_fails_without_raising_or_logging_the_text(caplog):
    """A plugged-in provider's exception is "provider_error" (logged with where, not its message, which may hold
    the text); a name that matches nothing is "not_configured"."""
    with override_settings(MT_PROVIDER=f"{__name__}.BrokenProvider"), \
            caplog.at_level(logging.WARNING, logger="support.translate"):
        result = translate(KO_CUSTOMER, source="ko", target="en")
    assert (result.state, result.error_code) == (FAILED, "provider_error")
    assert "RuntimeError" in _log_text(caplog) and KO_CUSTOMER not in _log_text(caplog)
    for name in ("deepl", "nowhere.Provider"):
        with override_settings(MT_PROVIDER=name):
            assert translate("hi", source="en", target="ko").error_code == "not_configured"
