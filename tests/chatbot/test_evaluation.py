"""The evaluation (`manage.py chatbot_eval`): dev and test splits in six languages, the test split never shown item
by item, quality floors on the dev split that a regression would break, thresholds chosen by calibration, and the
real-world English data sets measured."""
import io

import pytest
from django.core.management import CommandError, call_command

from chatbot.evaluation import (
    calibrate,
    evaluate,
    evaluate_real_world,
    observe,
    precision_coverage,
    real_world_available,
)
from helpcenter.evaluation import load_split

pytestmark = pytest.mark.django_db
LANGUAGES = ["en", "zh-hans", "es", "ru", "ja", "ko"]


def test_both_splits_are_complete_in_six_languages():
    dev, test = load_split("dev"), load_split("test")
    assert sorted(dev) == sorted(test) == sorted(LANGUAGES)
    for lang in LANGUAGES:
        assert len(test[lang]["faq"]) >= 40 and len(test[lang]["handover"]) >= 20, lang
        assert len(test[lang]["out_of_scope"]) >= 10 and len(test[lang]["small_talk"]) >= 9, lang
        assert len(dev[lang]["faq"]) >= 40 and len(dev[lang]["handover"]) >= 20, lang


def test_no_test_question_is_copied_into_the_dev_split_or_the_examples():
    """Content, examples and dev data may not copy the test split."""
    from chatbot.defaults import intent_examples

    def norm(text):
        return " ".join(text.casefold().split())

    test = set()
    for data in load_split("test").values():
        test |= {norm(i["q"]) for i in data["faq"] + data["small_talk"]} | {norm(t) for t in data["handover"]}
    dev = set()
    for data in load_split("dev").values():
        dev |= {norm(i["q"]) for i in data["faq"]} | {norm(t) for t in data["handover"]}
    assert not (test & dev)
    assert not (test & {norm(text) for _label, _lang, text in intent_examples()})


def test_the_test_split_prints_totals_only():
    with pytest.raises(CommandError):
        call_command("chatbot_eval", "--split", "test", "--misses", stdout=io.StringIO())
    with pytest.raises(CommandError):
        call_command("helpcenter_eval", "--split", "test", "--misses", stdout=io.StringIO())


def test_bot_quality_floors_on_the_dev_split(demo_help_center):
    """Floors under the dev figures (docs/architecture.md has them): a change that breaks the classifier or the
    retrieval falls through them in some language."""
    scores = evaluate("dev")
    for lang, score in scores.items():
        assert score.accuracy >= 0.75, (lang, score.accuracy)
        assert score.handover_recall >= 0.8, (lang, score.handover_recall)
        assert score.false_handover_rate <= 0.06, (lang, score.false_handover_rate)
        assert score.small_talk_recall >= 0.6, (lang, score.small_talk_recall)
        assert score.answer_precision >= 0.85, (lang, score.answer_precision)


def test_calibration_chooses_ordered_thresholds_and_prints_a_table_per_language(demo_help_center):
    observations = observe("dev")
    chosen = calibrate(observations)
    assert 0 < chosen["suggest_threshold"] <= chosen["answer_threshold"] < 1
    assert 0 < chosen["handover_threshold"] < 1
    for lang in LANGUAGES:  # the false-handover target is per language: no language may pay for another
        faq = [o for o in observations if o.kind == "faq" and o.language == lang]
        assert sum(o.wish >= chosen["handover_threshold"] for o in faq) / len(faq) <= 0.02, lang
    assert chosen["handover_sure_threshold"] >= chosen["handover_threshold"]
    table = precision_coverage(observations, [chosen["answer_threshold"]])
    assert sorted(table) == sorted(LANGUAGES)
    out = io.StringIO()
    call_command("chatbot_eval", "--calibrate", "--languages", "ko", stdout=out)
    assert "precision-coverage" in out.getvalue() and "\nko " in out.getvalue() and "\nen " not in out.getvalue()


def test_real_world_data_banking77_and_clinc150(demo_help_center):
    """Banking77 never asks for a person; CLINC150's off-topic queries are not answered; its greetings, thanks and
    goodbyes are recognised (a seeded sample here; the command runs the whole test sets). Floors under today's
    figures: the issue's targets (Banking77 0.5%, small talk 0.9) are not met yet (docs/performance.md). Without the
    data sets beside the project it skips locally and fails under CI, like the browser tests."""
    import os

    if not real_world_available():
        if os.environ.get("CI"):
            raise AssertionError("../shared/datasets (Banking77, CLINC150) must be beside the project in CI")
        pytest.skip("../shared/datasets is not beside the project")
    score = evaluate_real_world(sample=120)
    assert score.banking77 == 120 and score.clinc_oos == 120
    assert score.banking77_requested_rate <= 0.05  # the whole test set: 0.023 in session 8 (0.08 before)
    assert score.clinc_oos_answer_rate <= 0.02
    assert score.clinc_small_talk_recall >= 0.8  # 0.88 in session 8 (0.72 before)


def test_bot_benchmark_runs_and_reports_every_language(tmp_path, settings):
    """`make bench` runs this command; it must keep working (the figures themselves are in docs/performance.md)."""
    import json

    settings.BASE_DIR = tmp_path
    out = io.StringIO()
    call_command("bench_chatbot", "--rounds", "1", "--per-language", "25", stdout=out)
    rows = json.loads((tmp_path / "bench" / "results" / "chatbot.json").read_text())
    assert sorted(r["language"] for r in rows) == sorted(LANGUAGES)
    assert all(r["p95_ms"] > 0 for r in rows) and "p95 < 150 ms" in out.getvalue()
