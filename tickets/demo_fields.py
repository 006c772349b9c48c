"""Demo custom fields for deposits and withdrawals: the network, the transaction hash (its format checked per
network), the amount, the asset and the account UID, labelled in six languages."""
from .models import Category, FieldType, TicketField, TicketFieldOption

FIELDS_CATEGORY = "deposits-withdrawals"

NETWORKS = [  # value, label per language (None: the English one)
    ("ERC20", {"en": "Ethereum (ERC20)", "zh_hans": "以太坊 (ERC20)", "ja": "イーサリアム (ERC20)",
               "ko": "이더리움 (ERC20)"}),
    ("TRC20", {"en": "TRON (TRC20)", "zh_hans": "波场 (TRC20)", "ja": "トロン (TRC20)", "ko": "트론 (TRC20)"}),
    ("BEP20", {"en": "BNB Smart Chain (BEP20)", "zh_hans": "币安智能链 (BEP20)", "ja": "BNBスマートチェーン (BEP20)",
               "ko": "BNB 스마트 체인 (BEP20)"}),
    ("SOL", {"en": "Solana (SOL)", "zh_hans": "Solana (SOL)", "ja": "ソラナ (SOL)", "ko": "솔라나 (SOL)"}),
    ("BTC", {"en": "Bitcoin (BTC)", "zh_hans": "比特币 (BTC)", "ja": "ビットコイン (BTC)", "ko": "비트코인 (BTC)"}),
]
HEX64 = "[0-9a-fA-F]{64}"
HASH_PATTERNS = {"ERC20": "0x" + HEX64, "BEP20": "0x" + HEX64, "TRC20": HEX64, "BTC": HEX64,
                 "SOL": "[1-9A-HJ-NP-Za-km-z]{87,88}"}

FIELDS = [
    {"key": "network", "type": FieldType.DROPDOWN, "position": 10, "required_for_customer": True,
     "label": {"en": "Network", "zh_hans": "网络", "es": "Red", "ru": "Сеть", "ja": "ネットワーク", "ko": "네트워크"},
     "help_text": {"en": "The blockchain network the transfer used.", "zh_hans": "转账所用的区块链网络。",
                   "es": "La red de blockchain que usó la transferencia.",
                   "ru": "Сеть блокчейна, через которую шёл перевод.",
                   "ja": "送金に使用したブロックチェーンのネットワーク。", "ko": "전송에 사용한 블록체인 네트워크입니다."}},
    {"key": "tx_hash", "type": FieldType.REGEX, "position": 20, "pattern_by": "network", "patterns": HASH_PATTERNS,
     "label": {"en": "Transaction hash (TxID)", "zh_hans": "交易哈希 (TxID)", "es": "Hash de la transacción (TxID)",
               "ru": "Хеш транзакции (TxID)", "ja": "トランザクションハッシュ (TxID)", "ko": "트랜잭션 해시 (TxID)"},
     "help_text": {"en": "From your wallet or the withdrawal history; on ERC20 and BEP20 it starts with 0x.",
                   "zh_hans": "可在钱包或提现记录中找到；ERC20 和 BEP20 的哈希以 0x 开头。",
                   "es": "Está en tu billetera o en el historial de retiros; en ERC20 y BEP20 empieza por 0x.",
                   "ru": "Его можно найти в кошельке или истории выводов; в ERC20 и BEP20 он начинается с 0x.",
                   "ja": "ウォレットまたは出金履歴で確認できます。ERC20 と BEP20 では 0x で始まります。",
                   "ko": "지갑이나 출금 내역에서 확인할 수 있습니다. ERC20과 BEP20은 0x로 시작합니다."},
     "invalid_message": {"en": "This transaction hash does not look like a {option} hash.",
                         "zh_hans": "这看起来不是 {option} 的交易哈希。",
                         "es": "Este hash no parece un hash de transacción de {option}.",
                         "ru": "Это не похоже на хеш транзакции в сети {option}.",
                         "ja": "{option} のトランザクションハッシュの形式ではありません。",
                         "ko": "{option} 트랜잭션 해시 형식이 아닙니다."}},
    {"key": "amount", "type": FieldType.DECIMAL, "position": 30,
     "label": {"en": "Amount", "zh_hans": "数量", "es": "Importe", "ru": "Сумма", "ja": "数量", "ko": "수량"},
     "help_text": {"en": "The amount sent, e.g. 250.5.", "zh_hans": "转账数量，例如 250.5。",
                   "es": "El importe enviado, p. ej. 250,5.", "ru": "Отправленная сумма, например 250,5.",
                   "ja": "送金した数量（例: 250.5）。", "ko": "보낸 수량입니다 (예: 250.5)."}},
    {"key": "asset", "type": FieldType.TEXT, "position": 40, "required_to_solve": True,
     "label": {"en": "Asset", "zh_hans": "币种", "es": "Activo", "ru": "Актив", "ja": "通貨", "ko": "자산"},
     "help_text": {"en": "The coin or token, e.g. USDT.", "zh_hans": "币种或代币，例如 USDT。",
                   "es": "La moneda o el token, p. ej. USDT.", "ru": "Монета или токен, например USDT.",
                   "ja": "コインまたはトークン（例: USDT）。", "ko": "코인 또는 토큰입니다 (예: USDT)."}},
    {"key": "uid", "type": FieldType.REGEX, "position": 50, "pattern": "[0-9]{6,12}",
     "label": {"en": "Account UID", "zh_hans": "账户 UID", "es": "UID de la cuenta", "ru": "UID аккаунта",
               "ja": "アカウントUID", "ko": "계정 UID"},
     "help_text": {"en": "The 6 to 12 digits shown in your profile.", "zh_hans": "个人资料中显示的 6 至 12 位数字。",
                   "es": "Los 6 a 12 dígitos que aparecen en tu perfil.",
                   "ru": "От 6 до 12 цифр, указанных в профиле.", "ja": "プロフィールに表示される6〜12桁の数字。",
                   "ko": "프로필에 표시된 6~12자리 숫자입니다."},
     "invalid_message": {"en": "A UID is 6 to 12 digits.", "zh_hans": "UID 由 6 至 12 位数字组成。",
                         "es": "El UID tiene de 6 a 12 dígitos.", "ru": "UID состоит из 6–12 цифр.",
                         "ja": "UIDは6〜12桁の数字です。", "ko": "UID는 6~12자리 숫자입니다."}},
]

# Values of the demo tickets that carry them, by subject (tickets.demo.TICKETS).
TICKET_VALUES = {
    "USDT deposit not credited after 2 hours": {
        "network": "TRC20", "tx_hash": "4f1c7e2b9a0d3c5e8f6a1b2c3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5a6",
        "amount": "500", "asset": "USDT", "uid": "20417733"},
    "Вывод средств задерживается": {"network": "BTC", "amount": "0,1", "asset": "BTC"},
}


def _translated(name, texts):
    return {f"{name}_{lang}": text for lang, text in texts.items()}


def seed_fields():
    """The demo fields, once (an existing desk's fields are left alone)."""
    if TicketField.objects.exists():
        return
    category = Category.objects.filter(slug=FIELDS_CATEGORY).first()
    for spec in FIELDS:
        field = TicketField.objects.create(
            key=spec["key"], type=spec["type"], position=spec["position"],
            required_for_customer=spec.get("required_for_customer", False),
            required_to_solve=spec.get("required_to_solve", False), pattern=spec.get("pattern", ""),
            pattern_by=spec.get("pattern_by", ""), patterns=spec.get("patterns", {}),
            **_translated("label", spec["label"]), **_translated("help_text", spec["help_text"]),
            **_translated("invalid_message", spec.get("invalid_message", {})))
        if category is not None:
            field.categories.add(category)
        if spec["key"] == "network":
            for position, (value, labels) in enumerate(NETWORKS, start=1):
                labels = {"es": labels["en"], "ru": labels["en"], **labels}  # the networks' own names
                TicketFieldOption.objects.create(field=field, value=value, position=position * 10,
                                                 **_translated("label", labels))
