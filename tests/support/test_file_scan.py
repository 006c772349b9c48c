"""The readers of support.filescan: text in any encoding, a PDF's text, a ZIP's text members; what each finds, what
copy a text gets, and the files built to make a reader crash, hang or run out of memory (each ends as a reason,
never as "clean")."""
import io
import time
import unicodedata
import zipfile

from support.filescan import (
    ENCRYPTED,
    NOT_READ_MARKER,
    PDF_MAX_PAGES,
    READ_TEXT_BYTES,
    TOO_LARGE,
    TOO_MANY_FILES,
    UNREADABLE,
    ZIP_MAX_MEMBERS,
    pdf_scan,
    text_scan,
    zip_scan,
)
from support.secretscan import MARKERS, PRIVATE_KEY, RECOVERY_PHRASE
from tests.tickets.files import (
    PRIVATE_KEY_HEX,
    encrypted_pdf,
    encrypted_zip,
    overlapping_zip,
    png_bytes,
    recovery_phrase,
    text_pdf,
    zip_of,
)

PHRASE = recovery_phrase()
LOG = ("2026-11-23 10:04:11 INFO wallet restore started\n"
       f"2026-11-23 10:04:12 DEBUG mnemonic={PHRASE}\n"
       "2026-11-23 10:04:13 ERROR withdrawal 48213 failed: insufficient gas\n")


def _words_left(copy, phrase=PHRASE):
    return [word for word in phrase.split() if word in copy.split()]


def test_a_legacy_8_bit_log_is_read_in_its_own_charset_and_its_masked_copy_keeps_the_words():
    """A KOI8-R export from an old Russian tool (no byte order mark, not UTF-8): support.charsets reads it as mail
    bodies are read, so the masked copy agents get says what the customer's tool said."""
    text = "Ошибка вывода средств: кошелёк не отвечает\n" + f"мнемоника: {PHRASE}\n"
    scan = text_scan(text.encode("koi8_r"))
    copy = scan.masked.decode("utf-8")
    assert scan.kinds == (RECOVERY_PHRASE,) and "Ошибка вывода средств: кошелёк не отвечает" in copy
    assert _words_left(copy) == []


def test_a_seed_phrase_in_a_log_is_found_and_masked_the_rest_kept():
    scan = text_scan(LOG.encode())
    assert (scan.kinds, scan.problem) == ((RECOVERY_PHRASE,), "")
    copy = scan.masked.decode()
    assert MARKERS[RECOVERY_PHRASE] in copy and _words_left(copy) == []
    assert "ERROR withdrawal 48213 failed: insufficient gas" in copy and copy.count("\n") == 3


def test_a_text_without_secrets_gives_no_copy():
    scan = text_scan(b"2026-11-23 ERROR withdrawal 48213 failed, txid 0x" + b"ab" * 32 + b"\n")
    assert (scan.kinds, scan.masked, scan.problem) == ((), b"", "")


def test_texts_in_other_encodings_are_read():
    """UTF-16 with its byte order mark (Windows' Notepad), Windows-1251 and Shift_JIS without one (detected)."""
    russian = "Журнал кошелька: " + recovery_phrase("russian") + "\nОшибка вывода средств, помогите пожалуйста.\n"
    words = unicodedata.normalize("NFC", recovery_phrase("japanese")).replace("\u3000", " ")  # as typed
    japanese = "ウォレットの復元フレーズ: " + words + "\n出金できません。\n"
    for data in (LOG.encode("utf-16"), russian.encode("cp1251"), japanese.encode("shift_jis")):
        scan = text_scan(data)
        assert scan.kinds == (RECOVERY_PHRASE,), data[:40]
        assert MARKERS[RECOVERY_PHRASE] in scan.masked.decode("utf-8")


def test_bytes_that_are_no_encoding_are_still_read():
    """Whatever the bytes, the scan reads them (Latin-1 at worst): a key among binary garbage is found."""
    data = bytes(range(128, 256)) * 4 + f"\nprivate key {PRIVATE_KEY_HEX}\n".encode() + bytes(range(128, 256))
    assert text_scan(data).kinds == (PRIVATE_KEY,)


def test_a_text_over_the_limit_is_read_in_part_and_its_copy_holds_only_that_part():
    head = LOG.encode()
    data = head + b"x" * (READ_TEXT_BYTES - len(head) - 10) + "é".encode() * 20 + f"\n{PHRASE}\n".encode()
    scan = text_scan(data)
    assert (scan.kinds, scan.problem) == ((RECOVERY_PHRASE,), TOO_LARGE)
    copy = scan.masked.decode("utf-8")  # a character cut in two at the limit is dropped, not garbled
    assert copy.endswith(NOT_READ_MARKER) and _words_left(copy[-200:]) == []
    clean = text_scan(b"y" * (READ_TEXT_BYTES + 1))
    assert (clean.kinds, clean.problem) == ((), TOO_LARGE)  # not "clean": it was not all read


def test_reading_text_is_linear_in_its_size():
    """2 MB of what once cost the scan most (codes next to links, runs of phrase words) reads about ten times as
    long as 200 KB: no piece is read again for each code or word."""
    unit = (f"see https://explorer.example/tx/{'ab' * 32} code {'cd' * 32} abandon ability able about above "
            "absent absorb abstract absurd abuse access accident account accuse achieve\n")

    def took(size):
        data = (unit * (size // len(unit) + 1))[:size].encode()
        started = time.perf_counter()
        text_scan(data)
        return time.perf_counter() - started

    took(20_000)
    small, large = took(200_000), took(2_000_000)
    assert large < 25 * small, (small, large)


def test_a_pdf_is_read_page_by_page():
    pdf = text_pdf(["Withdrawal statement", "Order 48213"], ["My wallet backup:", PHRASE],
                   ["Private key: " + PRIVATE_KEY_HEX])
    scan = pdf_scan(pdf)
    assert (set(scan.kinds), scan.problem) == ({RECOVERY_PHRASE, PRIVATE_KEY}, "")
    assert scan.masked == b""  # a PDF is never "masked": it is withheld (support.filescan)


def test_a_clean_pdf_is_clean():
    scan = pdf_scan(text_pdf(["Hello, my withdrawal 48213 has been pending for two days."]))
    assert (scan.kinds, scan.problem) == ((), "")


def test_a_corrupt_or_truncated_pdf_is_unreadable_not_clean():
    pdf = text_pdf(["Private key: " + PRIVATE_KEY_HEX])
    for data in (b"%PDF-1.4\n" + bytes(range(256)) * 20, b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog", pdf[:40]):
        scan = pdf_scan(data)
        assert (scan.kinds, scan.problem) == ((), UNREADABLE)


def test_an_encrypted_pdf_cannot_be_read_and_says_so():
    scan = pdf_scan(encrypted_pdf(["Private key: " + PRIVATE_KEY_HEX]))
    assert (scan.kinds, scan.problem) == ((), ENCRYPTED)


def test_only_the_first_pages_of_a_long_pdf_are_read():
    pages = [["Page of a long statement"]] * PDF_MAX_PAGES + [["Private key: " + PRIVATE_KEY_HEX]]
    scan = pdf_scan(text_pdf(*pages))
    assert (scan.kinds, scan.problem) == ((), TOO_LARGE)


def test_text_members_of_a_zip_are_read_wherever_they_sit_and_whatever_they_are_called():
    archive = zip_of({"screenshot.png": png_bytes(), "logs/": b"", "logs/2026/11/app.log": LOG,
                      "export.csv": "date,amount\n2026-11-23,100\n", "settings": '{"api": "ok"}'})
    scan = zip_scan(archive)
    assert (scan.kinds, scan.problem, scan.masked) == ((RECOVERY_PHRASE,), "", b"")
    assert zip_scan(zip_of({"wallet.json": f'{{"note": "backup", "key": "private {PRIVATE_KEY_HEX}"}}'})).kinds == (
        PRIVATE_KEY,)
    stored = zip_of({"a.txt": "nothing here", "b.log": LOG}, compression=zipfile.ZIP_STORED)
    assert zip_scan(stored).kinds == (RECOVERY_PHRASE,)


def test_a_clean_zip_is_clean():
    scan = zip_scan(zip_of({"app.log": "2026-11-23 ERROR withdrawal failed\n", "shot.png": png_bytes()}))
    assert (scan.kinds, scan.problem) == ((), "")


def test_a_zip_inside_a_zip_is_not_opened():
    """One level deep: the archive inside is a binary member, not read (the scan says what it reads, docs)."""
    inner = zip_of({"seed.txt": PHRASE})
    scan = zip_scan(zip_of({"inner.zip": inner, "readme.txt": "see inner.zip"}))
    assert (scan.kinds, scan.problem) == ((), "")


def test_a_zip_bomb_is_read_only_up_to_the_limit():
    """64 MB of text in a few kilobytes: inflated by streaming, stopped at the limit, in well under a second's
    worth per megabyte; the phrase after the limit is not reached, and the archive is not called clean."""
    bomb = zip_of({"huge.log": "A" * 64_000_000 + "\n" + PHRASE, "after.txt": PHRASE})
    assert len(bomb) < 200_000
    started = time.perf_counter()
    scan = zip_scan(bomb)
    assert time.perf_counter() - started < 20
    assert (scan.kinds, scan.problem) == ((), TOO_LARGE)


def test_a_zip_whose_entries_share_their_data_is_refused():
    scan = zip_scan(overlapping_zip(copies=200))
    assert (scan.kinds, scan.problem) == ((), UNREADABLE)


def test_a_zip_with_too_many_members_is_refused_before_its_directory_is_parsed():
    archive = zip_of({f"f{i}.txt": "" for i in range(ZIP_MAX_MEMBERS + 1)})
    assert zip_scan(archive).problem == TOO_MANY_FILES
    assert zip_scan(zip_of({f"f{i}.txt": "" for i in range(ZIP_MAX_MEMBERS)})).problem == ""


def test_encrypted_members_cannot_be_read_and_say_so():
    scan = zip_scan(encrypted_zip({"wallet.txt": PHRASE}))
    assert (scan.kinds, scan.problem) == ((), ENCRYPTED)


def test_a_secret_in_a_readable_member_counts_beside_an_encrypted_one():
    archive = encrypted_zip({"wallet.txt": PHRASE})
    readable = zip_of({"app.log": LOG})
    # Put the readable member's entry beside the encrypted one: two archives' members in one.
    with zipfile.ZipFile(io.BytesIO(readable)) as source:
        combined = io.BytesIO(archive)
        with zipfile.ZipFile(combined, "a") as target:
            target.writestr("app.log", source.read("app.log"))
    scan = zip_scan(combined.getvalue())
    assert (scan.kinds, scan.problem) == ((RECOVERY_PHRASE,), ENCRYPTED)


def test_a_corrupt_zip_is_unreadable():
    good = zip_of({"app.log": LOG})
    for data in (b"PK\x03\x04" + bytes(range(256)) * 4, good[: len(good) // 2]):
        assert zip_scan(data).problem == UNREADABLE
    # A member whose data is damaged (its compressed bytes overwritten): unreadable, not clean.
    archive = zip_of({"app.log": LOG * 50})
    start = archive.index(b"app.log") + len("app.log") + 5
    damaged = archive[:start] + bytes(200) + archive[start + 200:]
    scan = zip_scan(damaged)
    assert scan.problem == UNREADABLE and scan.kinds == ()


def test_a_member_in_a_compression_method_we_cannot_read_is_unreadable_and_the_rest_still_counts():
    """A member whose header names a method the standard library does not implement (here 99, AES's marker) raises
    NotImplementedError: that member is unreadable, the secret in the readable one is still found."""
    archive = zip_of({"notes.txt": "nothing here", "wallet.log": LOG}, compression=zipfile.ZIP_STORED)
    local = archive.index(b"PK\x03\x04")  # the first member's local header: method at offset 8
    central = archive.index(b"PK\x01\x02")  # its central directory entry: method at offset 10
    patched = bytearray(archive)
    patched[local + 8:local + 10] = (99).to_bytes(2, "little")
    patched[central + 10:central + 12] = (99).to_bytes(2, "little")
    scan = zip_scan(bytes(patched))
    assert (scan.kinds, scan.problem) == ((RECOVERY_PHRASE,), UNREADABLE)
