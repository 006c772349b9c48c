"""Keyboard users (issue #24, defects 6 and 10): the customer chat's paper-clip is reached with Tab and opens the file
picker, and the focus ring stands out at 3:1 or more against what is around it, on the light pages and on the dark
header. Screenshots: test-artifacts/keyboard-*.png."""
import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONTRAST_JS = """([selector, around]) => {
  const rgb = (value) => value.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
  const luminance = ([r, g, b]) => {
    const part = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * part(r) + 0.7152 * part(g) + 0.0722 * part(b);
  };
  const ring = getComputedStyle(document.querySelector(selector));
  let node = document.querySelector(around), background = 'rgba(0, 0, 0, 0)';
  while (node && /rgba\\(0, 0, 0, 0\\)|transparent/.test(background)) {
    background = getComputedStyle(node).backgroundColor; node = node.parentElement;
  }
  const [a, b] = [luminance(rgb(ring.outlineColor)), luminance(rgb(background))];
  return {width: ring.outlineWidth, style: ring.outlineStyle,
          ratio: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)};
}"""


@pytest.mark.parametrize("lang", ["ja", "ru"])
def test_the_paper_clip_is_reached_by_tab_and_the_focus_ring_contrasts(new_page, asgi_server, lang):
    page = new_page(base_url=asgi_server.start())
    page.goto(f"/{lang}/chat/")
    page.locator("#prechat-name").fill("美咲")
    page.locator("#prechat-email").fill("misaki@example.com")
    page.locator("#prechat button[type=submit]").click()
    expect(page.locator("#chat-panel")).to_be_visible()
    page.locator("#chat-input").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "chat-file"
    ring = page.evaluate(CONTRAST_JS, [".chat-attach", ".chat-form"])
    assert ring["style"] != "none" and ring["width"] == "3px" and ring["ratio"] >= 3, ring
    with page.expect_file_chooser() as chooser:
        # Enter on the paper-clip (focused again first: the bot's greeting may arrive and scroll meanwhile).
        page.locator("#chat-file").press("Enter")
    assert chooser.value.element.get_attribute("id") == "chat-file"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"keyboard-{lang}-chat-attach.png"))
    # The header's links, on dark: the ring keeps 3:1 there too.
    page.locator(".site-header a").first.focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('.site-header') !== null")
    assert focused
    ring = page.evaluate(CONTRAST_JS, [".site-header :focus-visible", ".site-header"])
    assert ring["ratio"] >= 3, ring
