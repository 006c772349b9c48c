"""Search quality on the demo knowledge base: customer-style questions in six languages must find their article
in the top three at least 90% of the time, in every language (`manage.py helpcenter_eval` prints the table)."""
import pytest

from helpcenter import demo
from helpcenter.evaluation import evaluate

pytestmark = pytest.mark.django_db


def test_top3_hit_rate_is_at_least_090_in_every_language():
    demo.seed(progress=lambda *args: None)
    scores = evaluate()
    assert sum(s.total for s in scores.values()) >= 6 * 2 * 12
    low = {lang: round(s.top3_rate, 2) for lang, s in scores.items() if s.top3_rate < 0.9}
    assert low == {}, {lang: scores[lang].misses for lang in low}


def test_demo_content_is_complete_in_six_languages():
    for data in demo.load_articles():
        for lang in ("en", "zh-hans", "es", "ru", "ja", "ko"):
            texts = data["translations"][lang]
            assert texts["title"] and texts["body"] and texts["summary"], (data["slug"], lang)
            assert len(data["questions"][lang]) >= 2
