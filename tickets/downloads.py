"""Serving attachment bytes; used by both the page URL and the API URL after their permission checks."""
from support.uploads import stored_file_response


def attachment_response(attachment, *, thumbnail=False):
    field = attachment.thumbnail if thumbnail else attachment.file
    # Before its scan, a picture (shown to its uploader alone) is replaced if a secret is found: not cached.
    return stored_file_response(field, content_type="image/png" if thumbnail else attachment.content_type,
                                filename=attachment.filename,
                                **({"cache": "private, no-store"} if attachment.scan_pending else {}))
