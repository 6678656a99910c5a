"""A live server with the UI mounted, and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO, free_port
from tests.server.conftest import LiveServer, make_settings

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = REPO / "test-output" / "screenshots"


@pytest.fixture(scope="module")
def ui_app(tmp_path_factory, embedder):
    """(base URL, data dir) of a live server with the UI mounted."""
    from server.app import create_app
    from server.service import build_service

    settings = make_settings(tmp_path_factory.mktemp("ui-data"))
    service = build_service(settings, embedder=embedder)
    with LiveServer(create_app(settings, service=service), free_port()) as live:
        yield live.url, settings.index.data_dir


@pytest.fixture(scope="module")
def ui_server(ui_app):
    return ui_app[0]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs it with apt-get (see the Makefile)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, ui_server):
    """A fresh page that records every request leaving loopback."""
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.external_requests = []
    page.on(
        "request",
        lambda r: (
            page.external_requests.append(r.url)
            if not r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))
            else None
        ),
    )
    page.goto(ui_server + "/", wait_until="load", timeout=90_000)
    page.locator("#briefing-question textarea").wait_for(timeout=90_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield page
    context.close()
