"""The deployment's settings plus the baselines' routes (a trivial view, a trivial room consumer), so that they run
on the same server, with the same middleware and channel layer, as what they are compared with."""
from support.settings.base import *  # noqa: F401,F403

ROOT_URLCONF = "bench.urls"
