"""Browser: a clerk changes their own password from the top bar; a locked account sees why
(issue 8)."""

import pytest

from tests.factories import CityUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_change_own_password_from_the_navigation(page, login, screenshot, reference_data):
    user = CityUserFactory(username="bj_clerk")
    login(user.username)
    page.click("text=修改密码")
    assert page.locator("h1").inner_text() == "修改密码"
    page.fill("input[name=old_password]", "pw-12345")
    page.fill("input[name=new_password1]", "qwerty123")
    page.fill("input[name=new_password2]", "qwerty123")
    page.click("form.password-form button[type=submit]")  # the top bar has the logout button
    assert "这个密码太常见了" in page.locator("form.password-form").inner_text()
    screenshot("password-change-rejected")
    page.set_viewport_size({"width": 390, "height": 900})
    screenshot("password-change-rejected-390")
    page.fill("input[name=old_password]", "pw-12345")
    page.fill("input[name=new_password1]", "Tudi-Gongying-2025")
    page.fill("input[name=new_password2]", "Tudi-Gongying-2025")
    page.click("form.password-form button[type=submit]")
    assert page.locator("h1").inner_text() == "密码已修改"
    user.refresh_from_db()
    assert user.check_password("Tudi-Gongying-2025")


def test_locked_account_sees_how_long_and_whom_to_ask(page, screenshot, reference_data):
    user = CityUserFactory(username="bj_locked")
    for _ in range(10):
        page.goto(page.base_url + "/login/")
        page.fill("input[name=username]", user.username)
        page.fill("input[name=password]", "wrong")
        page.click("button[type=submit]")
    assert "账号已暂时锁定" in page.locator("h1").inner_text()
    assert "30 分钟" in page.locator("main").inner_text()
    screenshot("login-locked-out")
