"""Secrets people must never send to a help desk, found and masked before a text is stored anywhere.

Exchange customers in a panic paste their recovery phrase, a wallet's private key, an API secret or a one-time code,
often because a scammer posing as support asked for it. `secrets_mask(text)` returns the text with each secret
replaced by a marker (`[recovery phrase hidden]`, ...) and the kinds found; callers store only the masked text.

How each kind is told apart from what is ordinary in a support conversation:

- **Recovery phrase** (BIP-39): a run of at least 12 words from one official word list (English, Spanish, Chinese,
  Japanese, Korean, and the other lists the standard publishes), separated by spaces, commas or numbering
  ("1. abandon 2. ability"). Ordinary sentences break such a run quickly: the lists leave out the commonest small
  words ("the", "my", "is"), Korean words carry particles, and Chinese is written without spaces. Because the
  Chinese list is the 2,048 commonest characters, Chinese without spaces counts only when the whole message is a
  phrase whose BIP-39 checksum is valid. A run is masked whether or not its checksum holds (a mistyped phrase is
  still a phrase).
- **Private key**: WIF keys and extended private keys (`xprv...`) are recognised by their Base58Check checksum. 64
  hexadecimal characters are the shape of a private key and of a transaction hash alike; they are treated as a hash
  when the text around them speaks of a transaction (txid, hash, 交易, トランザクション, 거래, транзакция, ...) or
  they are part of a link (a block explorer), and as a key otherwise: masking a hash costs an agent one question,
  leaking a key costs the customer their funds.
- **API secret**: a token of 32 or more letters and digits mixing upper case, lower case and digits (the shape of
  exchange API secrets), or of 24 or more next to words such as "secret" or "API key". Addresses do not have that
  shape (hex, Bech32 lower case, or Base58 of 25-44 characters) and are left alone.
- **One-time code**: 4 to 8 digits next to words for a code (2FA, OTP, verification code, 验证码, 認証コード,
  인증번호, код, código), or as a whole reply to a message that asked for one. Order ids and amounts are not next
  to such words and stay as they are.
"""
import bisect
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext_lazy as _
from mnemonic import Mnemonic

RECOVERY_PHRASE, PRIVATE_KEY, API_SECRET, ONE_TIME_CODE = "recovery_phrase", "private_key", "api_secret", "one_time_code"
KIND_LABELS = {RECOVERY_PHRASE: _("recovery phrase"), PRIVATE_KEY: _("private key"), API_SECRET: _("API secret"),
               ONE_TIME_CODE: _("one-time code")}
# Markers are stored in the text itself, in English, so that every reader and every search sees the same thing.
MARKERS = {RECOVERY_PHRASE: "[recovery phrase hidden]", PRIVATE_KEY: "[private key hidden]",
           API_SECRET: "[API secret hidden]", ONE_TIME_CODE: "[one-time code hidden]"}
MIN_PHRASE_WORDS = 12
PHRASE_LENGTHS = (12, 15, 18, 21, 24)
WORDLISTS = ("english", "spanish", "chinese_simplified", "chinese_traditional", "japanese", "korean", "french",
             "italian", "portuguese", "czech", "russian", "turkish")


@dataclass(frozen=True)
class Masked:
    text: str
    kinds: tuple  # the kinds found, in order of first appearance, each once

    @property
    def found(self):
        return bool(self.kinds)


def _key(word):
    if word.isascii():  # most words of most mail: NFKC leaves ASCII alone, and casefold is lower there
        return word.lower()
    return unicodedata.normalize("NFKC", word).casefold()


def _without_accents(word):
    decomposed = unicodedata.normalize("NFKD", word)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if unicodedata.category(c) != "Mn"))


@lru_cache(maxsize=1)
def _wordlists():
    lists = {}
    for language in WORDLISTS:
        words = {_key(word) for word in Mnemonic(language).wordlist}
        if language in ("spanish", "french", "italian", "portuguese", "czech", "turkish"):
            words |= {_without_accents(word) for word in words}  # typed without accents
        lists[language] = words
    return lists


# A token: a run of letters (any script); separators between phrase words: whitespace, commas, dots, dashes, and
# numbering such as "1." or "(2)".
# Combining accents and kana voicing marks belong to the word (wallets often copy text decomposed, NFKD).
_TOKEN = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f\u3099-\u309c])+", re.UNICODE)
_SEPARATOR = re.compile(r"[\s,.;:、，。・\-–—()\[\]#0-9]*")  # fullmatch'ed between two words


@lru_cache(maxsize=1)
def _word_languages():
    """(languages, {word: bit mask of the languages whose list holds it}): one lookup per word for all twelve."""
    languages = list(_wordlists())
    masks = {}
    for bit, language in enumerate(languages):
        for word in _wordlists()[language]:
            masks[word] = masks.get(word, 0) | (1 << bit)
    return languages, masks


def _phrase_spans(text):
    """Spans of runs of at least MIN_PHRASE_WORDS list words of one language, separated only by separators. Within
    a longer run, a checksum-valid phrase is what is masked (so "for this: abandon ..." keeps "for this").

    Linear in the text: each gap between two words is matched against the separators once (not once per
    language), each word looked up once for all twelve lists; a 3 MB mail is read in about a second."""
    tokens = [(m.start(), m.end(), _key(m.group())) for m in _TOKEN.finditer(text)]
    if len(tokens) < MIN_PHRASE_WORDS:
        return []
    languages, index = _word_languages()
    masks = [index.get(word, 0) for _s, _e, word in tokens]
    # joined[i]: token i follows token i-1 across separators only (and not glued to it).
    joined = [False] + [previous_end != start and _SEPARATOR.fullmatch(text, previous_end, start) is not None
                        for (_s, previous_end, _w), (start, _e, _w2) in zip(tokens, tokens[1:])]
    spans = []
    for bit, language in enumerate(languages):
        flag = 1 << bit
        member = [mask & flag != 0 for mask in masks]
        if sum(member) < MIN_PHRASE_WORDS:
            continue
        run_start = None
        for i in range(len(tokens) + 1):
            inside = i < len(tokens) and member[i]
            if inside and run_start is not None and joined[i]:
                continue
            if run_start is not None and i - run_start >= MIN_PHRASE_WORDS:
                spans.append(_trimmed(language, tokens[run_start:i]))
            run_start = i if inside else None
    return spans


@lru_cache(maxsize=len(WORDLISTS))
def _positions(language):
    """{word: its index in the official list} (the words as listed, not their accent-less variants)."""
    return {_key(word): index for index, word in enumerate(Mnemonic(language).wordlist)}


def _checksum_valid(bits, words):
    """BIP-39's checksum of a phrase of `words` words given as one integer (the words' 11-bit list indexes, first
    word highest): what Mnemonic.check computes, without its linear search of the list for every word, and right
    for the lists whose words its NFKD normalisation changes (Russian, Turkish), where it answers False to all."""
    checksum_bits = words * 11 // 33
    entropy = (bits >> checksum_bits).to_bytes(checksum_bits * 4, "big")
    return hashlib.sha256(entropy).digest()[0] >> (8 - checksum_bits) == bits & ((1 << checksum_bits) - 1)


def _trimmed(language, run):
    """The longest checksum-valid phrase inside a run of list words, or the whole run if there is none. Linear in
    the run: for each phrase length the window's bits roll along the run (a word in, a word out), and a running
    count of unlisted words (accent-less variants) skips the windows holding one."""
    positions = _positions(language)
    indexes = [positions.get(word) for _s, _e, word in run]
    unlisted = [0]  # unlisted[i]: words before i that are not in the list as written
    for index in indexes:
        unlisted.append(unlisted[-1] + (index is None))
    for length in sorted((n for n in PHRASE_LENGTHS if n <= len(run)), reverse=True):
        mask, bits = (1 << 11 * length) - 1, 0
        for last, index in enumerate(indexes):
            bits = (bits << 11 | (index or 0)) & mask
            first = last - length + 1
            if first >= 0 and unlisted[last + 1] == unlisted[first] and _checksum_valid(bits, length):
                return run[first][0], run[last][1]
    return run[0][0], run[-1][1]


def _unspaced_chinese_phrase(text):
    """A whole message that is a checksum-valid Chinese phrase written without spaces."""
    compact = re.sub(r"[\s,，、。.0-9]", "", text)
    if len(compact) not in PHRASE_LENGTHS or not all("\u4e00" <= c <= "\u9fff" for c in compact):
        return False
    for language in ("chinese_simplified", "chinese_traditional"):
        if all(c in _wordlists()[language] for c in compact) and Mnemonic(language).check(" ".join(compact)):
            return True
    return False


_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _base58check(token):
    number = 0
    for char in token:
        if char not in _BASE58:
            return False
        number = number * 58 + _BASE58.index(char)
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    raw = b"\0" * (len(token) - len(token.lstrip("1"))) + raw
    if len(raw) < 5:
        return False
    payload, checksum = raw[:-4], raw[-4:]
    return hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] == checksum


_WIF = re.compile(r"(?<![A-Za-z0-9])(?:5[HJK][1-9A-HJ-NP-Za-km-z]{49}|[KL][1-9A-HJ-NP-Za-km-z]{51}|"
                  r"[xyzt]prv[1-9A-HJ-NP-Za-km-z]{107,108})(?![A-Za-z0-9])")
_HEX64 = re.compile(r"(?<![0-9A-Za-z])(?:0x)?[0-9a-fA-F]{64}(?![0-9A-Za-z])")
TX_WORDS = re.compile(r"tx|txid|txn|hash|transaction|transacci|transação|transazione|blockchain|explorer|"
                       r"交易|哈希|トランザクション|ハッシュ|取引|거래|해시|트랜잭션|транзакц|хэш|хеш", re.I)
KEY_WORDS = re.compile(r"private|priv|secret|seed|mnemonic|私钥|私鑰|密钥|秘密鍵|シークレット|개인\s?키|비밀\s?키|"
                        r"приватн|секретн|ключ|clave privada|chave privada|chiave privata", re.I)
_URL = re.compile(r"https?://\S+")
_TOKEN_LONG = re.compile(r"(?<![A-Za-z0-9/+=_-])[A-Za-z0-9_-]{24,128}(?![A-Za-z0-9/+=_-])")
_API_WORDS = re.compile(r"secret|api[\s_-]?key|apikey|密钥|秘钥|シークレット|APIキー|시크릿|API\s?키|секрет|"
                        r"api-ключ|clave api|clave secreta", re.I)
_ADDRESS = re.compile(r"^(?:0x[0-9a-fA-F]{40}|(?:bc1|tb1|ltc1)[02-9ac-hj-np-z]{20,90}|[13mnT2][1-9A-HJ-NP-Za-km-z]{25,43}|"
                      r"[1-9A-HJ-NP-Za-km-z]{32,44})$")
_CODE = re.compile(r"(?<![0-9A-Za-z.,/-])(\d{4,8})(?![0-9A-Za-z/-]|[.,]\d)")
# "Code" also names error, order, promo and postal codes: near these words a number is not a one-time code.
_NOT_OTP_WORDS = re.compile(r"error|order|promo|referr|invite|zip|postal|ошибк|заказ|промо|реферал|orden|pedido|"
                            r"error|referid|错误|订单|邀请|推荐|エラー|注文|紹介|招待|오류|에러|주문|추천|초대", re.I)
_CODE_WORDS = re.compile(r"2fa|otp|one[\s-]?time|verification|verify|authenticator|auth code|sms code|code|"
                         r"验证码|驗證碼|动态码|動態碼|认证码|認証コード|確認コード|ワンタイム|コード|인증\s?번호|인증\s?코드|"
                         r"otp\s?번호|код|código|codigo|verificaci", re.I)
_NEAR = 40  # characters either side that count as "next to"


def _around(text, start, end, width=_NEAR):
    return text[max(0, start - width):start] + " " + text[end:end + width]


def _inside_url(urls, start, end):
    """Is [start, end) inside one of the links, the (start, end) spans of _URL in the text, in order? A binary
    search: a text with thousands of codes is not read again for each one."""
    at = bisect.bisect_right(urls, (start, float("inf"))) - 1
    return at >= 0 and end <= urls[at][1]


def secrets_find(text, *, asked_for_code=False):
    """[(start, end, kind)] of the secrets in `text`, without overlaps, in order. `asked_for_code`: the previous
    message of the conversation asked for a code (see asks_for_code), so a bare number answering it is one."""
    if not text:
        return []
    found = [(start, end, RECOVERY_PHRASE) for start, end in _phrase_spans(text)]
    if not found and _unspaced_chinese_phrase(text):
        found.append((0, len(text), RECOVERY_PHRASE))
    for match in _WIF.finditer(text):
        if _base58check(match.group()):
            found.append((match.start(), match.end(), PRIVATE_KEY))
    urls = [match.span() for match in _URL.finditer(text)]
    for match in _HEX64.finditer(text):
        context = _around(text, match.start(), match.end())
        if _inside_url(urls, match.start(), match.end()):
            continue
        if TX_WORDS.search(context) and not KEY_WORDS.search(context):
            continue
        found.append((match.start(), match.end(), PRIVATE_KEY))
    for match in _TOKEN_LONG.finditer(text):
        token = match.group()
        if _ADDRESS.match(token) or re.fullmatch(r"(?:0x)?[0-9a-fA-F]+", token) or _inside_url(urls, *match.span()):
            continue
        mixed = re.search(r"[a-z]", token) and re.search(r"[A-Z]", token) and re.search(r"\d", token)
        near_words = _API_WORDS.search(_around(text, match.start(), match.end()))
        if mixed and (len(token) >= 32 or near_words):
            found.append((match.start(), match.end(), API_SECRET))
    bare = re.fullmatch(r"\s*(\d[\d\s-]*\d)\s*", text)
    if asked_for_code and bare and 4 <= sum(c.isdigit() for c in bare.group(1)) <= 8:
        found.append((bare.start(1), bare.end(1), ONE_TIME_CODE))  # the whole reply: "482 913"
    for match in _CODE.finditer(text):
        context = _around(text, match.start(), match.end(), 30)
        if _CODE_WORDS.search(context) and not _NOT_OTP_WORDS.search(context):
            found.append((match.start(), match.end(), ONE_TIME_CODE))
    priority = {RECOVERY_PHRASE: 0, PRIVATE_KEY: 1, API_SECRET: 2, ONE_TIME_CODE: 3}
    found.sort(key=lambda item: (item[0], -item[1], priority[item[2]]))
    kept = []
    for start, end, kind in found:  # the first, longest, most specific of overlapping finds wins
        if kept and start < kept[-1][1]:
            continue
        kept.append((start, end, kind))
    return kept


def secrets_mask(text, *, asked_for_code=False):
    """The text with every secret replaced by its marker, and the kinds found."""
    spans = secrets_find(text, asked_for_code=asked_for_code)
    if not spans:
        return Masked(text or "", ())
    parts, position, kinds = [], 0, []
    for start, end, kind in spans:
        parts.append(text[position:start])
        parts.append(MARKERS[kind])
        position = end
        if kind not in kinds:
            kinds.append(kind)
    parts.append(text[position:])
    return Masked("".join(parts), tuple(kinds))


def asks_for_code(text):
    """Does a message ask the other side for a code (so that a bare number in the reply is one)?"""
    return bool(text) and _CODE_WORDS.search(text) is not None and bool(re.search(r"[?？]|please|请|ください|주세요|"
                                                                                  r"пожалуйста|por favor", text, re.I))
