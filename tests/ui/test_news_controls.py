"""The Library tab as an analyst who follows outlets uses it: add a page by its address, follow a feed, see
it listed with its articles, stop following it. A real loopback site serves the page and the feed."""

from __future__ import annotations

import re

import pytest

from tests.conftest import free_port
from tests.news_site import NewsSite, Route
from tests.server.conftest import LiveServer, make_settings
from tests.server.test_feeds import RSS, rss
from tests.ui.conftest import SCREENSHOTS


@pytest.fixture(scope="module")
def site():
    with NewsSite() as news:
        yield news


@pytest.fixture(scope="module")
def news_ui(tmp_path_factory, embedder):
    from server.app import create_app
    from server.service import build_service
    from server.settings import FeedSettings, FetchSettings

    settings = make_settings(tmp_path_factory.mktemp("news-ui")).model_copy(
        update={
            "fetch": FetchSettings(allow_private=True, timeout_s=2),
            "feeds": FeedSettings(tick_s=0.5, min_interval_s=1),
        }
    )
    service = build_service(settings, embedder=embedder)
    with LiveServer(create_app(settings, service=service), free_port()) as live:
        yield live.url


@pytest.fixture()
def library_page(browser, news_ui):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(news_ui + "/", wait_until="load", timeout=90_000)
    page.locator("#briefing-question textarea").wait_for(timeout=90_000)
    page.get_by_role("tab", name="Library").click()
    yield page
    context.close()


def test_a_page_is_added_by_its_address(library_page, site):
    page = library_page
    url = site.page("/ui/ledger", "ledger_valley_talks.html")
    page.locator("#briefing-url textarea, #briefing-url input").first.fill(url)
    page.locator("#briefing-url-add").click()
    page.locator("#briefing-status").get_by_text("Added").wait_for(timeout=60_000)
    assert "The Kabul Ledger" in page.locator("#briefing-status").inner_text()
    assert "Valley commanders agree to a winter ceasefire" in page.locator("#briefing-library").inner_text()
    refused = "http://127.0.0.1:1/nothing-listens-here"
    page.locator("#briefing-url textarea, #briefing-url input").first.fill(refused)
    page.locator("#briefing-url-add").click()
    page.locator("#briefing-status").get_by_text("was not added").wait_for(timeout=30_000)


def test_a_feed_is_followed_listed_and_unfollowed(library_page, site, news_ui):
    import time

    import httpx

    page = library_page
    links = [site.page("/ui/herald", "herald_girls_schools.html")]
    site.routes["/ui/feed.xml"] = Route(rss("Hindu Kush Herald", links), content_type=RSS)
    page.locator("#briefing-feed-url textarea, #briefing-feed-url input").first.fill(site.url("/ui/feed.xml"))
    page.locator("#briefing-feed-add").click()
    page.locator("#briefing-status").get_by_text("Following").wait_for(timeout=30_000)
    feeds = page.locator("#briefing-feeds")
    assert "Hindu Kush Herald" in feeds.inner_text()
    # The background poller brings the entry in; a reload shows it in the library and the feed's count.
    deadline = time.time() + 30
    while not (
        (row := httpx.get(f"{news_ui}/v1/feeds").json()[0])["documents_ingested"] == 1 and row["last_poll_at"]
    ):
        assert time.time() < deadline, row
        time.sleep(0.3)
    page.reload(wait_until="load")
    page.get_by_role("tab", name="Library").click()
    page.wait_for_function(
        "document.querySelector('#briefing-library').innerText.includes('schools reopen quietly')",
        timeout=30_000,
    )
    assert "\n1\n0" in feeds.inner_text()  # one article in, no entry failed
    page.screenshot(path=str(SCREENSHOTS / "library-feeds.png"), full_page=True)
    page.locator("#briefing-feed-pick input").click()
    page.get_by_role("option", name=re.compile("Hindu Kush Herald")).click()
    page.locator("#briefing-feed-remove").click()
    page.locator("#briefing-status").get_by_text("Stopped following").wait_for(timeout=30_000)
    assert "Hindu Kush Herald" not in feeds.inner_text()
