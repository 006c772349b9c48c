"""Custom fields in the browser (issue #26): a Korean customer files a withdrawal request with its network and
transaction hash, a hash of the wrong network first being refused beside its field in Korean; the agent reads and
completes the values on the ticket page in Japanese."""
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, AgentFactory, UserFactory
from tickets.demo_fields import seed_fields
from tickets.models import Category, Ticket, TicketEvent

from .conftest import ARTIFACTS, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots/fields")
ERC20 = "0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204ef84bfed1be16dfba1b22060"
TRC20 = "4f1c7e2b9a0d3c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6"


def shot(tab, name):
    for folder in (SHOTS, ARTIFACTS):
        folder.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(folder / f"custom-fields-{name}.png"), full_page=True)


def test_a_korean_customer_files_a_withdrawal_with_network_and_hash(new_page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    Category.objects.create(slug="deposits-withdrawals", position=20, name_en="Deposits & withdrawals",
                            name_ko="입금 및 출금", name_ja="入金と出金")
    Category.objects.create(slug="trading", position=30, name_en="Trading", name_ko="거래", name_ja="取引")
    seed_fields()
    UserFactory(email="minji@example.com", name="김민지", language="ko")
    AgentFactory(email="haruka@example.com", name="Haruka", languages=["ja", "ko"])

    customer = new_page(viewport={"width": 390, "height": 844}, locale="ko-KR")
    log_in(customer, "minji@example.com", PASSWORD, lang="ko")
    customer.goto("/ko/requests/new/")
    network, tx_hash = customer.locator("#id_cf_network"), customer.locator("#id_cf_tx_hash")
    expect(network).to_be_hidden()  # no topic chosen yet: the withdrawal fields wait for theirs
    customer.locator("#id_category").select_option("trading")
    expect(network).to_be_hidden()
    customer.locator("#id_category").select_option("deposits-withdrawals")
    expect(network).to_be_visible()
    expect(customer.get_by_text("트랜잭션 해시 (TxID)")).to_be_visible()
    customer.locator("#id_subject").fill("USDT 출금이 도착하지 않았습니다")
    customer.locator("#id_body").fill("어제 트론 네트워크로 250 USDT를 출금했는데 아직 지갑에 들어오지 않았습니다.")
    network.select_option("TRC20")
    tx_hash.fill(ERC20)  # an Ethereum hash on the TRON network
    customer.locator("#id_cf_amount").fill("250,5")
    customer.locator("#id_cf_asset").fill("USDT")
    customer.locator("form.stacked-form button[type=submit]").click()

    box = customer.locator(".field.has-error", has=customer.locator("#id_cf_tx_hash"))
    expect(box.locator(".field-error")).to_have_text("트론 (TRC20) 트랜잭션 해시 형식이 아닙니다.")
    expect(network).to_have_value("TRC20")  # what was typed is kept, the topic's fields still shown
    expect(customer.locator("#id_cf_amount")).to_have_value("250,5")
    assert not Ticket.objects.exists()
    box.scroll_into_view_if_needed()
    shot(customer, "ko-wrong-hash")

    tx_hash.fill(TRC20)
    customer.locator("form.stacked-form button[type=submit]").click()
    expect(customer.locator("h1")).to_have_text("USDT 출금이 도착하지 않았습니다")
    ticket = Ticket.objects.get()
    assert ticket.custom_fields == {"network": "TRC20", "tx_hash": TRC20, "amount": "250.5", "asset": "USDT"}
    shot(customer, "ko-filed")

    agent = new_page()
    log_in(agent, "haruka@example.com", PASSWORD, lang="ja")
    agent.goto(f"/ja/agent/tickets/{ticket.ref}/")
    card = agent.get_by_test_id("custom-fields")
    expect(card.locator("h2")).to_have_text("チケット項目")
    expect(card.get_by_label("ネットワーク")).to_have_value("TRC20")
    expect(card.locator("#id_cf_network option:checked")).to_have_text("トロン (TRC20)")
    expect(card.get_by_label("トランザクションハッシュ (TxID)")).to_have_value(TRC20)
    expect(card.get_by_label("数量")).to_have_value("250.5")
    card.get_by_label("アカウントUID").fill("20417733")
    card.locator("button[type=submit]").click()
    expect(agent.get_by_test_id("audit-trail")).to_contain_text("アカウントUID")
    card.scroll_into_view_if_needed()
    shot(agent, "ja-agent-card")
    ticket.refresh_from_db()
    assert ticket.custom_fields["uid"] == "20417733"
    assert TicketEvent.objects.filter(ticket=ticket, field="custom_field", key="uid").exists()
