"""The exchange speaks in codes (KYC levels, VIP tiers, risk flags, transfer statuses); agents read them in their
language. A code we have no label for is shown as the code itself, marked as unknown, never dropped: a new risk flag
the exchange starts sending must still reach the agent.

Transaction hashes are shown as text. A link to a block explorer is built only from this module's fixed map, per
network, and only for a hash in that network's exact format, so nothing the provider sends becomes a link by itself
(docs/security.md, "Customer profile from the exchange").
"""
import re

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

KYC_LEVELS = {
    0: _("Not verified"),
    1: _("Basic: email and phone"),
    2: _("Identity verified"),
    3: _("Advanced: address verified"),
}
RISK_FLAGS = {
    "new_withdrawal_address": _("Withdrawal to a new address"),
    "new_country_login": _("Login from a new country"),
    "recent_2fa_reset": _("Two-factor authentication reset recently"),
    "recent_password_change": _("Password changed recently"),
    "large_withdrawal": _("Unusually large withdrawal"),
    "new_api_key": _("New API key created"),
}
TRANSFER_STATUSES = {
    "completed": pgettext_lazy("transfer status", "Completed"),
    "pending": pgettext_lazy("transfer status", "Pending"),
    "under_review": pgettext_lazy("transfer status", "Under review"),
    "failed": pgettext_lazy("transfer status", "Failed"),
    "cancelled": pgettext_lazy("transfer status", "Cancelled"),
}
# "Withdraw" as exchanges label it in transaction histories (beside "Deposit").
DIRECTIONS = {"deposit": pgettext_lazy("transfer", "Deposit"), "withdrawal": pgettext_lazy("transfer", "Withdraw")}

_EVM_HASH = re.compile(r"^0x[0-9a-fA-F]{64}$")
_HEX_HASH = re.compile(r"^[0-9a-fA-F]{64}$")
# network code -> (its name, which is the same in every language; explorer URL; the format of its hashes)
NETWORKS = {
    "bitcoin": ("Bitcoin", "https://mempool.space/tx/{hash}", _HEX_HASH),
    "ethereum": ("Ethereum", "https://etherscan.io/tx/{hash}", _EVM_HASH),
    "tron": ("TRON", "https://tronscan.org/#/transaction/{hash}", _HEX_HASH),
    "bsc": ("BNB Smart Chain", "https://bscscan.com/tx/{hash}", _EVM_HASH),
    "arbitrum": ("Arbitrum One", "https://arbiscan.io/tx/{hash}", _EVM_HASH),
    "polygon": ("Polygon", "https://polygonscan.com/tx/{hash}", _EVM_HASH),
    "solana": ("Solana", "https://solscan.io/tx/{hash}", re.compile(r"^[1-9A-HJ-NP-Za-km-z]{64,88}$")),
}


def coded(code, labels):
    """{code, label, known}: the label in the active language, or the code itself when we have none."""
    label = labels.get(code)
    return {"code": code, "label": str(label) if label is not None else str(code), "known": label is not None}


def vip_label(tier):
    return str(pgettext_lazy("vip tier", "Regular")) if tier == 0 else \
        str(pgettext_lazy("vip tier", "VIP {tier}")).format(tier=tier)


def explorer_url(network, tx_hash):
    """A block explorer's page for the transaction, from the fixed map; "" when the network is not in it, the hash
    is not in its format, or links are turned off (CUSTOMER_PROFILE_EXPLORER_LINKS)."""
    known = NETWORKS.get(network)
    if not settings.CUSTOMER_PROFILE_EXPLORER_LINKS or known is None or not known[2].match(tx_hash or ""):
        return ""
    return known[1].format(hash=tx_hash)


def profile_display(profile):
    """The profile as the agents' API gives it: every code with its label in the active language."""
    kyc = coded(profile.kyc_level, KYC_LEVELS)
    return {
        "uid": profile.uid,
        "kyc": {"level": profile.kyc_level, "label": kyc["label"], "known": kyc["known"]},
        "vip": {"tier": profile.vip_tier, "label": vip_label(profile.vip_tier)},
        "risk_flags": [coded(flag, RISK_FLAGS) for flag in profile.risk_flags],
        "transfers": [{
            "direction": coded(t.direction, DIRECTIONS), "asset": t.asset, "amount": t.amount,
            "network": {"code": t.network, "label": NETWORKS[t.network][0] if t.network in NETWORKS else t.network,
                        "known": t.network in NETWORKS},
            "tx_hash": t.tx_hash, "explorer_url": explorer_url(t.network, t.tx_hash),
            "status": coded(t.status, TRANSFER_STATUSES), "time": t.time,
        } for t in profile.transfers],
    }
