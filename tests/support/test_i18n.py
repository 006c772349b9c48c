"""Six languages everywhere: complete, compiled catalogs; pages, language switching and the saved preference."""
from pathlib import Path

import polib
import pytest
from django.conf import settings

from tests.factories import PASSWORD, UserFactory

LOCALES = {"en": "en", "zh-hans": "zh_Hans", "es": "es", "ru": "ru", "ja": "ja", "ko": "ko"}
LOCALE_DIR = Path(settings.BASE_DIR) / "locale"
HOME_TITLES = {
    "en": "How can we help?",
    "zh-hans": "需要什么帮助？",
    "es": "¿En qué podemos ayudarte?",
    "ru": "Чем мы можем помочь?",
    "ja": "どのようなご用件ですか？",
    "ko": "무엇을 도와드릴까요?",
}


def test_settings_serve_exactly_the_six_languages():
    assert [code for code, _name in settings.LANGUAGES] == list(LOCALES)


@pytest.mark.parametrize("directory", LOCALES.values())
def test_every_string_is_translated(directory):
    """No empty or fuzzy entry: a new UI string must come with its translations in all six languages."""
    po = polib.pofile(str(LOCALE_DIR / directory / "LC_MESSAGES" / "django.po"))
    untranslated = [e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert untranslated == []


def test_the_english_catalogue_says_exactly_its_source_strings():
    """English msgstrs equal their msgids: a fuzzy match left behind by makemessages once showed an older string
    (the agent's code line in chats lost its code)."""
    po = polib.pofile(str(LOCALE_DIR / "en" / "LC_MESSAGES" / "django.po"))
    drifted = [e.msgid for e in po if not e.obsolete and (
        (e.msgid_plural and [e.msgstr_plural[0], e.msgstr_plural[1]] != [e.msgid, e.msgid_plural])
        or (not e.msgid_plural and e.msgstr != e.msgid))]
    assert drifted == []


def test_no_entry_keeps_a_previous_msgid():
    """A `#| msgid` line marks a fuzzy match; its text may belong to another string (checked in every language)."""
    for directory in LOCALES.values():
        po = polib.pofile(str(LOCALE_DIR / directory / "LC_MESSAGES" / "django.po"))
        assert [e.msgid for e in po if e.previous_msgid and not e.obsolete] == [], directory


@pytest.mark.parametrize("directory", LOCALES.values())
def test_compiled_catalog_matches_the_source(directory):
    """The committed .mo holds exactly what the .po says (run `make messages` after editing a .po)."""
    base = LOCALE_DIR / directory / "LC_MESSAGES"
    po = polib.pofile(str(base / "django.po"))
    mo = polib.mofile(str(base / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, dict(e.msgstr_plural)) for e in mo if e.msgid}
    for entry in po:
        if entry.obsolete or not entry.msgid:
            continue
        msgstr, plural = compiled.get((entry.msgctxt, entry.msgid), (None, None))
        if entry.msgid_plural:
            assert {int(k): v for k, v in plural.items()} == {int(k): v for k, v in entry.msgstr_plural.items()}, \
                entry.msgid
        else:
            assert msgstr == entry.msgstr, entry.msgid


@pytest.mark.django_db
@pytest.mark.parametrize("lang", LOCALES)
def test_home_page_in_each_language(client, lang):
    response = client.get(f"/{lang}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert f'<html lang="{lang}">' in html
    assert HOME_TITLES[lang] in html


@pytest.mark.django_db
def test_root_redirects_to_the_browsers_language(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ja,en;q=0.5")
    assert response.status_code == 302
    assert response["Location"] == "/ja/"


@pytest.mark.django_db
def test_switching_language_saves_the_preference_of_a_signed_in_user(client):
    user = UserFactory(language="en")
    client.force_login(user)
    response = client.post("/i18n/setlang/", {"language": "ko", "next": "/en/notifications/"})
    assert response.status_code == 302
    assert response["Location"] == "/ko/notifications/"
    user.refresh_from_db()
    assert user.language == "ko"


@pytest.mark.django_db
def test_switching_to_an_unknown_language_changes_nothing(client):
    user = UserFactory(language="es")
    client.force_login(user)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/es/"})
    user.refresh_from_db()
    assert user.language == "es"


@pytest.mark.django_db
def test_login_takes_the_user_to_their_language(client):
    UserFactory(email="ru@example.com", language="ru")
    response = client.post("/en/accounts/login/", {"username": "ru@example.com", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/ru/"


@pytest.mark.django_db
def test_api_speaks_the_users_language_without_a_prefix(client):
    """Unprefixed URLs (the API) use the signed-in user's preference."""
    user = UserFactory(language="ja")
    client.force_login(user)
    response = client.post("/api/v1/notifications/999999/read/")
    assert response.status_code == 404
    assert response.headers["Content-Language"] == "ja"
