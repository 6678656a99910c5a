"""Fetch a page or feed from the web, guarded: public addresses only, bounded in size, time and redirects.

Every host is resolved here and each address it resolves to is checked before anything is sent: loopback,
private, link-local (cloud metadata services live at 169.254.169.254), shared, multicast and reserved
addresses are refused unless `allow_private`. The connection then goes to the address that was checked (the
host name is still sent as Host and TLS server name), so a name that resolves differently a moment later
cannot slip past. Redirects are followed here, one at a time, each target checked the same way.
"""

from __future__ import annotations

import ipaddress
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

# What ingest reads, by media type: the loader's suffix.
PAGE_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "application/pdf": ".pdf",
}
FEED_TYPES = {
    "application/rss+xml": ".xml",
    "application/atom+xml": ".xml",
    "application/rdf+xml": ".xml",
    "application/xml": ".xml",
    "text/xml": ".xml",
}
# A server that names no type: the URL's own suffix decides.
_SUFFIX_TYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".pdf": "application/pdf",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
}
_REDIRECTS = (301, 302, 303, 307, 308)


@dataclass(frozen=True)
class FetchLimits:
    """Bounds on one fetch. `timeout_s` bounds the whole fetch (every redirect and the body included)."""

    timeout_s: float = 15.0
    max_bytes: int = 20_000_000
    max_redirects: int = 5
    allow_private: bool = False
    # Non-public networks allowed all the same (a mirror on the local network, say), as CIDRs.
    allowed_networks: tuple[str, ...] = ()
    user_agent: str = "afghan-briefing/0.1 (news reader)"

    def permits(self, address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
        """Whether an address may be fetched from."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if self.allow_private or (address.is_global and not address.is_multicast):
            return True
        return any(address in ipaddress.ip_network(net, strict=False) for net in self.allowed_networks)


@dataclass(frozen=True)
class Fetched:
    """A response that was read whole. `not_modified`: a conditional GET answered 304 (no content)."""

    url: str  # after redirects
    content: bytes
    media_type: str
    charset: str | None
    suffix: str
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False


class FetchError(Exception):
    """A fetch that was refused or failed, with the HTTP status this API answers with and a reason."""

    def __init__(self, url: str, status: int, reason: str):
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.status = status
        self.reason = reason


def _refused(url: str, reason: str) -> FetchError:
    return FetchError(url, 403, reason)


def _failed(url: str, reason: str) -> FetchError:
    return FetchError(url, 422, reason)


def checked_url(url: str) -> httpx.URL:
    """An absolute http(s) URL with a host; FetchError (422) otherwise."""
    try:
        parsed = httpx.URL(url.strip())
    except (httpx.InvalidURL, TypeError, ValueError) as exc:
        raise _failed(url, f"not a valid URL ({exc})") from None
    if parsed.scheme not in ("http", "https"):
        raise _failed(url, "only http and https URLs can be fetched")
    if not parsed.host:
        raise _failed(url, "the URL has no host")
    return parsed


def resolve_checked(url: httpx.URL, limits: FetchLimits, deadline: float) -> str:
    """The address to connect to for `url`'s host: every address the host resolves to must be permitted
    (public, unless `allow_private` or `allowed_networks` say otherwise), or FetchError (403) says which
    is not."""
    host = url.host
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        literal = ipaddress.ip_address(host)
        addresses = [literal]
    except ValueError:
        pool = ThreadPoolExecutor(max_workers=1)
        try:
            future = pool.submit(socket.getaddrinfo, host, port, 0, socket.SOCK_STREAM)
            infos = future.result(timeout=max(0.1, deadline - time.monotonic()))
        except FutureTimeout:
            raise _failed(str(url), f"looking up {host} timed out") from None
        except (socket.gaierror, UnicodeError, OSError) as exc:
            raise _failed(str(url), f"the host {host} could not be found ({exc})") from None
        finally:
            pool.shutdown(wait=False)
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    if not addresses:
        raise _failed(str(url), f"the host {host} could not be found")
    for address in addresses:
        if not limits.permits(address):
            where = f"{host} is at {address}" if host != str(address) else f"{address} is"
            raise _refused(
                str(url),
                f"refused: {where} a loopback, private, link-local or otherwise non-public address "
                "(set BRIEFING_FETCH_ALLOW_PRIVATE=true to allow it)",
            )
    return str(addresses[0])


def _media_type(response: httpx.Response, url: httpx.URL) -> tuple[str, str | None]:
    header = response.headers.get("content-type", "")
    media_type = header.split(";")[0].strip().lower()
    charset = None
    for param in header.split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    if not media_type:
        path = url.path.lower()
        media_type = next((t for s, t in _SUFFIX_TYPES.items() if path.endswith(s)), "")
    return media_type, charset


def fetch(
    url: str,
    limits: FetchLimits,
    accept: dict[str, str] | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Fetched:
    """GET `url` under `limits`, following redirects, and read the body whole. `accept` maps the media
    types wanted to loader suffixes (default: the pages ingest reads). `etag` / `last_modified` make it a
    conditional GET. Raises FetchError: 403 refused address, 413 too large, 415 unwanted type, 422 the
    URL is bad, the site failed, timed out, or redirected too often."""
    accept = accept or PAGE_TYPES
    deadline = time.monotonic() + limits.timeout_s
    current = checked_url(url)
    headers = {
        "User-Agent": limits.user_agent,
        "Accept": ", ".join([*accept, "*/*;q=0.1"]),
        "Accept-Encoding": "gzip, deflate",
    }
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = httpx.Timeout(limits.timeout_s)
    with httpx.Client(
        timeout=timeout, follow_redirects=False, transport=transport, trust_env=False
    ) as client:
        for _hop in range(limits.max_redirects + 1):
            address = resolve_checked(current, limits, deadline)
            request = client.build_request(
                "GET",
                current.copy_with(host=address),
                headers={**headers, "Host": current.netloc.decode("ascii")},
                extensions={"sni_hostname": current.host, "timeout": _remaining(deadline)},
            )
            try:
                response = client.send(request, stream=True)
            except httpx.TimeoutException:
                raise _failed(str(current), f"timed out after {limits.timeout_s:g} s") from None
            except httpx.HTTPError as exc:
                raise _failed(str(current), f"could not be fetched ({type(exc).__name__}: {exc})") from None
            try:
                if response.status_code in _REDIRECTS and "location" in response.headers:
                    current = checked_url(urljoin(str(current), response.headers["location"]))
                    continue
                return _read(response, current, limits, accept, deadline)
            finally:
                response.close()
    raise _failed(url, f"more than {limits.max_redirects} redirects")


def _remaining(deadline: float) -> dict[str, float]:
    left = max(0.05, deadline - time.monotonic())
    return {"connect": left, "read": left, "write": left, "pool": left}


def _read(
    response: httpx.Response, url: httpx.URL, limits: FetchLimits, accept: dict[str, str], deadline: float
) -> Fetched:
    shown = str(url)
    etag, last_modified = response.headers.get("etag"), response.headers.get("last-modified")
    if response.status_code == 304:
        return Fetched(shown, b"", "", None, "", etag, last_modified, not_modified=True)
    if response.status_code >= 400:
        raise _failed(
            shown, f"the site answered HTTP {response.status_code} {response.reason_phrase}".rstrip()
        )
    if response.status_code != 200:
        raise _failed(shown, f"the site answered HTTP {response.status_code}, not a page")
    media_type, charset = _media_type(response, url)
    if media_type not in accept:
        wanted = ", ".join(sorted(accept))
        raise FetchError(
            shown, 415, f"the content is {media_type or 'of no stated type'}; accepted: {wanted}"
        )
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limits.max_bytes:
        raise FetchError(shown, 413, f"the content is larger than {limits.max_bytes:,} bytes")
    body = bytearray()
    try:
        for piece in response.iter_bytes():
            body += piece
            if len(body) > limits.max_bytes:
                raise FetchError(shown, 413, f"the content is larger than {limits.max_bytes:,} bytes")
            if time.monotonic() > deadline:
                raise _failed(shown, f"timed out after {limits.timeout_s:g} s")
    except httpx.TimeoutException:
        raise _failed(shown, f"timed out after {limits.timeout_s:g} s") from None
    except httpx.HTTPError as exc:
        raise _failed(shown, f"the download broke off ({type(exc).__name__}: {exc})") from None
    return Fetched(shown, bytes(body), media_type, charset, accept[media_type], etag, last_modified)


def host_of(url: str) -> str:
    """The host of a URL, for messages and labels."""
    return urlsplit(url).hostname or url
