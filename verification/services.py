"""Writes to the official list (the admin writes through the same model validation, OfficialChannel.clean)."""
from django.db import transaction

from .models import OfficialChannel


def official_channel_create(*, kind, value, labels, platform="", covers_email=False, allow_subdomains=False):
    """Add an official channel, its value normalised and validated exactly as in the admin (raises Django's
    ValidationError). `labels` is the label by language code, English required: {"en": "...", "ja": "..."}."""
    channel = OfficialChannel(kind=kind, value=value, platform=platform, covers_email=covers_email,
                              allow_subdomains=allow_subdomains)
    for language, text in labels.items():
        setattr(channel, f"label_{language.replace('-', '_')}", text)
    channel.full_clean()
    with transaction.atomic():
        channel.save()
    return channel
