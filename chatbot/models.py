"""What admins configure about the bot, without code: thresholds, what it says in each language, the phrases that
mean "a person, please" (and greetings, thanks, frustration), and topics only humans handle."""
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from support.languages import LANGUAGE_CODES


class BotSettings(models.Model):
    """One row (id 1): how sure the bot must be to answer, to suggest articles, and when it gives up."""

    answer_threshold = models.FloatField(
        _("answer when confidence is at least"), default=0.885,
        help_text=_("Confidence is how close in meaning the question and the best article are (cosine, 0-1). Above "
                    "this the bot answers with the article's summary and link. Chosen by `manage.py chatbot_eval "
                    "--calibrate` on the dev split."))
    suggest_threshold = models.FloatField(
        _("suggest articles when confidence is at least"), default=0.86,
        help_text=_("Between the two thresholds it offers two or three articles; below, it connects an agent."))
    unhelpful_limit = models.PositiveSmallIntegerField(
        _("hand over after this many unhelpful answers in a row"), default=2)
    handover_threshold = models.FloatField(
        _("hand over when the wish for a person is at least"), default=0.43,
        help_text=_("The classifier's probability that the customer wants a person, complains or is frustrated "
                    "with the bot. Chosen by `manage.py chatbot_eval --calibrate` on the dev split."))
    handover_sure_threshold = models.FloatField(
        _("hand over an answerable question only when the wish is at least"), default=0.51,
        help_text=_("When an article answers the message above the answer threshold, a wish for a person below this "
                    "gets the answer instead (\"someone posing as your staff...\" is a question)."))
    small_talk_threshold = models.FloatField(
        _("reply to small talk when at least"), default=0.2,
        help_text=_("Probability of a greeting, thanks or goodbye with nothing else asked."))
    out_of_scope_threshold = models.FloatField(
        _("call a message off-topic when at least"), default=0.3,
        help_text=_("Probability that a message is not about the exchange; the bot then says what it can help "
                    "with and offers a person instead of an article."))
    intent_version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("bot settings")
        verbose_name_plural = _("bot settings")
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="bot_settings_single_row"),
            models.CheckConstraint(condition=models.Q(suggest_threshold__lte=models.F("answer_threshold")),
                                   name="bot_thresholds_ordered"),
        ]

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls):
        settings, _created = cls.objects.get_or_create(pk=1)
        return settings


class BotText(models.Model):
    """Something the bot says, in six languages (the text fields are added by modeltranslation)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("bot text")
        verbose_name_plural = _("bot texts")
        ordering = ["key"]

    def __str__(self):
        return self.key


class Intent(models.TextChoices):
    HUMAN = "human", _("Wants a person")
    GREETING = "greeting", _("Greeting")
    THANKS = "thanks", _("Thanks")
    NEGATIVE = "negative", _("Frustrated")


class Label(models.TextChoices):
    """What the intent classifier tells apart (chatbot/classifier.py)."""

    HUMAN = "human", _("Wants a person")
    COMPLAINT = "complaint", _("Complaint or escalation")
    NEGATIVE = "negative", _("Frustrated with the bot")
    GREETING = "greeting", _("Greeting")
    THANKS = "thanks", _("Thanks")
    GOODBYE = "goodbye", _("Goodbye")
    OUT_OF_SCOPE = "out_of_scope", _("Out of scope")
    QUESTION = "question", _("Question for the help center")


# The labels that mean "a person should take this".
HANDOVER_LABELS = (Label.HUMAN, Label.COMPLAINT, Label.NEGATIVE)
SMALL_TALK_LABELS = (Label.GREETING, Label.THANKS, Label.GOODBYE)


class IntentExample(models.Model):
    """A labelled customer message the intent classifier learns from, per language. Editing the examples in the
    admin retrains the classifier (a Celery task)."""

    label = models.CharField(_("intent"), max_length=20, choices=Label.choices)
    language = models.CharField(_("language"), max_length=8, choices=[(c, c) for c in LANGUAGE_CODES])
    text = models.CharField(_("example"), max_length=500)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("intent example")
        verbose_name_plural = _("intent examples")
        ordering = ["label", "language", "text"]
        constraints = [models.UniqueConstraint(fields=["language", "text"], name="intent_example_once")]

    def __str__(self):
        return f"{self.get_label_display()}: {self.text[:60]}"


class IntentModel(models.Model):
    """A trained intent classifier: softmax weights over the concatenated embeddings of BOT_EMBEDDING_MODELS, for
    one version of the examples. Processes load the newest for the current version; nothing is trained per
    request."""

    version = models.PositiveIntegerField()
    models_used = models.CharField(max_length=100)
    labels = models.JSONField()
    weights = models.BinaryField()  # float32 (features x labels), little-endian
    bias = models.BinaryField()  # float32 (labels)
    examples = models.PositiveIntegerField()
    trained_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "models_used"], name="intent_model_once")]


class IntentPhrase(models.Model):
    """A phrase that signals an intent ("转人工" -> wants a person). Matched in any language, ignoring case,
    punctuation and, for longer Latin and Cyrillic words, one typo."""

    intent = models.CharField(_("intent"), max_length=10, choices=Intent.choices)
    phrase = models.CharField(_("phrase"), max_length=100)
    language = models.CharField(_("language"), max_length=8, blank=True,
                                choices=[("", _("any"))] + [(c, c) for c in LANGUAGE_CODES])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("intent phrase")
        verbose_name_plural = _("intent phrases")
        ordering = ["intent", "language", "phrase"]
        constraints = [models.UniqueConstraint(fields=["intent", "phrase"], name="intent_phrase_once")]

    def __str__(self):
        return f"{self.get_intent_display()}: {self.phrase}"


class HumanOnlyTopic(models.Model):
    """Topics the bot never answers itself (account frozen, suspected fraud): any keyword hands the chat over."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    keywords = ArrayField(models.CharField(max_length=60), verbose_name=_("keywords (any language)"),
                          help_text=_("Comma-separated; a message containing one of them goes to a person."))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("human-only topic")
        verbose_name_plural = _("human-only topics")
        ordering = ["name"]

    def __str__(self):
        return self.name


class MissingAnswer(models.Model):
    """A question the bot could not answer (low confidence, or its answers did not help), grouped with similar ones
    in the same language, so help-center editors see what to write next, in which language."""

    language = models.CharField(_("language"), max_length=8)
    question = models.TextField(_("example question"))
    terms = ArrayField(models.CharField(max_length=40), default=list)  # what similarity is measured on
    count = models.PositiveIntegerField(_("times asked"), default=1)
    first_asked_at = models.DateTimeField(_("first asked"), auto_now_add=True)
    last_asked_at = models.DateTimeField(_("last asked"), auto_now=True)
    is_resolved = models.BooleanField(_("resolved"), default=False)

    class Meta:
        verbose_name = _("missing answer")
        verbose_name_plural = _("missing answers")
        ordering = ["is_resolved", "-count", "-last_asked_at"]
        indexes = [models.Index(fields=["language", "is_resolved", "-last_asked_at"], name="missing_answer_recent")]

    def __str__(self):
        return self.question[:80]
