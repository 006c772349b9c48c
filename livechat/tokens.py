"""Signed tokens that let a visitor (no account) into their own chat, and nothing else."""
from django.conf import settings
from django.core import signing

SALT = "livechat.visitor"


def visitor_token(conversation_id):
    return signing.dumps(str(conversation_id), salt=SALT)


def visitor_token_conversation(token):
    """The conversation id the token was issued for, or None when it is forged, malformed or expired."""
    try:
        return signing.loads(token or "", salt=SALT, max_age=settings.LIVECHAT_VISITOR_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None
