"""Celery entry points for the help center."""
from celery import shared_task

from . import services


@shared_task(acks_late=True)
def article_embed(article_id):
    """Embed one saved article in its languages for semantic search; safe to run twice (unchanged texts skip)."""
    return services.article_embed(article_id=article_id)
