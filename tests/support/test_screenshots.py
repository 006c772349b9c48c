"""Screenshots read for secrets with Debian's Tesseract: real pages rendered by Chromium (a wallet showing its
recovery phrase in English, Chinese and Japanese; order and withdrawal pages with ids, a TxID and addresses), the
phrase found and blurred beyond reading, the other pages left alone, and limits that keep a worker from hanging."""
import io
import logging

import pytest
from PIL import Image

from support import screenshots
from support.screenshots import ScreenshotScanError, screenshot_scan
from support.secretscan import RECOVERY_PHRASE
from tests.support.render_screenshots import ADDRESSES, PHRASES, TXID

pytestmark = pytest.mark.usefixtures("ocr")  # reads pictures with Tesseract

WALLETS = {"wallet_en": "en", "wallet_zh": "zh-hans", "wallet_ja": "ja"}
CLEAN = {"order_en": "en", "withdrawal_en": "en", "withdrawal_zh": "zh-hans", "withdrawal_ja": "ja"}


@pytest.fixture(scope="module")
def wallet_scans(rendered_screenshots):
    """Each wallet page scanned once for the module (a scan reads the picture, then its blurred copy again)."""
    return {name: screenshot_scan(rendered_screenshots[name], languages=[language])
            for name, language in WALLETS.items()}


def _pixels(png):
    with Image.open(io.BytesIO(png)) as image:
        return image.convert("RGB")


@pytest.mark.parametrize("name", WALLETS)
def test_a_recovery_phrase_on_a_wallet_page_is_found_in_each_script(name, wallet_scans):
    """English words, the Chinese list's characters and the Japanese list's kana words, each under UI text in its
    language, are read as a recovery phrase."""
    assert wallet_scans[name].kinds == (RECOVERY_PHRASE,)


@pytest.mark.parametrize("name", WALLETS)
def test_the_blurred_copy_reads_as_no_secret_and_keeps_the_rest(name, wallet_scans, rendered_screenshots):
    """Read again, the blurred copy holds no secret; the lines around the phrase (the page's header) are kept, so
    an agent still sees what the page was."""
    language = WALLETS[name]
    blurred = wallet_scans[name].blurred
    assert blurred and blurred != rendered_screenshots[name]
    assert screenshot_scan(blurred, languages=[language]).kinds == ()
    original, copy = _pixels(rendered_screenshots[name]), _pixels(blurred)
    assert copy.size == original.size
    header = (0, 0, original.width, original.height // 10)
    assert copy.crop(header).tobytes() == original.crop(header).tobytes()
    assert copy.tobytes() != original.tobytes()


@pytest.mark.parametrize("name", CLEAN)
def test_order_ids_tx_hashes_and_addresses_are_not_secrets(name, rendered_screenshots):
    """An order id, a 64-hex TxID under its label and deposit addresses (as OCR misreads them: 0/O, 1/l/I) are
    what customers show us every day: nothing is flagged and nothing is blurred."""
    result = screenshot_scan(rendered_screenshots[name], languages=[CLEAN[name]])
    assert (result.kinds, result.blurred) == ((), b"")


def test_nothing_that_was_read_is_logged(rendered_screenshots, caplog):
    """Only the kinds found may reach the logs, never a word of what the picture showed."""
    caplog.set_level(logging.DEBUG)
    screenshot_scan(rendered_screenshots["wallet_en"], languages=["en"])
    screenshot_scan(rendered_screenshots["withdrawal_en"], languages=["en"])
    logged = caplog.text
    assert not any(word in logged for word in PHRASES["english"])
    assert TXID not in logged and not any(address in logged for address in ADDRESSES.values())


def test_the_conversation_language_chooses_the_packs_with_english_always():
    assert screenshots.ocr_packs(["zh-hans"]) == ("chi_sim", "eng")
    assert screenshots.ocr_packs(["ja"]) == ("jpn", "eng")
    assert screenshots.ocr_packs(["en"]) == ("eng",)
    assert screenshots.ocr_packs(["xx"]) == ("eng",)


def test_an_image_with_too_many_pixels_is_refused_before_it_is_decoded():
    """A decompression bomb (the upload checks refuse it too) never reaches Tesseract."""
    bomb = io.BytesIO()
    Image.new("1", (8000, 7000)).save(bomb, format="PNG")
    with pytest.raises(ScreenshotScanError, match="too many pixels"):
        screenshot_scan(bomb.getvalue(), languages=["en"])


def test_a_tall_capture_is_read_scaled_down(rendered_screenshots):
    """A picture above the reading budget (a long scrolling capture) is scaled down and still read."""
    page = _pixels(rendered_screenshots["wallet_en"])
    tall = Image.new("RGB", (page.width, page.height * 8), "white")
    tall.paste(page, (0, 0))
    assert tall.width * tall.height > screenshots.MAX_OCR_PIXELS
    out = io.BytesIO()
    tall.save(out, format="PNG")
    assert screenshot_scan(out.getvalue(), languages=["en"]).kinds == (RECOVERY_PHRASE,)


def test_tesseract_is_stopped_after_its_time_limit(rendered_screenshots, monkeypatch):
    """A run that takes too long is killed and reported, never left to hold the worker."""
    monkeypatch.setattr(screenshots, "OCR_TIMEOUT_SECONDS", 0.01)
    with pytest.raises(ScreenshotScanError, match="longer than"):
        screenshot_scan(rendered_screenshots["wallet_ja"], languages=["ja"])


def test_a_missing_tesseract_or_an_unreadable_image_is_an_error_not_a_clean_result(monkeypatch):
    with pytest.raises(ScreenshotScanError, match="cannot be read"):
        screenshot_scan(b"\x89PNG\r\n\x1a\n" + b"\0" * 64, languages=["en"])
    monkeypatch.setattr(screenshots, "TESSERACT", "/nonexistent/tesseract")
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(picture, format="PNG")
    with pytest.raises(ScreenshotScanError, match="not installed"):
        screenshot_scan(picture.getvalue(), languages=["en"])
