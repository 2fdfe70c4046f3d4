"""Browser: a user creates an API token on their own page (shown once), uses it, and revokes
it (issue 13); desktop and 390 px, Chinese by default and in English."""

import pytest
from django.test import Client

from api.models import ApiToken
from tests.factories import DistrictUserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_use_and_revoke_a_token(page, login, screenshot):
    user = DistrictUserFactory(username="clerk")
    login("clerk")
    page.click("a[href='/api/tokens/']")  # from the user menu
    assert page.locator("h1").inner_text() == "接口令牌"
    assert page.locator("#tokens").inner_text().count("还没有令牌") == 1
    page.fill("input[name=name]", "区台账系统")
    page.click("#token-create button[type=submit]")
    token = page.locator("#new-token code").first.inner_text().strip()
    assert token.startswith("ls_") and len(token) > 40
    screenshot("api_token_created")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("api_token_created_390")
    # the token works, and is not shown again
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    assert Client().get("/api/parcels/", **headers).status_code == 200
    page.reload()  # a reload neither shows it again nor creates another
    assert token not in page.content()
    assert ApiToken.objects.filter(user=user).count() == 1
    assert "区台账系统" in page.locator("#tokens").inner_text()
    with page.expect_navigation():
        page.click("#tokens button[type=submit]")
    assert page.locator("#tokens").inner_text().count("还没有令牌") == 1
    assert not ApiToken.objects.filter(user=user).exists()
    assert Client().get("/api/parcels/", **headers).status_code == 401
    screenshot("api_token_revoked_390")


def test_the_token_page_in_english(page, login, screenshot):
    DistrictUserFactory(username="clerk")
    login("clerk")
    page.goto(page.base_url + "/api/tokens/")
    with page.expect_navigation():
        page.select_option("select[name=language]", "en")
    assert page.locator("h1").inner_text() == "API tokens"
    page.fill("input[name=name]", "ERP")
    page.click("#token-create button[type=submit]")
    assert "shown only this once" in page.locator("#new-token").inner_text()
    screenshot("api_token_created_en")
