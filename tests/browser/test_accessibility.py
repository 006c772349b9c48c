"""Accessibility (issue #24): axe-core (vendored from npm by `make vendor` into tests/browser/vendor/, run in the
page, nothing fetched from elsewhere) finds no serious or critical violation on any page type a customer, an agent,
a supervisor or an admin opens, with live data on it, in Japanese (CJK text wraps differently; the structure the
rules check, names, roles, contrast, focus, is the same in every language, so one language keeps the suite short)."""
import json
from pathlib import Path

import pytest

from livechat import services as chat_services
from reports.history import History
from tests.factories import PASSWORD, AgentFactory

from .conftest import ARTIFACTS, log_in
from .test_no_english import _data

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()
# Serious and critical only (the bar); "region" is moderate and about landmarks.
RUN_AXE = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.slice(0, 4).map((n) => n.html.slice(0, 200) + " :: " + n.failureSummary.slice(0, 160)) }));
}"""


def axe_violations(tab):
    # Evaluated through the DevTools protocol: the page's Content-Security-Policy (no inline scripts) stays on.
    if not tab.evaluate("() => typeof window.axe !== 'undefined'"):
        tab.evaluate(AXE + "\n;undefined")
    return tab.evaluate(RUN_AXE)


@pytest.mark.parametrize("lang", ["ja"])
def test_no_serious_or_critical_accessibility_violation_on_any_page_type(new_page, asgi_server, lang):
    History(days=3, chats_per_day=12, tickets_per_day=4, seed=3).run()  # the reports' tables and charts have data
    server = asgi_server.start()
    data_lang = lang if lang != "en" else "es"
    customer, agent, ticket, chat = _data(data_lang)
    AgentFactory(email="jefa@example.com", name="陈 静", supervisor=True, languages=["en"])
    ended = chat_services.conversation_start(language=data_lang, customer=customer, with_bot=False)
    tabs = {"anonymous": new_page(base_url=server), "customer": new_page(base_url=server),
            "agent": new_page(base_url=server), "supervisor": new_page(base_url=server)}
    log_in(tabs["customer"], customer.email, PASSWORD, lang=lang)
    log_in(tabs["agent"], agent.email, PASSWORD, lang=lang)
    log_in(tabs["supervisor"], "jefa@example.com", PASSWORD, lang=lang)
    pages = {
        "anonymous": ["/accounts/login/", "/accounts/signup/", "/accounts/password-reset/", "/help/", "/chat/",
                      "/status/", "/verify/"],
        "customer": ["/", "/requests/new/", "/requests/", f"/requests/{ticket.ref}/", "/notifications/"],
        "agent": ["/agent/", "/agent/tickets/", f"/agent/tickets/{ticket.ref}/", "/agent/chats/",
                  f"/agent/chats/{ended.pk}/", f"/agent/customers/{customer.pk}/", f"/agent/search/?q={customer.email}",
                  "/agent/incidents/"],
        "supervisor": ["/agent/reports/", "/agent/wallboard/", "/agent/reviews/", "/agent/incidents/new/",
                       "/admin/", "/admin/helpcenter/article/", "/admin/helpcenter/article/add/",
                       "/admin/tickets/macro/"],
    }
    found = {}
    for who, paths in pages.items():
        tab = tabs[who]
        for path in paths:
            response = tab.goto(f"/{lang}{path}" if not path.startswith("/admin/") else path)
            assert response.status == 200, (who, path, response.status)
            tab.wait_for_load_state("networkidle")
            if path.startswith(("/agent/", "/chat/")):
                tab.wait_for_timeout(800)  # the socket's frames render the live parts
            violations = axe_violations(tab)
            if violations:
                found[f"{who} {path}"] = violations
    # The customer's chat while it runs (the message log, the composer), at desktop and phone size.
    for size in ({"width": 1280, "height": 900}, {"width": 390, "height": 844}):
        visitor = new_page(base_url=server, viewport=size)  # a new visitor: a page remembers its running chat
        visitor.goto(f"/{lang}/chat/")
        visitor.locator("#prechat-name").fill("Saša")
        visitor.locator("#prechat-email").fill(f"sasa{size['width']}@example.com")
        visitor.locator("#prechat button[type=submit]").click()
        visitor.locator("#chat-input").fill("USDT TRC20?")
        visitor.locator("#chat-input").press("Enter")
        visitor.locator("#chat-log .chat-msg").first.wait_for()
        visitor.wait_for_timeout(800)
        violations = axe_violations(visitor)
        if violations:
            found[f"visitor chat {size['width']}"] = violations
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"axe-{lang}.json").write_text(json.dumps(found, indent=1, ensure_ascii=False))
    assert found == {}
