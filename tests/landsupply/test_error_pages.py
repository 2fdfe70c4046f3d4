"""The site's own error pages (issue 8): 400, 403, 404, 500 and a failed CSRF check, with DEBUG
off (pytest-django runs views with DEBUG off), in the site's layout with the navigation, in
Chinese and in English, each saying what the user can do next; never Django's debug page."""

import pytest
from django.template import engines
from django.test import Client
from django.urls import reverse

from tests.factories import CityUserFactory, EnterpriseUserFactory

pytestmark = pytest.mark.django_db


def _page(response) -> str:
    html = response.content.decode()
    assert "Traceback" not in html and "DEBUG = True" not in html
    assert 'class="topbar"' in html and "css/site.css" in html  # the site's own layout
    return html


def test_404_has_the_navigation_and_says_what_to_do(client):
    client.force_login(CityUserFactory())
    response = client.get("/no-such-page/")
    html = _page(response)
    assert response.status_code == 404
    assert "页面不存在" in html and "回到首页" in html
    assert reverse("plans:overview") in html  # the logged-in user's navigation


def test_404_for_anonymous_offers_login_and_the_public_page(client):
    html = _page(client.get("/parcels/no-such-page/"))
    assert reverse("login") in html and reverse("assessments:public_list") in html


def test_404_in_english_when_chosen(client):
    client.force_login(CityUserFactory())
    client.cookies["django_language"] = "en"
    html = _page(client.get("/no-such-page/"))
    assert "Page not found" in html and "页面不存在" not in html


def test_403_when_the_role_may_not_open_the_page(client):
    client.force_login(EnterpriseUserFactory())
    response = client.get(reverse("parcels:list"))
    html = _page(response)
    assert response.status_code == 403
    assert "没有权限" in html and "系统管理员" in html
    assert reverse("assessments:contract_list") in html  # the enterprise's navigation


def test_403_for_a_form_whose_csrf_check_failed_says_to_reload(reference_data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(CityUserFactory())
    response = client.post(reverse("logout"))
    html = _page(response)
    assert response.status_code == 403
    assert "页面已过期" in html and "刷新后重新填写并提交" in html


def test_400_for_a_request_django_refuses(client):
    response = client.get("/", HTTP_HOST="attacker.example.com")
    html = _page(response)
    assert response.status_code == 400
    assert "请求无法处理" in html and "没有保存任何内容" in html


@pytest.mark.urls("tests.landsupply.error_urls")
def test_500_has_the_navigation_and_whom_to_tell():
    client = Client(raise_request_exception=False)
    client.force_login(CityUserFactory())
    response = client.get("/test-failure/")
    html = _page(response)
    assert response.status_code == 500
    assert "网站出错了" in html and "联系系统管理员" in html and "出错时间" in html
    assert reverse("plans:overview") in html


@pytest.mark.urls("tests.landsupply.error_urls")
def test_500_still_renders_when_the_navigation_cannot(monkeypatch):
    """If even the page with the navigation fails (the database is down), a plain 500 page."""

    def broken_navigation(request):
        raise RuntimeError("database unavailable")

    engine = engines["django"].engine  # its context processors are imported once and cached
    monkeypatch.setattr(
        engine,
        "template_context_processors",
        (*engine.template_context_processors, broken_navigation),
    )
    client = Client(raise_request_exception=False)
    client.force_login(CityUserFactory())
    response = client.get("/test-failure/")
    html = _page(response)
    assert response.status_code == 500 and "网站出错了" in html
    assert reverse("plans:overview") not in html
