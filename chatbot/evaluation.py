"""Scoring the bot on the dev or test split (evaluation/<split>/<language>.json, see helpcenter/evaluation.py) and on
real-world English data nobody here wrote (../shared/datasets: Banking77, CLINC150), and choosing its thresholds
on the dev split.

Everything goes through `bot_decide`, the function chats and the ask API call, so the figures are what customers get.
"""
import csv
import json
import os
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

from helpcenter.evaluation import expected_articles, load_split

from .classifier import classify
from .engine import SOURCE, bot_decide
from .models import HANDOVER_LABELS, SMALL_TALK_LABELS, BotSettings, Label

# A handover the customer asked for (not a bot giving up on a question).
ASKED = ("requested", "complaint", "negative", "human_only")


@dataclass
class LanguageScore:
    questions: int = 0
    right_first: int = 0  # the expected article is the first one the bot gives (answer or suggestion)
    answered: int = 0  # the bot answered outright
    answered_right: int = 0  # ... with the expected article
    questions_handed_over: int = 0  # a plain question handed over, for any reason
    handover_requests: int = 0
    handovers_recognised: int = 0
    small_talk: int = 0
    small_talk_recognised: int = 0
    off_topic: int = 0
    off_topic_recognised: int = 0
    off_topic_answered: int = 0
    misses: list = field(default_factory=list)

    @property
    def accuracy(self):
        return _rate(self.right_first, self.questions)

    @property
    def false_handover_rate(self):
        return _rate(self.questions_handed_over, self.questions)

    @property
    def handover_recall(self):
        return _rate(self.handovers_recognised, self.handover_requests)

    @property
    def small_talk_recall(self):
        return _rate(self.small_talk_recognised, self.small_talk)

    @property
    def off_topic_recall(self):
        return _rate(self.off_topic_recognised, self.off_topic)

    @property
    def answer_precision(self):
        return _rate(self.answered_right, self.answered)


def _rate(part, whole):
    return part / whole if whole else 0.0


def evaluate(split="dev", languages=None):
    """{language: LanguageScore} over a split; the language hint is the set's language. Misses are kept for the dev
    split only (the test split is never looked at item by item)."""
    keep = split == "dev"
    scores = {}
    for lang, data in load_split(split, languages).items():
        score = scores[lang] = LanguageScore()
        for item in data.get("faq", []):
            decision = bot_decide(text=item["q"], language_hint=lang)
            score.questions += 1
            first = decision.articles[0].key if decision.articles else None
            right = decision.action in ("answer", "suggest") and first in expected_articles(item)
            score.right_first += right
            score.answered += decision.action == "answer"
            score.answered_right += decision.action == "answer" and right
            score.questions_handed_over += decision.handover
            if keep and not right:
                score.misses.append((item["q"], item["article"], decision.action, first, decision.reason))
        for text in data.get("handover", []):
            decision = bot_decide(text=text, language_hint=lang)
            score.handover_requests += 1
            if decision.handover and decision.reason in ASKED:
                score.handovers_recognised += 1
            elif keep:
                score.misses.append((text, "handover", decision.action, "", decision.reason))
        small_talk = [(item["q"], item["intent"]) for item in data.get("small_talk", [])]
        small_talk += [(text, None) for text in data.get("greetings", [])]  # the older set: any small talk counts
        for text, intent in small_talk:
            decision = bot_decide(text=text, language_hint=lang)
            score.small_talk += 1
            if decision.action == intent or (intent is None and decision.action in SMALL_TALK_LABELS):
                score.small_talk_recognised += 1
            elif keep:
                score.misses.append((text, intent or "small talk", decision.action, "", decision.reason))
        for text in data.get("out_of_scope", []):
            decision = bot_decide(text=text, language_hint=lang)
            score.off_topic += 1
            score.off_topic_recognised += decision.action == "out_of_scope"
            score.off_topic_answered += decision.action == "answer"
            if keep and decision.action != "out_of_scope":
                score.misses.append((text, "out_of_scope", decision.action, "", decision.reason))
    return scores


# Real-world English data (../shared/datasets), split like ours: "dev" is Banking77's train set and CLINC150's
# validation set (looked at freely, misses listed), "test" their test sets (totals only, nothing chosen on them).
def datasets_dir():
    return Path(os.environ.get("EVAL_DATASETS_DIR") or Path(settings.BASE_DIR).parent / "shared" / "datasets")


@dataclass
class RealWorldScore:
    banking77: int = 0
    banking77_requested: int = 0  # none of Banking77 asks for a person: every one is false
    clinc_oos: int = 0
    clinc_oos_answered: int = 0
    clinc_oos_recognised: int = 0
    clinc_small_talk: int = 0
    clinc_small_talk_recognised: int = 0
    misses: list = field(default_factory=list)  # dev only: (set, text, expected, action, reason)

    @property
    def banking77_requested_rate(self):
        return _rate(self.banking77_requested, self.banking77)

    @property
    def clinc_oos_answer_rate(self):
        return _rate(self.clinc_oos_answered, self.clinc_oos)

    @property
    def clinc_oos_recall(self):
        return _rate(self.clinc_oos_recognised, self.clinc_oos)

    @property
    def clinc_small_talk_recall(self):
        return _rate(self.clinc_small_talk_recognised, self.clinc_small_talk)


CLINC_SMALL_TALK = {"greeting": "greeting", "thank_you": "thanks", "goodbye": "goodbye"}
_REAL_WORLD_FILES = {"dev": ("train.csv", "val"), "test": ("test.csv", "test")}
ASKED_FOR_PERSON = ("requested", "complaint", "negative")


def real_world_available():
    return (datasets_dir() / "banking77" / "test.csv").exists() and (datasets_dir() / "clinc150" /
                                                                      "data_full.json").exists()


def evaluate_real_world(*, split="test", sample=None, seed=7):
    """Banking77 (handovers as if asked for a person are all false: none of it asks for one), CLINC150's
    out-of-scope queries (the bot must not answer them) and its greeting / thank_you / goodbye queries (recognised
    as small talk). `sample` caps each set (a random, seeded subset) for quick runs."""
    banking_file, clinc_part = _REAL_WORLD_FILES[split]
    root = datasets_dir()
    with open(root / "banking77" / banking_file, encoding="utf-8", newline="") as handle:
        banking = [row["text"] for row in csv.DictReader(handle)]
    clinc = json.loads((root / "clinc150" / "data_full.json").read_text(encoding="utf-8"))
    oos = [text for text, _label in clinc[f"oos_{clinc_part}"]]
    small = [(text, CLINC_SMALL_TALK[label]) for text, label in clinc[clinc_part] if label in CLINC_SMALL_TALK]
    if sample:
        rng = random.Random(seed)
        banking, oos, small = (rng.sample(x, min(sample, len(x))) for x in (banking, oos, small))
    score = RealWorldScore()
    keep = split == "dev"

    def miss(kind, text, expected, decision):
        if keep:
            score.misses.append((kind, text, expected, decision.action, decision.reason))

    for text in banking:
        decision = bot_decide(text=text, language_hint="en")
        score.banking77 += 1
        if decision.handover and decision.reason in ASKED_FOR_PERSON:
            score.banking77_requested += 1
            miss("banking77", text, "no handover as asked", decision)
    for text in oos:
        decision = bot_decide(text=text, language_hint="en")
        score.clinc_oos += 1
        score.clinc_oos_answered += decision.action == "answer"
        score.clinc_oos_recognised += decision.action == "out_of_scope"
        if decision.action != "out_of_scope":
            miss("clinc oos", text, "out_of_scope", decision)
    for text, intent in small:
        decision = bot_decide(text=text, language_hint="en")
        score.clinc_small_talk += 1
        score.clinc_small_talk_recognised += decision.action == intent
        if decision.action != intent:
            miss("clinc small talk", text, intent, decision)
    return score


# Calibration: the thresholds, chosen on the dev split and stored in BotSettings.
@dataclass
class Observation:
    kind: str  # faq, handover, small_talk, out_of_scope
    language: str
    wish: float  # the classifier's probability of a handover label
    label: str
    confidence: float
    similarity: float  # the best article's closeness (the bot's answer confidence)
    right: bool  # faq: the best article is the expected one
    expected: str = ""


def observe(split="dev", languages=None):
    """The raw quantities the thresholds act on, for every item of a split."""
    version = BotSettings.current().intent_version
    seen = []
    for lang, data in load_split(split, languages).items():
        items = [("faq", item["q"], item) for item in data.get("faq", [])]
        items += [("handover", text, None) for text in data.get("handover", [])]
        items += [("small_talk", item["q"], item) for item in data.get("small_talk", [])]
        items += [("out_of_scope", text, None) for text in data.get("out_of_scope", [])]
        for kind, text, item in items:
            prediction = classify(text, version=version)
            candidates = SOURCE.find(text, lang)
            best = candidates[0] if candidates else None
            seen.append(Observation(
                kind, lang, prediction.sum(HANDOVER_LABELS), prediction.label, prediction.confidence,
                best.confidence if best else 0.0,
                bool(item and kind == "faq" and best and best.key in expected_articles(item)),
                item.get("intent", "") if item else ""))
    return seen


def _grid(lo, hi, step):
    values, value = [], lo
    while value <= hi + 1e-9:
        values.append(round(value, 3))
        value += step
    return values


def calibrate(observations, *, max_false_handover=0.02, max_low_confidence=0.01, answer_precision=0.95,
              max_questions_off_topic=0.01):
    """Thresholds from dev observations: the handover threshold is the lowest that hands over at most
    `max_false_handover` of the plain questions in every language (the target is per language); the answer threshold the lowest whose answers are right
    at least `answer_precision` of the time; the suggest threshold hands over at most `max_low_confidence` of the
    questions for low confidence; the off-topic threshold calls at most `max_questions_off_topic` of the questions off-topic."""
    faq = [o for o in observations if o.kind == "faq"]
    languages = sorted({o.language for o in faq})

    def worst_language(share):  # the target is per language: the worst one decides
        return max(share([o for o in faq if o.language == lang]) for lang in languages) if languages else 0.0

    wishes = _grid(0.05, 0.95, 0.01)
    handover = next((t for t in wishes if worst_language(
        lambda some: _rate(sum(o.wish >= t for o in some), len(some))) <= max_false_handover), wishes[-1])
    kept = [o for o in faq if o.wish < handover]
    similarities = _grid(0.70, 0.98, 0.005)
    answer = similarities[-1]
    for t in similarities:
        answered = [o for o in kept if o.similarity >= t]
        if answered and _rate(sum(o.right for o in answered), len(answered)) >= answer_precision:
            answer = t
            break
    suggest = max((t for t in similarities if t <= answer
                   and _rate(sum(o.similarity < t for o in kept), len(kept)) <= max_low_confidence),
                  default=similarities[0])
    off_topic = next((t for t in _grid(0.3, 0.95, 0.01) if _rate(sum(
        o.label == Label.OUT_OF_SCOPE and o.confidence >= t and o.similarity < answer for o in kept),
        len(kept)) <= max_questions_off_topic), 0.95)
    handovers = [o for o in observations if o.kind == "handover" and o.wish >= handover]
    sure = max((t for t in _grid(handover, 1.0, 0.01) if _rate(sum(
        o.similarity >= answer and o.wish < t for o in handovers), len(handovers)) <= 0.01), default=handover)
    small_talk = next((t for t in _grid(0.2, 0.95, 0.01) if _rate(sum(
        o.label in SMALL_TALK_LABELS and o.confidence >= t for o in kept), len(kept)) <= max_questions_off_topic), 0.95)
    return {"handover_threshold": handover, "answer_threshold": answer, "suggest_threshold": suggest,
            "out_of_scope_threshold": off_topic, "small_talk_threshold": small_talk, "handover_sure_threshold": sure}


def precision_coverage(observations, thresholds):
    """{language: [(threshold, coverage, precision)]}: for each answer threshold, the share of the language's dev
    questions the bot would answer outright and how many of those answers are right."""
    table = {}
    for lang in dict.fromkeys(o.language for o in observations):
        faq = [o for o in observations if o.kind == "faq" and o.language == lang]
        rows = []
        for t in thresholds:
            answered = [o for o in faq if o.similarity >= t]
            rows.append((t, _rate(len(answered), len(faq)), _rate(sum(o.right for o in answered), len(answered))))
        table[lang] = rows
    return table


def thresholds_store(values):
    """Write chosen thresholds into the bot's settings (one row)."""
    config = BotSettings.current()
    for name, value in values.items():
        setattr(config, name, value)
    config.save(update_fields=list(values))
    return config
