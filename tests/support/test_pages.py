"""Account pages in the browser's language: sign-up, login, logout, password reset by real email, error pages."""
import re

import pytest

from support.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_sign_up_creates_a_customer_logs_them_in_and_uses_their_language(client):
    response = client.post("/en/accounts/signup/", {
        "email": "New.Person@example.com", "name": "New Person", "language": "es",
        "password1": "a-long-unusual-pass", "password2": "a-long-unusual-pass",
    })
    assert response.status_code == 302
    assert response["Location"] == "/es/"
    user = User.objects.get(email="new.person@example.com")
    assert user.language == "es"
    page = client.get("/es/").content.decode()
    assert "New Person" in page and "Cerrar sesión" in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"password2": "different-pass-123"}, "The two passwords do not match."),
        ({"password1": "12345678", "password2": "12345678"}, "This password is entirely numeric."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
    ],
)
def test_sign_up_shows_readable_errors_and_creates_nothing(client, data, message):
    form = {"email": "x@example.com", "name": "", "language": "en",
            "password1": "a-long-unusual-pass", "password2": "a-long-unusual-pass", **data}
    response = client.post("/en/accounts/signup/", form)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert User.objects.count() == 0


def test_sign_up_with_a_taken_email_says_so(client):
    UserFactory(email="taken@example.com")
    response = client.post("/zh-hans/accounts/signup/", {
        "email": "Taken@example.com", "language": "zh-hans",
        "password1": "a-long-unusual-pass", "password2": "a-long-unusual-pass",
    })
    assert "该邮箱已注册账户" in response.content.decode()
    assert User.objects.count() == 1


def test_wrong_password_shows_an_error_in_the_page_language(client):
    UserFactory(email="a@example.com")
    response = client.post("/ja/accounts/login/", {"username": "a@example.com", "password": "nope"})
    assert response.status_code == 200
    assert "メールアドレスまたはパスワードが正しくありません。" in response.content.decode()


def test_login_ignores_an_offsite_next(client):
    UserFactory(email="a@example.com", language="en")
    response = client.post("/en/accounts/login/?next=https://evil.example/",
                           {"username": "a@example.com", "password": PASSWORD})
    assert response["Location"] == "/en/"


def test_logout_is_a_post(client):
    user = UserFactory()
    client.force_login(user)
    assert client.post("/en/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_real_email_in_the_page_language_and_the_link_works(client, mailbox):
    UserFactory(email="reset@example.com", language="ru")
    response = client.post("/ru/accounts/password-reset/", {"email": "RESET@example.com"})
    assert response.status_code == 302
    assert len(mailbox) == 1
    message = mailbox[0]["message"]
    assert mailbox[0]["to"] == ["reset@example.com"]
    assert message["Subject"].startswith("Сброс пароля")
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Наши сотрудники никогда не спрашивают ваш пароль" in text
    assert message.get_body(preferencelist=("html",)) is not None
    link = re.search(r"http://[^/\s]+(/ru/accounts/reset/\S+/)", text).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": "brand-new-pass-2026", "new_password2": "brand-new-pass-2026"})
    assert done.status_code == 302
    assert client.login(username="reset@example.com", password="brand-new-pass-2026")


def test_an_account_made_from_mail_sets_its_first_password_by_reset_which_proves_the_address(client, mailbox):
    """People who wrote in by email have an account without a password: the reset link is how they claim it. Setting
    the password through it proves the mailbox and revokes every API token issued before."""
    from rest_framework.authtoken.models import Token

    from support.services import customer_for_email

    customer = customer_for_email(email="wrote.in@example.com", name="Wrote In", language="es")
    assert not customer.has_usable_password() and not customer.email_verified
    stolen = Token.objects.create(user=customer)
    assert client.post("/es/accounts/password-reset/", {"email": "wrote.in@example.com"}).status_code == 302
    assert [m["to"] for m in mailbox] == [["wrote.in@example.com"]]
    text = mailbox[0]["message"].get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"http://[^/\s]+(/es/accounts/reset/\S+/)", text).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]
    assert client.post(set_url, {"new_password1": "first-pass-2026!", "new_password2": "first-pass-2026!"}
                       ).status_code == 302
    customer.refresh_from_db()
    assert customer.email_verified and customer.check_password("first-pass-2026!")
    assert not Token.objects.filter(key=stolen.key).exists()
    assert client.get("/api/v1/auth/me/", HTTP_AUTHORIZATION=f"Token {stolen.key}").status_code == 401


def test_password_reset_for_an_unknown_address_sends_nothing_and_looks_the_same(client, mailbox):
    response = client.post("/en/accounts/password-reset/", {"email": "nobody@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/en/accounts/password-reset/sent/"
    assert mailbox == []


def test_unknown_page_is_a_readable_404(client):
    response = client.get("/ko/no-such-page/")
    assert response.status_code == 404
    assert "페이지를 찾을 수 없습니다" in response.content.decode()


def test_admin_site_is_for_admins_only(client, agent, desk_admin):
    client.force_login(agent)
    assert client.get("/admin/").status_code == 302
    client.force_login(desk_admin)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/support/user/").status_code == 200


def test_admin_can_add_a_user_with_a_role(client, desk_admin):
    client.force_login(desk_admin)
    response = client.post("/admin/support/user/add/", {
        "email": "Added@example.com", "name": "Added", "language": "ja", "role": "agent",
        "password1": "a-long-unusual-pass", "password2": "a-long-unusual-pass",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="added@example.com")
    assert user.has_perm("support.work_as_agent")
    assert user.agent_profile is not None


def test_mailcatcher_keeps_what_the_desk_sends(tmp_path, settings):
    """The development mail server `make run` starts saves each mail as an .eml file."""
    import socket
    import subprocess
    import sys
    import time

    from django.core.mail import send_mail

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "manage.py", "mailcatcher", "--port", str(port), "--folder",
                             str(tmp_path)], cwd=settings.BASE_DIR, stdout=subprocess.PIPE, text=True,
                            env={**__import__("os").environ, "DJANGO_SETTINGS_MODULE": "support.settings.test"})
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        settings.EMAIL_PORT = port
        send_mail("Catch me", "body", "desk@example.com", ["x@example.com"])
        files = []
        while time.monotonic() < deadline and not files:
            files = list(tmp_path.glob("*.eml"))
            time.sleep(0.1)
        assert len(files) == 1 and b"Catch me" in files[0].read_bytes()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
