"""Fixtures for tickets: categories, macros, tickets, and real files of each type for attachment tests."""
import pytest

from tickets import services
from tickets.models import Category, Macro

from .files import png_bytes, upload


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files go to a per-test folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def category(db):
    return Category.objects.create(slug="deposits-withdrawals", name_en="Deposits & withdrawals",
                                   name_ja="入金と出金")


@pytest.fixture
def macro(db):
    return Macro.objects.create(name_en="Ask for TxID", body_en="Please send the TxID.",
                                body_ja="TxIDを送ってください。", set_status="pending", add_tags=["needs-txid"])


@pytest.fixture
def make_ticket(customer):
    def make(requester=None, subject="Deposit missing", body="My deposit has not arrived.", **kwargs):
        return services.ticket_create(requester=requester or customer, subject=subject, body=body, **kwargs)

    return make


@pytest.fixture
def ticket(make_ticket):
    return make_ticket()


@pytest.fixture
def other_ticket(make_ticket, other_customer):
    return make_ticket(requester=other_customer, subject="Secret subject of B", body="Private body of B")


@pytest.fixture
def screenshot_file():
    return upload("screenshot.png", png_bytes(), "image/png")

