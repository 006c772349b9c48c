"""python manage.py chatbot_eval [--split dev|test] [--calibrate] [--real-world [--sample N]] [--misses]

Scores the bot per language (right article first, answers' precision, requests for a person recognised, plain
questions handed over, small talk and off-topic recognised) with a bar chart; `--calibrate` first chooses the
thresholds on the dev split, prints the precision-coverage table per language and stores them in BotSettings;
`--real-world` adds Banking77 and CLINC150 (English, ../shared/datasets; their train/validation sets on the dev
split, their test sets on the test split). The test split prints totals only.
"""
from django.core.management.base import BaseCommand, CommandError

from chatbot.evaluation import (
    calibrate,
    evaluate,
    evaluate_real_world,
    observe,
    precision_coverage,
    real_world_available,
    thresholds_store,
)
from helpcenter.evaluation import SPLITS
from support.charts import bar

TARGETS = {"right_first": 0.90, "handover_recall": 0.95, "false_handovers": 0.02}


class Command(BaseCommand):
    help = "Score the chatbot per language on the dev or test split (and real-world English data)."

    def add_arguments(self, parser):
        parser.add_argument("--split", choices=SPLITS, default="dev")
        parser.add_argument("--calibrate", action="store_true",
                            help="choose the thresholds on the dev split and store them before scoring")
        parser.add_argument("--real-world", action="store_true", help="also score Banking77 and CLINC150")
        parser.add_argument("--sample", type=int, default=None, help="cap each real-world set (random, seeded)")
        parser.add_argument("--languages", type=lambda v: [x.strip() for x in v.split(",") if x.strip()],
                            default=None, help="comma-separated language codes (default: all six)")
        parser.add_argument("--misses", action="store_true", help="list every miss (dev split only)")

    def handle(self, *args, **options):
        if options["misses"] and options["split"] == "test":
            raise CommandError("the test split prints totals only: it is never tuned on")
        if options["calibrate"]:
            self._calibrate(options["languages"])
        split = options["split"]
        scores = evaluate(split, options["languages"])
        self.stdout.write(f"\nchatbot, {split} split (targets on test: right first >= {TARGETS['right_first']}, "
                          f"requests for a person >= {TARGETS['handover_recall']}, questions handed over <= "
                          f"{TARGETS['false_handovers']})")
        self.stdout.write(f"{'language':<9}{'questions':>10}{'right 1st':>10}{'answered':>9}{'ans. prec':>10}"
                          f"{'q h/o':>7}{'person':>8}{'small':>7}{'off-top':>8}  right first")
        for lang, s in scores.items():
            ok = (s.accuracy >= TARGETS["right_first"] and s.handover_recall >= TARGETS["handover_recall"]
                  and s.false_handover_rate <= TARGETS["false_handovers"])
            self.stdout.write(
                f"{lang:<9}{s.questions:>10}{s.accuracy:>10.2f}{s.answered / max(1, s.questions):>9.2f}"
                f"{s.answer_precision:>10.2f}{s.false_handover_rate:>7.2f}{s.handover_recall:>8.2f}"
                f"{s.small_talk_recall:>7.2f}{s.off_topic_recall:>8.2f}  {bar(s.accuracy)} "
                f"{'ok' if ok else 'below target'}")
        self.stdout.write("  right 1st: expected article first; answered: share answered outright (ans. prec: right "
                          "among those); q h/o: plain questions handed over; person: requests for a person "
                          "recognised; small: greetings/thanks/goodbyes; off-top: off-topic recognised")
        if options["misses"]:
            for lang, s in scores.items():
                for text, expected, action, got, reason in s.misses:
                    self.stdout.write(f"{lang}: {text!r} expected {expected}, got {action} {got or ''} {reason}")
        if options["real_world"]:
            self._real_world(split, options["sample"], options["misses"])

    def _calibrate(self, languages):
        observations = observe("dev", languages)
        chosen = thresholds_store(calibrate(observations))
        values = {k: getattr(chosen, k) for k in ("handover_threshold", "answer_threshold", "suggest_threshold",
                                                  "out_of_scope_threshold", "small_talk_threshold",
                                                  "handover_sure_threshold")}
        self.stdout.write("thresholds chosen on the dev split and stored: " +
                          ", ".join(f"{k} = {v:.3f}" for k, v in values.items()))
        steps = [round(chosen.answer_threshold + d, 3) for d in (-0.04, -0.02, 0.0, 0.02, 0.04)]
        self.stdout.write("precision-coverage of answers on the dev split (coverage: share of questions answered "
                          "outright; precision: right among them)")
        self.stdout.write(f"{'language':<9}" + "".join(f"{'>= ' + format(t, '.3f'):>16}" for t in steps))
        for lang, rows in precision_coverage(observations, steps).items():
            self.stdout.write(f"{lang:<9}" + "".join(f"{c:>8.2f} / {p:<5.2f}" for _t, c, p in rows))

    def _real_world(self, split, sample, misses):
        if not real_world_available():
            raise CommandError("the real-world data sets are not there (../shared/datasets or EVAL_DATASETS_DIR)")
        r = evaluate_real_world(split=split, sample=sample)
        sets = ("train", "validation") if split == "dev" else ("test", "test")
        self.stdout.write(f"\nreal-world English data, {split} split (Banking77 {sets[0]} set, CLINC150 {sets[1]} "
                          f"set{'' if split == 'dev' else '; never tuned on'})")
        for label, value, target, ok in (
                (f"Banking77: handed over as if asked ({r.banking77})", r.banking77_requested_rate, "<= 0.005",
                 r.banking77_requested_rate <= 0.005),
                (f"CLINC150 out-of-scope: answered ({r.clinc_oos})", r.clinc_oos_answer_rate, "<= 0.02",
                 r.clinc_oos_answer_rate <= 0.02),
                (f"CLINC150 out-of-scope: recognised ({r.clinc_oos})", r.clinc_oos_recall, "", True),
                (f"CLINC150 greeting/thanks/goodbye ({r.clinc_small_talk})", r.clinc_small_talk_recall, ">= 0.90",
                 r.clinc_small_talk_recall >= 0.9)):
            self.stdout.write(f"  {label:<48}{value:>7.3f}  {bar(value)} {target} {'ok' if ok else ''}")
        if misses:
            for kind, text, expected, action, reason in r.misses:
                self.stdout.write(f"{kind}: {text!r} expected {expected}, got {action} {reason}")
