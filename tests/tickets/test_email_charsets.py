"""Mail whose 8-bit text declares no charset (issue #22): older Chinese, Korean, Russian and Japanese clients send
GB18030, EUC-KR, KOI8-R and Shift_JIS that way, and read as UTF-8 it became replacement characters and the wrong
language. The charset is detected (tickets.charsets), the text filed as the customer wrote it, and the record says
what it was read as. Fixtures: tests/tickets/emails/hostile_undeclared_*.eml, their entries in hostile.json."""
import json
import time
from pathlib import Path

import pytest

from support.charsets import decode_undeclared
from tickets.inbound import decode_bytes, inbound_email_ingest

FIXTURES = Path(__file__).parent / "emails"
UNDECLARED = [case for case in json.loads((FIXTURES / "hostile.json").read_text(encoding="utf-8"))
              if case.get("charset")]


def _mail(body, *, content_type="text/plain", subject=b"Question", message_id="inline"):
    return (b"From: Customer <customer@mail.example.net>\r\nTo: support@support.example.com\r\nSubject: " + subject
            + f"\r\nMessage-ID: <{message_id}@mail.example.net>\r\nMIME-Version: 1.0\r\nContent-Type: {content_type}"
              "\r\nContent-Transfer-Encoding: 8bit\r\n\r\n".encode() + body + b"\r\n")


@pytest.mark.django_db
@pytest.mark.parametrize("case", [pytest.param(case, id=case["file"]) for case in UNDECLARED])
def test_text_without_a_charset_is_filed_as_the_customer_wrote_it(case):
    """The message holds exactly the customer's text, the subject too when it came as raw 8-bit bytes, the ticket
    has the customer's language, and the record says which charset the text was read as."""
    record = inbound_email_ingest(raw=(FIXTURES / case["file"]).read_bytes()).record
    record.refresh_from_db()
    assert record.status == "accepted", record.reason
    assert record.ticket_message.body.replace("\r\n", "\n") == case["text"]  # line ends are kept as they came
    assert record.ticket.subject == case["subject_is"]
    assert record.ticket.language == case["language"]
    assert f"read as {case['charset']}" in record.reason


@pytest.mark.parametrize("text, codec, charset", [
    ("Вывод не пришёл", "koi8_r", "koi8-r"),
    ("Помогите", "koi8_r", "koi8-r"),
    ("ПОМОГИТЕ ВЫВОД НЕ ПРИШЕЛ", "koi8_r", "koi8-r"),
    ("Вывод не пришёл", "cp1251", "windows-1251"),
    ("Не могу войти в аккаунт", "cp1251", "windows-1251"),
    ("出金できません", "cp932", "shift_jis"),
    ("二段階認証", "cp932", "shift_jis"),
    ("パスワード", "cp932", "shift_jis"),
    ("出金が反映されません。", "euc_jp", "euc-jp"),
    ("提现失败", "gb18030", "gb18030"),
    ("账户被冻结了怎么办", "gb18030", "gb18030"),
    ("출금이 안 돼요", "cp949", "euc-kr"),
    ("감사합니다", "cp949", "euc-kr"),
    ("帳戶被凍結", "cp950", "big5"),
    ("提領失敗", "cp950", "big5"),
    ("¿Mi depósito?", "cp1252", "windows-1252"),
    ("I can’t log in – the “2FA” code is wrong", "cp1252", "windows-1252"),
])
def test_one_line_in_each_charset_is_read_right(text, codec, charset):
    """Short texts are what customers write, and where charset-normalizer alone goes wrong (KOI8-R read as cp932,
    Shift_JIS as cp949)."""
    reading = decode_undeclared(text.encode(codec))
    assert reading.text == text
    assert reading.note.startswith(f"read as {charset} (")


def test_ascii_and_utf8_are_read_as_utf8_without_a_note():
    for text in ("My deposit is missing.", "Мой депозит не пришёл", "入金が反映されません"):
        reading = decode_undeclared(text.encode())
        assert (reading.text, reading.charset, reading.note) == (text, "utf-8", "")


def test_a_stray_byte_in_utf8_text_costs_that_byte_only():
    """A UTF-8 body with one windows-1252 byte pasted in stays UTF-8: the byte becomes a replacement character."""
    reading = decode_undeclared("Мой вывод завис, помогите. ".encode() * 5 + b"\x96 sent from my phone")
    assert reading.charset == "utf-8" and reading.text.endswith("помогите. \ufffd sent from my phone")
    assert "replaced" in reading.note


def test_seven_bit_iso_2022_jp_is_read_by_its_escape_sequences():
    text = "出金が反映されません"
    reading = decode_undeclared(text.encode("iso2022_jp"))
    assert reading.text == text and "iso-2022-jp" in reading.note


def test_a_charset_outside_our_languages_is_left_to_charset_normalizer():
    """No candidate reads Polish in ISO-8859-2 as plausible text: charset-normalizer's choice is taken, and said."""
    text = "Dzień dobry, wypłata nie dotarła, proszę o pomoc."
    reading = decode_undeclared(text.encode("iso8859_2"))
    assert reading.text == text and "charset-normalizer" in reading.note


def test_decode_bytes_without_a_charset_detects_it():
    assert decode_bytes("Вывод не пришёл".encode("koi8_r"), None) == "Вывод не пришёл"
    assert decode_bytes("Вывод не пришёл".encode("koi8_r"), "us-ascii") == "Вывод не пришёл"


def test_a_character_cut_by_the_end_of_the_sample_does_not_spoil_the_reading():
    """Only the first 64 KB are scored: a two-byte character across that edge is left out, not read as an error."""
    text = "a" + "您好，提现还没到账。" * 7000  # about 140 KB; the odd "a" puts a character across the edge
    reading = decode_undeclared(text.encode("gb18030"))
    assert reading.text == text and reading.note.startswith("read as gb18030 (")


def test_detection_reads_a_sample_so_a_long_mail_stays_fast():
    """A 3 MB body in GB18030 is read in well under a second (measured here: about 0.15 s)."""
    payload = ("您好，我的提现已经三天了还没到账。请问怎么处理？\r\n" * 65_000).encode("gb18030")
    assert len(payload) > 3_000_000
    started = time.perf_counter()
    assert decode_undeclared(payload).charset == "gb18030"
    assert time.perf_counter() - started < 1.0


@pytest.mark.django_db
def test_us_ascii_declared_over_8_bit_text_is_detected_and_noted():
    raw = _mail("Здравствуйте, вывод не пришёл.".encode("koi8_r"), content_type="text/plain; charset=us-ascii")
    record = inbound_email_ingest(raw=raw).record
    assert record.ticket_message.body == "Здравствуйте, вывод не пришёл."
    assert "declared us-ascii over 8-bit text, read as koi8-r" in record.reason
    assert record.ticket.language == "ru"


@pytest.mark.django_db
def test_an_html_part_without_a_charset_is_read_in_the_one_its_meta_names():
    html = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>' \
           "<body><p>王堃的充值没到账</p></body></html>"
    record = inbound_email_ingest(raw=_mail(html.encode("gbk"), content_type="text/html")).record
    assert record.ticket_message.body == "王堃的充值没到账"
    assert "read as gb2312 (its <meta>)" in record.reason


@pytest.mark.django_db
def test_a_raw_8_bit_subject_is_read_in_the_bodys_charset():
    """One client wrote both: a subject too short to tell GB18030 from EUC-KR by itself is read as the body is."""
    raw = _mail("您好，我昨天的提现到现在还没有到账，麻烦帮我查一下。".encode("gb18030"), subject="请尽快处".encode("gb18030"))
    record = inbound_email_ingest(raw=raw).record
    assert record.ticket.subject == "请尽快处" and record.ticket.language == "zh-hans"
    assert "Subject without a charset read as gb18030 (the body's charset)" in record.reason


@pytest.mark.django_db
def test_a_declared_charset_is_still_trusted_and_not_noted():
    raw = _mail("Вывод не пришёл".encode("koi8_r"), content_type="text/plain; charset=koi8-r")
    record = inbound_email_ingest(raw=raw).record
    assert record.ticket_message.body == "Вывод не пришёл" and "read as" not in record.reason
