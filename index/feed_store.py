"""Feed subscriptions and the entries seen, kept in the Chroma store beside the articles.

Kept there, they survive a restart and are shared by every server on one Chroma server: whichever server
polls a feed records what it saw, and no server fetches a recorded entry again. Two collections: `feeds`
(one row per subscription, its polling state in the metadata) and `feed_entries` (one row per entry,
keyed by its link, with what became of it).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, fields, replace

from index.chroma_store import ChromaStore, _outage_is_unavailable, read_all

_PLACEHOLDER = [1.0]
# An entry being fetched by a server that then died is taken up again after this long.
CLAIM_EXPIRES_S = 600.0
# An entry whose fetch failed is tried again at later polls, this many times in all.
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class FeedRecord:
    """A subscription and its polling state. Times are Unix seconds; 0 means never."""

    id: str
    url: str
    title: str = ""
    interval_s: int = 900
    added_at: float = 0.0
    etag: str = ""
    last_modified: str = ""
    last_poll_at: float = 0.0
    last_success_at: float = 0.0
    last_error: str = ""
    failures: int = 0
    next_poll_at: float = 0.0


@dataclass(frozen=True)
class EntryCounts:
    seen: int = 0
    ingested: int = 0
    failed: int = 0


def _record(feed_id: str, meta: dict) -> FeedRecord:
    values = {f.name: meta[f.name] for f in fields(FeedRecord) if f.name in meta and f.name != "id"}
    return FeedRecord(id=feed_id, **values)


class FeedStore:
    """Subscriptions and seen entries in two collections of a ChromaStore."""

    def __init__(self, store: ChromaStore):
        self.feeds = store.extra_collection("feeds")
        self.entries = store.extra_collection("feed_entries")

    # ---- subscriptions --------------------------------------------------------------------------
    @_outage_is_unavailable
    def put(self, feed: FeedRecord) -> FeedRecord:
        meta = {k: v for k, v in asdict(feed).items() if k != "id"}
        self.feeds.upsert(ids=[feed.id], embeddings=[_PLACEHOLDER], metadatas=[meta])
        return feed

    def update(self, feed: FeedRecord, **changes) -> FeedRecord:
        return self.put(replace(feed, **changes))

    @_outage_is_unavailable
    def get(self, feed_id: str) -> FeedRecord | None:
        got = self.feeds.get(ids=[feed_id], include=["metadatas"])
        return _record(feed_id, got["metadatas"][0]) if got["ids"] else None

    @_outage_is_unavailable
    def all(self) -> list[FeedRecord]:
        got = read_all(self.feeds, ["metadatas"])
        feeds = [_record(i, m) for i, m in zip(got["ids"], got["metadatas"], strict=True)]
        return sorted(feeds, key=lambda f: (f.added_at, f.url))

    @_outage_is_unavailable
    def delete(self, feed_id: str) -> bool:
        existed = bool(self.feeds.get(ids=[feed_id], include=[])["ids"])
        self.feeds.delete(ids=[feed_id])
        self.entries.delete(where={"feed_id": feed_id})
        return existed

    # ---- entries --------------------------------------------------------------------------------
    @_outage_is_unavailable
    def settled(self, entry_ids: list[str]) -> set[str]:
        """The entries that need no fetch: ingested, being fetched by someone right now, or failed too often."""
        if not entry_ids:
            return set()
        got = self.entries.get(ids=entry_ids, include=["metadatas"])
        now = time.time()
        done = set()
        for entry_id, meta in zip(got["ids"], got["metadatas"], strict=True):
            status = meta.get("status")
            if (
                status == "ingested"
                or (status == "fetching" and now - float(meta.get("at", 0)) < CLAIM_EXPIRES_S)
                or (status == "failed" and int(meta.get("attempts", 0)) >= MAX_ATTEMPTS)
            ):
                done.add(entry_id)
        return done

    @_outage_is_unavailable
    def mark(
        self, entry_id: str, feed_id: str, link: str, status: str, doc_id: str = "", error: str = ""
    ) -> None:
        """Record what became of an entry: "fetching" (claimed), "ingested" or "failed"."""
        got = self.entries.get(ids=[entry_id], include=["metadatas"])
        previous = got["metadatas"][0] if got["ids"] else {}
        attempts = int(previous.get("attempts", 0)) + (1 if status == "fetching" else 0)
        meta = {
            "feed_id": str(previous.get("feed_id") or feed_id),
            "link": link,
            "status": status,
            "doc_id": doc_id,
            "error": error[:500],
            "attempts": attempts,
            "at": time.time(),
        }
        self.entries.upsert(ids=[entry_id], embeddings=[_PLACEHOLDER], metadatas=[meta])

    @_outage_is_unavailable
    def counts(self, feed_id: str) -> EntryCounts:
        got = read_all(self.entries, ["metadatas"], where={"feed_id": feed_id})
        statuses = [m.get("status") for m in got["metadatas"]]
        return EntryCounts(len(statuses), statuses.count("ingested"), statuses.count("failed"))
