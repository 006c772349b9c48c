"""python manage.py helpcenter_eval: the search quality table (top-1 / top-3 hit rate per language)."""
from django.core.management.base import BaseCommand

from helpcenter.evaluation import evaluate


class Command(BaseCommand):
    help = "Score help-center search on the demo question set and print a table per language."

    def add_arguments(self, parser):
        parser.add_argument("--misses", action="store_true", help="list the questions whose article was not top 3")

    def handle(self, *args, **options):
        scores = evaluate()
        self.stdout.write(f"{'language':<10}{'questions':>10}{'top-1':>8}{'top-3':>8}  top-3 bar")
        for score in scores.values():
            bar = "#" * round(score.top3_rate * 30)
            self.stdout.write(f"{score.language:<10}{score.total:>10}{score.top1_rate:>8.2f}{score.top3_rate:>8.2f}"
                              f"  {bar}")
            if options["misses"]:
                for question, expected, got in score.misses:
                    self.stdout.write(f"    miss: {question!r} expected {expected}, got {got}")
