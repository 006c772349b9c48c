"""Does a text talk about an incident? Keyword matching, written to be predictable for the supervisor who types
the keywords in a hurry:

- text and keywords are compared after NFKC folding and case folding (full-width letters, ＷＩＴＨＤＲＡＷ, match);
- a keyword in a script without spaces between words (Chinese, Japanese, Korean) matches anywhere in the text:
  提现 matches 我的提现还没到账;
- any other keyword matches at the start of a word, so its inflections match too: "withdraw" matches
  "withdrawals", "вывод" matches "вывода", but "draw" does not match "withdraw";
- a phrase of several words matches with any run of spaces between them.
"""
import re
import unicodedata

MIN_LENGTH = 2  # a keyword shorter than this would match almost everything
MAX_KEYWORDS = 40

_UNSPACED = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7a3\u1100-\u11ff]")


def fold(text):
    return unicodedata.normalize("NFKC", text or "").casefold()


def keyword_clean(raw):
    """A keyword as stored: folded, inner spaces collapsed; empty when it is too short to be useful."""
    keyword = " ".join(fold(raw).split())
    return keyword if len(keyword) >= MIN_LENGTH else ""


def keywords_pattern(keywords):
    """One compiled pattern for a list of stored keywords (None when the list is empty)."""
    parts = []
    for keyword in keywords:
        body = r"\s+".join(re.escape(word) for word in keyword.split(" "))
        parts.append(body if _UNSPACED.search(keyword[0]) else rf"(?<!\w){body}")
    return re.compile("|".join(parts)) if parts else None


def matches(pattern, text):
    return bool(pattern is not None and text and pattern.search(fold(text)))
