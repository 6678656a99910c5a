"""Pages by URL against real loopback web servers: the article and its metadata come in without the page's
furniture, a syndicated copy is linked to its original, and every page that cannot be had ends in a clear
4xx with nothing stored."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import free_port
from tests.news_site import PAGES, NewsSite, Route
from tests.server.conftest import LiveServer, make_settings


def expected(name: str) -> dict:
    return json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))


def fetch_settings(data_dir, **fetch):
    from server.settings import FetchSettings

    settings = make_settings(data_dir)
    return settings.model_copy(update={"fetch": FetchSettings(**fetch)})


@pytest.fixture(scope="module")
def site():
    with NewsSite() as news:
        yield news


@pytest.fixture(scope="module")
def news_api(tmp_path_factory, embedder):
    """(url, service) of a live server that may fetch from loopback, with a 1.5 s fetch bound."""
    from server.app import create_app
    from server.service import build_service

    settings = fetch_settings(tmp_path_factory.mktemp("url-data"), allow_private=True, timeout_s=1.5)
    service = build_service(settings, embedder=embedder)
    with LiveServer(create_app(settings, service=service, mount_ui=False), free_port()) as live:
        yield live.url, service


def post_url(api: str, url: str, **extra) -> httpx.Response:
    return httpx.post(f"{api}/v1/documents", json={"url": url, **extra}, timeout=60)


def documents(api: str) -> list[dict]:
    return httpx.get(f"{api}/v1/documents", timeout=30).json()


@pytest.mark.parametrize(
    "page", ["ledger_valley_talks", "herald_girls_schools", "dispatch_exile_council", "wire_border_clash"]
)
def test_a_page_by_url_comes_in_as_its_article_and_metadata(news_api, site, page):
    api, _ = news_api
    url = site.page(f"/{page}", f"{page}.html", content_type="text/html")
    response = post_url(api, url)
    assert response.status_code == 201, response.text
    info = response.json()["document"]
    want = expected(page)
    text = httpx.get(f"{api}/v1/documents/{info['id']}", timeout=30).json()["text"]
    for paragraph in want["body"]:
        assert paragraph in text
    for furniture in want["furniture"]:
        assert furniture not in text, furniture
    assert info["title"] in (want["title"], f"Hindu Kush Herald :: {want['title']}")
    for field in ("author", "published"):
        assert info[field] == want[field]
    assert info["outlet"] == want["outlet"] or (page.startswith("herald") and info["outlet"] == "")
    # The page's canonical link where it has one, else where it was fetched from.
    assert info["url"] == (want["url"] or url)
    assert info["source"] == url


def test_a_syndicated_copy_is_linked_to_its_original(news_api, site):
    api, service = news_api
    original = post_url(api, site.page("/wire", "wire_border_clash.html")).json()["document"]
    copy = post_url(api, site.page("/copy", "panjshir_post_border_copy.html"))
    assert copy.status_code == 201, copy.text
    copy_info = copy.json()["document"]
    assert copy_info["outlet"] == "Panjshir Post" and copy_info["id"] != original["id"]
    # Linked at ingest, and in both directions wherever documents are listed or read.
    assert copy_info["same_story_as"] == [original["id"]]
    listed = {d["id"]: d for d in documents(api)}
    assert listed[original["id"]]["same_story_as"] == [copy_info["id"]]
    assert listed[copy_info["id"]]["same_story_as"] == [original["id"]]
    read = httpx.get(f"{api}/v1/documents/{original['id']}", timeout=30).json()
    assert read["same_story_as"] == [copy_info["id"]]
    # What the answer engine calls; unrelated articles are linked to nothing.
    assert [d.outlet for d in service.same_story_as(original["id"])] == ["Panjshir Post"]
    groups = service.library.same_story_groups([original["id"], copy_info["id"], "no-such-id"])
    assert {k: [d.id for d in v] for k, v in groups.items()} == {
        original["id"]: [copy_info["id"]],
        copy_info["id"]: [original["id"]],
    }
    others = [d for d in listed.values() if d["id"] not in (original["id"], copy_info["id"])]
    assert others and all(d["same_story_as"] == [] for d in others)


def test_an_answer_from_a_syndicated_story_names_the_other_outlet_and_no_disagreement(news_api, site):
    api, service = news_api
    original = post_url(api, site.page("/wire", "wire_border_clash.html")).json()["document"]
    copy = post_url(api, site.page("/copy", "panjshir_post_border_copy.html")).json()["document"]
    outlets = {original["id"]: original["outlet"], copy["id"]: copy["outlet"]}
    question = "How long did the attack on the checkpoint on the Hairatan road last?"
    answer = httpx.post(f"{api}/v1/ask", json={"question": question}, timeout=60).json()
    assert not answer["refused"], answer
    story = [c for c in answer["citations"] if c["doc_id"] in outlets]
    assert story, answer["citations"]
    for c in story:
        other = next(o for d, o in outlets.items() if d != c["doc_id"])
        assert c["also_carried_by"] == [other]
    assert "also carried by" in answer["answer"]
    # the copies are one story: never shown as sources that disagree
    assert not any(
        {s["doc_id"] for s in conflict["sides"]} == set(outlets) for conflict in answer["conflicts"]
    )


def test_an_html_upload_goes_through_the_same_extractor(news_api, site):
    api, _ = news_api
    data = (PAGES / "ledger_valley_talks.html").read_bytes()
    uploaded = httpx.post(
        f"{api}/v1/documents", files={"file": ("ledger.html", data, "text/html")}, timeout=60
    ).json()
    by_url = post_url(api, site.page("/ledger-again", "ledger_valley_talks.html")).json()
    assert uploaded["document"]["id"] == by_url["document"]["id"]  # the same text, so the same id


SLOW = Route(b"<html><body><p>Too late.</p></body></html>", delay_s=4)
FAILURES = [
    # (path, route, status, words in the message)
    ("/slow", SLOW, 422, "timed out"),
    ("/broken", Route(b"Internal error", status=500, content_type="text/plain"), 422, "HTTP 500"),
    ("/gone", Route(b"Not here", status=404, content_type="text/plain"), 422, "HTTP 404"),
    ("/huge", Route(body_bytes=50_000_000), 413, "larger than"),
    ("/image", Route(b"\x89PNG\r\n\x1a\n", content_type="image/png"), 415, "image/png"),
    ("/empty-page", Route(b"<html><body><script>x()</script></body></html>"), 422, "no readable"),
    ("/loop", Route(status=302, headers={"Location": "/loop"}), 422, "redirects"),
    (
        "/halfway",
        Route((PAGES / "ledger_valley_talks.html").read_bytes(), truncate_at=3000),
        422,
        "broke off",
    ),
]


@pytest.mark.parametrize(("path", "route", "status", "words"), FAILURES, ids=[f[0] for f in FAILURES])
def test_a_page_that_cannot_be_had_gets_a_clear_4xx_and_stores_nothing(
    news_api, site, path, route, status, words
):
    api, service = news_api
    site.routes[path] = route
    before = documents(api)
    response = post_url(api, site.url(path))
    assert response.status_code == status, response.text
    assert words in response.json()["error"]["message"]
    assert documents(api) == before
    assert service.library.audit().ok


def test_bad_urls_are_refused_before_anything_is_fetched(news_api):
    api, _ = news_api
    for url in ("ftp://example.org/a", "not a url", "http://", "file:///etc/passwd"):
        assert post_url(api, url).status_code == 422, url
    unknown = post_url(api, "http://no-such-host.invalid/story")
    assert unknown.status_code == 422 and "could not be found" in unknown.json()["error"]["message"]
    assert httpx.post(f"{api}/v1/documents", json={"link": "x"}, timeout=30).status_code == 422


def refusing_server(news_api, tmp_path, **fetch):
    """A second app over the same library whose fetches follow other settings."""
    from server.app import create_app
    from server.service import BriefingService

    _, service = news_api
    settings = fetch_settings(tmp_path, **fetch)
    return LiveServer(
        create_app(
            settings, service=BriefingService(settings, service.library, service.engine), mount_ui=False
        ),
        free_port(),
    )


def test_loopback_is_refused_when_private_fetching_is_off(news_api, site, tmp_path):
    site.page("/private", "ledger_valley_talks.html")
    with refusing_server(news_api, tmp_path, allow_private=False) as live:
        for url in (site.url("/private"), f"http://localhost:{site.port}/private"):
            response = post_url(live.url, url)
            assert response.status_code == 403, response.text
            assert "BRIEFING_FETCH_ALLOW_PRIVATE" in response.json()["error"]["message"]
    assert site.hits["/private"] == 0  # refused after resolving, before connecting


def test_a_redirect_to_a_private_address_is_refused(news_api, tmp_path):
    """The first site is allowed (its network is listed); the redirect's targets are not, and none of
    them is contacted: another loopback address with a real server on it, and the metadata address."""
    with NewsSite() as first, NewsSite(host="127.0.0.2") as inner:
        inner.page("/secret", "ledger_valley_talks.html")
        first.routes["/to-inner"] = Route(status=302, headers={"Location": inner.url("/secret")})
        first.routes["/to-metadata"] = Route(
            status=301, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
        )
        with refusing_server(news_api, tmp_path, allowed_networks=["127.0.0.1/32"]) as live:
            for path, address in (("/to-inner", "127.0.0.2"), ("/to-metadata", "169.254.169.254")):
                response = post_url(live.url, first.url(path))
                assert response.status_code == 403, response.text
                assert address in response.json()["error"]["message"]
            assert first.hits["/to-inner"] == 1
        assert inner.hits["/secret"] == 0


def test_fetching_needs_the_api_key_as_uploads_do(news_api, site, tmp_path):
    from server.app import create_app
    from server.service import BriefingService
    from server.settings import ServerSettings

    _, service = news_api
    settings = fetch_settings(tmp_path, allow_private=True)
    settings = settings.model_copy(update={"server": ServerSettings(api_key="s3cret-key")})
    site.page("/keyed", "ledger_valley_talks.html")
    app = create_app(
        settings, service=BriefingService(settings, service.library, service.engine), mount_ui=False
    )
    with LiveServer(app, free_port()) as live:
        assert post_url(live.url, site.url("/keyed")).status_code == 401
        assert site.hits["/keyed"] == 0
        keyed = httpx.post(
            f"{live.url}/v1/documents",
            json={"url": site.url("/keyed")},
            headers={"Authorization": "Bearer s3cret-key"},
            timeout=60,
        )
        assert keyed.status_code == 201, keyed.text


def test_briefing_ingest_takes_urls(site, tmp_path, embedder):
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.server.conftest import served_data_dir

    briefing = str(Path(sys.executable).parent / "briefing")
    data = served_data_dir(tmp_path / "data", embedder)
    url = site.page("/cli/ledger", "ledger_valley_talks.html")

    def run(*args, **env):
        environment = {**os.environ, "BRIEFING_DATA_DIR": str(data), **env}
        return subprocess.run(
            [briefing, "ingest", *args], capture_output=True, text=True, env=environment, timeout=300
        )

    refused = run(url)
    assert refused.returncode == 1 and "BRIEFING_FETCH_ALLOW_PRIVATE" in refused.stderr
    assert site.hits["/cli/ledger"] == 0
    added = run(url, site.url("/cli/missing"), BRIEFING_FETCH_ALLOW_PRIVATE="true")
    assert added.returncode == 1  # one of the two failed, and says so
    assert "added" in added.stdout and url in added.stdout
    assert "/cli/missing" in added.stderr and "HTTP 404" in added.stderr
