"""Scoring the bot on the committed evaluation set (chatbot/eval/<language>.json): customer-style questions with
the article that answers each, requests for a person, and greetings, in six languages."""
import json
from dataclasses import dataclass, field
from pathlib import Path

from support.languages import LANGUAGE_CODES

from .engine import bot_decide

EVAL_DIR = Path(__file__).resolve().parent / "eval"


def load_eval_set():
    sets = {}
    for lang in LANGUAGE_CODES:
        path = EVAL_DIR / f"{lang}.json"
        if path.exists():
            sets[lang] = json.loads(path.read_text(encoding="utf-8"))
    return sets


@dataclass
class LanguageScore:
    questions: int = 0
    right_first: int = 0  # the expected article is the first one the bot gives (answer or suggestion)
    answered: int = 0  # ... and the bot was sure enough to answer it outright
    false_handovers: int = 0  # a plain question handed over because of a phrase, a topic or frustration
    handover_requests: int = 0
    handovers_recognised: int = 0
    greetings: int = 0
    greetings_recognised: int = 0
    misses: list = field(default_factory=list)

    @property
    def accuracy(self):
        return self.right_first / self.questions if self.questions else 0.0

    @property
    def handover_recall(self):
        return self.handovers_recognised / self.handover_requests if self.handover_requests else 0.0

    @property
    def greeting_recall(self):
        return self.greetings_recognised / self.greetings if self.greetings else 0.0


def evaluate():
    """{language: LanguageScore} over the evaluation set; the language hint is the set's language."""
    scores = {}
    for lang, data in load_eval_set().items():
        score = scores[lang] = LanguageScore()
        for item in data.get("faq", []):
            decision = bot_decide(text=item["q"], language_hint=lang)
            score.questions += 1
            first = decision.articles[0].key if decision.articles else None
            if decision.action in ("answer", "suggest") and first == item["article"]:
                score.right_first += 1
                score.answered += decision.action == "answer"
            else:
                score.misses.append((item["q"], item["article"], decision.action, first, decision.reason))
            if decision.handover and decision.reason in ("requested", "human_only", "negative"):
                score.false_handovers += 1
        for text in data.get("handover", []):
            decision = bot_decide(text=text, language_hint=lang)
            score.handover_requests += 1
            if decision.handover and decision.reason == "requested":
                score.handovers_recognised += 1
            else:
                score.misses.append((text, "handover", decision.action, "", decision.reason))
        for text in data.get("greetings", []):
            decision = bot_decide(text=text, language_hint=lang)
            score.greetings += 1
            if decision.action in ("greeting", "thanks"):
                score.greetings_recognised += 1
            else:
                score.misses.append((text, "greeting", decision.action, "", decision.reason))
    return scores
