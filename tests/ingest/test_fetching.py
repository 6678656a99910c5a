"""The fetch guard on its own: which addresses and URLs are refused, against real loopback servers."""

from __future__ import annotations

import ipaddress

import pytest

from ingest.fetching import PAGE_TYPES, FetchError, FetchLimits, checked_url, fetch
from tests.news_site import NewsSite, Route

REFUSED = [
    "127.0.0.1",
    "127.8.9.10",
    "::1",
    "10.1.2.3",
    "172.16.0.9",
    "192.168.1.1",
    "169.254.169.254",  # cloud metadata
    "fd00:ec2::254",  # AWS's IPv6 metadata address
    "100.100.100.200",  # Alibaba's metadata address (shared address space)
    "0.0.0.0",
    "::ffff:127.0.0.1",  # loopback mapped into IPv6
    "224.0.0.1",
    "fe80::1",
]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused_unless_allowed(address):
    ip = ipaddress.ip_address(address)
    assert not FetchLimits().permits(ip)
    assert FetchLimits(allow_private=True).permits(ip)


def test_public_addresses_and_listed_networks_are_permitted():
    assert FetchLimits().permits(ipaddress.ip_address("93.184.216.34"))
    assert FetchLimits().permits(ipaddress.ip_address("2606:4700::1111"))
    listed = FetchLimits(allowed_networks=("10.1.2.0/24",))
    assert listed.permits(ipaddress.ip_address("10.1.2.7"))
    assert not listed.permits(ipaddress.ip_address("10.1.3.7"))


@pytest.mark.parametrize(
    "url", ["ftp://example.org/", "file:///etc/passwd", "javascript:alert(1)", "http://", "x"]
)
def test_only_http_urls_with_a_host(url):
    with pytest.raises(FetchError) as info:
        checked_url(url)
    assert info.value.status == 422


def test_every_spelling_of_loopback_is_refused_before_connecting():
    with NewsSite() as site:
        site.routes["/p"] = Route(b"<p>hello</p>")
        port = site.port
        for url in (
            f"http://127.0.0.1:{port}/p",
            f"http://localhost:{port}/p",
            f"http://127.1:{port}/p",
            f"http://0x7f000001:{port}/p",
            f"http://2130706433:{port}/p",
            f"http://[::ffff:127.0.0.1]:{port}/p",
        ):
            with pytest.raises(FetchError) as info:
                fetch(url, FetchLimits())
            assert info.value.status in (403, 422), url
        assert site.hits["/p"] == 0


def test_limits_hold_against_a_real_server():
    with NewsSite() as site:
        site.routes["/page"] = Route(b"<html><body><p>Fine.</p></body></html>", etag='"e1"')
        site.routes["/declared-huge"] = Route(b"x" * 5000, headers={})
        site.routes["/hop"] = Route(status=302, headers={"Location": "/page"})
        limits = FetchLimits(allow_private=True, timeout_s=2, max_bytes=4000, max_redirects=1)
        fetched = fetch(site.url("/hop"), limits)
        assert fetched.url == site.url("/page") and fetched.suffix == ".html" and fetched.etag == '"e1"'
        assert fetch(site.url("/page"), limits, etag='"e1"').not_modified
        with pytest.raises(FetchError) as info:
            fetch(site.url("/declared-huge"), limits)
        assert info.value.status == 413
        with pytest.raises(FetchError) as info:
            fetch(site.url("/hop"), FetchLimits(allow_private=True, max_redirects=0))
        assert "redirects" in info.value.reason
        assert set(PAGE_TYPES) >= {"text/html", "text/plain", "application/pdf"}
