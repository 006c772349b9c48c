"""python manage.py bench_chatbot [--rounds 5] — bot reply latency (p50/p95) per language on the demo help center.

Times `chatbot.engine.bot_decide` plus the reply text, exactly what a chat message costs the bot (two embeddings,
the classifier, the hybrid search), over the dev split's messages, each round with the embedding cache emptied.
`make bench` runs it in the search benchmark's database, so the bot searches 20,000 articles x 6 languages. Prints a table with a bar chart and writes
bench/results/chatbot.json. Run it against a throwaway database (`make bench` does).
"""
import json
import statistics
import time

from django.core.management.base import BaseCommand

from chatbot import defaults
from chatbot.engine import bot_decide, reply_text
from chatbot.models import BotText, HumanOnlyTopic, IntentExample, IntentPhrase
from helpcenter.demo import seed
from helpcenter.evaluation import load_split
from support import embeddings
from support.progress import bench_results_dir

TARGET_MS = 150


class Command(BaseCommand):
    help = "Measure the chatbot's reply latency per language (target p95 < 150 ms)."

    def add_arguments(self, parser):
        parser.add_argument("--rounds", type=int, default=5)
        parser.add_argument("--per-language", type=int, default=None, help="cap the messages per language")

    def handle(self, *args, **options):
        seed(progress=lambda *a: None)
        defaults.install(BotText, IntentPhrase, HumanOnlyTopic)
        defaults.install_examples(IntentExample)
        texts = [(lang, text) for lang, data in load_split("dev").items()
                 for text in ([i["q"] for i in data["faq"]] + data["handover"] + data["greetings"]
                              + data.get("out_of_scope", []))[:options["per_language"]]]
        for lang, text in texts[:40]:  # warm up: language models, caches, connection
            reply_text(bot_decide(text=text, language_hint=lang))
        timings = {}
        total = len(texts) * options["rounds"]
        for index, (lang, text) in enumerate(texts * options["rounds"], start=1):
            if index % len(texts) == 1:  # every round embeds its messages afresh (no process cache)
                embeddings.QUERY_CACHE.clear()
            started = time.perf_counter()
            reply_text(bot_decide(text=text, language_hint=lang))
            timings.setdefault(lang, []).append((time.perf_counter() - started) * 1000)
            if index % 100 == 0 or index == total:
                filled = int(30 * index / total)
                self.stdout.write(f"\r  [{'#' * filled}{'-' * (30 - filled)}] {index}/{total} replies", ending="")
                self.stdout.flush()
        self.stdout.write(f"\n\nChatbot reply latency (target: p95 < {TARGET_MS} ms)")
        self.stdout.write(f"{'language':<10}{'replies':>8}{'p50 ms':>9}{'p95 ms':>9}  p95")
        results = []
        worst = max(statistics.quantiles(v, n=20)[18] for v in timings.values())
        for lang, values in timings.items():
            p50, p95 = statistics.median(values), statistics.quantiles(values, n=20)[18]
            bar = "#" * max(1, round(40 * p95 / max(worst, TARGET_MS)))
            self.stdout.write(f"{lang:<10}{len(values):>8}{p50:>9.2f}{p95:>9.2f}  {bar} "
                              f"{'ok' if p95 < TARGET_MS else 'SLOW'}")
            results.append({"benchmark": "chatbot_reply", "language": lang, "replies": len(values),
                            "p50_ms": round(p50, 3), "p95_ms": round(p95, 3)})
        out = bench_results_dir()
        (out / "chatbot.json").write_text(json.dumps(results, indent=2))
        for row in results:
            self.stdout.write(json.dumps(row))
