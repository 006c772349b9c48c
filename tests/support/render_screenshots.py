"""Real screenshots for the OCR tests, rendered by Debian's Chromium: a wallet's "back up your recovery phrase" page
in English, Chinese and Japanese, and pages that must not be flagged (an order with its id, a withdrawal with its
TxID, deposit addresses).

Run as a program in its own process (`python -m tests.support.render_screenshots OUT_DIR`): Playwright's sync API
leaves an event loop in the thread that used it, which the rest of the suite must not inherit (tests/conftest.py
runs the browser tests last for the same reason). Prints {name: path} as JSON.
"""
import html
import json
import sys
from pathlib import Path

from mnemonic import Mnemonic

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ENTROPY = bytes(7 * i + 3 for i in range(16))
PHRASES = {  # valid 12-word phrases (checksums hold), from the official lists
    "english": Mnemonic("english").to_mnemonic(ENTROPY).split(),
    "chinese_simplified": Mnemonic("chinese_simplified").to_mnemonic(ENTROPY).split(),
    "japanese": Mnemonic("japanese").to_mnemonic(ENTROPY).split("\u3000"),
}
TXID = "3f9a1c7e5b2d48f0a6c3e1b9d7f5a3c1e9b7d5f3a1c9e7b5d3f1a9c7e5b3d1f0"
ADDRESSES = {"BTC": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", "ETH": "0x52908400098527886E0F7030069857D2E4169EE7",
             "BTC (legacy)": "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"}

CSS = """
body { font-family: "Noto Sans", "Noto Sans CJK SC", "Noto Sans CJK JP", sans-serif; margin: 0; background: #f5f6f8;
       color: #1d2330; }
:lang(ja) body, body:lang(ja) { font-family: "Noto Sans CJK JP", sans-serif; }
.top { background: #0b1020; color: #fff; padding: 14px 24px; font-size: 18px; }
.card { max-width: 720px; margin: 24px auto; background: #fff; border-radius: 12px; padding: 28px;
        box-shadow: 0 1px 4px rgba(0, 0, 0, .1); }
h1 { font-size: 24px; margin: 0 0 8px; }
.warn { background: #fff4e5; color: #8a4b00; padding: 10px 14px; border-radius: 8px; font-size: 15px; }
.grid { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; margin: 20px 0; }
.cell { border: 1px solid #d8dce3; border-radius: 8px; padding: 10px 12px; font-size: 18px; }
.n { color: #8a93a3; font-size: 14px; margin-right: 6px; }
.button { display: inline-block; background: #2f6bff; color: #fff; padding: 10px 18px; border-radius: 8px; }
table { border-collapse: collapse; width: 100%; font-size: 15px; }
td { padding: 8px; border-bottom: 1px solid #eee; vertical-align: top; }
.mono { font-family: "DejaVu Sans Mono", monospace; font-size: 14px; word-break: break-all; }
"""


def _page(lang, brand, body):
    return (f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><style>{CSS}</style></head><body>'
            f'<div class="top">{html.escape(brand)}</div><div class="card">{body}</div></body></html>')


def wallet_backup(lang, title, warning, words, button):
    cells = "".join(f'<div class="cell"><span class="n">{i}</span><span class="w">{html.escape(word)}</span></div>'
                    for i, word in enumerate(words, start=1))
    return _page(lang, "CoinHarbor Wallet", f'<h1>{html.escape(title)}</h1><p class="warn">{html.escape(warning)}'
                                            f'</p><div class="grid">{cells}</div><span class="button">'
                                            f'{html.escape(button)}</span>')


def details(lang, title, rows):
    cells = "".join(f'<tr><td>{html.escape(label)}</td><td class="{css}">{html.escape(value)}</td></tr>'
                    for label, value, css in rows)
    return _page(lang, "CoinHarbor Exchange", f"<h1>{html.escape(title)}</h1><table>{cells}</table>")


PAGES = {
    "wallet_en": wallet_backup(
        "en", "Back up your recovery phrase",
        "Write these 12 words down in order and keep them somewhere safe. Anyone with this phrase can take your funds.",
        PHRASES["english"], "I have written it down"),
    "wallet_zh": wallet_backup(
        "zh-CN", "备份您的助记词", "请按顺序抄写以下12个助记词，并妥善保管。任何人拿到助记词都可以转走您的资产。",
        PHRASES["chinese_simplified"], "我已抄写"),
    "wallet_ja": wallet_backup(
        "ja", "リカバリーフレーズをバックアップ",
        "以下の12個の単語を順番に書き留め、安全な場所に保管してください。このフレーズを知っている人は誰でも資産を引き出せます。",
        PHRASES["japanese"], "書き留めました"),
    "order_en": details("en", "Order details", [
        ("Order ID", "88412093341", ""), ("Pair", "BTC/USDT", ""), ("Amount", "0.25000000 BTC", ""),
        ("Status", "Filled 2026-03-14 09:12:44", ""), ("Fee", "0.00025 BTC", "")]),
    "withdrawal_en": details("en", "Withdrawal details", [
        ("Status", "Completed", ""), ("Amount", "0.5 BTC", ""), ("TxID", TXID, "mono"),
        *((f"{coin} address", address, "mono") for coin, address in ADDRESSES.items())]),
    "withdrawal_zh": details("zh-CN", "提现详情", [
        ("订单号", "88412093341", ""), ("状态", "已完成", ""), ("数量", "0.5 BTC", ""), ("交易哈希 TxID", TXID, "mono"),
        ("提现地址", ADDRESSES["BTC"], "mono"), ("说明", "请在区块浏览器中查看交易进度，通常需要三十分钟左右到账。", "")]),
    "withdrawal_ja": details("ja", "出金の詳細", [
        ("注文番号", "88412093341", ""), ("ステータス", "完了", ""), ("数量", "0.5 BTC", ""),
        ("トランザクションID (TxID)", TXID, "mono"), ("出金先アドレス", ADDRESSES["ETH"], "mono"),
        ("ご案内", "ブロックチェーンの混雑状況により、着金まで三十分ほどかかる場合があります。", "")]),
}


def render(out_dir, scale=2):
    """Render every page to out_dir/<name>.png at a HiDPI scale (as phones and laptops take screenshots)."""
    from playwright.sync_api import sync_playwright

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 900, "height": 600}, device_scale_factor=scale)
            page = context.new_page()
            for name, markup in PAGES.items():
                page.set_content(markup)
                paths[name] = str(out_dir / f"{name}.png")
                page.screenshot(path=paths[name], full_page=True)
        finally:
            browser.close()
    return paths


if __name__ == "__main__":
    print(json.dumps(render(sys.argv[1], scale=float(sys.argv[2]) if len(sys.argv) > 2 else 2)))
