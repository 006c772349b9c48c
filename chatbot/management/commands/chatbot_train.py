"""python manage.py chatbot_train — train the bot's intent classifier on the current examples now (a deployment
runs it after `migrate`, so no customer's first message waits for training)."""
from django.core.management.base import BaseCommand

from chatbot.classifier import intent_train, ship
from chatbot.models import IntentExample


class Command(BaseCommand):
    help = "Train the chatbot's intent classifier on the active examples."

    def add_arguments(self, parser):
        parser.add_argument("--ship", action="store_true",
                            help="also write the weights shipped with the examples (after editing the JSON files)")

    def handle(self, *args, **options):
        self.stdout.write("Training the intent classifier (embedding every example once) ...")
        if options["ship"]:
            ship(list(IntentExample.objects.filter(is_active=True).values_list("text", "label")))
        stored = intent_train()
        self.stdout.write(f"Trained version {stored.version} on {stored.examples} examples "
                          f"({stored.models_used}): labels {', '.join(stored.labels)}.")
