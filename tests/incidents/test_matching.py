"""Keyword matching: predictable for the supervisor who types keywords in a hurry, in any of the six languages."""
import pytest

from incidents.matching import keyword_clean, keywords_pattern, matches

KEYWORDS = [keyword_clean(k) for k in ["Withdraw", "提现", "retiro", "вывод", "出金", "출금", "login code"]]
PATTERN = keywords_pattern(KEYWORDS)


@pytest.mark.parametrize("text", [
    "My withdrawal has been pending for an hour",
    "WITHDRAWALS stuck??",
    "ｗｉｔｈｄｒａｗ not arriving",          # full-width letters fold
    "我的提现还没到账",                          # Chinese: anywhere in the text
    "¿Dónde está mi retiro?",
    "Мой вывода нет уже час",                 # Russian inflection: the word's start matches
    "出金がまだ届きません",
    "출금이 안 돼요",
    "I never got my login\n  code",           # a phrase over any run of spaces
])
def test_texts_about_the_incident_match(text):
    assert matches(PATTERN, text)


@pytest.mark.parametrize("text", [
    "how do I deposit USDT",
    "I want to draw a picture",                 # "draw" inside no keyword start
    "rewithdraw",                               # a keyword only matches at a word's start
    "我的充值还没到账",
    "login page is slow",                        # half a phrase is not the phrase
    "",
])
def test_other_texts_do_not(text):
    assert not matches(PATTERN, text)


def test_keywords_are_folded_and_too_short_ones_dropped():
    assert keyword_clean("  Withdrawal   Delay ") == "withdrawal delay"
    assert keyword_clean("x") == ""
    assert keywords_pattern([]) is None
