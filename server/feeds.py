"""Following outlets: subscribe to RSS and Atom feeds, poll them, ingest each new entry's page once.

A poll is a conditional GET (ETag / Last-Modified, so an unchanged feed costs a 304); each entry not seen
before is claimed in the store, its page fetched under the same guards as any URL, and ingested. A feed that
fails is polled less often (the interval doubles per failure, up to a bound) until it works again.
Subscriptions and entries live in the Chroma store (index/feed_store.py), so every server on one Chroma
server shares them; a poller leases a due feed by moving its next poll before polling, and an entry that
two servers ingest at once is still one document (ids are content hashes).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from index.feed_store import EntryCounts, FeedRecord, FeedStore
from index.library import Library
from ingest.decoding import decode_text
from ingest.feeds import FeedError, discover_feed_url, entry_id, parse_feed
from ingest.fetching import FEED_TYPES, Fetched, FetchError, checked_url, fetch
from ingest.models import DocumentMetadata, IngestError
from server.settings import FeedSettings, FetchSettings

log = logging.getLogger(__name__)
HTML_TYPES = {"text/html": ".html", "application/xhtml+xml": ".html"}
# A feed with more new entries than one poll takes is polled again after this long.
BACKLOG_INTERVAL_S = 60


class FeedRefused(Exception):
    """A subscription or poll that cannot be made, with the HTTP status the API answers with."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class PollReport:
    """What one poll did."""

    feed: FeedRecord
    not_modified: bool = False
    entries: int = 0  # in the feed
    new: int = 0  # not seen before, fetched now
    ingested: int = 0
    failed: int = 0
    error: str = ""


def feed_id(url: str) -> str:
    return hashlib.sha256(url.strip().encode("utf-8")).hexdigest()[:16]


class FeedService:
    """Subscriptions, polls and the background poller, over one library and its store."""

    def __init__(
        self,
        library: Library,
        fetch_settings: FetchSettings,
        settings: FeedSettings,
        on_ingest: Callable[[], None] | None = None,
    ):
        self.library = library
        self.store = FeedStore(library.store)
        self.fetch_settings = fetch_settings
        self.settings = settings
        self.on_ingest = on_ingest or (lambda: None)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._polling = threading.Lock()  # one poll at a time in this process

    # ---- subscriptions --------------------------------------------------------------------------
    def subscribe(self, url: str, interval_s: int | None = None) -> tuple[FeedRecord, bool]:
        """Subscribe to a feed after reading it once (it must be RSS or Atom); returns the subscription and
        whether it is new. Its entries are ingested by the first poll, at once in the background poller or
        by `poll`. Raises FeedRefused."""
        interval = interval_s or self.settings.default_interval_s
        if interval < self.settings.min_interval_s:
            raise FeedRefused(422, f"interval_s must be at least {self.settings.min_interval_s} seconds")
        try:
            url = str(checked_url(url))
        except FetchError as exc:
            raise FeedRefused(exc.status, f"{exc.url}: {exc.reason}") from None
        existing = self.store.get(feed_id(url))
        if existing is not None:
            if interval_s and existing.interval_s != interval_s:
                existing = self.store.update(existing, interval_s=interval_s)
            return existing, False
        try:
            fetched = fetch(url, self.fetch_settings.limits(), accept={**FEED_TYPES, **HTML_TYPES})
            if fetched.suffix == ".html":
                url = self._announced_feed(fetched)
                existing = self.store.get(feed_id(url))
                if existing is not None:
                    return existing, False
                fetched = fetch(url, self.fetch_settings.limits(), accept=FEED_TYPES)
            parsed = parse_feed(fetched.content, fetched.url)
        except FetchError as exc:
            raise FeedRefused(exc.status, f"{exc.url}: {exc.reason}") from None
        except FeedError as exc:
            raise FeedRefused(422, f"{url}: {exc}") from None
        record = FeedRecord(
            id=feed_id(url), url=url, title=parsed.title, interval_s=interval, added_at=time.time()
        )
        log.info("subscribed to %s (%d entries)", url, len(parsed.entries))
        return self.store.put(record), True

    @staticmethod
    def _announced_feed(page: Fetched) -> str:
        """The feed a page links to, for a subscription given an outlet's page; FeedRefused (415) if none."""
        try:
            html = decode_text(page.content, page.url, page.charset, markup=True)
        except IngestError as exc:
            raise FeedRefused(422, f"{page.url}: {exc.reason}") from None
        found = discover_feed_url(html, page.url)
        if found is None:
            raise FeedRefused(
                415,
                f"{page.url}: a page, not a feed, and it names no RSS or Atom feed (<link rel=alternate>)",
            )
        return found

    def feeds(self) -> list[tuple[FeedRecord, EntryCounts]]:
        return [(feed, self.store.counts(feed.id)) for feed in self.store.all()]

    def feed(self, feed_id_: str) -> tuple[FeedRecord, EntryCounts] | None:
        feed = self.store.get(feed_id_)
        return (feed, self.store.counts(feed.id)) if feed else None

    def unsubscribe(self, feed_id_: str) -> bool:
        """Stop following a feed; the articles it brought in stay in the library."""
        return self.store.delete(feed_id_)

    # ---- polling --------------------------------------------------------------------------------
    def poll(self, feed_id_: str) -> PollReport:
        """Poll one feed now: fetch it (conditionally), ingest the entries not seen before."""
        feed = self.store.get(feed_id_)
        if feed is None:
            raise FeedRefused(404, f"no feed with id {feed_id_!r}")
        with self._polling:
            return self._poll(feed)

    def poll_due(self) -> list[PollReport]:
        """Poll every feed whose time has come, each leased first so that other servers skip it."""
        reports = []
        for feed in self.store.all():
            if self._stop.is_set():
                break
            if feed.next_poll_at > time.time():
                continue
            fresh = self.store.get(feed.id)  # another server may have leased it meanwhile
            if fresh is None or fresh.next_poll_at > time.time():
                continue
            leased = self.store.update(fresh, next_poll_at=time.time() + fresh.interval_s)
            with self._polling:
                reports.append(self._poll(leased))
        return reports

    def _poll(self, feed: FeedRecord) -> PollReport:
        started = time.time()
        try:
            fetched = fetch(
                feed.url,
                self.fetch_settings.limits(),
                accept=FEED_TYPES,
                etag=feed.etag or None,
                last_modified=feed.last_modified or None,
            )
            if fetched.not_modified:
                feed = self._succeeded(feed, started, feed.etag, feed.last_modified)
                return PollReport(feed, not_modified=True)
            parsed = parse_feed(fetched.content, fetched.url)
        except (FetchError, FeedError) as exc:
            reason = f"{exc.reason}" if isinstance(exc, FetchError) else str(exc)
            return PollReport(self._failed(feed, started, reason), error=reason)
        entries = parsed.entries
        settled = self.store.settled([entry_id(e.key) for e in entries])
        unseen = [e for e in entries if entry_id(e.key) not in settled]
        new = unseen[: self.settings.max_entries_per_poll]
        ingested = failed = 0
        for entry in new:
            if self._stop.is_set():
                break
            eid = entry_id(entry.key)
            self.store.mark(eid, feed.id, entry.link, "fetching")
            try:
                outcome = self.library.ingest_url(
                    entry.link,
                    self.fetch_settings.limits(),
                    fallback=DocumentMetadata(title=entry.title, published=entry.published),
                )
            except (FetchError, IngestError) as exc:
                reason = exc.reason
                self.store.mark(eid, feed.id, entry.link, "failed", error=reason)
                log.warning("feed %s: entry %s failed: %s", feed.url, entry.link, reason)
                failed += 1
                continue
            self.store.mark(eid, feed.id, entry.link, "ingested", doc_id=outcome.document.id)
            ingested += 1
        if ingested:
            self.on_ingest()
        # With entries left over, come back soon rather than after a whole interval (and without the
        # ETag, or the unchanged feed would answer 304 and hide them).
        backlog = len(unseen) > len(new)
        feed = self._succeeded(
            feed,
            started,
            "" if backlog else fetched.etag or "",
            "" if backlog else fetched.last_modified or "",
            title=parsed.title or feed.title,
            soon=backlog,
        )
        return PollReport(feed, entries=len(entries), new=len(new), ingested=ingested, failed=failed)

    def _succeeded(
        self,
        feed: FeedRecord,
        at: float,
        etag: str,
        last_modified: str,
        title: str | None = None,
        soon: bool = False,
    ) -> FeedRecord:
        current = self.store.get(feed.id)
        if current is None:  # unsubscribed while it was polled
            return feed
        return self.store.update(
            current,
            title=title if title is not None else current.title,
            etag=etag,
            last_modified=last_modified,
            last_poll_at=at,
            last_success_at=at,
            last_error="",
            failures=0,
            next_poll_at=at + (min(current.interval_s, BACKLOG_INTERVAL_S) if soon else current.interval_s),
        )

    def _failed(self, feed: FeedRecord, at: float, reason: str) -> FeedRecord:
        current = self.store.get(feed.id)
        if current is None:
            return feed
        failures = current.failures + 1
        backoff = min(current.interval_s * 2**failures, self.settings.max_backoff_s)
        log.warning("feed %s failed (%d in a row, next try in %d s): %s", feed.url, failures, backoff, reason)
        return self.store.update(
            current, last_poll_at=at, last_error=reason, failures=failures, next_poll_at=at + backoff
        )

    # ---- the background poller ------------------------------------------------------------------
    def start(self) -> None:
        """Poll due feeds every `tick_s` in a background thread, until `stop`."""
        if self._thread is not None:
            return
        self._stop.clear()

        def run() -> None:
            while not self._stop.wait(self.settings.tick_s):
                try:
                    self.poll_due()
                except Exception as exc:  # an outage must not end the thread
                    log.warning("feed polling failed: %s", exc)

        self._thread = threading.Thread(target=run, name="feed-poller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.fetch_settings.timeout_s + 5)
            self._thread = None
