"""Serving attachment bytes; used by both the page URL and the API URL after their permission checks."""
from support.screenshots import scanned_file_response


def attachment_response(attachment, *, thumbnail=False):
    if thumbnail:
        return scanned_file_response(attachment, attachment.thumbnail, content_type="image/png")
    return scanned_file_response(attachment)
