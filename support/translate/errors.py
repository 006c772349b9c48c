"""What a machine-translation provider raises when it cannot translate a text now, and the codes that say why."""

# The stable codes of a failed Translation (Translation.error_code; docs/api.md, "Machine translation provider").
TIMEOUT = "timeout"                # no whole answer within MT_TIMEOUT
UNREACHABLE = "unreachable"        # refused, no route, name or TLS failure
REJECTED = "rejected"              # the provider refused the request (400 and other 4xx)
FORBIDDEN = "forbidden"            # 401/403: a missing or wrong MT_API_KEY, or we are banned
RATE_LIMITED = "rate_limited"      # 429
SERVER_ERROR = "server_error"      # 5xx and anything else unexpected
BAD_ANSWER = "bad_answer"          # not the documented JSON, or no translation in it
TOO_LARGE = "too_large"            # an answer over the provider's size cap
NOT_CONFIGURED = "not_configured"  # MT_PROVIDER names no provider, no MT_URL, or plain http to another machine
UNSUPPORTED_LANGUAGE = "unsupported_language"  # not one of our six codes
EMPTY = "empty"                    # nothing to translate
TOO_LONG = "too_long"              # over MT_MAX_CHARS characters
PROVIDER_ERROR = "provider_error"  # a plugged-in provider raised something else (its bug)
ERROR_CODES = (TIMEOUT, UNREACHABLE, REJECTED, FORBIDDEN, RATE_LIMITED, SERVER_ERROR, BAD_ANSWER, TOO_LARGE,
               NOT_CONFIGURED, UNSUPPORTED_LANGUAGE, EMPTY, TOO_LONG, PROVIDER_ERROR)


class TranslationUnavailable(Exception):
    """A provider could not translate this text now. `code` is one of ERROR_CODES (what callers see); `reason` says
    more, for the log, and must never contain the text (customer data)."""

    def __init__(self, code, reason=""):
        self.code = code if code in ERROR_CODES else PROVIDER_ERROR
        self.reason = reason or code
        super().__init__(f"{self.code}: {self.reason}")
