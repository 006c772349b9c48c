"""Real file contents of each kind, for attachment tests."""
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image


def png_bytes(size=(40, 30), color=(200, 30, 30)):
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, format="PNG")
    return out.getvalue()


def bomb_png(width=20000, height=20000):
    """A PNG of a few hundred bytes whose header declares width x height pixels (a decompression bomb)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00" * 64, 9))
            + chunk(b"IEND", b""))


def pdf_bytes():
    return b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def exe_bytes():
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def phrase_png():
    """A plain picture of a 12-word recovery phrase (drawn, not rendered: for tests about who may open what; the
    OCR tests use real screenshots, tests/support/render_screenshots.py)."""
    from mnemonic import Mnemonic
    from PIL import ImageDraw, ImageFont

    words = Mnemonic("english").to_mnemonic(bytes(range(16))).split()
    font = ImageFont.load_default(size=28)
    image = Image.new("RGB", (900, 280), "white")
    draw = ImageDraw.Draw(image)
    draw.text((20, 20), "Your recovery phrase", fill="black", font=font)
    for row in range(3):
        line = "   ".join(f"{row * 4 + i + 1}. {word}" for i, word in enumerate(words[row * 4:row * 4 + 4]))
        draw.text((20, 80 + row * 60), line, fill="black", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
