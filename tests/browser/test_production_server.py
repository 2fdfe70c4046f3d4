"""Browser: the README's production command serves the site with DEBUG off (issue 8).

Starts bin/serve-production (migrate, collectstatic, gunicorn with WhiteNoise) in a subprocess
with a production environment of its own (a SQLite file in a temporary folder: the server shares
nothing with pytest's database), then checks in Chromium that pages, the stylesheet and the
vendored Chart.js load, and that a 404 and a 500 show the site's own pages, never the debug page.
"""

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from landsupply.seed import DEMO_PASSWORD
from tests.browser.conftest import open_page

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "screenshots"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _production_env(tmp: Path, port: int) -> dict:
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT"}
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(
        {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
            "DJANGO_SETTINGS_MODULE": "tests.browser.production_settings",
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "STATIC_ROOT": str(tmp / "static"),
            "LANDSUPPLY_VAR_DIR": str(tmp / "var"),
            "CELERY_TASK_ALWAYS_EAGER": "1",
            "PORT": str(port),
            "WEB_CONCURRENCY": "2",
            # Plain http on the loopback: the TLS proxy's switches off (each has its own variable).
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "SECURE_HSTS_SECONDS": "0",
        }
    )
    return env


@pytest.fixture(scope="module")
def production_server(browser, tmp_path_factory):
    """Base URL of bin/serve-production running with demo data; stopped after the module."""
    tmp = tmp_path_factory.mktemp("production")
    port = _free_port()
    env = _production_env(tmp, port)
    for command in (["migrate", "-v0"], ["seed_plans", "-v0"], ["seed_demo", "--force", "-v0"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=300
        )
    log = open(tmp / "server.log", "w+")  # noqa: SIM115  closed below
    server = subprocess.Popen(
        [str(ROOT / "bin" / "serve-production")],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if server.poll() is not None:
                log.seek(0)
                pytest.fail(f"bin/serve-production exited:\n{log.read()[-3000:]}")
            try:
                urllib.request.urlopen(base + "/login/", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("bin/serve-production did not answer within 120 s")
                time.sleep(0.5)
        yield base
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


@pytest.fixture
def prod_page(browser, production_server):
    with open_page(browser, production_server) as page:
        yield page


def _shot(page, name, width=None):
    SCREENSHOTS.mkdir(exist_ok=True)
    if width:
        page.set_viewport_size({"width": width, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _login(page, base, username="city"):
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def test_production_server_serves_pages_stylesheet_and_chart_library(prod_page, production_server):
    static = []
    prod_page.on(
        "response",
        lambda r: static.append((r.url, r.status, r.headers)) if "/static/" in r.url else None,
    )
    response = prod_page.goto(production_server + "/login/")
    assert response.status == 200 and response.headers["server"].startswith("gunicorn")
    _login(prod_page, production_server)
    assert prod_page.url.rstrip("/").endswith("/plans")
    assert "北京市2024年度建设用地供应计划" in prod_page.locator("h1").inner_text()
    # The stylesheet applies (the top bar's colour) and the vendored Chart.js drew the charts.
    colour = prod_page.evaluate(
        "getComputedStyle(document.querySelector('.topbar')).backgroundColor"
    )
    assert colour == "rgb(31, 78, 140)"
    prod_page.wait_for_function("window.Chart && document.querySelectorAll('canvas').length >= 3")
    # WhiteNoise served both under hashed names, cached for ever.
    names = {url.rsplit("/", 1)[-1]: (status, headers) for url, status, headers in static}
    css = next(n for n in names if n.startswith("site.") and n.endswith(".css"))
    chart = next(n for n in names if n.startswith("chart.umd.min.") and n.endswith(".js"))
    for name in (css, chart):
        status, headers = names[name]
        assert status == 200 and "immutable" in headers["cache-control"], name
        assert len(name.split(".")) >= 3  # site.<hash>.css, chart.umd.min.<hash>.js
    _shot(prod_page, "production-overview")
    _shot(prod_page, "production-overview-390", width=390)


@pytest.mark.parametrize(
    ("path", "status", "says"),
    [
        ("/parcels/no-such-parcel/", 404, ["页面不存在", "回到首页"]),
        ("/test-failure/", 500, ["网站出错了", "联系系统管理员"]),
    ],
)
def test_production_error_pages_are_the_sites_own(prod_page, production_server, path, status, says):
    _login(prod_page, production_server)
    response = prod_page.goto(production_server + path)
    assert response.status == status
    body = prod_page.locator("body").inner_text()
    assert all(text in body for text in says), body
    for debug in ("Traceback", "RuntimeError", "URLconf", "Page not found at", "DEBUG = True"):
        assert debug not in body  # Django's debug pages
    assert prod_page.locator("nav.mainnav").is_visible()
    _shot(prod_page, f"production-{status}")
    _shot(prod_page, f"production-{status}-390", width=390)
