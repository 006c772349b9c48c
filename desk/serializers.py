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
