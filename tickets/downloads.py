"""Serving attachment bytes safely; used by both the page URL and the API URL after their permission checks."""
from django.http import FileResponse, Http404

# Served inline only when we know the bytes are an image of an allowed type (checked by content at upload);
# everything else is a download, and nothing is ever rendered as HTML or SVG.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def attachment_response(attachment, *, thumbnail=False):
    field = attachment.thumbnail if thumbnail else attachment.file
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    content_type = "image/png" if thumbnail else attachment.content_type
    inline = content_type in INLINE_TYPES
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline,
                            filename=attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = "private, max-age=3600"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
