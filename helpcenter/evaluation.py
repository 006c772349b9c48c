"""Search quality, measured: customer-style questions in six languages, each with the article it should find."""
from dataclasses import dataclass, field

from support.languages import LANGUAGE_CODES

from .demo import load_articles
from .search import article_search


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


def evaluate(articles=None):
    """Score the demo questions against the live search: top-1 and top-3 hit rate per language."""
    scores = {lang: LanguageScore(lang) for lang in LANGUAGE_CODES}
    for data in articles or load_articles():
        for lang, questions in data.get("questions", {}).items():
            for question in questions:
                keys = [hit.article.key for hit in article_search(question, lang, limit=3).hits]
                score = scores[lang]
                score.total += 1
                score.top1 += keys[:1] == [data["slug"]]
                if data["slug"] in keys:
                    score.top3 += 1
                else:
                    score.misses.append((question, data["slug"], keys))
    return scores
