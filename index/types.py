"""Typed results the index hands to its callers."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass, field

from ingest.language import Entity


@dataclass(frozen=True)
class DocumentInfo:
    """A stored article without its text."""

    id: str
    source: str
    title: str
    outlet: str
    published: str
    url: str
    chunks: int
    sentences: int
    characters: int
    ingested_at: float
    # Keyword-only, so that records built positionally and subclasses that add fields (a document with its
    # text) work as before.
    author: str = field(default="", kw_only=True)
    # Other documents that carry the same story (syndicated copies), by id: ingest/near_duplicates.py.
    same_story_as: tuple[str, ...] = field(default=(), kw_only=True)


def published_day(published: str) -> int:
    """A publication date (DocumentInfo.published, ISO) as a sortable number, YYYYMMDD; 0 when the article
    states no date (or one that is not ISO). Stored on every chunk so that retrieval can filter by date."""
    try:
        day = datetime.date.fromisoformat(published.strip()[:10])
    except ValueError:
        return 0
    return day.year * 10_000 + day.month * 100 + day.day


def outlet_key(outlet: str) -> str:
    """An outlet's name as filters compare it: case and surrounding spaces ignored."""
    return " ".join(outlet.split()).casefold()


@dataclass(frozen=True)
class SourceFilter:
    """Which articles a search may draw on: published on or after `since`, on or before `until`, and from
    one of `outlets` (compared case-insensitively). Empty parts do not narrow. An article that states no
    publication date matches no filter that has `since` or `until`; one that states no outlet matches no
    filter that names outlets."""

    since: datetime.date | None = None
    until: datetime.date | None = None
    outlets: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.since is None and self.until is None and not self.outlet_keys

    @property
    def outlet_keys(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(k for o in self.outlets if (k := outlet_key(o))))

    @property
    def has_dates(self) -> bool:
        return self.since is not None or self.until is not None

    def day_range(self) -> tuple[int, int]:
        """(lowest, highest) `published_day` that matches, both inclusive; 1 at least, since 0 is "no date"."""
        low = published_day(self.since.isoformat()) if self.since else 1
        high = published_day(self.until.isoformat()) if self.until else 99_991_231
        return low, high

    def matches(self, info: DocumentInfo) -> bool:
        if self.has_dates:
            low, high = self.day_range()
            if not low <= published_day(info.published) <= high:
                return False
        return not self.outlet_keys or outlet_key(info.outlet) in self.outlet_keys

    def describe(self) -> str:
        """The filter in words, for messages: "published from 2025-01-01 to 2025-12-31, from NationPress"."""
        parts = []
        if self.since and self.until:
            parts.append(f"published from {self.since.isoformat()} to {self.until.isoformat()}")
        elif self.since:
            parts.append(f"published on or after {self.since.isoformat()}")
        elif self.until:
            parts.append(f"published on or before {self.until.isoformat()}")
        if self.outlets:
            parts.append("from " + " or ".join(self.outlets))
        return ", ".join(parts) or "no filter"


@dataclass(frozen=True)
class StoredDocument:
    info: DocumentInfo
    text: str


@dataclass(frozen=True)
class RetrievedChunk:
    """A chunk found for a query. `score` is the fused reciprocal-rank score (higher is better)."""

    chunk_id: str
    doc_id: str
    start: int
    end: int
    text: str
    score: float
    vector_similarity: float | None
    bm25_score: float | None
    sentence_ids: tuple[str, ...]


@dataclass(frozen=True)
class StoredSentence:
    """A sentence of a stored document, with the entities and content lemmas found at ingest."""

    id: str
    doc_id: str
    start: int
    end: int
    text: str
    entities: tuple[Entity, ...] = ()
    lemmas: tuple[str, ...] = ()

    def entity_texts(self, labels: Collection[str] | None = None) -> list[str]:
        return [self.text[e.start : e.end] for e in self.entities if labels is None or e.label in labels]


@dataclass(frozen=True)
class IndexAudit:
    """What a consistency check of the store found. `ok` when every document is whole and nothing is
    left over."""

    documents: int
    chunks: int
    sentences: int
    orphan_chunks: int
    orphan_sentences: int
    incomplete: tuple[str, ...]  # documents whose stored parts differ from their record's counts
    duplicate_sources: tuple[str, ...]  # sources held by more than one document
    # documents the local index holds differently from the store (missing, left over, other parts)
    local_mismatch: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not (
            self.orphan_chunks
            or self.orphan_sentences
            or self.incomplete
            or self.duplicate_sources
            or self.local_mismatch
        )


class StoreUnavailableError(RuntimeError):
    """The Chroma store cannot be reached (for example a Chroma server that is down)."""


class IndexMismatchError(RuntimeError):
    """The index was built with another embedder than the one configured."""
