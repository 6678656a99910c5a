"""Typed results the index hands to its callers."""

from __future__ import annotations

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
