"""The pieces of inbound parsing: quote and signature stripping, charset decoding, HTML to text."""
import pytest

from support.languages import guess_language
from tickets.inbound import decode_bytes, html_to_text, strip_quotes


@pytest.mark.parametrize("text, kept, dropped", [
    ("Thanks, it works now.\n\nOn Mon, Nov 23, 2026 at 10:15 AM Support <support@x.com> wrote:\n> Please try again",
     "Thanks, it works now.", "Please try again"),
    ("Still broken.\n\nOn Mon, Nov 23, 2026 at 10:15 AM Support <\nsupport@x.com> wrote:\n\n> old",
     "Still broken.", "old"),
    ("See attached.\n\n-----Original Message-----\nFrom: Support\nSent: Monday\nSubject: RE: x\n\nold text",
     "See attached.", "old text"),
    ("Here it is.\n\n________________________________\nFrom: Support <s@x.com>\nSent: Monday\nTo: me\n\nold",
     "Here it is.", "old"),
    ("Done.\n\n-- \nAlice Brown\nACME Corp", "Done.", "ACME Corp"),
    ("Ok\n\nSent from my iPhone", "Ok", "iPhone"),
    ("已经收到了，谢谢。\n\n在 2026年11月23日 10:15，Support <s@x.com> 写道：\n> 请提供交易哈希", "已经收到了", "请提供交易哈希"),
    ("届きました。\n\n2026年11月23日(月) 10:15 Support <s@x.com>:\n> TxIDを送ってください", "届きました", "TxIDを"),
    ("받았습니다.\n\n2026년 11월 23일 (월) 오전 10:15, Support <s@x.com>님이 작성:\n> 거래 ID", "받았습니다", "거래 ID"),
    ("Получил, спасибо.\n\nпн, 23 нояб. 2026 г. в 10:15, Support <s@x.com>:\n> Пришлите ID", "Получил", "Пришлите"),
    ("Gracias.\n\nEl lun, 23 nov 2026 a las 10:15, Support (<s@x.com>) escribió:\n> Envíanos", "Gracias", "Envíanos"),
])
def test_quoted_history_and_signatures_are_stripped(text, kept, dropped):
    result = strip_quotes(text)
    assert kept in result and dropped not in result


def test_a_customer_sentence_that_mentions_writing_is_kept():
    text = "This is what I wrote to you yesterday\nand it is still not fixed."
    assert strip_quotes(text) == text


def test_nothing_but_a_quote_keeps_everything():
    assert strip_quotes("> only quoted") == "> only quoted"


@pytest.mark.parametrize("text, charset", [
    ("入金が反映されません", "iso-2022-jp"), ("入金が反映されません", "shift_jis"), ("充值未到账", "gb2312"),
    ("王堃的充值未到账", "gb18030"), ("充值未到賬", "big5"), ("입금이 안 됩니다", "euc-kr"),
    ("Вывод задерживается", "koi8-r"), ("Вывод задерживается", "windows-1251"), ("¿Mi depósito?", "iso-8859-1"),
])
def test_charsets_of_the_six_languages_decode(text, charset):
    assert decode_bytes(text.encode(charset), charset) == text


def test_gb2312_label_on_gbk_text_still_decodes():
    """Chinese clients often label GBK text as gb2312; decoding goes through GB18030, a superset of both."""
    assert decode_bytes("王堃".encode("gbk"), "gb2312") == "王堃"


def test_unknown_charset_falls_back_without_crashing():
    assert decode_bytes("hello".encode(), "x-unknown-charset") == "hello"


def test_html_to_text_drops_markup_and_scripts_and_marks_quotes_for_the_filing_to_cut():
    html = ("<p>Hello <b>team</b>,<br>my deposit is missing.</p><script>alert(1)</script>"
            "<img src=x onerror=alert(2)><blockquote>OLD QUOTE</blockquote>")
    text = html_to_text(html)
    assert "Hello team," in text and "my deposit is missing." in text
    assert "alert" not in text and "<" not in text
    assert "> OLD QUOTE" in text and "OLD QUOTE" not in strip_quotes(text)  # a reply keeps only the new part


def test_the_customers_words_between_two_quotes_are_kept():
    """Inline replies: one greedy pattern once deleted everything from the first quote to the last."""
    html = ("<blockquote>Which network did you use?</blockquote><p>I used TRC20, TxID 9f3e...</p>"
            "<blockquote>And the amount?</blockquote><p>250 USDT.</p>")
    text = html_to_text(html)
    assert "I used TRC20, TxID 9f3e..." in text and "250 USDT." in text
    assert "> Which network did you use?" in text and "> And the amount?" in text


@pytest.mark.parametrize("text, lang", [("입금이 안 돼요", "ko"), ("入金が反映されません", "ja"), ("充值未到账", "zh-hans"),
                                        ("Вывод задерживается", "ru"), ("Hola, no puedo retirar", "es"),
                                        ("My deposit is missing", "en")])
def test_language_guess_by_script(text, lang):
    assert guess_language(text) == lang


def test_cutting_quotes_grows_with_the_mail_not_its_square():
    """A long quoted history before the new words was read once per line (quadratic: 3.5 s for 8,000 lines)."""
    import time

    took = []
    for lines in (2_000, 16_000):
        text = "\n".join([f"> line {n} of the old history" for n in range(lines)] + ["my new answer at the end"])
        started = time.perf_counter()
        assert strip_quotes(text).endswith("my new answer at the end")
        took.append(time.perf_counter() - started)
    assert took[1] < 25 * max(took[0], 0.001), took  # eight times the lines: about eight times the time
