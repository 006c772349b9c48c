"""Serving attachment bytes; used by both the page URL and the API URL after their permission checks."""
from django.http import Http404

from support.filescan import scanned_file_response


def attachment_response(attachment, *, thumbnail=False):
    """The file (or its thumbnail); raises filescan.AttachmentWithheld for a file served to nobody."""
    if thumbnail:
        if not attachment.thumbnail:  # not a picture: no thumbnail (never the file itself under a PNG's type)
            raise Http404
        return scanned_file_response(attachment, attachment.thumbnail, content_type="image/png")
    return scanned_file_response(attachment)
