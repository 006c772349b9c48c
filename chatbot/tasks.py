"""Celery entry points for the chatbot."""
from celery import shared_task

from .classifier import intent_train


@shared_task(acks_late=True)
def intent_classifier_train():
    """Train the intent classifier for the current version of the examples (after an admin edit)."""
    return intent_train().pk
