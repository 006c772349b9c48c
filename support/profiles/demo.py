"""A provider for demos, development and tests: believable exchange data made up from the look-up alone (the same
customer always gets the same UID, levels, flags and transfers; times count back from now), without any network.
The default when DEBUG is on (settings.CUSTOMER_PROFILE_PROVIDER)."""
import hashlib
import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from .data import CustomerProfile, Transfer

# asset -> (networks it moves on, smallest and largest amount, decimals shown)
ASSETS = {
    "BTC": (("bitcoin",), 0.0005, 1.8, 8),
    "ETH": (("ethereum", "arbitrum"), 0.01, 25, 6),
    "USDT": (("tron", "ethereum", "bsc"), 15, 25_000, 2),
}
EVM = {"ethereum", "arbitrum", "bsc", "polygon"}
RISK_FLAGS = ("new_withdrawal_address", "new_country_login", "recent_2fa_reset", "recent_password_change",
              "large_withdrawal", "new_api_key")


class DemoProfileProvider:
    """Deterministic, realistic data per customer: KYC 0-3, VIP 0-5, a few deposits and withdrawals in BTC, ETH and
    USDT on their usual networks, now and then a risk flag."""

    def fetch(self, lookup):
        seed = hashlib.sha256(f"demo-profile|{lookup.uid}|{lookup.email.lower()}".encode()).digest()
        rng = random.Random(int.from_bytes(seed[:8], "big"))
        uid = lookup.uid or f"EX-{rng.randrange(1_000_000, 9_999_999)}"
        kyc = rng.choices((0, 1, 2, 3), weights=(10, 25, 45, 20))[0]
        vip = rng.choices((0, 1, 2, 3, 4, 5), weights=(50, 16, 13, 10, 7, 4))[0]
        flags = tuple(rng.sample(RISK_FLAGS, rng.choices((0, 1, 2), weights=(65, 25, 10))[0]))
        now = timezone.now().replace(microsecond=0)
        transfers, hours_ago = [], 0
        for _index in range(rng.randint(3, 7)):
            hours_ago += rng.randint(1, 60)
            transfers.append(self._transfer(rng, now - timedelta(hours=hours_ago, minutes=rng.randrange(60)),
                                            newest=not transfers))
        return CustomerProfile(uid=uid, kyc_level=kyc, vip_tier=vip, risk_flags=flags, transfers=tuple(transfers))

    def _transfer(self, rng, when, *, newest):
        asset = rng.choices(tuple(ASSETS), weights=(3, 2, 5))[0]
        networks, low, high, decimals = ASSETS[asset]
        network = rng.choice(networks)
        amount = Decimal(str(round(low * (high / low) ** rng.random(), decimals))).quantize(Decimal(1).scaleb(-decimals))
        direction = rng.choice(("deposit", "withdrawal"))
        if direction == "deposit":
            status = "pending" if newest and rng.random() < 0.3 else "completed"
        else:
            status = rng.choices(("completed", "pending", "under_review", "failed", "cancelled"),
                                 weights=(70, 10, 12, 5, 3) if newest else (90, 0, 0, 6, 4))[0]
        # A withdrawal under review or cancelled was never broadcast: no hash yet.
        tx_hash = "" if status in ("under_review", "cancelled") else self._hash(rng, network)
        return Transfer(direction=direction, asset=asset, amount=str(amount), network=network, tx_hash=tx_hash,
                        status=status, time=when)

    @staticmethod
    def _hash(rng, network):
        digits = f"{rng.getrandbits(256):064x}"
        return f"0x{digits}" if network in EVM else digits
