"""Input and output shapes of the chat API."""
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from support.languages import LANGUAGE_CODES
from support.serializers import ScannedImageOutputSerializer, StrictInputSerializer


class WidgetIdentityInputSerializer(StrictInputSerializer):
    uid = serializers.CharField(max_length=64, help_text="the exchange's id of its logged-in user")
    email = serializers.EmailField(help_text="that user's address at the exchange")
    name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    ts = serializers.IntegerField(help_text="Unix seconds when the exchange signed it")
    signature = serializers.CharField(max_length=128, help_text="hex HMAC-SHA256 of f\"{uid}\\n{email}\\n{ts}\" "
                                      "with the secret the desk's admin set (LIVECHAT_IDENTITY_SECRET)")


class ChatStartInputSerializer(StrictInputSerializer):
    language = serializers.ChoiceField(choices=LANGUAGE_CODES)
    topic = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    # Visitors without an account: both required (checked in the view, which knows who is asking).
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    also_speaks = serializers.ListField(child=serializers.ChoiceField(choices=LANGUAGE_CODES), required=False,
                                        default=list, max_length=len(LANGUAGE_CODES),
                                        help_text="other languages the customer can chat in, for overflow")
    identity = WidgetIdentityInputSerializer(required=False, help_text="the exchange's signed identity of its "
                                             "logged-in user (livechat/identity.py): the chat is that account's")

    def _visitor(self):
        """Neither signed in (context "signed_in") nor vouched for by the exchange's site: name and email needed."""
        return not self.context.get("signed_in") and not self.initial_data.get("identity")

    # Checked per field, so a missing name and a wrong address are both reported at once, each on its own field.
    def validate_name(self, value):
        if self._visitor() and not value.strip():
            raise serializers.ValidationError(_("Please enter your name."))
        return value

    def validate_email(self, value):
        if self._visitor() and not value.strip():
            raise serializers.ValidationError(_("Please enter your email address."))
        return value


def _chat_text(**kwargs):
    """A chat message's text, as long as LIVECHAT_MESSAGE_MAX_CHARS allows when the serializer is made (not when this
    module was imported: a setting changed later, in a test or a deployment's reload, counts)."""
    return serializers.CharField(max_length=settings.LIVECHAT_MESSAGE_MAX_CHARS, **kwargs)


class _ChatTextInput(StrictInputSerializer):
    body_options = {}

    def get_fields(self):
        fields = super().get_fields()
        fields["body"] = _chat_text(**self.body_options)
        return fields


class MessageInputSerializer(_ChatTextInput):
    body_options = {"trim_whitespace": True}
    client_msg_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    # Agents: the language the text is in, when it is already the customer's (not machine-translated then).
    language = serializers.ChoiceField(choices=LANGUAGE_CODES, required=False, allow_blank=True, default="")


class OverflowChoiceInputSerializer(StrictInputSerializer):
    accept = serializers.BooleanField(help_text="true: an agent of the offered language now; false: keep waiting")


class OverflowOfferOutputSerializer(serializers.Serializer):
    to_language = serializers.ChoiceField(choices=LANGUAGE_CODES, help_text="the language of the agent offered")
    translated = serializers.BooleanField(help_text="messages are machine-translated both ways")
    wait_seconds = serializers.IntegerField(allow_null=True, help_text="the estimate of keeping on waiting")
    wait_minutes = serializers.IntegerField(allow_null=True)
    choice = serializers.ChoiceField(choices=["", "accepted", "declined"], allow_blank=True)


class RatingInputSerializer(StrictInputSerializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ChatAttachmentOutputSerializer(ScannedImageOutputSerializer):
    id = serializers.UUIDField()
    filename = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.SerializerMethodField()

    def get_url(self, attachment) -> str:
        return reverse("chat-attachment", args=[attachment.pk])


class ChatAttachmentInputSerializer(_ChatTextInput):
    body_options = {"required": False, "allow_blank": True, "default": ""}
    file = serializers.FileField()
    client_msg_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class MessageOutputSerializer(serializers.Serializer):
    attachments = ChatAttachmentOutputSerializer(many=True, read_only=True, source="attachments.all")
    meta = serializers.JSONField(help_text="bot messages: {articles: [{id, title, url}], ask_helpful}")
    seq = serializers.IntegerField()
    sender = serializers.CharField(source="sender_kind")
    body = serializers.CharField()
    client_msg_id = serializers.CharField()
    created_at = serializers.DateTimeField()


class EstimateSerializer(serializers.Serializer):
    eta_seconds = serializers.IntegerField(allow_null=True)
    low = serializers.IntegerField(allow_null=True)
    high = serializers.IntegerField(allow_null=True)
    guess = serializers.BooleanField(help_text="true when no chat of this language was handled recently")
    seats = serializers.IntegerField(help_text="free and busy seats of the online agents serving the language")


class ChatOutputSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    status = serializers.CharField()
    language = serializers.CharField()
    topic = serializers.CharField()
    websocket_url = serializers.CharField()
    token = serializers.CharField(required=False, help_text="visitors only: send it as ?token= on the websocket "
                                                            "and as X-Chat-Token on HTTP")
    position = serializers.IntegerField(allow_null=True)
    estimate = EstimateSerializer()


class MessagesOutputSerializer(serializers.Serializer):
    conversation = serializers.UUIDField()
    status = serializers.CharField()
    messages = MessageOutputSerializer(many=True)


class RecentTicketSerializer(serializers.Serializer):
    ref = serializers.CharField()
    subject = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField(help_text="the status in the request's language")
    updated_at = serializers.DateTimeField()


class CannedReplySerializer(serializers.Serializer):
    name = serializers.CharField()
    body = serializers.CharField()


class ChatContextSerializer(serializers.Serializer):
    conversation = serializers.UUIDField()
    language = serializers.CharField()
    topic = serializers.CharField()
    status = serializers.CharField()
    customer_name = serializers.CharField()
    customer_email = serializers.CharField()
    registered = serializers.BooleanField(help_text="false for visitors who gave a name and email only")
    customer_id = serializers.IntegerField(allow_null=True, help_text="the registered customer (null for visitors): "
                                           "their timeline is /api/v1/agent/customers/{id}/timeline/")
    customer_url = serializers.CharField(help_text="the agents' page about this customer (empty for visitors)")
    exchange_uid = serializers.CharField(help_text="the exchange's user id, when the exchange's site vouched for the "
                                         "customer (a signed widget identity); empty otherwise")
    email_proven = serializers.BooleanField(help_text="false for visitors (a typed address) and accounts that have "
                                            "not proven their address")
    overflowed = serializers.BooleanField(help_text="taken from another language's queue by an overflow rule")
    assisted = serializers.BooleanField(help_text="served by an agent who does not speak its language natively, "
                                                  "with agent assist (and machine translation when on)")
    translated = serializers.BooleanField(help_text="messages are machine-translated both ways")
    handover = serializers.JSONField(help_text="the bot's card: reason, topic, language, intent, confidence, "
                                               "questions asked, articles offered and whether they helped")
    recent_tickets = RecentTicketSerializer(many=True)
    canned_replies = CannedReplySerializer(many=True)
    your_code = serializers.CharField(allow_null=True, help_text="the asking agent's code in this chat, which the "
                                      "customer was shown when the agent took it (null for someone not an agent)")
