"""Settings of the exchange integration: the customer's profile at the exchange (support/profiles; the HTTP contract
in docs/api.md) and the chat queue's VIP rule that reads it. Imported by base.py; a module of its own so base.py
stays readable."""
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
