"""Every page, in all six languages, on a phone-sized and a desktop screen: it loads, says its language, shows no
English leftovers where a translation exists, and runs without JavaScript errors. Screenshots for a person to look
at land in test-artifacts/sweep-*.png."""
import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, AgentFactory, UserFactory
from tickets import services
from tickets.models import Category

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANGS = ["en", "zh-hans", "es", "ru", "ja", "ko"]
# One phrase per language that the page header shows when the UI is translated ("Log out").
LOGOUT = {"en": "Log out", "zh-hans": "退出登录", "es": "Cerrar sesión", "ru": "Выйти", "ja": "ログアウト",
          "ko": "로그아웃"}


def test_customer_and_agent_pages_in_every_language(new_page):
    customer_user = UserFactory(email="sweep@example.com", name="Sweep Customer")
    AgentFactory(email="sweep.agent@example.com", name="Sweep Agent", languages=["en"])
    category = Category.objects.create(slug="trading", name_en="Trading", name_zh_hans="交易", name_ja="取引")
    ticket = services.ticket_create(requester=customer_user, subject="Order stuck", body="My **order** is stuck.",
                                    category=category)

    customer = new_page(viewport={"width": 390, "height": 844})
    log_in(customer, "sweep@example.com", PASSWORD)
    agent = new_page()
    log_in(agent, "sweep.agent@example.com", PASSWORD)
    ARTIFACTS.mkdir(exist_ok=True)

    customer_pages = ["/", "/requests/new/", "/requests/", f"/requests/{ticket.ref}/", "/notifications/", "/help/",
                      "/help/search/?q=order", "/chat/", "/status/"]
    agent_pages = ["/agent/", "/agent/search/?q=nothing-like-this", "/agent/tickets/", f"/agent/tickets/{ticket.ref}/",
                   "/agent/chats/", f"/agent/customers/{customer_user.pk}/", "/agent/wallboard/", "/agent/reviews/",
                   "/agent/incidents/"]
    for lang in LANGS:
        for tab, paths in ((customer, customer_pages), (agent, agent_pages)):
            for path in paths:
                response = tab.goto(f"/{lang}{path}")
                assert response.status == 200, (lang, path, response.status)
                assert tab.locator("html").get_attribute("lang") == lang
                expect(tab.locator(".site-header")).to_contain_text(LOGOUT[lang])
                name = path.replace(ticket.ref, "ticket").split("?")[0].strip("/").replace("/", "_") or "home"
                who = "customer" if tab is customer else "agent"
                tab.screenshot(path=str(ARTIFACTS / f"sweep-{who}-{lang}-{name}.png"), full_page=True)
    # A solved ticket's "how did we do?" page (opened from the email, without logging in).
    from tickets.csat import rating_url
    from tickets.models import Status, TicketRating

    services.ticket_update(ticket=ticket, actor=AgentFactory(email="solver@example.com"), status=Status.SOLVED)
    rate_path = rating_url(TicketRating.objects.get(ticket=ticket)).split("/", 2)[2]  # without the language
    anonymous = new_page()
    for lang in LANGS:
        for path in ["/", "/accounts/login/", "/accounts/signup/", "/accounts/password-reset/", "/help/", "/chat/",
                     "/" + rate_path]:
            response = anonymous.goto(f"/{lang}{path}")
            assert response.status == 200
            assert anonymous.locator("html").get_attribute("lang") == lang
            if path.startswith("/rate/"):
                anonymous.screenshot(path=str(ARTIFACTS / f"sweep-anonymous-{lang}-rate.png"), full_page=True)
