"""Input and output of POST /api/v1/bot/ask."""
from rest_framework import serializers

from support.languages import LANGUAGE_CODES
from support.serializers import StrictInputSerializer


class AskInputSerializer(StrictInputSerializer):
    text = serializers.CharField(max_length=2000, trim_whitespace=True)
    lang = serializers.ChoiceField(choices=LANGUAGE_CODES, required=False,
                                   help_text="the conversation's language, used when the text is too short to tell")


class AskArticleSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="article_id")
    key = serializers.CharField()
    title = serializers.CharField()
    url = serializers.CharField()
    score = serializers.FloatField()
    confidence = serializers.FloatField()


class AskIncidentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    notice = serializers.CharField()


class AskOutputSerializer(serializers.Serializer):
    language = serializers.CharField(help_text="detected language of the text")
    action = serializers.ChoiceField(choices=["answer", "suggest", "handover", "greeting", "thanks"])
    intent = serializers.CharField()
    confidence = serializers.FloatField()
    handover = serializers.BooleanField()
    reason = serializers.CharField(help_text="why it would hand over: requested, human_only, negative, "
                                             "low_confidence, unhelpful; empty otherwise")
    topic = serializers.CharField()
    reply = serializers.CharField(help_text="what the bot would say, in the detected language (an open incident's "
                                  "notice first when the text is about one)")
    incident = AskIncidentSerializer(allow_null=True, help_text="the open incident the text is about, or null")
    articles = AskArticleSerializer(many=True)
