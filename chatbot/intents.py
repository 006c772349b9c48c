"""Recognising intents from the admin-edited phrases: "a person, please", greetings, thanks, frustration, and
human-only topics. Phrases in scripts without spaces (Chinese, Japanese, Korean) match anywhere in the text; words
in Latin and Cyrillic scripts match whole words, word beginnings (Russian endings vary: "оператор", "оператора")
and, for longer words, with one typo ("humna")."""
import re
import unicodedata

_NOT_WORD = re.compile(r"[^\w\s]", re.UNICODE)
_SPACELESS = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")


def normalize(text):
    """Case-folded, NFKC (full-width letters become ASCII), punctuation turned into spaces, spaces collapsed."""
    text = _NOT_WORD.sub(" ", unicodedata.normalize("NFKC", text or "").casefold())
    return " ".join(text.split())


def _one_edit_apart(a, b):
    """True when b is a with one letter inserted, deleted, replaced or two neighbours swapped."""
    if abs(len(a) - len(b)) > 1 or a == b:
        return a == b
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]]
                                  and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1:] == short:
            return True
    return False


def _word_matches(phrase, token):
    if token == phrase:
        return True
    if len(phrase) >= 4 and token.startswith(phrase):
        return True
    return len(phrase) >= 5 and _one_edit_apart(phrase, token)


def phrase_in(text_normalized, tokens, phrase):
    """Whether a (normalized) phrase occurs in the normalized text."""
    if not phrase:
        return False
    if _SPACELESS.search(phrase):
        phrase, text = phrase.replace(" ", ""), text_normalized.replace(" ", "")
        if phrase in text:
            return True
        # Three characters or more: one mistyped character still matches (转人供 for 转人工).
        return len(phrase) >= 3 and any(
            sum(a != b for a, b in zip(phrase, text[i:i + len(phrase)])) == 1
            for i in range(len(text) - len(phrase) + 1))
    words = phrase.split()
    if len(words) == 1:
        return any(_word_matches(phrase, token) for token in tokens)
    # Several words: consecutive, each matching as above.
    for start in range(len(tokens) - len(words) + 1):
        if all(_word_matches(word, tokens[start + i]) for i, word in enumerate(words)):
            return True
    return False


def matching(text, phrases):
    """The phrases (strings) found in text."""
    normalized = normalize(text)
    tokens = normalized.split()
    return [phrase for phrase in phrases if phrase_in(normalized, tokens, normalize(phrase))]


def is_short(text, found):
    """Little else besides the phrase: "thanks!", "你好", "hola buenas" (a greeting, not a question)."""
    normalized = normalize(text)
    rest = normalized
    for phrase in sorted(found, key=len, reverse=True):  # longest first: ありがとうございます before ありがとう
        rest = rest.replace(normalize(phrase), " ")
    rest = rest.replace(" ", "")
    return len(rest) <= (5 if _SPACELESS.search(normalized) else 10)
