"""Quotes and signatures in a reply: where the customer's new words end and the quoted history or the signature
begins, in the ways mail clients write them in our six languages."""
import re

_ATTRIBUTION = [
    re.compile(r"^(on|am|le|el|il|em)\b.{0,200}(wrote|schrieb|a écrit|escribió|ha scritto|escreveu)\s*:\s*$", re.I),
    re.compile(r".{0,200}(wrote|escribió|пишет|написал\(а\)|写道|寫道|님이 작성)\s*[:：]\s*$", re.I),
    re.compile(r"^-{2,}\s*(original message|mensaje original|исходное сообщение|原始邮件|元のメッセージ)\s*-{2,}", re.I),
    re.compile(r"^_{10,}\s*$"),
]
_OUTLOOK_FROM = re.compile(r"^\*?(from|de|от|发件人|寄件者|差出人|보낸 사람)\s*[:：]", re.I)
_OUTLOOK_NEXT = re.compile(r"^\*?(sent|date|enviado|fecha|отправлено|дата|发送时间|日期|送信日時|보낸 날짜|to|para)\s*[:：]",
                           re.I)
_SIGNATURE = re.compile(
    r"^(--\s?|sent from my \w+.*|get outlook for .*|sent from outlook.*|enviado desde mi .*|отправлено с .*|"
    r"从我的.*发送|iphoneから送信|.*에서 보냄)$", re.I)


def strip_quotes(text):
    """The new part of a reply: cut at the quoted history (attribution lines, Outlook headers, > blocks) and at
    the signature. Falls back to the whole text if nothing would be left."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    stripped = [line.strip() for line in lines]
    # From the end, once: the next non-blank line after each line, and whether everything from a line on is quoted
    # or blank (so a long mail is read in linear time, not once per line).
    following_of, quoted_from = [""] * (len(lines) + 1), [True] * (len(lines) + 1)
    for index in range(len(lines) - 1, -1, -1):
        following_of[index] = stripped[index + 1] if index + 1 < len(lines) and stripped[index + 1] \
            else following_of[index + 1]
        quoted_from[index] = quoted_from[index + 1] and (not stripped[index] or stripped[index].startswith(">"))
    cut = len(lines)
    for index, raw in enumerate(lines):
        line = stripped[index]
        following = following_of[index]
        joined = f"{line} {stripped[index + 1]}" if index + 1 < len(lines) else line
        if any(p.match(line) for p in _ATTRIBUTION) and (following.startswith(">") or p_any_strong(line)):
            cut = index
            break
        if line.lower().startswith("on ") and re.search(r"wrote:\s*$", joined, re.I) and following:
            cut = index
            break
        if line.endswith((":", "：")) and following.startswith(">") and ("@" in line or re.search(r"\d", line)):
            cut = index
            break
        if _OUTLOOK_FROM.match(line) and any(_OUTLOOK_NEXT.match(l) for l in stripped[index + 1:index + 4]):
            cut = index
            break
        if line.startswith(">") and quoted_from[index]:
            cut = index
            break
        if _SIGNATURE.match(raw.rstrip("\n")) or raw == "-- ":
            cut = index
            break
    kept = "\n".join(lines[:cut]).strip()
    return kept or text.strip()


def p_any_strong(line):
    """Attribution patterns that are specific enough on their own (no quoted block needed after them)."""
    return bool(_ATTRIBUTION[0].match(line) or _ATTRIBUTION[2].match(line) or _ATTRIBUTION[3].match(line)
                or re.search(r"(写道|寫道|님이 작성|escribió|пишет)\s*[:：]\s*$", line))
