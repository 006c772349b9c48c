"""The API's JSON parser: DRF's, with JSON nested deeper than Python's recursion limit refused as a parse error (a
400 in the API's error shape) instead of a RecursionError (a 500). No request of ours nests more than a few levels."""
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser as DrfJSONParser


class JSONParser(DrfJSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(_("JSON parse error - nested too deeply")) from exc
