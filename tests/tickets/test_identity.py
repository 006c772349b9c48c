"""Who a requester is must be proven (issue #22, findings 1 and 2): an account that registered someone else's address
never reads that person's mail, a chat visitor's typed address files nothing into the account holding it, and the
owner of the mailbox gets their requests by proving the address (the sign-up link signed in, a password set through
the reset link, or the confirmation link of a visitor's request)."""
import re
from datetime import timedelta

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from livechat import services as chat_services
from support import services as support_services
from support.models import Notification, User
from tests.factories import AgentFactory, UserFactory
from tests.tickets.test_email_outbound import deliver_all
from tickets import selectors, services
from tickets.claims import claim_token
from tickets.inbound import inbound_email_ingest
from tickets.models import Identity, Ticket

pytestmark = pytest.mark.django_db

VICTIM_MAIL = (
    b"From: Victor Tim <victim@example.net>\r\n"
    b"To: support@support.example.com\r\n"
    b"Subject: Passport for KYC\r\n"
    b"Message-ID: <kyc-1@example.net>\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Here is my passport number X1234567 for the verification.\r\n"
)


def _texts(message):
    return message.get_body(("plain",)).get_content() + message.get_body(("html",)).get_content()


def _link(text, pattern):
    return re.search(r"http://[^/\s\"]+(" + pattern + r")", text).group(1)


def _signed_in(user, password):
    client = Client()
    assert client.login(username=user.email, password=password)
    return client


def test_whoever_registered_an_address_first_never_reads_its_owners_mail(mailbox):
    attacker = support_services.user_register(email="victim@example.net", password="attacker-pass-2026",
                                              language="en")
    inbound_email_ingest(raw=VICTIM_MAIL)
    ticket = Ticket.objects.get()
    assert ticket.requester == attacker and ticket.identity == Identity.ADDRESS and not ticket.requester_proven
    agent = AgentFactory(languages=["en"])
    services.ticket_reply(ticket=ticket, author=agent, body="Thanks, we see passport X1234567.")

    client = _signed_in(attacker, "attacker-pass-2026")
    assert client.get(f"/en/requests/{ticket.ref}/").status_code == 404
    assert ticket.ref not in client.get("/en/requests/?show=all").content.decode()
    token = support_services.api_token_issue(user=attacker).key
    api = client.get("/api/v1/tickets/", HTTP_AUTHORIZATION=f"Token {token}").json()
    assert api["count"] == 0
    assert client.get(f"/api/v1/tickets/{ticket.ref}/messages/", HTTP_AUTHORIZATION=f"Token {token}"
                      ).status_code == 404
    answer = client.post(f"/api/v1/tickets/{ticket.ref}/messages/", {"body": "Please change my address"},
                         content_type="application/json", HTTP_AUTHORIZATION=f"Token {token}")
    assert answer.status_code == 404 and ticket.messages.count() == 2
    # Nothing about the ticket reaches the account in the site either.
    assert not Notification.objects.filter(user=attacker).exclude(kind="welcome").exists()
    # The mail goes to the mailbox, repeating neither subject nor name, with the way to set a password.
    deliver_all()
    to_victim = [m["message"] for m in mailbox if "[T-" in str(m["message"]["Subject"])]
    assert to_victim and all("Passport" not in str(m["Subject"]) for m in to_victim)
    assert "/en/accounts/password-reset/" in _texts(to_victim[0]) and "/requests/T-" not in _texts(to_victim[0])


def test_the_mailbox_owner_takes_the_account_over_by_password_reset_and_then_sees_the_mail(mailbox):
    attacker = support_services.user_register(email="victim@example.net", password="attacker-pass-2026",
                                              language="en")
    attacker_client = _signed_in(attacker, "attacker-pass-2026")
    inbound_email_ingest(raw=VICTIM_MAIL)
    ticket = Ticket.objects.get()
    mailbox.clear()

    owner = Client()
    assert owner.post("/en/accounts/password-reset/", {"email": "victim@example.net"}).status_code == 302
    link = _link(mailbox[-1]["message"].get_body(("plain",)).get_content(), r"/en/accounts/reset/\S+/")
    set_url = owner.get(link, follow=True).redirect_chain[-1][0]
    assert owner.post(set_url, {"new_password1": "owner-pass-2026!", "new_password2": "owner-pass-2026!"}
                      ).status_code == 302
    assert owner.login(username="victim@example.net", password="owner-pass-2026!")
    page = owner.get(f"/en/requests/{ticket.ref}/")
    assert page.status_code == 200 and "X1234567" in page.content.decode()
    # The registrant's session ended with the password it was opened with.
    assert attacker_client.get(f"/en/requests/{ticket.ref}/").status_code == 302


def test_sign_up_confirmation_needs_both_the_mailed_link_and_the_account_signed_in(mailbox):
    web = Client()
    web.post("/es/accounts/signup/", {"email": "nueva@example.com", "name": "Nueva", "language": "es",
                                      "password1": "una-clave-larga-2026", "password2": "una-clave-larga-2026"})
    user = User.objects.get(email="nueva@example.com")
    assert not user.email_verified
    banner = web.get("/es/requests/").content.decode()
    assert 'data-testid="confirm-email-banner"' in banner and "Confirma tu dirección de correo" in banner
    deliver_all()
    confirmation = next(m["message"] for m in mailbox if m["to"] == ["nueva@example.com"])
    assert "Confirma" in str(confirmation["Subject"])
    link = _link(_texts(confirmation), r"/es/accounts/confirm-email/[^/\s\"]+/")
    inbound_email_ingest(raw=VICTIM_MAIL.replace(b"victim@example.net", b"nueva@example.com"))
    ticket = Ticket.objects.get()
    assert web.get(f"/es/requests/{ticket.ref}/").status_code == 404

    # The link alone (the mailbox, without the password) proves nothing.
    anonymous = Client().get(link)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    someone = UserFactory(email="someone@example.com", password="someone-pass-2026")
    assert _signed_in(someone, "someone-pass-2026").get(link).status_code == 400
    user.refresh_from_db()
    assert not user.email_verified

    assert web.get(link).status_code == 302
    user.refresh_from_db()
    assert user.email_verified
    assert web.get(f"/es/requests/{ticket.ref}/").status_code == 200
    assert 'data-testid="confirm-email-banner"' not in web.get("/es/requests/").content.decode()


def test_an_expired_or_altered_confirmation_is_refused_with_a_reason(settings):
    user = UserFactory(email="late@example.com", password="late-pass-2026", email_verified=False)
    token = support_services.email_confirmation_token(user)
    with pytest.raises(support_services.ConfirmationRefused):
        support_services.user_email_confirm(user=user, token=token[:-2] + "xx")
    settings.EMAIL_CONFIRMATION_DAYS = 0
    signer_time = timezone.now() + timedelta(seconds=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(signing.time, "time", lambda: signer_time.timestamp())
        with pytest.raises(support_services.ConfirmationRefused) as refused:
            support_services.user_email_confirm(user=user, token=token)
    assert refused.value.code == "link_invalid"
    user.refresh_from_db()
    assert not user.email_verified


def test_the_api_confirms_the_address_with_the_token_and_resends_it(client, mailbox):
    created = client.post("/api/v1/auth/register/", {"email": "api.person@example.com", "password": "api-pass-2026!",
                                                     "language": "ko"}, content_type="application/json").json()
    assert created["email_verified"] is False
    auth = {"HTTP_AUTHORIZATION": f"Token {created['token']}"}
    assert client.post("/api/v1/auth/email/confirmation/", **auth).status_code == 202
    deliver_all()
    texts = [_texts(m["message"]) for m in mailbox if m["to"] == ["api.person@example.com"]]
    assert len(texts) == 2  # at sign-up and on request
    token = re.search(r"/ko/accounts/confirm-email/([^/\s\"]+)/", texts[-1]).group(1)
    wrong = client.post("/api/v1/auth/email/confirm/", {"token": "forged"}, content_type="application/json", **auth)
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "link_invalid"
    done = client.post("/api/v1/auth/email/confirm/", {"token": token}, content_type="application/json", **auth)
    assert done.status_code == 200 and done.json()["email_verified"] is True
    assert client.get("/api/v1/auth/me/", **auth).json()["email_verified"] is True


def _visitor_chat(email, body="please change my withdrawal address to bc1qevil"):
    chat = chat_services.conversation_start(language="en", visitor_name="Mallory", visitor_email=email,
                                            topic="withdrawal address")
    chat_services.customer_message_post(conversation_id=chat.pk, body=body)
    return chat


@pytest.mark.parametrize("by", ["customer", "agent"])
def test_a_visitors_typed_address_files_nothing_into_the_account_holding_it(by, mailbox):
    owner = UserFactory(email="owner@example.com", password="owner-pass-2026", email_verified=True)
    chat = _visitor_chat("OWNER@example.com")
    agent = None
    if by == "agent":
        agent = AgentFactory(languages=["en"])
        support_services.agent_set_presence(agent=agent, presence="online")
        chat_services.conversation_pick(conversation_id=chat.pk, agent=agent)
    ticket = chat_services.conversation_leave_message(conversation_id=chat.pk, by=by, actor=agent)
    assert ticket.requester == owner and ticket.identity == Identity.TYPED and not ticket.requester_proven
    client = _signed_in(owner, "owner-pass-2026")
    assert client.get(f"/en/requests/{ticket.ref}/").status_code == 404
    assert not selectors.ticket_list_for_user(user=owner).exists()
    # Agents are warned, in the page and the API.
    desk = AgentFactory(email="desk@example.com", languages=["en"])
    desk_client = Client()
    desk_client.force_login(desk)
    assert 'data-testid="identity-unproven"' in desk_client.get(f"/en/agent/tickets/{ticket.ref}/").content.decode()
    api = desk_client.get(f"/api/v1/tickets/{ticket.ref}/").json()
    assert (api["identity"], api["requester_proven"]) == ("typed", False)

    # The owner's mailbox gets the reference and a confirmation link, not the visitor's words.
    deliver_all()
    message = next(m["message"] for m in mailbox if m["to"] == ["owner@example.com"])
    text = _texts(message)
    assert "bc1qevil" not in text and "withdrawal" not in str(message["Subject"]) and "Mallory" not in text
    link = _link(text, r"/en/requests/confirm/[^/\s\"]+/")
    anyone = Client()
    assert 'data-testid="claim-confirm"' in anyone.get(link).content.decode()  # a GET only asks
    assert Ticket.objects.get(pk=ticket.pk).identity == Identity.TYPED
    done = anyone.post(link)
    assert done.status_code == 200 and 'data-testid="claim-done"' in done.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).identity == Identity.ADDRESS
    assert client.get(f"/en/requests/{ticket.ref}/").status_code == 200


def test_a_claim_link_is_bound_to_its_ticket_and_address():
    owner = UserFactory(email="owner@example.com", email_verified=True)
    ticket = chat_services.conversation_leave_message(conversation_id=_visitor_chat("owner@example.com").pk)
    token = claim_token(ticket)
    other = chat_services.conversation_leave_message(conversation_id=_visitor_chat("other@example.com").pk)
    forged = signing.dumps({"t": other.pk, "e": "owner@example.com"}, salt="not-the-claim-salt", compress=True)
    client = Client()
    assert client.post(f"/en/requests/confirm/{forged}/").status_code == 410
    assert client.post(f"/en/requests/confirm/{token[:-3]}abc/").status_code == 410
    assert Ticket.objects.get(pk=other.pk).identity == Identity.TYPED
    # Through the API, and twice: one change, one audit event.
    for _attempt in range(2):
        answer = client.post("/api/v1/tickets/claim/", {"token": token}, content_type="application/json")
        assert answer.status_code == 200
        assert answer.json() == {"ref": ticket.ref, "identity": "address", "visible_to_account": True}
    assert ticket.events.filter(field="identity").count() == 1
    assert selectors.ticket_list_for_user(user=owner).get() == ticket
    bad = client.post("/api/v1/tickets/claim/", {"token": "x"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "link_invalid"


def test_a_signed_in_customers_chat_and_web_requests_are_their_accounts():
    customer = UserFactory(email="me@example.com", email_verified=False)
    chat = chat_services.conversation_start(language="en", customer=customer, topic="deposit")
    ticket = chat_services.conversation_leave_message(conversation_id=chat.pk)
    web = services.ticket_create(requester=customer, subject="Deposit", body="Where is my deposit?")
    assert {ticket.identity, web.identity} == {Identity.ACCOUNT}
    assert set(selectors.ticket_list_for_user(user=customer)) == {ticket, web}
    assert Notification.objects.filter(user=customer, kind="ticket_received").count() == 2


def test_a_reply_to_a_closed_unproven_request_stays_unproven(mailbox):
    attacker = UserFactory(email="victim@example.net", password="attacker-pass-2026", email_verified=False)
    inbound_email_ingest(raw=VICTIM_MAIL)
    ticket = Ticket.objects.get()
    Ticket.objects.filter(pk=ticket.pk).update(status="closed")
    follow_up = services.ticket_reply(ticket=Ticket.objects.get(pk=ticket.pk), author=attacker,
                                      body="one more thing", channel="email").ticket
    assert follow_up.pk != ticket.pk and follow_up.identity == Identity.ADDRESS
    assert not selectors.ticket_list_for_user(user=attacker).exists()
