"""A worried visitor checks contacts on /verify/: a fake support account on Telegram, in Chinese, gets the red
warning; switching to Korean keeps the answer (now in Korean); the real support email gets the green answer."""
import pytest
from playwright.sync_api import expect

from verification.models import ChannelKind, Platform
from verification.services import official_channel_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def official_list():
    official_channel_create(kind=ChannelKind.EMAIL, value="support@example.com", labels={
        "en": "Customer support email", "zh-hans": "客户支持邮箱", "ko": "고객 지원 이메일"})
    official_channel_create(kind=ChannelKind.SOCIAL, platform=Platform.TELEGRAM, value="@example_support",
                            labels={"en": "Telegram support", "zh-hans": "Telegram 客服", "ko": "텔레그램 지원"})


def test_fake_telegram_support_in_chinese_then_the_real_email_in_korean(new_page, screenshot):
    official_list()
    page = new_page(locale="zh-CN")
    page.goto("/zh-hans/verify/")
    expect(page.locator("h1")).to_have_text("真的是我们吗？")
    platform = page.get_by_label("平台")
    expect(platform).to_be_hidden()  # only for social media accounts
    page.get_by_label("社交媒体账号").check()
    expect(platform).to_be_visible()
    platform.select_option("telegram")
    page.get_by_label("地址、号码或名称").fill("@example_support_help")
    page.get_by_role("button", name="核验").click()

    warning = page.get_by_test_id("verify-warning")
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("不是官方渠道")
    expect(warning).to_contain_text("我们的员工绝不会索要这些信息")
    expect(warning).to_contain_text("example_support_help")
    expect(page.get_by_test_id("verify-official")).to_have_count(0)
    screenshot("zh-warning", page)

    page.get_by_label("语言").select_option("ko")
    page.wait_for_url("**/ko/verify/?*")
    expect(page.get_by_test_id("verify-warning")).to_contain_text("공식 채널이 아닙니다")

    page.get_by_label("이메일 주소").check()
    expect(page.get_by_label("플랫폼")).to_be_hidden()
    page.get_by_label("주소, 번호 또는 이름").fill("Support@Example.com")
    page.get_by_role("button", name="확인하기").click()
    official = page.get_by_test_id("verify-official")
    expect(official).to_contain_text("Support의 공식 채널입니다: 고객 지원 이메일")
    expect(official).to_contain_text("support@example.com")
    expect(page.get_by_test_id("verify-warning")).to_have_count(0)
    screenshot("ko-official", page)


def test_the_warning_reads_well_on_a_phone(new_page, screenshot):
    official_list()
    page = new_page(viewport={"width": 390, "height": 844}, locale="en-US")
    page.goto("/en/verify/?kind=domain&value=https://exаmple.com/login")
    warning = page.get_by_test_id("verify-warning")
    expect(warning).to_contain_text("xn--exmple-4nf.com")
    expect(page.get_by_test_id("verify-lookalike")).to_be_visible()
    box = warning.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # no sideways scrolling
    screenshot("phone-lookalike", page)
