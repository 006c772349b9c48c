"""What the desk knows of a customer from the exchange, as plain values: the one shape every provider returns,
checked field by field when it comes from outside (a provider's JSON), so nothing unexpected reaches a page."""
import re
from dataclasses import dataclass
from datetime import datetime, timezone

MAX_TRANSFERS = 20  # the newest ones are kept; an agent needs the recent picture, not the ledger
MAX_FLAGS = 20

_UID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
_CODE = re.compile(r"^[a-z0-9_]{1,64}$")
_ASSET = re.compile(r"^[A-Z0-9]{1,12}$")
_NETWORK = re.compile(r"^[a-z0-9_-]{1,32}$")
_AMOUNT = re.compile(r"^[0-9]{1,20}(\.[0-9]{1,18})?$")
_HASH = re.compile(r"^[A-Za-z0-9]{0,128}$")
DIRECTIONS = ("deposit", "withdrawal")


class ProfileInvalid(ValueError):
    """A provider's answer does not have the documented shape (docs/api.md, "Customer profile from the exchange")."""


@dataclass(frozen=True)
class Lookup:
    """Which exchange account to ask for: by the UID the exchange vouched for, else by an address the customer has
    proven to us. Never by an address someone only typed (a visitor could name anyone's)."""

    uid: str = ""
    email: str = ""

    def params(self):
        return [("uid", self.uid)] if self.uid else [("email", self.email)]

    @property
    def matched_by(self):
        return "uid" if self.uid else "email"


@dataclass(frozen=True)
class Transfer:
    direction: str  # deposit, withdrawal
    asset: str  # BTC, ETH, USDT, ...
    amount: str  # a decimal as text: never a float, which would change the digits
    network: str  # bitcoin, ethereum, tron, bsc, ...
    tx_hash: str  # may be empty (a withdrawal not broadcast yet)
    status: str  # completed, pending, failed, cancelled, under_review, or a code we do not know
    time: datetime

    def to_json(self):
        return {"direction": self.direction, "asset": self.asset, "amount": self.amount, "network": self.network,
                "tx_hash": self.tx_hash, "status": self.status, "time": self.time.isoformat()}


@dataclass(frozen=True)
class CustomerProfile:
    uid: str
    kyc_level: int
    vip_tier: int
    risk_flags: tuple = ()
    transfers: tuple = ()

    def to_json(self):
        return {"uid": self.uid, "kyc_level": self.kyc_level, "vip_tier": self.vip_tier,
                "risk_flags": list(self.risk_flags), "transfers": [t.to_json() for t in self.transfers]}

    @classmethod
    def from_json(cls, data):
        """The profile in a provider's JSON; ProfileInvalid naming the first field that is wrong."""
        if not isinstance(data, dict):
            raise ProfileInvalid("not an object")
        uid = _match(data.get("uid"), _UID, "uid")
        kyc, vip = _level(data, "kyc_level"), _level(data, "vip_tier")
        flags = data.get("risk_flags", [])
        if not isinstance(flags, list) or len(flags) > MAX_FLAGS:
            raise ProfileInvalid("risk_flags")
        flags = tuple(dict.fromkeys(_code(flag, "risk_flags") for flag in flags))
        transfers = data.get("transfers", [])
        if not isinstance(transfers, list) or len(transfers) > 1000:
            raise ProfileInvalid("transfers")
        parsed = sorted((_transfer(item) for item in transfers), key=lambda t: t.time, reverse=True)
        return cls(uid=uid, kyc_level=kyc, vip_tier=vip, risk_flags=flags, transfers=tuple(parsed[:MAX_TRANSFERS]))


def _match(value, pattern, field):
    if not isinstance(value, str) or not pattern.match(value):
        raise ProfileInvalid(field)
    return value


def _level(data, field):
    value = data.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 9:
        raise ProfileInvalid(field)
    return value


def _code(value, field):
    if not isinstance(value, str) or not _CODE.match(value):
        raise ProfileInvalid(field)
    return value


def _transfer(item):
    if not isinstance(item, dict):
        raise ProfileInvalid("transfers")
    direction = item.get("direction")
    if direction not in DIRECTIONS:
        raise ProfileInvalid("transfers.direction")
    raw_time = item.get("time")
    try:
        when = datetime.fromisoformat(raw_time.replace("Z", "+00:00"))
    except (AttributeError, ValueError) as exc:
        raise ProfileInvalid("transfers.time") from exc
    if when.tzinfo is None:
        raise ProfileInvalid("transfers.time")
    asset, network = item.get("asset"), item.get("network")
    return Transfer(direction=direction,
                    asset=_match(asset.upper() if isinstance(asset, str) else asset, _ASSET, "transfers.asset"),
                    amount=_match(item.get("amount"), _AMOUNT, "transfers.amount"),
                    network=_match(network.lower() if isinstance(network, str) else network, _NETWORK,
                                   "transfers.network"),
                    tx_hash=_match(item.get("tx_hash") or "", _HASH, "transfers.tx_hash"),
                    status=_code(item.get("status"), "transfers.status"),
                    time=when.astimezone(timezone.utc))
