#!/usr/bin/env python3
"""Regenerate the hostile inbound-mail fixtures (hostile_*.eml) and hostile.json in this folder.

    .venv/bin/python tests/tickets/emails/make_hostile.py

Mail built to break the desk or to pass as someone else (issue: trust). Each file is written byte for byte here
(standard library only, deterministic), and hostile.json says what the desk must make of it:

  status          accepted | rejected (kept with its reason, never "try again later") | ignored
  from_email      the address the mail is filed under (accepted), if it matters
  from_name       the requester's name the desk shows, if it matters
  contains        text that must be in the stored message
  absent          text that must not be anywhere in the stored message
  refused         attachment names that must be refused, each with its reason on the record
  attachments     attachment names that must be stored
  reason          words the record's reason must contain (rejected)
  not_filed_for   an address that must not get a ticket from this mail
  text            the whole text the stored message must hold (undeclared_*: 8-bit text without a charset)
  subject_is      the ticket's subject, exactly
  language        the ticket's language
  charset         what the record must say the text was read as ("read as <charset>")
"""
import base64
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[2]))
from tests.tickets.files import bomb_png  # noqa: E402  (the same bomb the upload tests send)

VICTIM = "victim@mail.example.net"
SUPPORT = "support@support.example.com"
FIXTURES = []


def mail(name, *, from_, body, subject="Question", headers=(), content_type='text/plain; charset="utf-8"',
         cte="8bit", message_id=None, header_charset="utf-8", **expect):
    lines = [f"From: {from_}", f"To: {SUPPORT}", f"Subject: {subject}", "Date: Mon, 07 Dec 2026 09:00:00 +0000",
             f"Message-ID: {message_id or f'<{name}@mail.example.net>'}", "MIME-Version: 1.0", *headers,
             f"Content-Type: {content_type}", f"Content-Transfer-Encoding: {cte}"]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode(header_charset) + body
    FIXTURES.append((f"hostile_{name}.eml", raw, {"file": f"hostile_{name}.eml", **expect}))


def build():
    encoded_victim = base64.b64encode(VICTIM.encode()).decode()
    mail("encoded_name_spoof", from_=f"=?utf-8?b?{encoded_victim}?= <mallory@evil.example>",
         body=b"Please change the withdrawal address on my account to bc1qmallory.\r\n",
         status="accepted", from_email="mallory@evil.example", from_name="", not_filed_for=VICTIM,
         contains=["change the withdrawal address"])
    mail("comma_in_encoded_name", from_="=?utf-8?q?Garc=C3=ADa=2C_Mar=C3=ADa?= <maria.garcia@mail.example.es>",
         subject="=?utf-8?q?Dep=C3=B3sito_no_recibido?=",
         body="Hola, mi depósito de 0,5 ETH no ha llegado.\r\n".encode(),
         status="accepted", from_email="maria.garcia@mail.example.es", from_name="García, María",
         contains=["mi depósito de 0,5 ETH no ha llegado"])
    mail("two_readings", from_=f"{VICTIM} <mallory@evil.example>",
         body=b"Send the 2FA reset link to this address.\r\n",
         status="rejected", reason="ambiguous sender", not_filed_for=VICTIM)
    mail("nul_byte", from_="Nul Sender <nul.sender@mail.example.net>",
         body=b"My withdrawal\x00 of 200 USDT is stuck.\r\nTxID follows.\x00\r\n",
         status="accepted", from_email="nul.sender@mail.example.net",
         contains=["My withdrawal of 200 USDT is stuck."], absent=["\x00"])
    mail("long_from", from_=f"{'x' * 300}@mail.example.net",
         body=b"Hello, I have a question about fees.\r\n",
         status="rejected", reason="sender address is not valid")
    boundary = "bomb-boundary"
    attachment = base64.b64encode(bomb_png()).decode()
    body = (f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            "Here is a screenshot of the error.\r\n"
            f"--{boundary}\r\nContent-Type: image/png\r\nContent-Disposition: attachment; filename=\"error.png\"\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{attachment}\r\n--{boundary}--\r\n").encode()
    mail("pixel_bomb", from_="Bomb Sender <bomb.sender@mail.example.net>", body=body,
         content_type=f'multipart/mixed; boundary="{boundary}"', cte="7bit",
         status="accepted", from_email="bomb.sender@mail.example.net",
         contains=["Here is a screenshot of the error."], refused=["error.png"])


def multipart_mail(name, *, from_, parts, boundary, subtype="mixed", quote_boundary=True, **expect):
    """A multipart mail; quote_boundary=False writes the boundary parameter unquoted, as Outlook does."""
    body = "".join(f"--{boundary}\r\n{headers}\r\n\r\n{content}\r\n" for headers, content in parts)
    body += f"--{boundary}--\r\n"
    value = f'"{boundary}"' if quote_boundary else boundary
    mail(name, from_=from_, body=body.encode("utf-8"), content_type=f"multipart/{subtype}; boundary={value}",
         cte="7bit", **expect)


def png_b64():
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 200)).save(out, format="PNG")
    return base64.b64encode(out.getvalue()).decode()


PDF_B64 = base64.b64encode(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n").decode()


def build_lost_text():
    """Real-world shapes that once lost a customer's text or files without a recorded reason."""
    multipart_mail(
        "outlook_unquoted_boundary", from_="Ken Watanabe <ken.watanabe@mail.example.net>",
        boundary="----=_NextPart_000_0012_01DB4A2C.5E3F1A40", subtype="alternative", quote_boundary=False,
        parts=[('Content-Type: text/plain; charset="utf-8"', "My deposit of 1.2 BTC has not arrived after 6 confirmations."),
               ('Content-Type: text/html; charset="utf-8"',
                "<p>My deposit of 1.2 BTC has not arrived after 6 confirmations.</p>")],
        status="accepted", contains=["My deposit of 1.2 BTC has not arrived after 6 confirmations."])
    forward = ("<div>Is this mail really from you? They want my seed phrase.</div><br>"
               '<div class="gmail_quote"><div dir="ltr">---------- Forwarded message ---------<br>'
               "From: Exchange Security &lt;security@exchange-verify.example&gt;<br>Subject: Urgent: verify your "
               "wallet<br></div><br><p>Your account will be frozen. Verify your wallet within 24 hours at "
               "http://exchange-verify.example/restore</p></div>")
    mail("html_only_forward", from_="Lena Novak <lena.novak@mail.example.net>", subject="Fwd: Urgent: verify your wallet",
         body=forward.encode(), content_type='text/html; charset="utf-8"',
         status="accepted", contains=["Is this mail really from you?", "Verify your wallet within 24 hours",
                                      "exchange-verify.example/restore"])
    multipart_mail(
        "nameless_attachment", from_="Omar Haddad <omar.haddad@mail.example.net>", boundary="nameless",
        parts=[("Content-Type: text/plain; charset=utf-8", "The bank statement is attached."),
               ("Content-Type: application/pdf\r\nContent-Transfer-Encoding: base64", PDF_B64)],
        status="accepted", contains=["The bank statement is attached."], attachments=["attachment-1.pdf"])
    multipart_mail(
        "filename_with_spaces", from_="Ana Souza <ana.souza@mail.example.net>", boundary="spaces",
        parts=[("Content-Type: text/plain; charset=utf-8", "Screenshot of the error below."),
               ("Content-Type: image/png; name=error screen 2.png\r\nContent-Disposition: attachment; "
                "filename=error screen 2.png\r\nContent-Transfer-Encoding: base64", png_b64())],
        status="accepted", attachments=["error screen 2.png"])
    long_text = "".join(f"Line {n}: my trading bot log shows order {n} rejected: insufficient margin.\r\n"
                        for n in range(1, 1001))
    mail("long_body", from_="Bot Trader <bot.trader@mail.example.net>", subject="Orders rejected",
         body=(long_text + "PLEASE ANSWER: why are my orders rejected?\r\n").encode(),
         status="accepted", contains=["Line 1: my trading bot log", "[message shortened: the whole text is attached]"],
         attachments=["message-full-text.txt"])
    long_id = "<" + "x" * 300 + "-first@mail.example.net>"
    mail("long_message_id_1", from_="Long Id <long.id@mail.example.net>", subject="First of two",
         body=b"This is the first mail.\r\n", headers=[], status="accepted", contains=["This is the first mail."],
         message_id=long_id)
    mail("long_message_id_2", from_="Long Id <long.id@mail.example.net>", subject="Second of two",
         body=b"This is the second mail.\r\n", status="accepted", contains=["This is the second mail."],
         message_id=long_id.replace("-first@", "-other@"))


def build_robots():
    """Mail no person wrote, which once opened tickets."""
    mail("own_mail_loop", from_=f"Support <{SUPPORT}>", subject="[T-10001] We received your request",
         body=b"We received your request and will reply soon.\r\n", status="ignored", reason="desk's own address",
         not_filed_for=SUPPORT)
    report = ("Reporting-MTA: dns; mx.mail.example.net\r\n\r\nFinal-Recipient: rfc822; gone@mail.example.net\r\n"
              "Action: failed\r\nStatus: 5.1.1\r\n")
    multipart_mail(
        "bounce_in_mixed", from_="Mail System <system@mail.example.net>", boundary="dsn-in-mixed",
        parts=[("Content-Type: text/plain; charset=utf-8", "Your message could not be delivered."),
               ("Content-Type: message/delivery-status", report)],
        status="ignored", reason="delivery report", not_filed_for="system@mail.example.net")
    mail("outlook_auto_reply", from_="Priya Raman <priya.raman@mail.example.net>",
         subject="Automatic reply: Your withdrawal request", headers=["X-Auto-Response-Suppress: All"],
         body=b"I am out of the office until Monday.\r\n", status="ignored", reason="automatic reply",
         not_filed_for="priya.raman@mail.example.net")


def big_mail(name, size):
    """A customer pasting a long log: `size` bytes of plain text, the same every time (a fixed seed)."""
    import random

    rng = random.Random(size)
    words = ["request", "timeout", "order", "rejected", "insufficient", "margin", "retrying", "server", "latency",
             "ms", "ETH/USDT", "BTC/USDT", "limit", "market", "filled", "partially", "cancelled"]
    lines, total, number = [], 0, 0
    while total < size:
        number += 1
        line = f"{number:07d} " + " ".join(rng.choice(words) for _ in range(10))
        lines.append(line)
        total += len(line) + 2
    mail(name, from_="Log Paster <log.paster@mail.example.net>", subject=f"Bot log ({size // 1000} KB)",
         body=("Why do my orders fail? The whole log is below.\r\n" + "\r\n".join(lines) + "\r\n").encode(),
         status="accepted", contains=["Why do my orders fail? The whole log is below."],
         attachments=["message-full-text.txt"])


BIG5_LONG = """您好：

我是台灣的用戶，上週五（12月4日）從交易所提領了 0.8 ETH 到我的冷錢包，提領狀態一直顯示「處理中」，到今天已經超過七十二小時了。\
我有先查過區塊瀏覽器，完全找不到這筆交易。

後來我想重新登入確認，系統卻說我的帳戶因為「異常登入」被暫時凍結，要我上傳身分證正反面和手持證件的照片。\
我已經照做了兩次，但是每次都顯示審核失敗，也沒有說明原因。

請問：
1. 這筆提領現在到底是什麼狀態？如果失敗了，資金會退回到我的帳戶嗎？
2. 帳戶要怎麼樣才能解除凍結？是不是照片的格式有問題？
3. 凍結期間，我的掛單和理財產品會不會受到影響？

我用這個交易所已經三年了，從來沒有遇過這種情況。這些錢對我很重要，麻煩盡快回覆，謝謝！

陳志明"""


def undeclared(name, codec, text, *, charset, language, subject, raw_subject=False, html=False):
    """8-bit text with no charset on its Content-Type, as older Chinese, Korean, Russian and Japanese clients send
    it (`charset` is what the desk must read it as). With raw_subject, the subject too is 8-bit bytes in that
    charset, with no encoded word."""
    body = "<html><body><p>" + text.replace("\n", "</p><p>") + "</p></body></html>" if html else text
    mail(f"undeclared_{name}", from_=f"Customer <{name}.customer@mail.example.net>", subject=subject,
         header_charset=codec if raw_subject else "utf-8", content_type="text/html" if html else "text/plain",
         body=body.replace("\n", "\r\n").encode(codec) + b"\r\n", status="accepted",
         contains=[text.split("\n")[0]], text=text, subject_is=subject, language=language, charset=charset)


def build_undeclared():
    """Mail whose 8-bit text says nothing of its charset (issue #22): read as UTF-8 it was replacement characters."""
    undeclared("gb18030", "gb18030", "您好，我是王堃。昨天提了500 USDT（TRC20），到现在还没到账，麻烦帮我查一下，谢谢！",
               charset="gb18030", language="zh-hans", subject="提现未到账", raw_subject=True)
    undeclared("euc_kr", "cp949", "안녕하세요. 휴대폰을 바꾸면서 OTP 앱이 지워져서 로그인을 못 하고 있어요. "
               "2단계 인증을 어떻게 해제하나요?", charset="euc-kr", language="ko", subject="OTP")
    undeclared("koi8r", "koi8_r", "Здравствуйте! Вчера вывел 0,25 BTC на свой кошелёк, а статус до сих пор "
               '"в обработке". Что случилось?', charset="koi8-r", language="ru", subject="Вывод не пришёл",
               raw_subject=True)
    undeclared("shift_jis", "cp932", "出金申請から3日経ちますが、まだ着金していません。至急確認をお願いします。",
               charset="shift_jis", language="ja", subject="Withdrawal")
    undeclared("euc_jp", "euc_jp", "ログインしようとすると「パスワードが違います」と表示されます。再設定をお願いします。",
               charset="euc-jp", language="ja", subject="Login")
    undeclared("cp1251_html", "cp1251", "Добрый день.\nПотерял телефон с Google Authenticator, не могу войти в "
               "аккаунт. Вывод «в обработке» уже двое суток — как отключить 2FA?", charset="windows-1251",
               language="ru", subject="2FA", html=True)
    undeclared("cp1252", "cp1252", "Hola, envié 150 USDT a mi cuenta hace dos días y todavía no aparecen. "
               "¿Qué puedo hacer?", charset="windows-1252", language="es", subject="Depósito", raw_subject=True)
    undeclared("big5_long", "cp950", BIG5_LONG, charset="big5", language="zh-hans", subject="帳戶凍結與提領問題",
               raw_subject=True)


def main():
    build()
    build_lost_text()
    build_robots()
    big_mail("log_300kb", 300_000)
    big_mail("log_3mb", 3_000_000)
    build_undeclared()
    for name, raw, _entry in FIXTURES:
        (HERE / name).write_bytes(raw)
    (HERE / "hostile.json").write_text(json.dumps([entry for _n, _r, entry in FIXTURES], ensure_ascii=False,
                                                  indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(FIXTURES)} fixtures")


if __name__ == "__main__":
    main()
