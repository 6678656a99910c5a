"""An RSS or Atom feed's entries, by feedparser, from bytes already fetched (feedparser never fetches here:
it is handed a stream, never a URL or a path)."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from urllib.parse import urljoin

MAX_ENTRIES = 500


@dataclass(frozen=True)
class FeedEntry:
    """One item of a feed. `key` identifies it across polls and feeds: its link, else its guid."""

    key: str
    link: str
    title: str
    published: str  # YYYY-MM-DD when the feed states it


@dataclass(frozen=True)
class ParsedFeed:
    title: str
    entries: list[FeedEntry]


class FeedError(Exception):
    """Content that is not a feed this can read, with a reason a person can act on."""


def entry_id(key: str) -> str:
    """A stable id for an entry key (the same article linked from two feeds is one entry)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


_FEED_LINK_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml")


def discover_feed_url(html: str, page_url: str) -> str | None:
    """The feed a page announces (`<link rel="alternate" type="application/rss+xml" href=...>`), as an
    absolute URL: what an analyst pastes is often an outlet's home page, not its feed."""
    from lxml import etree
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(html)
    except (etree.ParserError, ValueError):
        return None
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";")[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" in rel and kind in _FEED_LINK_TYPES and href:
            found = urljoin(page_url, href)
            if found.lower().startswith(("http://", "https://")):
                return found
    return None


def parse_feed(content: bytes, url: str) -> ParsedFeed:
    """The feed's title and entries, newest first as the feed lists them; FeedError when the content
    is not RSS or Atom, or is XML too broken to read any entry from."""
    import feedparser

    parsed = feedparser.parse(
        io.BytesIO(content), response_headers={"content-location": url, "content-type": "application/xml"}
    )
    version = parsed.get("version") or ""
    entries = []
    for item in parsed.entries[:MAX_ENTRIES]:
        link = urljoin(url, str(item.get("link") or "").strip())
        guid = str(item.get("id") or "").strip()
        if not link.lower().startswith(("http://", "https://")):
            continue  # nothing to fetch
        published = item.get("published_parsed") or item.get("updated_parsed")
        entries.append(
            FeedEntry(
                key=link or guid,
                link=link,
                title=" ".join(str(item.get("title") or "").split()),
                published=f"{published.tm_year:04d}-{published.tm_mon:02d}-{published.tm_mday:02d}"
                if published
                else "",
            )
        )
    if not entries and (not version or parsed.get("bozo")):
        problem = parsed.get("bozo_exception")
        detail = f" ({type(problem).__name__}: {problem})" if problem else ""
        raise FeedError(f"the content is not an RSS or Atom feed{detail}")
    return ParsedFeed(" ".join(str(parsed.feed.get("title") or "").split()), entries)
