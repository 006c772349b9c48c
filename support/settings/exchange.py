"""Settings of the exchange integration: the customer's profile at the exchange (support/profiles; the HTTP contract
in docs/api.md) and the chat queue's VIP rule that reads it; and of the machine-translation provider
(support/translate). Imported by base.py; a module of its own so base.py stays readable."""
from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_float, env_int, env_list, env_str

# The customer's profile at the exchange (support/profiles; the HTTP contract in docs/api.md): the provider's dotted
# path (empty: none; made-up data when DEBUG is on), the exchange's signed endpoint and shared secret, the deadline of
# one call in seconds, how long an answer (and a failure) is cached, and the replay window of the signatures.
CUSTOMER_PROFILE_PROVIDER = env_str("CUSTOMER_PROFILE_PROVIDER",
                                    "support.profiles.demo.DemoProfileProvider" if env_bool("DEBUG", False) else "")
CUSTOMER_PROFILE_URL = env_str("CUSTOMER_PROFILE_URL", "")
CUSTOMER_PROFILE_SECRET = env_str("CUSTOMER_PROFILE_SECRET", "")
CUSTOMER_PROFILE_TIMEOUT = env_float("CUSTOMER_PROFILE_TIMEOUT", 1.5)
CUSTOMER_PROFILE_TTL = env_int("CUSTOMER_PROFILE_TTL", 60)
CUSTOMER_PROFILE_FAILURE_TTL = env_int("CUSTOMER_PROFILE_FAILURE_TTL", 10)
CUSTOMER_PROFILE_MAX_SKEW = env_int("CUSTOMER_PROFILE_MAX_SKEW", 300)
# Transaction hashes link to a block explorer (a fixed map per network, support/profiles/labels.py) unless off.
CUSTOMER_PROFILE_EXPLORER_LINKS = env_bool("CUSTOMER_PROFILE_EXPLORER_LINKS", True)
# VIP chats wait less (livechat/services/queue.py): a chat of VIP tier N is ordered as if it had joined the queue
# LIVECHAT_VIP_BOOST_MINUTES[N] minutes earlier (tiers past the list take its last value), never more than
# LIVECHAT_VIP_BOOST_MAX_MINUTES; so it never passes a chat that has waited that much longer than it.
LIVECHAT_VIP_BOOST_MINUTES = [int(m) for m in env_list("LIVECHAT_VIP_BOOST_MINUTES", ["0", "1", "2", "3", "4", "5"])]
LIVECHAT_VIP_BOOST_MAX_MINUTES = env_int("LIVECHAT_VIP_BOOST_MAX_MINUTES", 5)

# Machine translation (support/translate, issue #25; the contract in docs/api.md, what leaves the desk in
# docs/security.md): off unless MT_PROVIDER names a provider ("libretranslate": LibreTranslate's HTTP API at MT_URL,
# https, or http on this machine only; MT_API_KEY if it wants one). One call's deadline in seconds (connect, send,
# wait and read together), the longest text sent, and how long a translation is cached.
MT_PROVIDER = env_str("MT_PROVIDER", "").strip()
MT_URL = env_str("MT_URL", "")
MT_API_KEY = env_str("MT_API_KEY", "")
MT_TIMEOUT = env_float("MT_TIMEOUT", 2.5)
MT_MAX_CHARS = env_int("MT_MAX_CHARS", 5000)
MT_CACHE_SECONDS = env_int("MT_CACHE_SECONDS", 7 * 24 * 3600)


def _language_codes(name, default):
    """Our language codes as the provider spells them: `ours=theirs` pairs, comma-separated, over the default."""
    codes = dict(default)
    for pair in env_list(name, []):
        ours, equals, theirs = (part.strip() for part in pair.partition("="))
        if not equals or ours not in codes or not theirs:
            raise ImproperlyConfigured(f"{name} takes ours=theirs pairs with ours one of {', '.join(codes)}, "
                                       f"got {pair!r}")
        codes[ours] = theirs
    return codes


MT_LANGUAGE_CODES = _language_codes("MT_LANGUAGE_CODES", {"en": "en", "zh-hans": "zh", "es": "es", "ru": "ru",
                                                          "ja": "ja", "ko": "ko"})
