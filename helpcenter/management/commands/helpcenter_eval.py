"""python manage.py helpcenter_eval [--split dev|test] [--misses] — search quality per language, with a chart."""
from django.core.management.base import BaseCommand, CommandError

from helpcenter.evaluation import SPLITS, evaluate
from support.charts import bar

TARGET_TOP1, TARGET_TOP3 = 0.92, 0.98


class Command(BaseCommand):
    help = "Score help-center search on the dev or test split and print a table per language."

    def add_arguments(self, parser):
        parser.add_argument("--split", choices=SPLITS, default="dev")
        parser.add_argument("--languages", type=lambda v: [x.strip() for x in v.split(",") if x.strip()],
                            default=None, help="comma-separated language codes (default: all six)")
        parser.add_argument("--misses", action="store_true", help="list the dev questions whose article was not top 3")

    def handle(self, *args, **options):
        if options["misses"] and options["split"] == "test":
            raise CommandError("the test split prints totals only: it is never tuned on")
        scores = evaluate(options["split"], options["languages"])
        self.stdout.write(f"help-center search, {options['split']} split "
                          f"(targets on test: top-1 >= {TARGET_TOP1}, top-3 >= {TARGET_TOP3})")
        self.stdout.write(f"{'language':<10}{'questions':>10}{'top-1':>8}{'top-3':>8}  top-1")
        for score in scores.values():
            ok = score.top1_rate >= TARGET_TOP1 and score.top3_rate >= TARGET_TOP3
            self.stdout.write(f"{score.language:<10}{score.total:>10}{score.top1_rate:>8.2f}{score.top3_rate:>8.2f}"
                              f"  {bar(score.top1_rate)} {'ok' if ok else 'below target'}")
            if options["misses"]:
                for question, expected, got in score.misses:
                    self.stdout.write(f"    miss: {question!r} expected {expected}, got {got}")
