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


def mp4_bytes():
    """The start of an MP4 (its ftyp box), enough to be recognised as a video by its content."""
    return b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 100


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


def recovery_phrase(language="english", seed=0):
    """A checksum-valid 12-word BIP-39 phrase from the word list secretscan uses."""
    from mnemonic import Mnemonic

    return Mnemonic(language).to_mnemonic(bytes((seed + i) % 256 for i in range(16)))


# A private key's shape (64 hex characters next to the word "private"): secretscan masks it.
PRIVATE_KEY_HEX = "e9873d79c6d87dc0fb6a5778633389f4453213303da61f20bd67fc233aa33262"


def text_pdf(*pages):
    """A valid PDF (drawn with the standard Helvetica font) with one page per argument, each a list of lines, as
    a PDF writer would make it: catalog, page tree, content streams, cross-reference table."""
    def escaped(line):
        return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    count = len(pages)
    font = 3 + 2 * count
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(count))
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", f"<< /Type /Pages /Kids [{kids}] /Count {count} >>"]
    for i, lines in enumerate(pages):
        stream = "BT /F1 11 Tf 14 TL 40 800 Td " + " ".join(f"({escaped(line)}) '" for line in lines) + " ET"
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 {font} 0 R "
                       f">> >> /Contents {4 + 2 * i} 0 R >>")
        objects.append(f"<< /Length {len(stream.encode('latin-1'))} >>\nstream\n{stream}\nendstream")
    objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    out, offsets = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def encrypted_pdf(*pages, password="open sesame"):
    """text_pdf's file encrypted with a user password (AES-256), as a bank sends statements."""
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(text_pdf(*pages)))
    writer.encrypt(user_password=password, owner_password=password, algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_of(members, compression=None):
    """A ZIP of {name: bytes or str}, deflated, with a fixed date on every member: the same members give the same
    bytes, in every run and every test worker (a parametrized test's bytes are part of its id)."""
    import zipfile

    out = io.BytesIO()
    method = compression or zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(out, "w", compression=method) as archive:
        for name, content in members.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 23, 10, 4, 12))
            info.compress_type = method
            archive.writestr(info, content)
    return out.getvalue()


def encrypted_zip(members, password=b"secret"):
    """A ZIP whose members are encrypted with a password (PKWARE's traditional encryption, what `zip -P` and most
    tools write); the standard library reads it back with the password, and cannot write one."""
    import struct
    import zlib

    crc_table = [0] * 256
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0xEDB88320 if c & 1 else c >> 1
        crc_table[n] = c

    def crc_byte(crc, byte):
        return (crc >> 8) ^ crc_table[(crc ^ byte) & 0xFF]

    def encrypt(data, crc):
        keys = [0x12345678, 0x23456789, 0x34567890]

        def update(byte):
            keys[0] = crc_byte(keys[0], byte)
            keys[1] = ((keys[1] + (keys[0] & 0xFF)) * 134775813 + 1) & 0xFFFFFFFF
            keys[2] = crc_byte(keys[2], keys[1] >> 24)

        for byte in password:
            update(byte)
        out = bytearray()
        for byte in bytes(11) + bytes([crc >> 24]) + data:  # the 12-byte header ends with the CRC's high byte
            temp = (keys[2] | 2) & 0xFFFF
            out.append(byte ^ (((temp * (temp ^ 1)) >> 8) & 0xFF))
            update(byte)
        return bytes(out)

    local, central = bytearray(), bytearray()
    for name, content in members.items():
        data = content.encode() if isinstance(content, str) else content
        crc, name_bytes = zlib.crc32(data), name.encode()
        body = encrypt(data, crc)  # stored (not compressed), then encrypted
        fields = struct.pack("<HHHHHIIIHH", 20, 0x1, 0, 0, 0x21, crc, len(body), len(data), len(name_bytes), 0)
        central += struct.pack("<IH", 0x02014B50, 20) + fields + struct.pack("<HHHII", 0, 0, 0, 0, len(local))
        central += name_bytes
        local += struct.pack("<I", 0x04034B50) + fields + name_bytes + body
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), len(local), 0)
    return bytes(local + central + end)


def overlapping_zip(copies=50):
    """The "better zip bomb": many directory entries pointing at the same compressed data (here a small text), so a
    reader that trusts the directory inflates it again for each."""
    import struct
    import zipfile

    single = zip_of({"a.txt": "abandon " * 1000})
    archive = zipfile.ZipFile(io.BytesIO(single))
    info = archive.infolist()[0]
    directory_at = single.index(b"PK\x01\x02")
    entry = single[directory_at:single.index(b"PK\x05\x06")]
    assert info.header_offset == 0
    central = entry * copies
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, copies, copies, len(central), directory_at, 0)
    return single[:directory_at] + central + end


def scan_as_worker(attachment, capture):
    """Run the attachment scan task as a worker would (its on-commit file deletions included)."""
    from tickets import tasks

    with capture(execute=True):
        return tasks.attachment_scan.apply(args=[str(attachment.pk)]).get()


def get_body(client, url):
    """(response, its bytes), for plain and streamed responses alike."""
    response = client.get(url)
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return response, body
