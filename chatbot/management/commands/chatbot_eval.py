"""python manage.py chatbot_eval [--misses] — score the bot on the committed evaluation set, per language."""
from django.core.management.base import BaseCommand

from chatbot.evaluation import evaluate


class Command(BaseCommand):
    help = "Score the chatbot: right article first, handover requests recognised, false handovers, per language."

    def add_arguments(self, parser):
        parser.add_argument("--misses", action="store_true", help="list every miss")

    def handle(self, *args, **options):
        scores = evaluate()
        self.stdout.write(f"{'language':<10}{'questions':>10}{'right 1st':>10}{'answered':>10}{'false h/o':>10}"
                          f"{'handover':>10}{'greeting':>10}  right-first bar (target 0.85)")
        for lang, score in scores.items():
            bar = "#" * round(30 * score.accuracy)
            mark = "ok" if score.accuracy >= 0.85 and score.handover_recall >= 0.95 and not score.false_handovers \
                else "LOW"
            self.stdout.write(
                f"{lang:<10}{score.questions:>10}{score.accuracy:>10.2f}{score.answered:>10}"
                f"{score.false_handovers:>10}{score.handover_recall:>10.2f}{score.greeting_recall:>10.2f}  {bar} {mark}")
        if options["misses"]:
            for lang, score in scores.items():
                for text, expected, action, got, reason in score.misses:
                    self.stdout.write(f"{lang}: {text!r} expected {expected}, got {action} {got} {reason}")
