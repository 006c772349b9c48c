"""Upload checks for every file people send us (ticket and chat attachments, help-center images): type by content (never by name alone), size limits, safe names, thumbnails for images.

Allowed: png, jpeg, gif, webp, mp4, webm, mov, pdf, zip (recognised by their magic bytes) and txt, log (text that
is not markup). The extension must agree with the content, so an .exe renamed .png, an SVG or an HTML page is
refused whatever it is called.
"""
import io
import os
import re
import unicodedata
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from support.services import DomainError

# detected MIME type -> (kind, extensions the file may carry)
BINARY_TYPES = {
    "image/png": ("image", {"png"}),
    "image/jpeg": ("image", {"jpg", "jpeg"}),
    "image/gif": ("image", {"gif"}),
    "image/webp": ("image", {"webp"}),
    "video/mp4": ("video", {"mp4", "m4v"}),
    "video/webm": ("video", {"webm"}),
    "video/quicktime": ("video", {"mov"}),
    "application/pdf": ("document", {"pdf"}),
    "application/zip": ("archive", {"zip"}),
}
TEXT_EXTENSIONS = {"txt", "log"}
ALLOWED_EXTENSIONS = sorted({ext for _kind, exts in BINARY_TYPES.values() for ext in exts} | TEXT_EXTENSIONS)
_MARKUP_START = re.compile(rb"^\s*(<!doctype|<html|<svg|<\?xml|<script|<head|<body|<iframe)", re.IGNORECASE)
THUMBNAIL_SIZE = (320, 320)
# Decompression bombs: refuse images with more pixels than this before decoding them.
MAX_IMAGE_PIXELS = 50_000_000


class AttachmentRejected(DomainError):
    code = "attachment_rejected"


@dataclass(frozen=True)
class CheckedFile:
    upload: object
    filename: str
    content_type: str
    kind: str
    size: int


def safe_filename(name):
    """A display name without paths, control characters or leading dots; never empty."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"[<>:\"|?*]", "_", name).strip().lstrip(".").strip()
    if not name:
        name = "attachment"
    stem, dot, ext = name.rpartition(".")
    if dot and len(name) > 150:
        name = stem[: 150 - len(ext) - 1] + "." + ext
    return name[:150]


def _extension(name):
    return os.path.splitext(name)[1].lower().lstrip(".")


def _read_head(upload, size=8192):
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


IMAGE_EXTENSIONS = sorted(ext for kind, exts in BINARY_TYPES.values() if kind == "image" for ext in exts)


def check_upload(upload, *, images_only=False, max_bytes=None, field="attachments"):
    """Validate one uploaded file; return what we know about it or raise AttachmentRejected with a clear reason.
    With images_only, only the image types pass (help-center pictures)."""
    name = safe_filename(getattr(upload, "name", ""))
    size = getattr(upload, "size", None)
    limit = max_bytes or settings.TICKET_ATTACHMENT_MAX_BYTES
    if size is None:
        raise AttachmentRejected(_("The file %(name)s could not be read.") % {"name": name}, field=field)
    if size > limit:
        raise AttachmentRejected(
            _("%(name)s is too large (%(size)s MB); the limit is %(limit)s MB per file.")
            % {"name": name, "size": round(size / 1_048_576, 1), "limit": round(limit / 1_048_576, 1)},
            code="attachment_too_large", field=field,
        )
    if size == 0:
        raise AttachmentRejected(_("%(name)s is empty.") % {"name": name}, field=field)
    ext = _extension(name)
    head = _read_head(upload)
    guess = filetype.guess(head)
    mime = guess.mime if guess else None
    if mime in BINARY_TYPES:
        kind, extensions = BINARY_TYPES[mime]
        if ext not in extensions:
            raise AttachmentRejected(
                _("%(name)s does not match its content (it looks like a .%(real)s file). Rename it or send another "
                  "file.") % {"name": name, "real": sorted(extensions)[0]},
                code="attachment_type_mismatch", field=field,
            )
        if kind == "image":
            _check_image(upload, name, field)
            return CheckedFile(upload, name, mime, kind, size)
        if not images_only:
            return CheckedFile(upload, name, mime, kind, size)
    if images_only:
        raise AttachmentRejected(
            _("%(name)s is not an image. Allowed: %(types)s.") % {"name": name, "types": ", ".join(IMAGE_EXTENSIONS)},
            code="attachment_type_not_allowed", field=field,
        )
    if mime is None and ext in TEXT_EXTENSIONS and _is_plain_text(head):
        return CheckedFile(upload, name, "text/plain", "document", size)
    raise AttachmentRejected(
        _("%(name)s is not an allowed file type. Allowed: %(types)s.")
        % {"name": name, "types": ", ".join(ALLOWED_EXTENSIONS)},
        code="attachment_type_not_allowed", field=field,
    )


def _is_plain_text(head):
    if b"\x00" in head or _MARKUP_START.match(head):
        return False
    for encoding in ("utf-8", "utf-16", "gb18030", "shift_jis", "euc-kr", "cp1251"):
        try:
            head.decode(encoding)
            return True
        except UnicodeDecodeError:
            # The 8 KB head may cut a multi-byte character; try again without the last few bytes.
            try:
                head[:-4].decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
    return False


def _check_image(upload, name, field):
    upload.seek(0)
    too_many = AttachmentRejected(_("%(name)s has too many pixels.") % {"name": name}, field=field)
    try:
        with Image.open(upload) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise too_many
            image.verify()
    except AttachmentRejected:
        raise
    except Image.DecompressionBombError as exc:  # Pillow's own guard fires first for a header declaring billions
        raise too_many from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise AttachmentRejected(_("%(name)s is not a valid image.") % {"name": name}, field=field) from exc
    finally:
        upload.seek(0)


def make_thumbnail(upload):
    """A re-encoded PNG thumbnail (so what we show inline is pixels we produced, not the uploaded bytes)."""
    upload.seek(0)
    with Image.open(upload) as image:
        image.seek(0)
        frame = image.convert("RGBA") if image.mode in ("P", "LA", "RGBA") else image.convert("RGB")
        frame.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        frame.save(out, format="PNG", optimize=True)
    upload.seek(0)
    return out.getvalue()


# Served inline only when we know the bytes are an image of an allowed type (checked by content at upload);
# everything else is a download, and nothing is ever rendered as HTML or SVG.
INLINE_TYPES = {"image/png", "image/jpeg", "image/gif", "image/webp"}


def stored_file_response(field, *, content_type, filename, cache="private, max-age=3600"):
    """Serve an uploaded file's bytes safely, after the caller's permission check: images inline, anything else
    as a download, never sniffed, sandboxed if opened directly."""
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    inline = content_type in INLINE_TYPES
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"
    response["Cache-Control"] = cache
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
