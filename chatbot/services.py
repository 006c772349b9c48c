"""Writes of the chatbot: recording questions it could not answer (content gaps)."""
from django.db import connection, transaction
from django.db.models import F

from helpcenter.search import CJK_LANGUAGES, DICTIONARIES, cjk_query_terms
from support.secretscan import secrets_mask

from .intents import normalize
from .models import BotSettings, MissingAnswer
from .tasks import intent_classifier_train

# Two questions are the same gap when most of the shorter one's terms are in the other (overlap coefficient).
SIMILAR = 0.6
RECENT = 300  # how many open gaps of a language a new question is compared with


def question_terms(text, language):
    """The terms two questions are compared on: CJK bigrams, or the words Postgres' dictionary keeps for the
    language (stemmed, without stop words: "staking" and "stake" meet, "how do I" disappears)."""
    if language in CJK_LANGUAGES:
        return sorted({t for t in cjk_query_terms(text) if len(t) > 1})[:40]
    config = DICTIONARIES.get(language, "simple")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT tsvector_to_array(to_tsvector('{config}', %s))", [normalize(text)])
        words = cursor.fetchone()[0] or []
    return sorted({w[:40] for w in words if len(w) > 1})[:40]


def missing_answer_record(*, language, question):
    """Count a question the bot could not answer into the most similar open gap of its language, or open a new
    one. Returns the MissingAnswer. The question is stored with any secret in it masked (support.secretscan):
    the bot's API takes text that no chat stored first."""
    question = secrets_mask(question).text
    terms = set(question_terms(question, language))
    if not terms:
        return None
    with transaction.atomic():
        candidates = (MissingAnswer.objects.select_for_update()
                      .filter(language=language, is_resolved=False).order_by("-last_asked_at")[:RECENT])
        best, best_score = None, 0.0
        for gap in candidates:
            other = set(gap.terms)
            score = len(terms & other) / min(len(terms), len(other)) if other else 0.0
            if score > best_score:
                best, best_score = gap, score
        if best is not None and best_score >= SIMILAR:
            MissingAnswer.objects.filter(pk=best.pk).update(count=F("count") + 1)
            best.refresh_from_db()
            return best
        return MissingAnswer.objects.create(language=language, question=question[:1000], terms=sorted(terms))


def intent_examples_changed():
    """The intent examples changed (an admin edit): bump their version, so every process uses weights trained on
    the new examples, and train them in a Celery task once the change commits (a process that needs them first
    trains them itself)."""
    with transaction.atomic():
        BotSettings.current()
        BotSettings.objects.filter(pk=1).update(intent_version=F("intent_version") + 1)
        transaction.on_commit(_train_later)


def _train_later():
    intent_classifier_train.delay()
