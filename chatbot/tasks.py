"""Celery entry points for the chatbot."""
from celery import shared_task


@shared_task(acks_late=True)
def intent_classifier_train():
    """Train the intent classifier for the current version of the examples (after an admin edit)."""
    from .classifier import intent_train  # inside: the classifier loads the embedding models only when it runs

    return intent_train().pk
