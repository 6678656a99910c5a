"""Following outlets against real loopback sites that serve RSS 2.0 and Atom feeds and the pages they link:
new entries come in once, an unchanged feed costs a 304, failures are retried and backed off, and the
subscriptions outlive the server and are shared by servers on one Chroma server."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.conftest import free_port
from tests.news_site import NewsSite, Route
from tests.server.conftest import LiveServer, make_settings

RSS = "application/rss+xml; charset=utf-8"
ATOM = "application/atom+xml"


def rss(title: str, links: list[str]) -> bytes:
    items = "".join(
        f"<item><title>Story {i}</title><link>{link}</link><guid>{link}</guid>"
        f"<pubDate>Wed, 18 Nov 2026 0{i}:30:00 GMT</pubDate></item>"
        for i, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>http://example.org/</link><description>d</description>{items}</channel></rss>"
    ).encode()


def atom(title: str, links: list[str]) -> bytes:
    entries = "".join(
        f'<entry><title>Entry {i}</title><link href="{link}"/><id>urn:entry:{i}</id>'
        f"<updated>2026-11-20T0{i}:12:00Z</updated></entry>"
        for i, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{title}</title>'
        f"<id>urn:feed</id><updated>2026-11-20T05:12:00Z</updated>{entries}</feed>"
    ).encode()


def feed_settings(data_dir, chroma_url: str | None = None, background: bool = False):
    from server.settings import FeedSettings, FetchSettings, IndexSettings

    settings = make_settings(data_dir)
    return settings.model_copy(
        update={
            "fetch": FetchSettings(allow_private=True, timeout_s=1.5),
            "feeds": FeedSettings(
                poll_in_background=background, tick_s=0.2, min_interval_s=1, default_interval_s=900
            ),
            "index": IndexSettings(
                data_dir=data_dir, articles_dir=settings.index.articles_dir, chroma_url=chroma_url
            ),
        }
    )


def serve(settings, embedder):
    from server.app import create_app
    from server.service import build_service

    service = build_service(settings, embedder=embedder)
    return LiveServer(create_app(settings, service=service, mount_ui=False), free_port()), service


@pytest.fixture()
def site():
    with NewsSite() as news:
        yield news


@pytest.fixture()
def feeds_api(tmp_path, embedder):
    live, service = serve(feed_settings(tmp_path / "data"), embedder)
    with live:
        yield live.url, service


def subscribe(api: str, url: str, **extra) -> httpx.Response:
    return httpx.post(f"{api}/v1/feeds", json={"url": url, **extra}, timeout=60)


def poll(api: str, feed_id: str) -> dict:
    response = httpx.post(f"{api}/v1/feeds/{feed_id}/poll", timeout=120)
    assert response.status_code == 200, response.text
    return response.json()


def listed(api: str) -> list[dict]:
    return httpx.get(f"{api}/v1/feeds", timeout=30).json()


def doc_sources(api: str) -> set[str]:
    return {d["source"] for d in httpx.get(f"{api}/v1/documents", timeout=30).json()}


def test_an_rss_feed_is_followed_and_each_entry_comes_in_once(feeds_api, site):
    api, service = feeds_api
    links = [
        site.page("/a/ledger", "ledger_valley_talks.html"),
        site.page("/a/herald", "herald_girls_schools.html"),
    ]
    site.routes["/feed.xml"] = Route(rss("The Kabul Ledger", links), content_type=RSS, etag='"v1"')
    created = subscribe(api, site.url("/feed.xml"))
    assert created.status_code == 201, created.text
    feed = created.json()
    assert feed["title"] == "The Kabul Ledger" and feed["last_poll_at"] is None and feed["interval_s"] == 900
    assert subscribe(api, site.url("/feed.xml")).status_code == 200  # already followed: the same feed

    first = poll(api, feed["id"])
    assert (first["new_entries"], first["ingested"], first["failed"]) == (2, 2, 0)
    assert set(links) <= doc_sources(api)
    herald = next(d for d in httpx.get(f"{api}/v1/documents").json() if d["source"] == links[1])
    assert herald["published"] == "2026-11-12"  # the page's own date wins over the feed's

    # Unchanged: the feed answers 304 and no page is fetched again.
    second = poll(api, feed["id"])
    assert second["not_modified"] is True and second["ingested"] == 0
    assert site.conditional_hits["/feed.xml"] == 1
    # Changed, with one entry more: only the new one is fetched.
    links.append(site.page("/a/dispatch", "dispatch_exile_council.html"))
    site.routes["/feed.xml"] = Route(rss("The Kabul Ledger", links), content_type=RSS, etag='"v2"')
    third = poll(api, feed["id"])
    assert (third["new_entries"], third["ingested"]) == (1, 1)
    assert site.hits["/a/ledger"] == 1 and site.hits["/a/herald"] == 1 and site.hits["/a/dispatch"] == 1
    [row] = listed(api)
    assert row["documents_ingested"] == 3 and row["entries_failed"] == 0 and row["last_error"] == ""
    assert row["last_poll_at"] and row["next_poll_at"] > row["last_poll_at"]
    assert service.library.audit().ok


def test_an_atom_feed_with_a_syndicated_copy(feeds_api, site):
    api, _ = feeds_api
    links = [
        site.page("/w/wire", "wire_border_clash.html"),
        site.page("/w/copy", "panjshir_post_border_copy.html"),
    ]
    site.routes["/atom"] = Route(atom("Northern desk", links), content_type=ATOM)
    feed = subscribe(api, site.url("/atom")).json()
    assert poll(api, feed["id"])["ingested"] == 2
    docs = {d["source"]: d for d in httpx.get(f"{api}/v1/documents").json()}
    assert docs[links[0]]["same_story_as"] == [docs[links[1]]["id"]]
    assert docs[links[1]]["same_story_as"] == [docs[links[0]]["id"]]


def test_entries_that_fail_are_counted_retried_and_leave_nothing(feeds_api, site):
    api, service = feeds_api
    good = site.page("/f/good", "ledger_valley_talks.html")
    site.routes["/f/broken"] = Route(b"oops", status=500, content_type="text/plain")
    site.routes["/f/slow"] = Route(b"<p>late</p>", delay_s=4)
    site.routes["/f/huge"] = Route(body_bytes=50_000_000)
    links = [good, site.url("/f/broken"), site.url("/f/slow"), site.url("/f/huge")]
    site.routes["/feed"] = Route(rss("Mixed", links), content_type=RSS)
    before = doc_sources(api)
    feed = subscribe(api, site.url("/feed")).json()
    report = poll(api, feed["id"])
    assert (report["ingested"], report["failed"]) == (1, 3)
    assert doc_sources(api) - before == {good}
    assert service.library.audit().ok
    [row] = listed(api)
    assert row["entries_failed"] == 3 and row["last_error"] == ""  # the feed itself worked
    # The page is fixed: the next poll takes it up again; the good entry is not fetched twice.
    site.page("/f/broken", "herald_girls_schools.html")
    again = poll(api, feed["id"])
    assert again["ingested"] == 1 and site.hits["/f/good"] == 1
    assert site.url("/f/broken") in doc_sources(api)


def test_malformed_feeds_are_refused_or_backed_off(feeds_api, site):
    api, _ = feeds_api
    site.routes["/bad.xml"] = Route(b"<?xml version='1.0'?><rss><channel><title>x</ti", content_type=RSS)
    refused = subscribe(api, site.url("/bad.xml"))
    assert refused.status_code == 422 and "not an RSS or Atom feed" in refused.json()["error"]["message"]
    site.routes["/page"] = Route(b"<html><body><p>A page, not a feed.</p></body></html>")
    not_a_feed = subscribe(api, site.url("/page"))
    assert (
        not_a_feed.status_code == 415 and "names no RSS or Atom feed" in not_a_feed.json()["error"]["message"]
    )
    assert listed(api) == []

    site.routes["/ok.xml"] = Route(rss("Fine", []), content_type=RSS)
    feed = subscribe(api, site.url("/ok.xml"), interval_s=60).json()
    site.routes["/ok.xml"] = Route(b"<<<not xml at all", content_type=RSS)
    before = doc_sources(api)
    report = poll(api, feed["id"])
    assert report["error"] and report["ingested"] == 0
    [row] = listed(api)
    assert row["failures"] == 1 and "not an RSS or Atom feed" in row["last_error"]
    assert row["next_poll_at"] - row["last_poll_at"] == pytest.approx(120, abs=1)  # doubled
    site.routes["/ok.xml"] = Route(b"", status=500)
    poll(api, feed["id"])
    [row] = listed(api)
    assert row["failures"] == 2 and "HTTP 500" in row["last_error"]
    assert row["next_poll_at"] - row["last_poll_at"] == pytest.approx(240, abs=1)
    site.routes["/ok.xml"] = Route(rss("Fine", []), content_type=RSS)
    poll(api, feed["id"])
    [row] = listed(api)
    assert row["failures"] == 0 and row["last_error"] == ""
    assert doc_sources(api) == before


def test_an_outlets_home_page_leads_to_the_feed_it_announces(feeds_api, site):
    api, _ = feeds_api
    site.routes["/home/feed.rss"] = Route(rss("The Kabul Ledger", []), content_type=RSS)
    site.routes["/home/"] = Route(
        b'<html><head><title>The Kabul Ledger</title><link rel="alternate" type="application/rss+xml" '
        b'title="Latest" href="/home/feed.rss"></head><body><p>Front page</p></body></html>'
    )
    created = subscribe(api, site.url("/home/"))
    assert created.status_code == 201, created.text
    assert created.json()["url"] == site.url("/home/feed.rss")
    assert subscribe(api, site.url("/home/")).status_code == 200  # the same feed, however it is named
    assert [f["url"] for f in listed(api)] == [site.url("/home/feed.rss")]


def test_a_long_backlog_comes_in_over_quick_polls(tmp_path, embedder, site):
    from server.settings import FeedSettings

    links = [
        site.page(f"/k/{name}", f"{name}.html") for name in ("ledger_valley_talks", "herald_girls_schools")
    ]
    site.routes["/k.xml"] = Route(rss("K", links), content_type=RSS, etag='"k"')
    settings = feed_settings(tmp_path / "data")
    settings = settings.model_copy(
        update={"feeds": FeedSettings(poll_in_background=False, max_entries_per_poll=1)}
    )
    live, _ = serve(settings, embedder)
    with live:
        feed = subscribe(live.url, site.url("/k.xml")).json()
        first = poll(live.url, feed["id"])
        assert first["ingested"] == 1
        assert first["feed"]["next_poll_at"] - first["feed"]["last_poll_at"] == pytest.approx(60, abs=1)
        second = poll(live.url, feed["id"])  # not a 304: the backlog is still there
        assert second["ingested"] == 1 and set(links) <= doc_sources(live.url)
        assert second["feed"]["next_poll_at"] - second["feed"]["last_poll_at"] == pytest.approx(900, abs=1)


def test_unsubscribing_keeps_the_articles(feeds_api, site):
    api, _ = feeds_api
    link = site.page("/u/ledger", "ledger_valley_talks.html")
    site.routes["/u.xml"] = Route(rss("U", [link]), content_type=RSS)
    feed = subscribe(api, site.url("/u.xml")).json()
    poll(api, feed["id"])
    assert httpx.delete(f"{api}/v1/feeds/{feed['id']}").status_code == 204
    assert listed(api) == [] and link in doc_sources(api)
    assert httpx.delete(f"{api}/v1/feeds/{feed['id']}").status_code == 404
    assert httpx.post(f"{api}/v1/feeds/{feed['id']}/poll").status_code == 404


def test_feeds_are_polled_in_the_background(tmp_path, embedder, site):
    link = site.page("/b/ledger", "ledger_valley_talks.html")
    site.routes["/b.xml"] = Route(rss("B", [link]), content_type=RSS)
    live, _ = serve(feed_settings(tmp_path / "data", background=True), embedder)
    with live:
        subscribe(live.url, site.url("/b.xml"), interval_s=1)
        deadline = time.time() + 30
        while link not in doc_sources(live.url) and time.time() < deadline:
            time.sleep(0.2)
        assert link in doc_sources(live.url)
        time.sleep(2.5)  # a few more intervals: the feed is polled again, the page is not
        assert site.hits["/b.xml"] >= 2 and site.hits["/b/ledger"] == 1


def test_subscriptions_survive_a_restart(tmp_path, embedder, site):
    link = site.page("/r/ledger", "ledger_valley_talks.html")
    site.routes["/r.xml"] = Route(rss("R", [link]), content_type=RSS)
    settings = feed_settings(tmp_path / "data")
    live, _ = serve(settings, embedder)
    with live:
        feed = subscribe(live.url, site.url("/r.xml")).json()
        assert poll(live.url, feed["id"])["ingested"] == 1
    live, _ = serve(settings, embedder)
    with live:
        [row] = listed(live.url)
        assert row["id"] == feed["id"] and row["documents_ingested"] == 1
        assert poll(live.url, feed["id"])["new_entries"] == 0
    assert site.hits["/r/ledger"] == 1


@pytest.fixture()
def chroma_server(tmp_path):
    """A real `chroma run` on loopback."""
    from tests.conftest import chroma_executable, start_and_wait

    port = free_port()
    proc = start_and_wait(
        [
            chroma_executable(),
            "run",
            "--path",
            str(tmp_path / "chroma"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        f"http://127.0.0.1:{port}/api/v2/heartbeat",
        tmp_path / "chroma.log",
        env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


@pytest.mark.slow
def test_servers_on_one_chroma_server_share_feeds_and_entries(tmp_path, embedder, site, chroma_server):
    links = [
        site.page("/s/ledger", "ledger_valley_talks.html"),
        site.page("/s/herald", "herald_girls_schools.html"),
    ]
    site.routes["/s.xml"] = Route(rss("S", links), content_type=RSS)
    one, _ = serve(feed_settings(tmp_path / "one", chroma_url=chroma_server), embedder)
    two, _ = serve(feed_settings(tmp_path / "two", chroma_url=chroma_server), embedder)
    with one, two:
        feed = subscribe(one.url, site.url("/s.xml")).json()
        assert [f["id"] for f in listed(two.url)] == [feed["id"]]
        assert poll(two.url, feed["id"])["ingested"] == 2
        assert poll(one.url, feed["id"])["new_entries"] == 0  # seen by the other server
        assert site.hits["/s/ledger"] == 1 and site.hits["/s/herald"] == 1
        assert set(links) <= doc_sources(one.url)
