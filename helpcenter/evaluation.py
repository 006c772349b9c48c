"""Search quality, measured on two splits of customer-style questions in six languages (evaluation/<split>/*.json):

- dev: the demo articles' own questions and the bot's older set, written alongside the articles (some articles'
  keywords came from them), plus newer ones. Tune on it freely.
- test: questions written afterwards by people who never saw the dev set nor tuned anything, in a customer's voice
  (slang, typos, mixed languages, long messages). Never tuned on: the commands print only its totals, no misses.
"""
import json
from dataclasses import dataclass, field
from pathlib import Path

from support.languages import LANGUAGE_CODES

from .demo import load_articles
from .search import article_search

SPLITS = ("dev", "test")


def evaluation_dir():
    """The project's evaluation data (beside the code, whatever BASE_DIR a test or deployment sets)."""
    return Path(__file__).resolve().parent.parent / "evaluation"


def load_split(split, languages=None):
    """{language: data} of one split (all six languages, or those given); the dev split also takes the demo
    articles' own questions."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; one of {SPLITS}")
    sets = {}
    for lang in languages or LANGUAGE_CODES:
        path = evaluation_dir() / split / f"{lang}.json"
        data = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"faq": []}
        if split == "dev":
            data["faq"] = [{"q": q, "article": a["slug"]} for a in load_articles()
                           for q in a.get("questions", {}).get(lang, [])] + list(data.get("faq", []))
        sets[lang] = data
    return sets


def expected_articles(item):
    return {item["article"], *item.get("also", [])}


@dataclass
class LanguageScore:
    language: str
    total: int = 0
    top1: int = 0
    top3: int = 0
    misses: list = field(default_factory=list)

    @property
    def top3_rate(self):
        return self.top3 / self.total if self.total else 0.0

    @property
    def top1_rate(self):
        return self.top1 / self.total if self.total else 0.0


def evaluate(split="dev", languages=None):
    """Score a split's questions against the live search: top-1 and top-3 hit rate per language. Misses are kept
    for the dev split only."""
    sets = load_split(split, languages)
    scores = {lang: LanguageScore(lang) for lang in sets}
    for lang, data in sets.items():
        score = scores[lang]
        for item in data.get("faq", []):
            keys = [hit.article.key for hit in article_search(item["q"], lang, limit=3).hits]
            wanted = expected_articles(item)
            score.total += 1
            score.top1 += bool(keys[:1]) and keys[0] in wanted
            if wanted & set(keys):
                score.top3 += 1
            elif split == "dev":
                score.misses.append((item["q"], item["article"], keys))
    return scores
