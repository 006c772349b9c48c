"""Signed tokens that let a visitor (no account) into their own chat, and nothing else."""
from django.conf import settings
from django.core import signing

SALT = "livechat.visitor"
TRANSCRIPT_SALT = "livechat.transcript"


def visitor_token(conversation_id):
    return signing.dumps(str(conversation_id), salt=SALT)


def visitor_token_conversation(token):
    """The conversation id the token was issued for, or None when it is forged, malformed or expired."""
    try:
        return signing.loads(token or "", salt=SALT, max_age=settings.LIVECHAT_VISITOR_TOKEN_MAX_AGE)
    except signing.BadSignature:
        return None


def transcript_token(conversation_id, email):
    """The link in a transcript mail to an address nobody has proven (emails.email_transcript): it names the chat
    and the address it was mailed to, and expires after LIVECHAT_TRANSCRIPT_LINK_DAYS."""
    return signing.dumps({"c": str(conversation_id), "e": email.lower()}, salt=TRANSCRIPT_SALT, compress=True)


def transcript_token_conversation(token):
    """(conversation id, address) of a transcript link; None when it is forged, malformed or expired."""
    try:
        data = signing.loads(token or "", salt=TRANSCRIPT_SALT,
                             max_age=settings.LIVECHAT_TRANSCRIPT_LINK_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("c"), str) or not isinstance(data.get("e"), str):
        return None
    return data["c"], data["e"]
