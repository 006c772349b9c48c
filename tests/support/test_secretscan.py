"""Secret detection (support.secretscan) on a corpus of real-looking support messages in six languages: every
planted secret is caught and masked, and nothing ordinary is (order ids, amounts, transaction hashes, addresses,
links, dates, phone numbers)."""
import hashlib

import pytest
from mnemonic import Mnemonic

from support.secretscan import (
    API_SECRET,
    ONE_TIME_CODE,
    PRIVATE_KEY,
    RECOVERY_PHRASE,
    asks_for_code,
    secrets_find,
    secrets_mask,
)

ENTROPY_12 = bytes(range(16))
ENTROPY_24 = hashlib.sha256(b"corpus").digest()


def phrase(language, entropy=ENTROPY_12, separator=" "):
    return separator.join(Mnemonic(language).to_mnemonic(entropy).split())


def base58check(payload):
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    data = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    number, out = int.from_bytes(data, "big"), ""
    while number:
        number, rest = divmod(number, 58)
        out = alphabet[rest] + out
    return "1" * (len(data) - len(data.lstrip(b"\0"))) + out


KEY_HEX = hashlib.sha256(b"a private key").hexdigest()
TX_HASH = hashlib.sha256(b"a transaction").hexdigest()
WIF = base58check(b"\x80" + bytes.fromhex(KEY_HEX) + b"\x01")  # compressed, starts with K or L
WIF_UNCOMPRESSED = base58check(b"\x80" + bytes.fromhex(KEY_HEX))  # starts with 5
XPRV = base58check(bytes.fromhex("0488ade4") + bytes(9) + bytes(32) + b"\0" + bytes.fromhex(KEY_HEX))
API = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"  # the shape of an exchange API secret

SECRETS = [  # (language, message, kinds)
    ("en", f"Support asked me to confirm my wallet, here it is: {phrase('english')}", [RECOVERY_PHRASE]),
    ("en", "my seed:\n" + "\n".join(f"{n}. {w}" for n, w in enumerate(phrase("english", ENTROPY_24).split(), 1)),
     [RECOVERY_PHRASE]),
    ("en", phrase("english", separator=", "), [RECOVERY_PHRASE]),
    ("en", phrase("english").upper(), [RECOVERY_PHRASE]),
    ("es", f"Mi frase de recuperación es {phrase('spanish')} por favor ayúdenme", [RECOVERY_PHRASE]),
    ("es", Mnemonic("spanish").to_mnemonic(ENTROPY_12).replace("á", "a").replace("é", "e").replace("í", "i")
     .replace("ó", "o").replace("ú", "u"), [RECOVERY_PHRASE]),  # typed without accents
    ("zh-hans", f"客服让我提供助记词：{phrase('chinese_simplified')}", [RECOVERY_PHRASE]),
    ("zh-hans", phrase("chinese_simplified", separator=""), [RECOVERY_PHRASE]),  # without spaces, the whole message
    ("ja", f"復元フレーズです {phrase('japanese', separator=chr(0x3000))} 助けてください", [RECOVERY_PHRASE]),
    ("ja", phrase("japanese", ENTROPY_24), [RECOVERY_PHRASE]),
    ("ko", f"지갑 복구 구문입니다: {phrase('korean')}", [RECOVERY_PHRASE]),
    ("ru", f"Мои слова: {phrase('english')}", [RECOVERY_PHRASE]),
    ("en", f"this is my private key {KEY_HEX}", [PRIVATE_KEY]),
    ("en", KEY_HEX, [PRIVATE_KEY]),  # nothing around it: treated as a key
    ("en", f"0x{KEY_HEX}", [PRIVATE_KEY]),
    ("zh-hans", f"我的私钥是 {KEY_HEX} 请帮我找回资产", [PRIVATE_KEY]),
    ("en", f"WIF: {WIF}", [PRIVATE_KEY]),
    ("en", f"old wallet key {WIF_UNCOMPRESSED}", [PRIVATE_KEY]),
    ("en", f"xprv is {XPRV}", [PRIVATE_KEY]),
    ("en", f"API key abc and secret {API}", [API_SECRET]),
    ("ja", f"APIシークレット: {API}", [API_SECRET]),
    ("ko", f"API 시크릿 {API[:30]}", [API_SECRET]),  # shorter, but named
    ("en", "My 2FA code is 482913", [ONE_TIME_CODE]),
    ("zh-hans", "验证码 730215", [ONE_TIME_CODE]),
    ("ja", "認証コードは 551203 です", [ONE_TIME_CODE]),
    ("ko", "인증번호 908172 입니다", [ONE_TIME_CODE]),
    ("ru", "код из смс 4417", [ONE_TIME_CODE]),
    ("es", "el código de verificación es 66120934", [ONE_TIME_CODE]),
]

ORDINARY = [
    ("en", "My withdrawal of 0.5 BTC has been pending for 3 hours. Order id 123456789, placed 2026-11-23 14:05."),
    ("en", f"Deposit not credited, txid {TX_HASH}"),
    ("en", f"Here is the transaction: https://etherscan.io/tx/0x{TX_HASH}"),
    ("en", f"Transaction hash: 0x{TX_HASH} sent to 0x742d35Cc6634C0532925a3b844Bc454e4438f44e"),
    ("en", "Send to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq or 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 please"),
    ("en", "My TRON address TLa2f6VPqDgRE67v1736s7bJ8Ray5wYjU7 and Solana 7EcDhSYGxXyscszYEp35KHN8vvw3svAuLKTzXwCFLtV"),
    ("en", "I cannot log in since the update. I tried to reset my password twice, but the email never arrives. "
           "Please help, I have an open order and the market is moving fast."),
    ("en", "Abandon the order? Ability to trade is gone, able to log in but not able to withdraw any coin today."),
    ("en", "Call me at +1 415 555 0132 or write to alice@example.com; my account ID is 88812345."),
    ("en", "Please enter the code shown in the app to continue."),
    ("es", "Hola, mi retiro de 250 USDT lleva dos días pendiente. El número de pedido es 4455667788."),
    ("es", "No puedo acceder a mi cuenta, el código de la orden es ORD-2026-11-23-0042 y el monto 1500,50."),
    ("zh-hans", "你好，我的提现一直在处理中，订单号 202611230001，金额 1000 USDT，请帮我查一下是什么原因。"),
    ("zh-hans", "我已经等了三个小时了，为什么还没有到账？这是我第一次使用你们的平台，希望能尽快解决这个问题。"),
    ("zh-hans", f"交易哈希 {TX_HASH}"),
    ("ja", "出金申請をしてから24時間経ちましたが、まだ反映されていません。注文番号は 998877 です。"),
    ("ja", "ログインできません。パスワードを再設定しようとしましたが、メールが届きません。よろしくお願いします。"),
    ("ja", f"トランザクションID {TX_HASH} を確認してください"),
    ("ko", "안녕하세요, 출금 신청을 했는데 아직 처리가 안 되었습니다. 주문 번호는 556677 입니다. 확인 부탁드립니다."),
    ("ko", "계정에 로그인할 수 없어요. 비밀번호를 바꿨는데도 계속 오류가 나옵니다. 도와주세요."),
    ("ru", "Здравствуйте! Вывод 0.25 ETH висит уже сутки, номер заявки 7788990011. Подскажите, что делать?"),
    ("ru", f"Хэш транзакции: {TX_HASH}"),
    ("ru", "Код ошибки в приложении: E-1043, версия 5.2.1, телефон Samsung."),
    ("en", "Version 2.14.0 on build 20261123; error E4013 when I open the wallet page."),
    ("en", "API docs link: https://example.com/docs?token=AbCdEfGhIjKlMnOpQrStUvWxYz0123456789 (public)"),
]


@pytest.mark.parametrize("language, message, kinds", SECRETS, ids=[f"{s[0]}-{i}" for i, s in enumerate(SECRETS)])
def test_every_planted_secret_is_caught_and_masked(language, message, kinds):
    masked = secrets_mask(message)
    assert list(masked.kinds) == kinds, (message, secrets_find(message))
    assert "hidden]" in masked.text
    for secret in (KEY_HEX, WIF, WIF_UNCOMPRESSED, XPRV, API[:24], "482913", "730215", "551203", "908172", "4417",
                   "66120934"):
        assert secret not in masked.text
    for planted in (phrase("english"), phrase("english", ENTROPY_24), phrase("spanish"), phrase("japanese"),
                    phrase("korean"), phrase("chinese_simplified")):
        assert " ".join(planted.split()[:3]) not in masked.text  # not even the start of a phrase is left


@pytest.mark.parametrize("language, message", ORDINARY, ids=[f"{o[0]}-{i}" for i, o in enumerate(ORDINARY)])
def test_ordinary_messages_are_left_alone(language, message):
    masked = secrets_mask(message)
    assert masked.kinds == () and masked.text == message, secrets_find(message)


def test_a_bare_code_counts_only_as_the_answer_to_a_request_for_one():
    assert asks_for_code("Please send me the 6-digit verification code from your authenticator app.")
    assert asks_for_code("请提供您的验证码？")
    assert not asks_for_code("Your order 123456 is being processed.")
    assert secrets_mask("  482 913 ", asked_for_code=True).kinds == (ONE_TIME_CODE,)
    assert secrets_mask("482913").kinds == ()  # an order number, for all we know
    assert secrets_mask("Order 48291377 please", asked_for_code=True).kinds == ()  # not a bare reply


def test_surrounding_text_is_kept_exactly():
    message = f"Hi! {phrase('english')} -- is this safe? Order 123456."
    assert secrets_mask(message).text == "Hi! [recovery phrase hidden] -- is this safe? Order 123456."
    message = f"これです：{phrase('japanese', separator=chr(0x3000))}。大丈夫ですか？"
    assert secrets_mask(message).text == "これです：[recovery phrase hidden]。大丈夫ですか？"


@pytest.mark.parametrize("message", [
    "Error code 1043 appears when I withdraw", "promo code 2026 did not apply", "код заказа 55667788",
    "注文コード 123456 の件です", "주문 코드 778899", "código de pedido 12345678", "订单验证 2026-11-23",
])
def test_other_codes_are_not_one_time_codes(message):
    assert secrets_mask(message).kinds == ()
