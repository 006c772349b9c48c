#!/usr/bin/env python3
"""Regenerate the raw inbound-email fixtures (*.eml) and manifest.json in this folder.

    .venv/bin/python tests/tickets/emails/make_fixtures.py           # rewrite every fixture, then verify them
    .venv/bin/python tests/tickets/emails/make_fixtures.py --check   # only verify the files already on disk

Only the standard library is used, so the bytes are exactly what a mail client would send: every body is really
encoded in the charset its Content-Type names, with the Content-Transfer-Encoding the header names, and subjects
and display names are RFC 2047 encoded words in the same charset. The output is deterministic (fixed Dates,
Message-IDs and MIME boundaries, no randomness): running the script twice gives identical files.

Why email.message.Message with hand-set headers rather than MIMEText / EmailMessage.set_content:
  * MIMEText(text, "plain", "shift_jis") silently transcodes the body to ISO-2022-JP (email.charset.CHARSETS maps
    shift_jis and euc-jp to iso-2022-jp as output charset), and Charset picks its own transfer encodings;
  * policy.default re-folds every header it did not parse itself, turning a hand-made =?ISO-2022-JP?B?...?= subject
    back into a =?utf-8?...?= one.
So each leaf part is encoded here (email.base64mime / email.quoprimime) and generated with policy.compat32, which
writes header strings verbatim and 8bit payloads (held as surrogateescape text) byte for byte.

Placeholders (the tests replace these byte strings before ingesting; they only ever occur in plain ASCII header
text or in 7bit parts, never inside base64 / quoted-printable / encoded words, so a bytes.replace() finds them):
  REPLY_ADDRESS_PLACEHOLDER      the ticket's secret reply address, e.g. support+T-10001.ab12cd34ef@support.example.com
  THREAD_MESSAGE_ID_PLACEHOLDER  a Message-ID we sent on the ticket, without angle brackets; used as
                                 "In-Reply-To: <THREAD_MESSAGE_ID_PLACEHOLDER>" and inside References
  CUSTOMER_EMAIL_PLACEHOLDER     the requester's address, used as the From address of legitimate replies

manifest.json lists, per file: kind (reply_token | reply_thread | new_request | ignored | forged | other_sender |
malformed), expect_contains (must be in the stored text after decoding and stripping quotes/signatures),
expect_absent (quoted history, signatures, markup, script: must not be), subject_contains, attachments (names that
must be stored), rejected_attachments (names that must be refused), plus charset / transfer_encoding of the main
text part and a short note.
"""
import email
import email.header
import html
import json
import struct
import sys
import zlib
from email import base64mime, policy, quoprimime
from email.generator import BytesGenerator
from email.message import Message
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path

HERE = Path(__file__).resolve().parent
POLICY = policy.compat32.clone(linesep="\r\n")

REPLY = "REPLY_ADDRESS_PLACEHOLDER"
THREAD = "THREAD_MESSAGE_ID_PLACEHOLDER"
CUSTOMER = "CUSTOMER_EMAIL_PLACEHOLDER"
SUPPORT = "support@support.example.com"
SAMPLE_VALUES = {
    REPLY: "support+T-10001.ab12cd34ef@support.example.com",
    THREAD: "ticket-T-10001.ab12cd34ef-m5@support.example.com",
    CUSTOMER: "customer@mail.example.net",
}

FIXTURES = []  # (file name, raw bytes, manifest entry)


# --------------------------------------------------------------------------------------------------------------
# Building blocks
# --------------------------------------------------------------------------------------------------------------

def ew(text, label, enc="B", codec=None):
    """RFC 2047 encoded word(s) for text: bytes really encoded with codec (default: the label), labelled `label`.

    Split per character so no multibyte sequence is cut and every word stays within 75 characters; stateful
    ISO-2022-JP chunks each end back in ASCII because every chunk is encoded separately.
    """
    codec = codec or label

    def word(chunk):
        raw = chunk.encode(codec)
        if enc == "B":
            return base64mime.header_encode(raw, label).replace("?b?", "?B?", 1)
        return quoprimime.header_encode(raw, label).replace("?q?", "?Q?", 1)

    words, chunk = [], ""
    for ch in text:
        if chunk and len(word(chunk + ch)) > 75:
            words.append(word(chunk))
            chunk = ""
        chunk += ch
    words.append(word(chunk))
    return " ".join(words)


def leaf(content_type, raw, cte, extra_headers=()):
    """A non-multipart part whose payload is `raw` (bytes) encoded with `cte` (None: no CTE header, 7bit)."""
    part = Message(policy=POLICY)
    part["Content-Type"] = content_type
    if cte is not None:
        part["Content-Transfer-Encoding"] = cte
    for name, value in extra_headers:
        part[name] = value
    if cte == "base64":
        payload = base64mime.body_encode(raw)
    elif cte == "quoted-printable":
        # latin-1 maps each byte to the code point of the same value, so quoprimime writes =XX per byte.
        payload = quoprimime.body_encode(raw.decode("latin-1"))
    elif cte in (None, "7bit"):
        payload = raw.decode("ascii")  # raises if the bytes are not 7bit clean
    elif cte == "8bit":
        payload = raw.decode("ascii", "surrogateescape")  # BytesGenerator writes these bytes back unchanged
    else:
        raise ValueError(cte)
    part.set_payload(payload)
    return part


def text(body, subtype="plain", label="UTF-8", cte="quoted-printable", codec=None, params=""):
    """A text/* part: `body` encoded with codec (default: the label), declared as charset=label."""
    raw = body.encode(codec or label)
    return leaf(f'text/{subtype}; charset="{label}"{params}', raw, cte)


def attachment(content_type, filename, raw, disposition="attachment", extra_headers=()):
    return leaf(f'{content_type}; name="{filename}"', raw, "base64",
                [("Content-Disposition", f'{disposition}; filename="{filename}"'), *extra_headers])


def multipart(subtype, boundary, *parts, params=""):
    container = Message(policy=POLICY)
    container["Content-Type"] = f'multipart/{subtype}; boundary="{boundary}"{params}'
    for part in parts:
        container.attach(part)
    return container


def header_block(*pairs):
    """A header-only Message, e.g. one block of a message/delivery-status part."""
    block = Message(policy=POLICY)
    for name, value in pairs:
        block[name] = value
    return block


def fixture(name, *, body, from_, to, subject, date, kind, expect_contains=(), expect_absent=(),
            subject_contains=None, attachments=(), rejected_attachments=(), charset=None, transfer_encoding=None,
            headers=(), message_id=True, note=""):
    """Assemble a complete message (envelope headers first, then the body part's own headers) and register it."""
    msg = Message(policy=POLICY)
    msg["From"] = from_
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = date
    if message_id:
        msg["Message-ID"] = f"<fixture-{name}@mail.example.net>"
    for header, value in headers:
        msg[header] = value
    msg["MIME-Version"] = "1.0"
    for header, value in body.items():
        msg[header] = value
    # body._payload, not get_payload(): for an 8bit part compat32's get_payload() would decode the raw bytes.
    msg.set_payload(body._payload)
    out = BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=POLICY).flatten(msg)
    register(f"{name}.eml", out.getvalue(), kind=kind, expect_contains=expect_contains,
             expect_absent=expect_absent, subject_contains=subject_contains, attachments=attachments,
             rejected_attachments=rejected_attachments, charset=charset, transfer_encoding=transfer_encoding,
             note=note)


def register(file_name, raw, *, kind, expect_contains=(), expect_absent=(), subject_contains=None, attachments=(),
             rejected_attachments=(), charset=None, transfer_encoding=None, note=""):
    FIXTURES.append((file_name, raw, {
        "file": file_name, "kind": kind, "expect_contains": list(expect_contains),
        "expect_absent": list(expect_absent), "subject_contains": subject_contains,
        "attachments": list(attachments), "rejected_attachments": list(rejected_attachments),
        "charset": charset, "transfer_encoding": transfer_encoding, "note": note,
    }))


def png_bytes(width=4, height=4):
    """A real, valid RGB PNG (stored deflate blocks, so the bytes do not depend on the zlib version)."""
    rows = b"".join(b"\x00" + b"".join(bytes(((x * 60) % 256, (y * 60) % 256, 200)) for x in range(width))
                    for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 0)) + chunk(b"IEND", b""))


def pdf_bytes():
    """A minimal one-page PDF with a correct xref table."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >>"]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


def exe_bytes():
    """The start of a Windows PE executable: MZ header, DOS stub message, padding."""
    return (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + b"\x00" * 43 + b"\x80\x00\x00\x00"
            + b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21"
            + b"This program cannot be run in DOS mode.\r\r\n$" + b"\x00" * 7 + b"PE\x00\x00" + b"\x00" * 300)


ATTRIBUTION_EN = f"On Mon, Nov 23, 2026 at 10:15 AM Support <{SUPPORT}> wrote:"
ATTRIBUTION_ZH = f"在 2026年11月23日 10:15，Support <{SUPPORT}> 写道："
ATTRIBUTION_ZH_TW = f"於 2026年11月23日 10:15，Support <{SUPPORT}> 寫道："
ATTRIBUTION_JA = f"2026年11月23日(月) 10:15 Support <{SUPPORT}>:"
ATTRIBUTION_KO = f"2026년 11월 23일 (월) 오전 10:15, Support <{SUPPORT}>님이 작성:"
ATTRIBUTION_RU = f"пн, 23 нояб. 2026 г. в 10:15, Support <{SUPPORT}>:"
ATTRIBUTION_ES = f"El lun, 23 nov 2026 a las 10:15, Support (<{SUPPORT}>) escribió:"


def quoted(*lines):
    return "\n".join(("> " + line) if line else ">" for line in lines) + "\n"


# --------------------------------------------------------------------------------------------------------------
# 1-11. Charsets: replies through the reply address, from the requester, new text on top of quoted history
# --------------------------------------------------------------------------------------------------------------

def charset_fixtures():
    fixture(
        "charset_utf8_qp", kind="reply_token", charset="utf-8", transfer_encoding="quoted-printable",
        from_=f"{ew('Zoë Martin', 'UTF-8', 'B')} <{CUSTOMER}>", to=REPLY,
        subject=ew("Re: Refund for my café order ☕", "UTF-8", "Q"),
        date="Mon, 23 Nov 2026 16:42:09 +0000",
        body=text("Hi team,\n\n"
                  "Thanks for the quick answer 🙂 The refund for the café order #4471 has not reached my card yet.\n"
                  "Could you check it again, please?\n\n"
                  "Best regards,\nZoë\n\n"
                  f"{ATTRIBUTION_EN}\n\n"
                  + quoted("Hello Zoë,", "", "ORIGINAL-SUPPORT-TEXT: we issued a refund of 12.50 EUR on Nov 20.",
                           "It can take 5-7 business days to appear on your statement.", "",
                           "Kind regards,", "Support"),
                  label="UTF-8", cte="quoted-printable"),
        expect_contains=["café order #4471", "🙂", "Could you check it again, please?"],
        expect_absent=["ORIGINAL-SUPPORT-TEXT", "5-7 business days", "wrote:"],
        subject_contains="café order ☕",
        note="UTF-8 body in quoted-printable (emoji = 4-byte sequence =F0=9F=99=82); Q-encoded subject, B-encoded name.")

    fixture(
        "charset_gb2312_base64", kind="reply_token", charset="gb2312", transfer_encoding="base64",
        from_=f"{ew('王小明', 'GB2312')} <{CUSTOMER}>", to=REPLY,
        subject="Re: " + ew("订单还没有收到", "GB2312"),
        date="Tue, 24 Nov 2026 09:12:44 +0800",
        headers=[("X-Mailer", "Foxmail 7.2.25.228[cn]")],
        body=text("您好，\n\n"
                  "我的订单 20261120 到现在还没有收到，物流信息三天没有更新了。\n"
                  "请帮我查一下，谢谢！\n\n"
                  "王小明\n\n"
                  f"{ATTRIBUTION_ZH}\n"
                  + quoted("王先生您好，", "", "客服原文：您的包裹已经从仓库发出，预计三到五天送达。"),
                  label="GB2312", cte="base64"),
        expect_contains=["订单 20261120 到现在还没有收到", "请帮我查一下"],
        expect_absent=["客服原文", "预计三到五天送达", "写道"],
        subject_contains="订单还没有收到",
        note="GB2312 (EUC-CN) body in base64; subject and display name =?GB2312?B?...?=.")

    qq_header = ("------------------ 原始邮件 ------------------\n"
                 f"发件人: \"Support\"<{SUPPORT}>;\n"
                 "发送时间: 2026年11月23日(星期一) 上午10:15\n"
                 "收件人: \"{name}\";\n"
                 "主题: {subject}\n\n")
    fixture(
        "charset_gbk", kind="reply_token", charset="gbk", transfer_encoding="base64",
        from_=f"{ew('李堃', 'gbk')} <{CUSTOMER}>", to=REPLY,
        subject="Re: " + ew("发票抬头需要修改（李堃）", "gbk"),
        date="Tue, 24 Nov 2026 10:03:51 +0800",
        headers=[("X-Mailer", "Foxmail 7.2.25.228[cn]")],
        body=text("你好，\n\n"
                  "发票抬头请改成“杭州堃元科技有限公司”，税号不变。\n"
                  "改好以后麻烦重新发一份电子发票给我。\n\n"
                  "李堃\n\n\n"
                  + qq_header.format(name="李堃", subject="回复：发票抬头需要修改")
                  + "客服原文：请提供新的发票抬头和税号。\n",
                  label="gbk", cte="base64"),
        expect_contains=["杭州堃元科技有限公司", "重新发一份电子发票"],
        expect_absent=["客服原文", "原始邮件", "请提供新的发票抬头和税号"],
        subject_contains="发票抬头需要修改（李堃）",
        note="GBK body in base64 containing 堃 (U+5803), which is not in GB2312; QQ/Foxmail style quoted block.")

    fixture(
        "charset_gb18030", kind="reply_token", charset="gb18030", transfer_encoding="8bit",
        from_=f"{ew('周镕', 'GB18030')} <{CUSTOMER}>", to=REPLY,
        subject="Re: " + ew("发票上的店名显示不全", "GB18030"),
        date="Tue, 24 Nov 2026 11:26:30 +0800",
        headers=[("X-QQ-mid", "fixture-gb18030")],
        body=text("您好，\n\n"
                  "我是周镕。发票上店名里的“𠮷”字显示成了问号，能不能重新开一张？\n"
                  "店名应该是“𠮷祥小馆”。\n\n"
                  "周镕\n\n\n"
                  + qq_header.format(name="周镕", subject="回复：发票上的店名显示不全")
                  + "客服原文：电子发票已经发送到您的邮箱。\n",
                  label="GB18030", cte="8bit"),
        expect_contains=["我是周镕", "“𠮷祥小馆”"],
        expect_absent=["客服原文", "原始邮件", "电子发票已经发送到您的邮箱"],
        subject_contains="发票上的店名显示不全",
        note="Raw 8bit GB18030: 镕 (U+9555, GBK two-byte, not GB2312) and 𠮷 (U+20BB7, a four-byte GB18030 "
             "sequence that GBK cannot decode).")

    fixture(
        "charset_big5_qp", kind="reply_token", charset="big5", transfer_encoding="quoted-printable",
        from_=f"{ew('陳美玲', 'big5')} <{CUSTOMER}>", to=REPLY,
        subject="Re: " + ew("帳戶無法登入", "big5", "Q"),
        date="Tue, 24 Nov 2026 14:08:02 +0800",
        body=text("您好，\n\n"
                  "我的帳戶從昨天開始就無法登入，一直顯示「密碼錯誤」。\n"
                  "我已經重設過兩次密碼了，還是一樣，也許是系統的問題？\n\n"
                  "陳美玲\n\n"
                  f"{ATTRIBUTION_ZH_TW}\n"
                  + quoted("陳小姐您好：", "", "客服原文：請先清除瀏覽器快取後再試一次。"),
                  label="big5", cte="quoted-printable"),
        expect_contains=["一直顯示「密碼錯誤」", "也許是系統的問題"],
        expect_absent=["客服原文", "清除瀏覽器快取", "寫道"],
        subject_contains="帳戶無法登入",
        note="Big5 in quoted-printable; 許 is A4 5C, i.e. its trail byte is a literal backslash. Q-encoded subject.")

    fixture(
        "charset_iso2022jp", kind="reply_token", charset="iso-2022-jp", transfer_encoding="7bit",
        from_=f"{ew('山田太郎', 'ISO-2022-JP')} <{CUSTOMER}>", to=REPLY,
        subject="Re: " + ew("請求書の再発行について", "ISO-2022-JP"),
        date="Tue, 24 Nov 2026 09:41:17 +0900",
        headers=[("X-Mailer", "Becky! ver. 2.81.04")],
        body=text("サポートご担当者様\n\n"
                  "お世話になっております。山田です。\n"
                  "先月分の請求書が届いていないので、再発行をお願いできますでしょうか。\n\n"
                  "よろしくお願いいたします。\n山田太郎\n\n"
                  f"{ATTRIBUTION_JA}\n"
                  + quoted("山田様", "", "サポート原文：請求書は毎月1日に送付しております。"),
                  label="ISO-2022-JP", cte="7bit"),
        expect_contains=["先月分の請求書が届いていない", "再発行をお願いできますでしょうか"],
        expect_absent=["サポート原文", "毎月1日に送付しております"],
        subject_contains="請求書の再発行について",
        note="ISO-2022-JP (JIS) body, 7bit, escape sequences ESC $ B / ESC ( B; subject =?ISO-2022-JP?B?...?=.")

    fixture(
        "charset_shift_jis_base64", kind="reply_token", charset="shift_jis", transfer_encoding="base64",
        from_=f"{ew('佐藤花子', 'Shift_JIS')} <{CUSTOMER}>", to=REPLY,
        subject="RE: " + ew("配送先の変更", "Shift_JIS"),
        date="Tue, 24 Nov 2026 13:55:40 +0900",
        headers=[("X-Mailer", "Microsoft Outlook 16.0")],
        body=text("お世話になっております。佐藤です。\n\n"
                  "注文番号 JP-88231（ソファ）の配送先を、東京の住所から大阪の実家に変更したいです。\n"
                  "まだ間に合いますか？\n\n"
                  "佐藤花子\n\n"
                  "-----Original Message-----\n"
                  f"差出人: Support <{SUPPORT}>\n"
                  "送信日時: 2026年11月23日 10:15\n"
                  "宛先: 佐藤花子\n"
                  "件名: 配送先の変更\n\n"
                  "佐藤様\n\n"
                  "サポート原文：ご注文は明日発送予定です。\n",
                  label="Shift_JIS", cte="base64"),
        expect_contains=["JP-88231（ソファ）の配送先", "まだ間に合いますか？"],
        expect_absent=["サポート原文", "-----Original Message-----", "差出人", "明日発送予定です"],
        subject_contains="配送先の変更",
        note="Shift_JIS in base64; ソ is 83 5C (trail byte = backslash). Outlook-JP style header block, not >-quoted.")

    fixture(
        "charset_euc_kr_base64", kind="reply_token", charset="euc-kr", transfer_encoding="base64",
        from_=f"{ew('김민준', 'EUC-KR')} <{CUSTOMER}>", to=REPLY,
        subject="Re: " + ew("환불 요청", "EUC-KR"),
        date="Tue, 24 Nov 2026 15:20:11 +0900",
        body=text("안녕하세요,\n\n"
                  "지난주에 주문한 이어폰이 불량이라서 환불을 받고 싶습니다.\n"
                  "반품 주소를 알려주시면 바로 보내겠습니다.\n\n"
                  "김민준\n\n"
                  "-----Original Message-----\n"
                  f"From: \"Support\"<{SUPPORT}>\n"
                  "To: \"김민준\";\n"
                  "Sent: 2026-11-23 (월) 10:15:00 (GMT+09:00)\n"
                  "Subject: 환불 요청\n\n"
                  "상담원 원문: 제품 사진을 보내주시면 확인하겠습니다.\n",
                  label="EUC-KR", cte="base64"),
        expect_contains=["이어폰이 불량이라서 환불을 받고 싶습니다", "반품 주소를 알려주시면"],
        expect_absent=["상담원 원문", "-----Original Message-----", "제품 사진을 보내주시면"],
        subject_contains="환불 요청",
        note="EUC-KR (KS X 1001 syllables only) in base64; Naver-style '-----Original Message-----' block.")

    fixture(
        "charset_koi8r_qp", kind="reply_token", charset="koi8-r", transfer_encoding="quoted-printable",
        from_=f"{ew('Иван Петров', 'KOI8-R')} <{CUSTOMER}>", to=REPLY,
        subject="Re: " + ew("Не приходит код подтверждения", "KOI8-R", "Q"),
        date="Tue, 24 Nov 2026 12:30:55 +0300",
        headers=[("User-Agent", "Mutt/2.2.12 (2023-09-09)")],
        body=text("Здравствуйте!\n\n"
                  "Код подтверждения по SMS так и не пришёл, хотя я запрашивал его три раза.\n"
                  "Номер телефона указан правильно.\n\n"
                  "Иван Петров\n\n"
                  f"{ATTRIBUTION_RU}\n"
                  + quoted("Иван, добрый день!", "",
                           "ИСХОДНЫЙ ТЕКСТ ПОДДЕРЖКИ: попробуйте запросить код ещё раз через 10 минут."),
                  label="KOI8-R", cte="quoted-printable"),
        expect_contains=["так и не пришёл", "Номер телефона указан правильно"],
        expect_absent=["ИСХОДНЫЙ ТЕКСТ ПОДДЕРЖКИ", "через 10 минут"],
        subject_contains="Не приходит код подтверждения",
        note="KOI8-R in quoted-printable (ё = =A3); Q-encoded KOI8-R subject, B-encoded name.")

    fixture(
        "charset_cp1251_8bit", kind="reply_token", charset="windows-1251", transfer_encoding="8bit",
        from_=f"{ew('Ольга Смирнова', 'windows-1251', 'Q')} <{CUSTOMER}>", to=REPLY,
        subject="RE: " + ew("Двойное списание", "windows-1251"),
        date="Tue, 24 Nov 2026 17:04:28 +0300",
        headers=[("X-Mailer", "Microsoft Outlook 15.0")],
        body=text("Добрый день.\n\n"
                  "С моей карты дважды списали 1490 руб. за один заказ №5530.\n"
                  "Прошу вернуть лишнее списание на ту же карту.\n\n"
                  "С уважением,\nОльга Смирнова\n\n"
                  "-----Исходное сообщение-----\n"
                  f"От: Support <{SUPPORT}>\n"
                  "Отправлено: 23 ноября 2026 г. 10:15\n"
                  "Кому: Ольга Смирнова\n"
                  "Тема: Двойное списание\n\n"
                  "ИСХОДНЫЙ ТЕКСТ ПОДДЕРЖКИ: мы передали ваш вопрос в бухгалтерию.\n",
                  label="windows-1251", cte="8bit"),
        expect_contains=["дважды списали 1490 руб. за один заказ №5530", "Прошу вернуть лишнее списание"],
        expect_absent=["ИСХОДНЫЙ ТЕКСТ ПОДДЕРЖКИ", "Исходное сообщение", "передали ваш вопрос в бухгалтерию"],
        subject_contains="Двойное списание",
        note="Raw 8bit windows-1251 (№ = B9); Russian Outlook '-----Исходное сообщение-----' block.")

    fixture(
        "charset_latin1_spanish", kind="reply_token", charset="iso-8859-1", transfer_encoding="quoted-printable",
        from_=f"{ew('José Núñez', 'iso-8859-1', 'Q')} <{CUSTOMER}>", to=REPLY,
        subject="RE: " + ew("¿Dónde está mi pedido?", "iso-8859-1", "Q"),
        date="Tue, 24 Nov 2026 18:45:00 +0100",
        body=text("Hola:\n\n"
                  "¿Podrían decirme cuándo llegará mi pedido?\n"
                  "Lo pedí hace dos semanas para el cumpleaños de mi niña y todavía no ha llegado.\n\n"
                  "Muchas gracias,\nJosé Núñez\n\n"
                  "________________________________\n"
                  f"De: Support <{SUPPORT}>\n"
                  "Enviado: lunes, 23 de noviembre de 2026 10:15\n"
                  "Para: José Núñez\n"
                  "Asunto: ¿Dónde está mi pedido?\n\n"
                  "TEXTO ORIGINAL DE SOPORTE: su pedido está en preparación.\n",
                  label="iso-8859-1", cte="quoted-printable"),
        expect_contains=["¿Podrían decirme cuándo llegará mi pedido?", "cumpleaños de mi niña"],
        expect_absent=["TEXTO ORIGINAL DE SOPORTE", "Enviado:", "en preparación"],
        subject_contains="¿Dónde está mi pedido?",
        note="ISO-8859-1 quoted-printable (ñ=F1, ¿=BF, á=E1); Spanish Outlook block after a line of underscores.")

    fixture(
        "gb2312_mislabelled_gbk", kind="reply_token", charset="gb2312", transfer_encoding="base64",
        from_=f"{ew('刘堃', 'gb2312', codec='gbk')} <{CUSTOMER}>", to=REPLY,
        subject="Re: " + ew("请把收件人改成刘堃", "gb2312", codec="gbk"),
        date="Wed, 25 Nov 2026 08:30:12 +0800",
        headers=[("X-Mailer", "Foxmail 6, 15, 201, 23 [cn]")],
        body=text("你好，\n\n"
                  "收件人姓名写错了，应该是“刘堃”，不是“刘坤”。\n"
                  "快递单上的名字也请一起改一下，谢谢。\n\n"
                  f"{ATTRIBUTION_ZH}\n"
                  + quoted("您好，", "", "客服原文：收件信息已经更新。"),
                  label="gb2312", codec="gbk", cte="base64"),
        expect_contains=["应该是“刘堃”，不是“刘坤”", "快递单上的名字也请一起改一下"],
        expect_absent=["客服原文", "收件信息已经更新", "写道"],
        subject_contains="请把收件人改成刘堃",
        note="Declared gb2312 but 堃 is encoded as GBK bytes (88 D2), in body, subject and display name: strict "
             "gb2312 decoding fails; decode gb2312 labels as GB18030 (a superset) to get the text.")


# --------------------------------------------------------------------------------------------------------------
# 12-16. Quoting styles of common clients and languages
# --------------------------------------------------------------------------------------------------------------

def quoting_fixtures():
    gmail_text = ("Hi,\n\n"
                  "I tried the steps you sent but the export still stops at 99%.\n"
                  "The log only says \"quota exceeded\".\n\n"
                  "Thanks,\nPriya\n\n"
                  f"{ATTRIBUTION_EN}\n\n"
                  + quoted("Hi Priya,", "",
                           "ORIGINAL-SUPPORT-TEXT: please clear the export cache and run the export again.", "",
                           "Kind regards,", "Support"))
    gmail_html = (
        '<div dir="ltr"><div>Hi,</div><div><br></div>'
        "<div>I tried the steps you sent but the export still stops at 99%.</div>"
        "<div>The log only says &quot;quota exceeded&quot;.</div><div><br></div>"
        "<div>Thanks,</div><div>Priya</div></div><br>"
        '<div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">On Mon, Nov 23, 2026 at '
        f'10:15 AM Support &lt;<a href="mailto:{SUPPORT}">{SUPPORT}</a>&gt; wrote:<br></div>'
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);'
        'padding-left:1ex"><div>Hi Priya,<br><br>ORIGINAL-SUPPORT-TEXT: please clear the export cache and run the '
        "export again.<br><br>Kind regards,<br>Support</div></blockquote></div>\n")
    fixture(
        "gmail_reply", kind="reply_token", charset="utf-8", transfer_encoding=None,
        from_=f"Priya Raman <{CUSTOMER}>", to=REPLY, subject="Re: Export keeps failing",
        date="Mon, 23 Nov 2026 11:02:17 -0500",
        body=multipart("alternative", "000000000000fixture0gmail0reply",
                       text(gmail_text, label="UTF-8", cte=None),
                       text(gmail_html, "html", label="UTF-8", cte="quoted-printable")),
        expect_contains=["the export still stops at 99%", "quota exceeded"],
        expect_absent=["ORIGINAL-SUPPORT-TEXT", "clear the export cache", "wrote:"],
        subject_contains="Export keeps failing",
        note="Gmail: multipart/alternative; text/plain without a CTE header (7bit), html with div.gmail_quote.")

    fixture(
        "outlook_reply", kind="reply_token", charset="us-ascii", transfer_encoding="quoted-printable",
        from_=f"Dana Whitfield <{CUSTOMER}>", to=REPLY, subject="RE: Replacement charger",
        date="Mon, 23 Nov 2026 15:31:02 +0000",
        headers=[("Thread-Topic", "Replacement charger"), ("Thread-Index", "AdtdhFixtureOutlookReply00000000000=="),
                 ("X-MS-Has-Attach", ""), ("Content-Language", "en-GB")],
        body=text("Hello,\n\n"
                  "The replacement charger arrived today, but it is the EU plug model and I need the UK plug "
                  "version.\nCan you swap it?\n\n"
                  "Thanks,\nDana Whitfield\n\n"
                  "________________________________\n"
                  f"From: Support <{SUPPORT}>\n"
                  "Sent: Monday, November 23, 2026 10:15 AM\n"
                  "To: Dana Whitfield\n"
                  "Subject: RE: Replacement charger\n\n"
                  "Hello Dana,\n\n"
                  "ORIGINAL-SUPPORT-TEXT: your replacement charger was shipped on November 20.\n\n"
                  "Kind regards,\nSupport\n",
                  label="us-ascii", cte="quoted-printable"),
        expect_contains=["it is the EU plug model", "Can you swap it?"],
        expect_absent=["ORIGINAL-SUPPORT-TEXT", "Sent: Monday, November 23, 2026", "was shipped on November 20"],
        subject_contains="Replacement charger",
        note="Outlook plain text: underscore line then From/Sent/To/Subject block; old text is not >-quoted. The "
             "first body line is longer than 76 chars, so it carries a QP soft line break.")

    outlook_html = (
        '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        '<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>\n'
        '</head>\n<body dir="ltr">\n'
        '<div class="elementToProof" style="font-family: Aptos, Calibri, Helvetica, sans-serif; font-size: 12pt; '
        'color: rgb(0, 0, 0);">\nHi,<br><br>\n'
        "The replacement charger works fine now, thank you for the quick swap!<br>\n"
        "You can close this request.<br><br>Dana</div>\n"
        '<div id="appendonsend"></div>\n'
        '<hr style="display:inline-block;width:98%" tabindex="-1">\n'
        '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" '
        'color="#000000"><b>From:</b> Support &lt;' + SUPPORT + '&gt;<br>\n'
        "<b>Sent:</b> Monday, November 23, 2026 10:15 AM<br>\n<b>To:</b> Dana Whitfield<br>\n"
        "<b>Subject:</b> RE: Replacement charger</font>\n<div>&nbsp;</div>\n</div>\n"
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">\n'
        '<p class="MsoNormal">Hello Dana,</p>\n'
        '<p class="MsoNormal">ORIGINAL-SUPPORT-TEXT: the UK plug version is on its way.</p>\n'
        "</div>\n</body>\n</html>\n")
    fixture(
        "outlook_reply_html_only", kind="reply_token", charset="utf-8", transfer_encoding="quoted-printable",
        from_=f"Dana Whitfield <{CUSTOMER}>", to=REPLY, subject="RE: Replacement charger",
        date="Wed, 25 Nov 2026 09:14:40 +0000",
        headers=[("Thread-Topic", "Replacement charger"), ("Thread-Index", "AdtdhFixtureOutlookReply00000000001=="),
                 ("Content-Language", "en-GB")],
        body=text(outlook_html, "html", label="utf-8", cte="quoted-printable"),
        expect_contains=["The replacement charger works fine now", "You can close this request."],
        expect_absent=["ORIGINAL-SUPPORT-TEXT", "divRplyFwdMsg", "the UK plug version is on its way",
                       "Sent: Monday", "margin-top"],
        subject_contains="Replacement charger",
        note="Outlook on the web, text/html only: reply, <hr>, div#divRplyFwdMsg header block, then the old "
             "message in a border-top div.")

    fixture(
        "apple_mail_reply", kind="reply_token", charset="utf-8", transfer_encoding="quoted-printable",
        from_=f"Marcus Bell <{CUSTOMER}>", to=REPLY, subject="Re: Two subscriptions on my account",
        date="Mon, 23 Nov 2026 10:58:33 -0800",
        headers=[("X-Mailer", "iPhone Mail (22B91)")],
        body=text("Yes, please cancel the second subscription. I’m keeping the family plan.\n\n"
                  "Sent from my iPhone\n\n"
                  f"On Nov 23, 2026, at 10:15, Support <{SUPPORT}> wrote:\n\n"
                  + quoted("\ufeffHello Marcus,", "",
                           "ORIGINAL-SUPPORT-TEXT: we found two active subscriptions on your account.",
                           "Which one should we cancel?"),
                  label="utf-8", cte="quoted-printable"),
        expect_contains=["please cancel the second subscription", "the family plan"],
        expect_absent=["ORIGINAL-SUPPORT-TEXT", "Sent from my iPhone", "two active subscriptions", "wrote:"],
        subject_contains="Two subscriptions",
        note="iPhone Mail: curly apostrophe, 'Sent from my iPhone' signature, attribution, then '> ' lines (the "
             "first quoted line starts with U+FEFF, as iOS does).")

    fixture(
        "reply_with_signature", kind="reply_token", charset="utf-8", transfer_encoding="7bit",
        from_=f"Hannah Okafor <{CUSTOMER}>", to=REPLY, subject="Re: Warranty claim",
        date="Mon, 23 Nov 2026 13:20:00 +0000",
        headers=[("User-Agent", "Mozilla Thunderbird")],
        body=text("Hello again,\n\n"
                  "Here is the serial number you asked for: SN-4420-XK-19.\n"
                  "The device is still under warranty, so I would expect a free repair or a \n"
                  "replacement.\n\n"
                  "-- \n"
                  "Hannah Okafor\n"
                  "Facilities Manager | Brightwater Dental Clinic\n"
                  "+1 555 0100 ext. 42\n",
                  label="UTF-8", cte="7bit", params="; format=flowed"),
        expect_contains=["SN-4420-XK-19", "still under warranty"],
        expect_absent=["Facilities Manager", "Brightwater Dental Clinic", "+1 555 0100"],
        subject_contains="Warranty claim",
        note="Thunderbird format=flowed (one soft-wrapped line ending in a space), '-- ' signature separator.")

    language_replies = [
        ("reply_zh_quote", "base64", "Tue, 24 Nov 2026 20:11:05 +0800", "陈静", "应用登录闪退",
         "你好，\n\n我按照你们说的重新安装了应用，但是登录的时候还是闪退。\n"
         "手机型号是华为 Mate 60，系统已经是最新版本。\n\n"
         f"{ATTRIBUTION_ZH}\n" + quoted("您好，", "", "客服原文：请卸载后重新安装应用，然后再试一次。"),
         ["登录的时候还是闪退", "华为 Mate 60"], ["客服原文", "请卸载后重新安装应用", "写道"]),
        ("reply_ja_quote", "8bit", "Tue, 24 Nov 2026 21:40:19 +0900", "田中健", "同期エラーについて",
         "ご回答ありがとうございます。\n\nアプリを再起動したところ、同期が正常に動くようになりました。\n"
         "このチケットは閉じていただいて大丈夫です。\n\n"
         f"{ATTRIBUTION_JA}\n\n" + quoted("田中様", "", "サポート原文：アプリを一度再起動してお試しください。"),
         ["同期が正常に動くようになりました", "閉じていただいて大丈夫です"],
         ["サポート原文", "一度再起動してお試しください"]),
        ("reply_ko_quote", "base64", "Tue, 24 Nov 2026 19:02:48 +0900", "이서연", "결제 페이지 오류",
         "답변 감사합니다.\n\n말씀하신 대로 캐시를 삭제했더니 결제 페이지가 정상적으로 열립니다.\n"
         "추가로 영수증을 이메일로 받을 수 있을까요?\n\n"
         f"{ATTRIBUTION_KO}\n" + quoted("안녕하세요, 고객님.", "", "상담원 원문: 브라우저 캐시를 삭제한 후 다시 시도해 주세요."),
         ["결제 페이지가 정상적으로 열립니다", "영수증을 이메일로 받을 수 있을까요?"], ["상담원 원문", "님이 작성"]),
        ("reply_ru_quote", "quoted-printable", "Tue, 24 Nov 2026 16:17:33 +0300", "Анна Кузнецова",
         "Не приходят уведомления",
         "Добрый день!\n\nСпасибо, после обновления приложения уведомления снова приходят.\n"
         "Но в тёмной теме кнопка «Оплатить» почти не видна.\n\n"
         f"{ATTRIBUTION_RU}\n" + quoted("Здравствуйте!", "", "ИСХОДНЫЙ ТЕКСТ ПОДДЕРЖКИ: обновите приложение до версии 5.2."),
         ["уведомления снова приходят", "кнопка «Оплатить» почти не видна"],
         ["ИСХОДНЫЙ ТЕКСТ ПОДДЕРЖКИ", "до версии 5.2"]),
        ("reply_es_quote", "quoted-printable", "Tue, 24 Nov 2026 12:09:51 +0100", "Lucía Fernández",
         "Reembolso del pedido",
         "Hola,\n\nYa recibí el reembolso, ¡muchas gracias por la rapidez!\n"
         "Solo una pregunta más: ¿puedo usar el cupón en mi próxima compra?\n\n"
         f"{ATTRIBUTION_ES}\n\n" + quoted("Hola Lucía:", "", "TEXTO ORIGINAL DE SOPORTE: hemos procesado su reembolso."),
         ["Ya recibí el reembolso", "¿puedo usar el cupón en mi próxima compra?"],
         ["TEXTO ORIGINAL DE SOPORTE", "escribió"]),
    ]
    for name, cte, date, person, topic, body, contains, absent in language_replies:
        fixture(
            name, kind="reply_token", charset="utf-8", transfer_encoding=cte,
            from_=f"{ew(person, 'UTF-8')} <{CUSTOMER}>", to=REPLY, subject="Re: " + ew(topic, "UTF-8"),
            date=date, body=text(body, label="UTF-8", cte=cte),
            expect_contains=contains, expect_absent=absent, subject_contains=topic,
            note="Gmail-style localized attribution line, then '> ' quoted lines; UTF-8 body.")


# --------------------------------------------------------------------------------------------------------------
# 17-22. Content types, new requests, threading
# --------------------------------------------------------------------------------------------------------------

def content_fixtures():
    fixture(
        "html_only", kind="new_request", charset="utf-8", transfer_encoding="quoted-printable",
        from_=f"Greg Lindqvist <{CUSTOMER}>", to=SUPPORT, subject="Label printer stopped working",
        date="Mon, 23 Nov 2026 08:05:00 +0000",
        body=text('<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n<style>p{color:#333333}</style></head>\n'
                  "<body>\n<p>Hello support,</p>\n"
                  "<p>Our <b>label printer</b> stopped printing after the firmware update.<br>"
                  "The status light blinks orange three times.</p>\n"
                  "<p>Please advise &amp; thank you!</p>\n"
                  "<script>alert(1)</script>\n"
                  '<img src="https://tracker.example.invalid/pixel.gif" onerror="alert(\'xss\')">\n'
                  "</body></html>\n", "html", label="utf-8", cte="quoted-printable"),
        expect_contains=["label printer", "stopped printing after the firmware update",
                         "The status light blinks orange three times.", "Please advise & thank you!"],
        expect_absent=["alert(", "<script", "<b>", "<p>", "<br", "onerror", "&amp;", "p{color", "tracker.example"],
        subject_contains="Label printer",
        note="text/html only: markup, <style>, <script> and the <img onerror> must go; &amp; becomes &.")

    fixture(
        "with_attachments", kind="new_request", charset="utf-8", transfer_encoding="7bit",
        from_=f"Dana Whitfield <{CUSTOMER}>", to=SUPPORT,
        subject=ew("Charged twice – screenshot and statement attached", "UTF-8", "Q"),
        date="Mon, 23 Nov 2026 09:30:00 +0000",
        body=multipart("mixed", "fixture-mixed-with-attachments",
                       text("Hello,\n\nI was charged twice for order 7731. I attached a screenshot of the app and "
                            "my bank statement.\n\nDana\n", label="UTF-8", cte="7bit"),
                       attachment("image/png", "screenshot.png", png_bytes()),
                       attachment("application/pdf", "statement.pdf", pdf_bytes())),
        expect_contains=["I was charged twice for order 7731."],
        attachments=["screenshot.png", "statement.pdf"], subject_contains="Charged twice – screenshot",
        note="multipart/mixed: text + a real 4x4 PNG + a minimal valid one-page PDF, both base64.")

    fixture(
        "inline_image", kind="new_request", charset="utf-8", transfer_encoding="quoted-printable",
        from_=f"Dana Whitfield <{CUSTOMER}>", to=SUPPORT, subject="Error dialog in Settings",
        date="Mon, 23 Nov 2026 09:45:00 +0000",
        body=multipart("related", "fixture-related-inline-image",
                       text("<html><body>\n<p>The app shows this error when I open Settings:</p>\n"
                            '<p><img src="cid:error-dialog.png@01DB3C7A" alt="error dialog" width="4" height="4">'
                            "</p>\n<p>It started after yesterday’s update.</p>\n</body></html>\n",
                            "html", label="utf-8", cte="quoted-printable"),
                       attachment("image/png", "error-dialog.png", png_bytes(), disposition="inline",
                                  extra_headers=[("Content-ID", "<error-dialog.png@01DB3C7A>")]),
                       params='; type="text/html"'),
        expect_contains=["The app shows this error when I open Settings:", "It started after yesterday’s update."],
        expect_absent=["cid:", "<img"], attachments=["error-dialog.png"], subject_contains="Error dialog",
        note="multipart/related: html referencing an inline PNG by Content-ID (expected to be stored as an "
             "attachment so agents can see it).")

    fixture(
        "with_bad_attachment", kind="new_request", charset="utf-8", transfer_encoding="7bit",
        from_=f"Dana Whitfield <{CUSTOMER}>", to=SUPPORT, subject="Invoice for my refund request",
        date="Mon, 23 Nov 2026 10:02:00 +0000",
        body=multipart("mixed", "fixture-mixed-bad-attachment",
                       text("Hi,\n\nPlease find my invoice attached so you can process the refund.\n\nDana\n",
                            label="UTF-8", cte="7bit"),
                       attachment("application/pdf", "invoice.pdf", exe_bytes())),
        expect_contains=["Please find my invoice attached"], rejected_attachments=["invoice.pdf"],
        subject_contains="Invoice for my refund",
        note="invoice.pdf is declared application/pdf but is a Windows executable (MZ/PE): keep the mail, refuse "
             "the file.")

    fixture(
        "new_request_known", kind="new_request", charset="utf-8", transfer_encoding="7bit",
        from_=f"Dana Whitfield <{CUSTOMER}>", to=SUPPORT, subject="Cannot change my delivery address",
        date="Mon, 23 Nov 2026 07:50:00 +0000",
        body=text("Hello,\n\n"
                  "I moved last week and the website will not let me change my delivery address.\n"
                  "The save button stays grey after I type the new postcode.\n\n"
                  "Regards,\nDana\n", label="UTF-8", cte="7bit"),
        expect_contains=["will not let me change my delivery address", "The save button stays grey"],
        subject_contains="Cannot change my delivery address",
        note="Brand-new request from the known requester: no reply address, no In-Reply-To/References.")

    fixture(
        "new_request_unknown_sender", kind="new_request", charset="utf-8", transfer_encoding="quoted-printable",
        from_="Nuevo Cliente <nuevo.cliente@mail.example.net>", to=SUPPORT,
        subject=ew("Consulta sobre envíos a Canarias", "UTF-8", "Q"),
        date="Mon, 23 Nov 2026 19:22:10 +0100",
        body=text("Buenas tardes:\n\n"
                  "¿Hacen envíos a las Islas Canarias? Me interesa la cafetera modelo Barista 3000.\n"
                  "Quisiera saber el coste del envío a Tenerife.\n\n"
                  "Un saludo,\nNuevo Cliente\n", label="UTF-8", cte="quoted-printable"),
        expect_contains=["¿Hacen envíos a las Islas Canarias?", "coste del envío a Tenerife"],
        subject_contains="envíos a Canarias",
        note="New request from an address with no account.")

    fixture(
        "reply_by_thread_headers", kind="reply_thread", charset="utf-8", transfer_encoding="7bit",
        from_=f"Dana Whitfield <{CUSTOMER}>", to=SUPPORT, subject="Re: Parcel marked as delivered",
        date="Tue, 24 Nov 2026 08:12:00 +0000",
        headers=[("In-Reply-To", f"<{THREAD}>"),
                 ("References", f"<fixture-dana-first-request@mail.example.net> <{THREAD}>")],
        body=text("Hi,\n\n"
                  "Update: the courier left a note saying the parcel is at the corner shop.\n"
                  "I will pick it up tonight.\n\n"
                  "Dana\n\n"
                  f"{ATTRIBUTION_EN}\n\n"
                  + quoted("Hello Dana,", "", "ORIGINAL-SUPPORT-TEXT: the tracking page says the parcel was delivered."),
                  label="UTF-8", cte="7bit"),
        expect_contains=["the courier left a note", "I will pick it up tonight."],
        expect_absent=["ORIGINAL-SUPPORT-TEXT", "the tracking page says", "wrote:"],
        subject_contains="Parcel marked as delivered",
        note="Sent to the plain support address (no token); matched only via In-Reply-To/References.")


# --------------------------------------------------------------------------------------------------------------
# 23-27. Safety: auto-replies, bounces, forged or foreign senders, no Message-ID, broken input
# --------------------------------------------------------------------------------------------------------------

def safety_fixtures():
    fixture(
        "auto_reply_autosubmitted", kind="ignored", charset="utf-8", transfer_encoding="7bit",
        from_=f"Dana Whitfield <{CUSTOMER}>", to=REPLY, subject="Automatic reply: Replacement charger",
        date="Mon, 23 Nov 2026 10:15:09 +0000",
        headers=[("Auto-Submitted", "auto-replied")],
        body=text("I am out of the office until December 1 with limited access to email.\n"
                  "For urgent matters please call reception.\n", label="UTF-8", cte="7bit"),
        note="Only signal: Auto-Submitted: auto-replied (RFC 3834).")

    fixture(
        "auto_reply_precedence", kind="ignored", charset="utf-8", transfer_encoding="7bit",
        from_=f"Dana Whitfield <{CUSTOMER}>", to=REPLY, subject="Away until Monday",
        date="Mon, 23 Nov 2026 10:15:11 +0000",
        headers=[("Precedence", "auto_reply")],
        body=text("Thanks for your message. I am away until Monday and will reply when I am back.\n",
                  label="UTF-8", cte="7bit"),
        note="Only signal: Precedence: auto_reply.")

    fixture(
        "bulk_precedence", kind="ignored", charset="utf-8", transfer_encoding="quoted-printable",
        from_="Example Deals <deals@news.example.org>", to=SUPPORT, subject="Black Friday: 40% off everything",
        date="Fri, 27 Nov 2026 06:00:00 +0000",
        headers=[("Precedence", "bulk")],
        body=text("Black Friday is here! Save 40% on everything in store this weekend only.\n"
                  "You receive this newsletter because you subscribed on our website.\n",
                  label="UTF-8", cte="quoted-printable"),
        note="Only signal: Precedence: bulk (a newsletter sent to the support address must not open a ticket).")

    fixture(
        "x_autoreply", kind="ignored", charset="utf-8", transfer_encoding="base64",
        from_=f"{ew('Иван Петров', 'UTF-8')} <{CUSTOMER}>", to=REPLY, subject="Re: " + ew("Не приходит код", "UTF-8"),
        date="Mon, 23 Nov 2026 10:15:13 +0300",
        headers=[("X-Autoreply", "yes")],
        body=text("Здравствуйте! Я в отпуске до 1 декабря и не проверяю почту.\n", label="UTF-8", cte="base64"),
        note="Only signal: X-Autoreply: yes.")

    original = Message(policy=POLICY)
    for name, value in [("From", f"Support <{SUPPORT}>"), ("To", CUSTOMER), ("Reply-To", REPLY),
                        ("Subject", "Re: Replacement charger"), ("Date", "Mon, 23 Nov 2026 10:15:00 +0000"),
                        ("Message-ID", f"<{THREAD}>"), ("MIME-Version", "1.0"),
                        ("Content-Type", 'text/plain; charset="utf-8"'), ("Content-Transfer-Encoding", "7bit")]:
        original[name] = value
    original.set_payload("ORIGINAL-SUPPORT-TEXT: your replacement charger was shipped on November 20.\r\n")
    returned = Message(policy=POLICY)
    returned["Content-Type"] = "message/rfc822"
    returned["Content-Description"] = "Undelivered Message"
    returned.attach(original)
    status = Message(policy=POLICY)
    status["Content-Type"] = "message/delivery-status"
    status["Content-Description"] = "Delivery report"
    status.set_payload([
        header_block(("Reporting-MTA", "dns; mail.example.net"),
                     ("X-Postfix-Queue-ID", "4F1C2A0123"),
                     ("Arrival-Date", "Mon, 23 Nov 2026 10:15:01 +0000")),
        header_block(("Final-Recipient", f"rfc822; {CUSTOMER}"),
                     ("Original-Recipient", f"rfc822; {CUSTOMER}"),
                     ("Action", "failed"), ("Status", "5.1.1"),
                     ("Remote-MTA", "dns; mx.mail.example.net"),
                     ("Diagnostic-Code", "smtp; 550 5.1.1 <mailbox> User unknown")),
    ])
    fixture(
        "bounce_mailer_daemon", kind="ignored", charset="us-ascii", transfer_encoding=None,
        from_="MAILER-DAEMON@mail.example.net (Mail Delivery System)", to=REPLY,
        subject="Undelivered Mail Returned to Sender", date="Mon, 23 Nov 2026 10:15:02 +0000",
        body=multipart(
            "report", "4F1C2A0123.1795000502/mail.example.net",
            text("This is the mail system at host mail.example.net.\n\n"
                 "I'm sorry to have to inform you that your message could not\n"
                 "be delivered to one or more recipients. It's attached below.\n\n"
                 "                   The mail system\n\n"
                 "<customer mailbox>: host mx.mail.example.net said: 550 5.1.1 User unknown\n",
                 label="us-ascii", cte=None),
            status, returned, params="; report-type=delivery-status"),
        note="Postfix-style DSN from MAILER-DAEMON: multipart/report with message/delivery-status and the "
             "returned message (whose Message-ID is THREAD_MESSAGE_ID_PLACEHOLDER); no Auto-Submitted header.")

    fixture(
        "forged_reply_address", kind="forged", charset="utf-8", transfer_encoding="7bit",
        from_="Mallory <mallory@evil.example>", to=f"support+T-10001.0000000000@{SUPPORT.split('@')[1]}",
        subject="Re: Your request", date="Mon, 23 Nov 2026 12:00:00 +0000",
        body=text("Please change the email address on this account to mallory@evil.example and send me the "
                  "invoices.\n", label="UTF-8", cte="7bit"),
        expect_contains=[], expect_absent=["change the email address on this account"],
        note="Guessed ticket number with a wrong token: must never be appended to T-10001 (or any ticket). "
             "expect_absent: this text must not appear on T-10001.")

    fixture(
        "reply_from_other_sender", kind="other_sender", charset="utf-8", transfer_encoding="7bit",
        from_="Someone Else <someone.else@mail.example.net>", to=REPLY, subject="Re: Replacement charger",
        date="Mon, 23 Nov 2026 12:30:00 +0000",
        body=text("Hi, I am Dana's colleague. Can you also send a charger to our second office?\n",
                  label="UTF-8", cte="7bit"),
        expect_contains=[], expect_absent=["I am Dana's colleague"],
        note="Valid reply address but the sender is not the requester: must not be added as the requester's "
             "reply. expect_absent: must not appear as a public message from the requester.")

    fixture(
        "no_message_id", kind="new_request", charset="utf-8", transfer_encoding="7bit", message_id=False,
        from_=f"Dana Whitfield <{CUSTOMER}>", to=SUPPORT, subject="Question about gift wrapping",
        date="Mon, 23 Nov 2026 14:00:00 +0000",
        body=text("Hello,\n\nCan you gift wrap an order and leave out the printed receipt?\n\nDana\n",
                  label="UTF-8", cte="7bit"),
        expect_contains=["Can you gift wrap an order"], subject_contains="gift wrapping",
        note="No Message-ID header: the parser derives a stable one, so ingesting this file twice is a duplicate.")

    malformed = (
        b"From: Broken Client <broken@mail.example.net>\r\n"
        b"To: support@support.example.com\r\n"
        b"Subject: =?x-unknown-charset?B?SGVsbG8gd29ybGQ=?= \xff\xfe broken\r\n"
        b"Date: Mon, 23 Nov 2026 14:30:00 +0000\r\n"
        b"Message-ID: <fixture-malformed@mail.example.net>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="fixture-boundary-that-never-appears"\r\n'
        b'Content-Type: text/plain; charset="x-unknown-charset"\r\n'
        b"Content-Transfer-Encoding: base64\r\n"
        b"This is !!! not *** valid base64 ===\r\n"
        b"@@@@####$$$$ \xc3\x28 \xa0\xa1\r\n"
        b"--wrong-boundary\r\n"
        b"Content-Type: text/plain\r\n"
        b"\r\n"
        b"SGVsbG8=SGVsbG8=!!!"
    )
    register("malformed.eml", malformed, kind="malformed",
             note="No blank line after the headers (the first body line has no colon), multipart whose boundary never "
                  "appears, duplicate Content-Type with charset x-unknown-charset, invalid base64, an encoded word "
                  "with an unknown charset and raw non-UTF-8 bytes in the Subject, no trailing newline.")
    register("garbage.eml", bytes(range(256)) * 8, kind="malformed",
             note="2048 bytes: bytes(range(256)) * 8. Not an email at all.")


# --------------------------------------------------------------------------------------------------------------
# Verification (runs after generation, or alone with --check)
# --------------------------------------------------------------------------------------------------------------

def substitute(raw):
    for placeholder, value in SAMPLE_VALUES.items():
        raw = raw.replace(placeholder.encode(), value.encode())
    return raw


def decoded_parts(msg):
    """(part, strictly decoded text or None, error) for every text/* leaf, including inside message/rfc822."""
    out = []
    for part in msg.walk():
        if part.get_content_maintype() != "text" or part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        charset = part.get_content_charset() or "us-ascii"
        try:
            out.append((part, payload.decode(charset), None))
        except (UnicodeDecodeError, LookupError) as exc:
            out.append((part, None, exc))
    return out


def verify():
    manifest = json.loads((HERE / "manifest.json").read_text("utf-8"))
    problems, report = [], []
    for entry in manifest:
        name = entry["file"]
        raw = (HERE / name).read_bytes()
        msg = email.message_from_bytes(substitute(raw), policy=policy.default)
        notes = []

        def fail(message):
            problems.append(f"{name}: {message}")

        if entry["kind"] == "malformed":
            defects = sorted({type(d).__name__ for part in msg.walk() for d in part.defects})
            report.append(f"{name:34} malformed; parsed with defects: {', '.join(defects) or 'none'}")
            continue
        # 1. the Message-ID is the fixed one (or absent on purpose)
        expected_id = None if name == "no_message_id.eml" else f"<fixture-{name[:-4]}@mail.example.net>"
        if msg["Message-ID"] != expected_id:
            fail(f"Message-ID {msg['Message-ID']!r}")
        # 2. no placeholder survived substitution (they must never sit inside an encoding)
        for part in msg.walk():
            body = b"" if part.is_multipart() else (part.get_payload(decode=True) or b"")
            headers = " ".join(f"{k}: {v}" for k, v in part.items())
            if b"PLACEHOLDER" in body or "PLACEHOLDER" in headers:
                fail("placeholder left after substitution (hidden by an encoding?)")
        # 3. the main text part declares the intended charset / CTE and decodes strictly
        parts = decoded_parts(msg)
        main = parts[0] if parts else None
        if entry["charset"] and main:
            part, decoded, error = main
            if part.get_content_charset() != entry["charset"]:
                fail(f"declared charset {part.get_content_charset()} != {entry['charset']}")
            cte = part.get("Content-Transfer-Encoding")
            if (cte or None) != entry["transfer_encoding"]:
                fail(f"CTE {cte} != {entry['transfer_encoding']}")
            if error is not None:
                if name == "gb2312_mislabelled_gbk.eml":
                    decoded = part.get_payload(decode=True).decode("gb18030")
                    notes.append(f"strict {entry['charset']} fails ({type(error).__name__}), gb18030 works")
                    parts[0] = (part, decoded, None)
                else:
                    fail(f"strict decode with {entry['charset']} failed: {error}")
            elif name == "gb2312_mislabelled_gbk.eml":
                fail("expected strict gb2312 decoding to fail")
            try:
                content = part.get_content()
                if decoded is not None and content != decoded and "\ufffd" in content:
                    notes.append("get_content() silently replaced bytes with U+FFFD")
            except Exception as exc:  # noqa: BLE001 - reporting what the stdlib does
                notes.append(f"get_content() raised {type(exc).__name__}")
        texts = []
        for part, decoded, _error in parts:
            if decoded is None:
                continue
            texts.append(decoded)
            if part.get_content_subtype() == "html":
                texts.append(html.unescape(decoded))
                texts.append(_html_text(decoded))
        # 4. every expected phrase is in the decoded text; every absent phrase really is there to be removed,
        #    after (below) the new text in the main text/plain part
        for phrase in entry["expect_contains"]:
            if not any(phrase in t for t in texts):
                fail(f"expect_contains {phrase!r} not found in decoded text")
        for phrase in entry["expect_absent"]:
            if not any(phrase in t for t in texts):
                fail(f"expect_absent {phrase!r} not present in the raw text (vacuous)")
        if parts and parts[0][1] and parts[0][0].get_content_subtype() == "plain" and entry["expect_absent"]:
            first_absent = min(parts[0][1].find(p) for p in entry["expect_absent"] if p in parts[0][1])
            for phrase in entry["expect_contains"]:
                if phrase in parts[0][1] and parts[0][1].find(phrase) > first_absent:
                    fail(f"{phrase!r} comes after the quoted/signature text")
        # 5. subject decodes (policy.default) to contain the expected text
        subject = str(msg["Subject"])
        if entry["subject_contains"]:
            if entry["subject_contains"] not in subject:
                robust = "".join(
                    chunk.decode("gb18030" if cs in ("gb2312", "gbk") else (cs or "ascii"), "replace")
                    if isinstance(chunk, bytes) else chunk
                    for chunk, cs in email.header.decode_header(_raw_header(substitute(raw), "Subject")))
                if entry["subject_contains"] in robust:
                    notes.append("subject needs a gb18030 fallback (policy.default leaves surrogates/defects)")
                else:
                    fail(f"subject {subject!r} lacks {entry['subject_contains']!r}")
        # 6. attachments by file name
        names = [p.get_filename() for p in msg.walk() if p.get_filename()]
        if sorted(names) != sorted(entry["attachments"] + entry["rejected_attachments"]):
            fail(f"attachment names {names}")
        report.append(f"{name:34} {entry['kind']:12} {str(entry['charset']):12} "
                      f"{str(entry['transfer_encoding']):17} ok{'; ' + '; '.join(notes) if notes else ''}")
    return problems, report


class _TextOfHtml(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self._skip -= tag in ("script", "style") and self._skip > 0

    def handle_data(self, data):
        if not self._skip:
            self.chunks.append(data)


def _html_text(markup):
    """Crude text of an HTML part (tags dropped, script/style skipped), only to sanity-check the manifest."""
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    return "".join(parser.chunks)


def _raw_header(raw, name):
    """The raw (undecoded) value of a header, unfolded, as text (non-ASCII bytes as surrogates)."""
    head = raw.split(b"\r\n\r\n", 1)[0].replace(b"\r\n ", b" ").replace(b"\r\n\t", b" ")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(name.lower().encode() + b":"):
            return line.split(b":", 1)[1].strip().decode("ascii", "surrogateescape")
    return ""


def main(argv):
    if "--check" not in argv:
        charset_fixtures()
        quoting_fixtures()
        content_fixtures()
        safety_fixtures()
        names = [name for name, _raw, _entry in FIXTURES]
        assert len(names) == len(set(names)), "duplicate fixture names"
        for stale in HERE.glob("*.eml"):
            if stale.name not in names:
                stale.unlink()
        for name, raw, _entry in FIXTURES:
            (HERE / name).write_bytes(raw)
        (HERE / "manifest.json").write_text(
            json.dumps([entry for _name, _raw, entry in FIXTURES], ensure_ascii=False, indent=2) + "\n", "utf-8")
        print(f"wrote {len(FIXTURES)} fixtures and manifest.json to {HERE}")
    problems, report = verify()
    print("\n".join(report))
    if problems:
        print("\nPROBLEMS:\n  " + "\n  ".join(problems))
        return 1
    print("\nall fixtures verified")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
