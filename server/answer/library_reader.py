"""What both answer engines read from the library besides a question's own search: the documents'
details for citations (re-read only when the library changes), hybrid retrieval as passages, and the
worker threads a question's first search runs in."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np

from index.library import Library
from index.types import DocumentInfo, RetrievedChunk, SourceFilter
from server.answer.models import RetrievedPassage
from server.settings import AnswerSettings

# Chunks fetched per chunk kept, so that those naming the question's subjects can be kept first.
NAMED_POOL_FACTOR = 2
# Searches run beside the question's parse (one per answer being computed, up to this many at once).
SEARCH_WORKERS = 8


class LibraryReader:
    """The library as both engines read it."""

    def __init__(self, library: Library, settings: AnswerSettings):
        self.library = library
        self.settings = settings
        # Document metadata for citations, keyed by the library's (documents, chunks) counts so that a
        # change made through another path is noticed too.
        self._docs_cache: tuple[tuple[int, int], dict[str, DocumentInfo]] | None = None
        self._executor: ThreadPoolExecutor | None = None

    def retrieve(
        self, query: str, top_k: int | None = None, source_filter: SourceFilter | None = None
    ) -> list[RetrievedPassage]:
        """The library's hybrid retrieval for a query, as passages with their articles' details."""
        chunks = self.library.retrieve(query, k=top_k or self.settings.top_k, source_filter=source_filter)
        return passages(chunks, self._documents())

    def warm_up(self) -> None:
        """Load what the first answer would otherwise load: the language pipelines, the store's indexes and
        the articles' details (a first question after start took 2.5 s at 1,000 articles, then 15 ms)."""
        from ingest.language import pipeline
        from ingest.splitting import sentence_spans

        pipeline()("Who leads the front?")
        sentence_spans("One sentence. Another one.")
        self._documents()
        self.library.retrieve("Afghanistan", k=1)

    def invalidate(self) -> None:
        self._docs_cache = None

    def _pool_for(
        self, query: str, k: int, source_filter: SourceFilter | None = None
    ) -> tuple[np.ndarray, list[RetrievedChunk]]:
        """The query's vector and its best chunks, more than k of them (see `named_first`)."""
        vector = self.library.embedder.embed_query(query)
        return vector, self.library.retrieve(
            query, k=k * NAMED_POOL_FACTOR, query_vector=vector, source_filter=source_filter
        )

    def _workers(self) -> ThreadPoolExecutor:
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=SEARCH_WORKERS, thread_name_prefix="search")
        return self._executor

    def _documents(self) -> dict[str, DocumentInfo]:
        counts = self.library.counts()
        if self._docs_cache is None or self._docs_cache[0] != counts:
            self._docs_cache = (counts, {d.id: d for d in self.library.documents()})
        return self._docs_cache[1]


def passages(chunks: list[RetrievedChunk], docs: dict[str, DocumentInfo]) -> list[RetrievedPassage]:
    out = []
    for c in chunks:
        info = docs.get(c.doc_id)
        out.append(
            RetrievedPassage(
                doc_id=c.doc_id,
                chunk_id=c.chunk_id,
                text=c.text,
                score=c.score,
                start=c.start,
                end=c.end,
                title=info.title if info else "",
                outlet=info.outlet if info else "",
                published=info.published if info else "",
            )
        )
    return out
