"""No English leaks in the admin (issue #24): its index, every model's list, add form and a row's page, for an
admin whose language is one of the five others, show none of our English catalogue's phrases nor our choices' raw
codes (tests/leaks.py), and every model, app, field, list column and filter has a name in that language (an
untranslated name is not in the catalogue, so it is checked by name)."""
import datetime
import json
import uuid
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, get_fields_from_path, label_for_field
from django.test import Client, RequestFactory
from django.utils import translation

from chatbot.models import BotText, IntentExample, IntentPhrase
from helpcenter.models import Article
from tests.factories import AgentFactory, UserFactory
from tests.leaks import english_leaks, visible_text

LANGS = ["zh-hans", "es", "ru", "ja", "ko"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def untranslated(name):
    """`name` (a lazy string) reads the same in all five other languages as in English: it was never translated
    (one language may write a word the same way: "Chatbot" in Spanish, so one alike is not enough)."""
    with translation.override("en"):
        source = str(name)
    shown = set()
    for lang in LANGS:
        with translation.override(lang):
            shown.add(str(name))
    return shown == {source}


def admins():
    """Every admin page's model with the admin that shows it: the registered ones and their inlines."""
    for model, model_admin in admin.site._registry.items():
        yield model, model_admin
        for inline in model_admin.inlines:
            yield inline.model, inline(model, admin.site)


def shown_fields(model, model_admin):
    """The model's fields the admin shows, by name: in its form (its fields or fieldsets, else every editable field
    it does not exclude), read-only, as a list column or as a filter. An inline's link to its parent is not shown."""
    request = RequestFactory().get("/admin/")
    declared = [*(getattr(model_admin, "fieldsets", None) or []), *(getattr(model_admin, "add_fieldsets", None) or [])]
    if declared:
        form = flatten_fieldsets(declared)
    elif model_admin.fields:
        form = flatten_fieldsets([(None, {"fields": model_admin.fields})])
    else:
        form = [field.name for field in model._meta.get_fields()
                if getattr(field, "editable", False) and field.name not in (model_admin.exclude or ())]
    parent = getattr(model_admin, "parent_model", None)
    form = [name for name in form if name not in {field.name for field in model._meta.concrete_fields
                                                  if field.is_relation and field.related_model is parent}]
    filters = [entry[0] if isinstance(entry, tuple) else entry for entry in getattr(model_admin, "list_filter", ())]
    return {*form, *model_admin.get_readonly_fields(request), *getattr(model_admin, "list_display", ()),
            *(entry.split("__")[0] for entry in filters if isinstance(entry, str))}


def test_every_model_and_app_in_the_admin_has_a_name_in_the_other_languages():
    """Apps, models and the inlines' titles (an inline is headed by its model's plural name)."""
    missing = []
    for model, model_admin in admins():
        meta = model._meta
        names = [meta.app_config.verbose_name, meta.verbose_name, meta.verbose_name_plural]
        if isinstance(model_admin, admin.options.InlineModelAdmin):
            names += [model_admin.verbose_name, model_admin.verbose_name_plural]
        missing += [f"{meta.label}: {str(name)!r}" for name in names if name is not None and untranslated(name)]
    assert sorted(set(missing)) == []


def test_every_field_of_the_models_in_the_admin_has_a_name_in_the_other_languages():
    """Each concrete field's label (verbose_name, an English default made from its attribute name unless given),
    for the admin's models and their inlines. Left out, each for its reason: primary keys named "ID", written so
    in all six languages, and fields the admin never shows (not editable and not listed or read-only there: the
    help center's search vectors, counters the code keeps; or excluded, like the bot's similarity terms)."""
    missing = []
    for model, model_admin in admins():
        shown = shown_fields(model, model_admin)
        for field in model._meta.get_fields():
            if not field.concrete or (field.primary_key and str(field.verbose_name).upper() == "ID"):
                continue
            if field.name not in shown and getattr(field, "translated_field", field).name not in shown:
                continue  # (a language's copy of a translated field, title_ja, is shown where its field is)
            if untranslated(field.verbose_name):
                missing.append(f"{model._meta.label}.{field.name}: {str(field.verbose_name)!r}")
    assert sorted(set(missing)) == []


def test_every_list_column_and_filter_in_the_admin_has_a_name_in_the_other_languages():
    """A column that is a method or a property is named by its admin.display description, else by its attribute
    name made English ("Subject label"); a filter is named by its title or the field's label."""
    missing = []
    for model, model_admin in admin.site._registry.items():
        for name in model_admin.list_display:
            if name == "action_checkbox" or str(label_for_field(name, model, model_admin)).upper() == "ID":
                continue  # Django's own checkbox; "ID", written so in all six languages
            if untranslated(lazy_label(name, model, model_admin)):
                missing.append(f"{model._meta.label} column {name}")
        for entry in model_admin.list_filter:
            entry = entry[0] if isinstance(entry, tuple) else entry
            title = get_fields_from_path(model, entry)[-1].verbose_name if isinstance(entry, str) else entry.title
            if untranslated(title):
                missing.append(f"{model._meta.label} filter {entry}")
    assert missing == []


class lazy_label:
    """label_for_field, evaluated in the language active when it is read."""

    def __init__(self, name, model, model_admin):
        self.args = (name, model, model_admin)

    def __str__(self):
        return str(label_for_field(*self.args))


# Stored data, not interface: rows written in the customers' languages by design (the intent classifier's
# examples, the phrases that signal an intent), the bot texts' keys (codes the bot looks its texts up by) and the
# help center's articles (one not yet translated is named by its English title). The admin shows them marked
# (lang="<the text's language>", translate="no"), which visible_text leaves out as a browser's reader does; but a
# row's name (str) also labels its selection checkbox (aria-label: Django's phrase followed by the name) and heads
# its own page, where no markup can say so: there the names of these rows are taken out of the text.
NAMED_BY_DATA = (IntentExample, IntentPhrase, BotText, Article)


def names_of_data_rows(response):
    changelist = (response.context or {}).get("cl")
    if changelist is None or changelist.model not in NAMED_BY_DATA:
        return []
    return sorted((str(row) for row in changelist.result_list), key=len, reverse=True)


def admin_client(desk_admin):
    # The shared fixture's admin is "Ada Admin", shown in the header of every page: a name is data, and an English
    # one would be found as the catalogue's "Admin".
    desk_admin.name = "佐藤 花子"
    desk_admin.save(update_fields=["name"])
    client = Client()
    client.force_login(desk_admin)
    return client


@pytest.fixture
def admin_records(migration_data, demo_help_center, desk_admin):
    """A row of every model the admin lists, made as the desk makes them (services), by people with names that
    are no English words, in Japanese where text is typed: a ticket with its history, solved and reviewed; a
    closed chat; an incident; a notification and the emails the services wrote; an audit event; a rejected mail;
    a business calendar with hours and a holiday; a category, a macro, an SLA policy and a language rule."""
    from automation.models import AutomationRun, NotifyAddress, RulesPass, TriggerFiring
    from automation.services import automation_save, trigger_create
    from chatbot.models import BotSettings, MissingAnswer
    from incidents.services import incident_declare
    from livechat.models import LanguageOverflow, OverflowOffer
    from livechat.services.conversations import conversation_close, conversation_start
    from livechat.services.messages import message_post
    from reports.models import ReviewCriterion
    from reports.services import review_create
    from support.audit import audit_read
    from support.models import Team
    from support.organisations.services import organisation_create
    from support.services import notification_create
    from support.webhooks.services import webhook_create
    from tickets.demo_fields import seed_fields
    from tickets.models import BusinessCalendar, BusinessHours, Category, Holiday, InboundEmail, Macro, SlaPolicy
    from tickets.services.changes import ticket_update
    from tickets.services.create import ticket_create
    from verification.models import OfficialChannel

    BotSettings.current()
    customer = UserFactory(email="suzuki@example.com", name="鈴木 一郎", language="ja")
    agent = AgentFactory(email="yamada@example.com", name="山田 太郎", languages=["ja"])
    supervisor = AgentFactory(email="tanaka@example.com", name="田中 花子", supervisor=True)
    Team.objects.create(name="東京", slug="tokyo")
    organisation_create(name="東京マーケットメイク", domains=["tokyo-mm.example"], notes="気配値が止まったら至急対応。")
    UserFactory(email="sato@tokyo-mm.example", name="佐藤 健", language="ja")  # a member, by a verified address
    category = Category.objects.create(slug="deposits", name_en="Deposits", name_ja="入金")
    # Written in every language, as a desk writes its macros (one left empty would show its English name).
    Macro.objects.create(set_status="solved", **{f"{field}_{lang.replace('-', '_')}": text for field, texts in {
        "name": {"en": "Thanks", "zh-hans": "致谢", "es": "Agradecimiento", "ru": "Благодарность", "ja": "お礼",
                 "ko": "감사 인사"},
        "body": {"en": "Thank you.", "zh-hans": "谢谢。", "es": "Gracias.", "ru": "Спасибо.", "ja": "ありがとうございます。",
                 "ko": "감사합니다."}}.items() for lang, text in texts.items()})
    calendar = BusinessCalendar.objects.create(name="東京営業日", timezone="Asia/Tokyo")
    BusinessHours.objects.create(calendar=calendar, weekday=0, start=datetime.time(9), end=datetime.time(18))
    Holiday.objects.create(calendar=calendar, date=datetime.date(2027, 1, 1), name="元日")
    SlaPolicy.objects.create(name="標準", first_response_minutes=60, calendar=calendar)
    LanguageOverflow.objects.create(language="ja", overflow_to="ko")
    webhook_create(name="東京 CRM", url="https://93.184.216.34/hook", events=["ticket.created"])
    ticket = ticket_create(requester=customer, subject="ログインできません", body="二段階認証のコードが届きません。",
                           category=category)
    ticket_update(ticket=ticket, actor=agent, assignee=agent, priority="high", status="solved")
    seed_fields()  # after the solve: the demo's fields include one required to solve
    review_create(reviewer=supervisor, ticket=ticket,
                  scores={criterion.pk: 4 for criterion in ReviewCriterion.objects.filter(is_active=True)})
    chat = conversation_start(language="ja", customer=customer, topic="入金", with_bot=False)
    message_post(conversation_id=chat.id, sender_kind="customer", body="入金が反映されません。", sender=customer)
    conversation_close(conversation_id=chat.id, by="customer", actor=customer)
    incident_declare(by=supervisor, titles={"en": "USDT withdrawals slow", "ja": "USDT の出金遅延"},
                     notices={"en": "We are on it.", "ja": "対応中です。"}, keywords=["出金"])
    notification_create(user=customer, kind="welcome", params={"site": "サポート"})
    request = RequestFactory().get("/agent/customers/1/")
    request.user = agent
    audit_read(request, action="customer_view", object_type="customer", object_id=customer.pk, customer=customer)
    InboundEmail.objects.create(message_id="<a1@mail.example>", from_email="kyaku@mail.example", subject="入金",
                                status="rejected", reason="too_large", raw="inbound/a1.eml")
    MissingAnswer.objects.create(language="ja", question="出金の上限はいくらですか", terms=["出金", "上限"])
    OfficialChannel.objects.create(kind="domain", value="support.example.com", label_en="Help site",
                                   label_ja="ヘルプサイト")
    OverflowOffer.objects.create(conversation=chat, language="ja", overflow_to="ko", wait_estimate_seconds=420,
                                 choice="declined", chosen_at=chat.created_at)
    trigger = trigger_create(actor=supervisor, name="韓国語の出金", events=["ticket.created"],
                             conditions=[{"field": "language", "op": "is", "value": "ko"}],
                             actions=[{"type": "set_priority", "value": "high"}])
    TriggerFiring.objects.create(trigger=trigger, ticket=ticket, event_id=uuid.uuid4(), event="ticket.created",
                                 outcome=["changed:priority"])
    RulesPass.objects.create(ticket=ticket, event_id=uuid.uuid4(), event="ticket.created", rounds=5,
                             fired=[trigger.pk], cut=True)
    NotifyAddress.objects.create(name="東京チーム", email="tokyo@example.com", language="ja")
    reminder = automation_save(actor=supervisor, name="保留中の催促", conditions=[
        {"field": "hours_since", "of": "pending", "op": "gte", "value": 72}],
        actions=[{"type": "notify", "target": "requester", "via": "email", "message": {"en": "Reminder", "ja": "催促"}}])
    AutomationRun.objects.create(automation=reminder, ticket=ticket, version=ticket.updated_at,
                                 outcome=["notified:requester:1"])


def names_of_data_objects(response):
    """On a change page, the object's name heads it (title, breadcrumbs): data for the models above."""
    original = (response.context or {}).get("original")
    return [str(original)] if isinstance(original, NAMED_BY_DATA) else []


# The one model the admin lists with no row here: a REST token (made by its owner, its page shows only the key).
NO_ROWS = {"authtoken.TokenProxy"}


@pytest.mark.django_db
def test_no_english_on_admin_change_pages(desk_admin, admin_records):
    """The first row's page of every model, read-only or a form, with its inlines: labels, values shown by their
    names (statuses, who closed a chat), the history of a ticket, the messages of a chat."""
    client = admin_client(desk_admin)
    leaks, without_rows = {}, set()
    for lang in LANGS:
        desk_admin.language = lang
        desk_admin.save(update_fields=["language"])
        for model in admin.site._registry:
            row = model._default_manager.order_by("pk").first()
            if row is None:
                without_rows.add(model._meta.label)
                continue
            path = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{row.pk}/change/"
            response = client.get(path)
            assert response.status_code == 200, (lang, path, response.status_code)
            text = visible_text(response.content.decode())
            for name in names_of_data_objects(response):
                text = text.replace(name, " ")
            found = english_leaks(text, lang, codes=True)
            if found:
                leaks[f"{lang} {path}"] = found
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "admin-change-leaks.json").write_text(json.dumps(leaks, indent=1, ensure_ascii=False))
    assert without_rows == NO_ROWS
    assert leaks == {}


@pytest.mark.django_db
def test_no_english_on_admin_pages(desk_admin, admin_records):
    """The index, and every model's list (with a row of each, and the rows a new desk has: the bot's texts,
    phrases and examples, the review rubric, the demo help center) and add form."""
    client = admin_client(desk_admin)
    ARTIFACTS.mkdir(exist_ok=True)
    leaks = {}
    for lang in LANGS:
        desk_admin.language = lang
        desk_admin.save(update_fields=["language"])
        paths = ["/admin/"]
        for model in admin.site._registry:
            base = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
            paths += [base, base + "add/"]
        for path in paths:
            response = client.get(path)
            if response.status_code in (302, 403):  # a model that cannot be added by hand
                continue
            assert response.status_code == 200, (lang, path, response.status_code)
            text = visible_text(response.content.decode())
            for name in names_of_data_rows(response):
                text = text.replace(name, " ")
            found = english_leaks(text, lang, codes=True)
            if found:
                leaks[f"{lang} {path}"] = found
                if path in ("/admin/", "/admin/chatbot/intentexample/", "/admin/tickets/ticket/"):
                    (ARTIFACTS / f"admin-{lang}-{path.replace('/', '_')}.html").write_text(response.content.decode())
    (ARTIFACTS / "admin-leaks.json").write_text(json.dumps(leaks, indent=1, ensure_ascii=False))
    assert leaks == {}
