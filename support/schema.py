"""OpenAPI pieces every API module shares: the error answers, documented with the one error shape of
support/api_errors.py (the schema's `Error` component), so clients and the schema fuzz test
(tests/security/test_api_fuzz.py) know every status an operation may answer.

    @extend_schema(responses={200: TicketOutputSerializer, **errors(401, 404)})
"""
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from .api_errors import ErrorSerializer

ERROR_DESCRIPTIONS = {
    400: "Invalid input: `invalid` (with `fields`), `parse_error`, or the code of the rule that refused it "
         "(docs/api.md lists them).",
    401: "No or bad credentials: `not_authenticated`, `authentication_failed`.",
    403: "Not allowed for this user (`permission_denied`), or a session request without its CSRF token "
         "(`csrf_failed`).",
    404: "No such object, or someone else's (the two look the same): `not_found`.",
    409: "Refused because something changed meanwhile: `replied_meanwhile` (a ticket reply written before someone "
         "else's; `error.messages` holds what was written since).",
    415: "The body is in a media type this operation does not take, or has none: `unsupported_media_type`.",
    429: "Too many attempts: `rate_limited`; the `Retry-After` header says in how many seconds to try again.",
}


def errors(*statuses):
    """The error responses of an operation, for `extend_schema(responses={...})`."""
    return {status: OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[status]) for status in statuses}


# With errors(429): the header that comes with it (extend_schema(parameters=[RETRY_AFTER])).
RETRY_AFTER = OpenApiParameter("Retry-After", int, OpenApiParameter.HEADER, response=[429],
                               description="seconds until the limit's window ends")
