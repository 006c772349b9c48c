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
  reason          words the record's reason must contain (rejected)
  not_filed_for   an address that must not get a ticket from this mail
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
         cte="8bit", **expect):
    lines = [f"From: {from_}", f"To: {SUPPORT}", f"Subject: {subject}", "Date: Mon, 07 Dec 2026 09:00:00 +0000",
             f"Message-ID: <{name}@mail.example.net>", "MIME-Version: 1.0", *headers,
             f"Content-Type: {content_type}", f"Content-Transfer-Encoding: {cte}"]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body
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


def main():
    build()
    for name, raw, _entry in FIXTURES:
        (HERE / name).write_bytes(raw)
    (HERE / "hostile.json").write_text(json.dumps([entry for _n, _r, entry in FIXTURES], ensure_ascii=False,
                                                  indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(FIXTURES)} fixtures")


if __name__ == "__main__":
    main()
