"""The workspace API's input and output shapes."""
from rest_framework import serializers


class WorkspaceSearchQuerySerializer(serializers.Serializer):  # query parameters: ?lang= may come along
    q = serializers.CharField(max_length=200, help_text="a ticket reference, a customer's email, a chat id or text")


class WorkspaceSearchResultSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["ticket", "chat", "customer"])
    title = serializers.CharField()
    subtitle = serializers.CharField()
    status = serializers.CharField(help_text="the ticket's or chat's status label in the request's language")
    language = serializers.CharField()
    url = serializers.CharField(help_text="the agents' page to open (empty when no page shows it)")


class WorkspaceSearchOutputSerializer(serializers.Serializer):
    query = serializers.CharField()
    jump = serializers.CharField(help_text="the only result's page, when the search found exactly one (else empty)")
    results = WorkspaceSearchResultSerializer(many=True)


class ProfileCodeSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="the exchange's code")
    label = serializers.CharField(help_text="in the request's language; the code itself when we have no label")
    known = serializers.BooleanField(help_text="false: a code we have no label for (shown as the code, marked)")


class ProfileKycSerializer(serializers.Serializer):
    level = serializers.IntegerField(min_value=0, max_value=9)
    label = serializers.CharField()
    known = serializers.BooleanField()


class ProfileVipSerializer(serializers.Serializer):
    tier = serializers.IntegerField(min_value=0, max_value=9, help_text="0: not a VIP")
    label = serializers.CharField()
    queue_boost_minutes = serializers.IntegerField(help_text="how much sooner the VIP rule serves their chats")


class ProfileTransferSerializer(serializers.Serializer):
    direction = ProfileCodeSerializer(help_text="deposit or withdrawal")
    asset = serializers.CharField()
    amount = serializers.CharField(help_text="a decimal, as text")
    network = ProfileCodeSerializer()
    tx_hash = serializers.CharField(allow_blank=True, help_text="empty when not broadcast yet; text, not a link")
    explorer_url = serializers.CharField(allow_blank=True, help_text="a block explorer of our fixed map, or empty")
    status = ProfileCodeSerializer()
    time = serializers.DateTimeField()


class ExchangeProfileSerializer(serializers.Serializer):
    uid = serializers.CharField(help_text="the customer's user id at the exchange")
    kyc = ProfileKycSerializer()
    vip = ProfileVipSerializer()
    risk_flags = ProfileCodeSerializer(many=True)
    transfers = ProfileTransferSerializer(many=True, help_text="newest first, at most 20")


class CustomerProfileOutputSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=["ok", "unavailable", "not_found", "not_linked", "not_configured"],
                                    help_text="ok: `profile` follows; unavailable: the exchange did not answer in "
                                              "time or its answer was refused; not_found: no such account there; "
                                              "not_linked: no proven account to ask about; not_configured: no provider")
    matched_by = serializers.ChoiceField(choices=["uid", "email"], required=False,
                                         help_text="ok only: by the exchange's user id, or the proven address")
    profile = ExchangeProfileSerializer(required=False, help_text="ok only")


class TimelineQuerySerializer(serializers.Serializer):
    before = serializers.DateTimeField(required=False, help_text="the `next_before` of the previous page")


class TimelineEventSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["ticket", "email_in", "email_out", "chat", "csat", "incident"])
    label = serializers.CharField(help_text="the kind, in the request's language")
    at = serializers.DateTimeField()
    title = serializers.CharField()
    detail = serializers.CharField()
    url = serializers.CharField(help_text="the agent page it opens, or empty")
    ref = serializers.CharField(help_text="the ticket reference, where there is one")


class TimelineOutputSerializer(serializers.Serializer):
    events = TimelineEventSerializer(many=True)
    next_before = serializers.DateTimeField(allow_null=True)
