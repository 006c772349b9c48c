"""Why a profile could not be had: the panel says "unavailable" for both, the logs say which."""


class ProfileUnavailable(Exception):
    """The provider did not answer in time, or its answer could not be believed (signature, status, shape)."""


class ProfileNotConfigured(ProfileUnavailable):
    """The provider lacks its settings (URL, secret)."""
