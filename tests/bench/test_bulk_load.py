"""The benchmarks' data goes in by COPY (support.bulk): the rows it writes are the rows bulk_create writes, a table's
keys and indexes come back as they were after a bulk load (and still refuse bad rows then), and the generated data
is what the slower paths made: the search benchmark's articles indexed exactly as the admin's service indexes them,
the tickets of a bulk load assigned and complete."""
import datetime as dt

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from bench.tickets_api import load_tickets
from helpcenter.demo import load_articles
from helpcenter.management.commands.bench_helpcenter_search import PREFIX
from helpcenter.management.commands.bench_helpcenter_search import Command as SearchBench
from helpcenter.models import Article, ArticleEmbedding, ArticleTerm, TermStat, field_suffix
from helpcenter.search import articles_index
from livechat.models import ChatMessage, Conversation, ConversationStatus, SenderKind
from support import bulk
from support.languages import LANGUAGE_CODES
from tickets.models import Message, SlaTimer, Ticket

pytestmark = pytest.mark.django_db


def _definitions(table):
    """A table's indexes and foreign keys, as Postgres states them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        indexes = set(cursor.fetchall())
        cursor.execute("""SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
                          WHERE conrelid = %s::regclass AND contype = 'f'""", [table])
        return indexes, set(cursor.fetchall())


def _chat(topic, customer, agent, now):
    """A closed, rated chat with translated messages: JSON, an array, choices, relations, times."""
    chat = Conversation(language="ja", topic=topic, customer=customer, agent=agent, status=ConversationStatus.CLOSED,
                        also_speaks=["en"], handover={"reason": "requested", "confidence": 0.4}, with_bot=True,
                        created_at=now, queued_at=now, answered_at=now + dt.timedelta(seconds=30),
                        closed_at=now + dt.timedelta(minutes=6), csat_score=4, last_seq=3)
    messages = [ChatMessage(conversation=chat, seq=seq, body=f"出金 {seq}", created_at=now + dt.timedelta(seconds=seq),
                            sender_kind=SenderKind.AGENT if seq % 2 == 0 else SenderKind.CUSTOMER,
                            sender=agent if seq % 2 == 0 else customer,
                            meta={"translation": {"language": "en", "text": f"withdrawal {seq}"}})
               for seq in range(1, 4)]
    return chat, messages


def test_copy_writes_the_rows_bulk_create_writes(customer, agent):
    """The same chats written by bulk_create and by COPY read back the same, column for column."""
    now = timezone.now().replace(microsecond=0)
    chat, messages = _chat("by insert", customer, agent, now)
    Conversation.objects.bulk_create([chat])
    ChatMessage.objects.bulk_create(messages)
    chat, messages = _chat("by copy", customer, agent, now)
    assert bulk.copy_objects([chat]) == 1 and bulk.copy_objects(messages) == 3

    def stored(topic):
        conversation = Conversation.objects.filter(topic=topic).values().get()
        rows = list(ChatMessage.objects.filter(conversation__topic=topic).order_by("seq").values())
        for row in [conversation, *rows]:
            for key in ("id", "conversation_id", "topic"):
                row.pop(key, None)
        return conversation, rows

    assert stored("by copy") == stored("by insert")
    assert stored("by copy")[1][1]["sender_kind"] == "agent" and stored("by copy")[1][1]["meta"]["translation"]


def test_reserved_ids_let_copied_rows_point_at_copied_rows(customer, agent):
    """Tickets copied with ids taken from their table's sequence, and their messages pointing at them; the next
    ticket made the usual way gets an id after them."""
    ids = bulk.ids_reserve(Ticket, 3)
    now = timezone.now()
    tickets = [Ticket(pk=pk, number=900000 + pk, requester=customer, assignee=agent, subject=f"Withdrawal {pk}",
                      language="en", created_at=now, updated_at=now, custom_fields={"network": "TRC20"},
                      tags=["vip"]) for pk in ids]
    bulk.copy_objects(tickets)
    bulk.copy_objects([Message(ticket=ticket, author=customer, body="Pending", created_at=now) for ticket in tickets])
    assert ids == sorted(ids) and len(set(ids)) == 3
    assert list(Ticket.objects.filter(pk__in=ids, messages__body="Pending").order_by("pk")
                .values_list("pk", "custom_fields", "tags")) == [(pk, {"network": "TRC20"}, ["vip"]) for pk in ids]
    later = Ticket.objects.create(number=999999, requester=customer, subject="Later", language="en")
    assert later.pk > ids[-1]


def test_a_bulk_load_puts_indexes_and_keys_back_as_they_were(customer):
    """Inside the block the timers table has only its primary key; after it, every index and key as before, and
    each index was reported as it was built."""
    table = SlaTimer._meta.db_table
    before = _definitions(table)
    built = []
    with bulk.without_foreign_keys(table), bulk.without_indexes(table, progress=lambda *args: built.append(args)):
        indexes, keys = _definitions(table)
        assert [name for name, _ in indexes] == ["tickets_slatimer_pkey"] and keys == set()
    assert _definitions(table) == before
    assert len(built) == len(before[0]) - 1 and built[-1][:2] == (len(built), len(built))


def test_a_row_pointing_nowhere_still_fails_the_load(customer):
    """Without its foreign keys the table takes anything for a while; putting them back checks every row."""
    ticket = Ticket.objects.create(number=1, requester=customer, subject="Withdrawal", language="en")
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        with bulk.without_foreign_keys(SlaTimer._meta.db_table):
            bulk.copy_objects([SlaTimer(ticket_id=ticket.pk + 1000, kind="resolution", target_minutes=60,
                                        started_at=now, due_at=now)])


def test_a_rebuilt_unique_index_still_refuses_duplicates(customer):
    """Two running timers of one kind for a ticket, loaded while the indexes are away, fail the rebuild."""
    ticket = Ticket.objects.create(number=1, requester=customer, subject="Withdrawal", language="en")
    now = timezone.now()
    timers = [SlaTimer(ticket=ticket, kind="resolution", target_minutes=60, started_at=now, due_at=now)
              for _ in range(2)]
    with pytest.raises(IntegrityError), transaction.atomic():
        with bulk.without_indexes(SlaTimer._meta.db_table):
            bulk.copy_objects(timers)


def test_generated_articles_are_indexed_as_the_admin_indexes_them(demo_help_center):
    """The search benchmark's bulk load gives each generated article the search columns, ranked terms and term
    counts that indexing it through the admin's service gives; the term table's key and indexes are back."""
    before = _definitions(ArticleTerm._meta.db_table)
    SearchBench(stdout=open("/dev/null", "w"))._generate(load_articles(), 30)
    generated = Article.objects.filter(key__startswith=PREFIX)
    columns = [f"search_{field_suffix(lang)}" for lang in LANGUAGE_CODES]

    def index():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT key, {', '.join(columns)} FROM helpcenter_article WHERE key LIKE 'bench-%%'"
                           " ORDER BY key")
            vectors = cursor.fetchall()
        terms = sorted(ArticleTerm.objects.filter(article__in=generated).values_list(
            "article__key", "language", "term", "weight"))
        return vectors, terms, sorted(TermStat.objects.values_list("language", "term", "documents"))

    loaded = index()
    assert generated.count() == 30 and len(loaded[1]) > 30 * 6 * 20
    assert all(all(row[1:]) for row in loaded[0])  # every language's column filled
    articles_index(list(generated))
    assert index() == loaded
    assert _definitions(ArticleTerm._meta.db_table) == before


def test_generated_articles_get_a_vector_per_language(demo_help_center):
    """Each generated article gets one composed, normalised vector per language, and a second pass adds none."""
    command = SearchBench(stdout=open("/dev/null", "w"))
    command._generate(load_articles(), 12)
    command._embed_generated(load_articles())
    command._embed_generated(load_articles())
    vectors = ArticleEmbedding.objects.filter(article__key__startswith=PREFIX)
    assert vectors.count() == 12 * len(LANGUAGE_CODES)
    assert set(vectors.values_list("text_hash", flat=True)) == {"composed"}


def test_a_bulk_load_of_tickets_assigns_them_and_keeps_the_tables_shape(agent, other_customer):
    """Tickets loaded in bulk (indexes and keys away meanwhile) are all there, each with the assignee its id
    chooses, and the table has its indexes and keys again."""
    before = _definitions(Ticket._meta.db_table)
    assert load_tickets(300, assignees=[agent.pk, other_customer.pk], bulk_from=100) == 300
    assert _definitions(Ticket._meta.db_table) == before
    tickets = list(Ticket.objects.values_list("id", "assignee_id", "requester__email"))
    assert len(tickets) == 300
    assert all(assignee == [agent.pk, other_customer.pk][(pk // 100) % 2] for pk, assignee, _ in tickets)
    assert all(email.endswith("@bench-customers.example.com") for *_, email in tickets)
