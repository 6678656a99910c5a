"""The article library: ingest, delete, list and search, over one Chroma store and a cached BM25 index.

This is the one object the answer engine and the CLI use. Writes are serialised; the BM25 index is
updated once after each write (only the added chunks are tokenised), never per query, and saved beside
the store so that the next start can read it back (index/bm25_cache.py).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.bm25 import BM25Index
from index.bm25_cache import load_index, save_index, store_fingerprint
from index.chroma_store import ChromaStore
from index.embedding import Embedder
from index.hybrid import candidate_pool, reciprocal_rank_fusion
from index.types import DocumentInfo, IndexAudit, RetrievedChunk, StoredDocument, StoredSentence
from ingest.models import DocumentMetadata, IngestError, PreparedDocument
from ingest.prepare import discover_files, prepare_bytes, prepare_file

log = logging.getLogger(__name__)
# Documents written together: bigger encoder batches pad less and Chroma takes fewer, larger writes.
INGEST_BATCH = 16


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one file: added, unchanged or replaced (with the ids it replaced)."""

    status: str
    document: DocumentInfo
    replaced: tuple[str, ...] = ()


@dataclass
class IngestReport:
    outcomes: list[IngestOutcome] = field(default_factory=list)
    failures: list[IngestError] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def summary(self) -> str:
        return (
            f"{self.count('added')} added, {self.count('replaced')} replaced, "
            f"{self.count('unchanged')} unchanged, {len(self.failures)} failed"
        )


def _changes(outcomes: Sequence[IngestOutcome | None]) -> tuple[list[str], list[str]]:
    """The documents that ingest outcomes wrote, and those they replaced."""
    done = [o for o in outcomes if o is not None and o.status != "unchanged"]
    return [o.document.id for o in done], [old for o in done for old in o.replaced]


def _holds_exactly(index: BM25Index, chunk_ids: list[str]) -> bool:
    """Whether a BM25 index covers exactly these chunks, no more and no fewer."""
    return index.size == len(chunk_ids) and set(index.ids) == set(chunk_ids)


def chunk_vectors_from_sentences(prepared: PreparedDocument, sentence_vectors: np.ndarray) -> np.ndarray:
    """A chunk's vector is the normalised mean of its sentences' vectors: every sentence is encoded once,
    and chunks (which overlap) cost no encoder time of their own."""
    out = np.empty((len(prepared.chunks), sentence_vectors.shape[1]), dtype=np.float32)
    starts = [s.start for s in prepared.sentences]
    for i, chunk in enumerate(prepared.chunks):
        inside = [
            j
            for j, start in enumerate(starts)
            if chunk.start <= start and prepared.sentences[j].end <= chunk.end
        ]
        mean = sentence_vectors[inside].mean(axis=0)
        out[i] = mean / (np.linalg.norm(mean) or 1.0)
    return out


class Library:
    """Articles in Chroma plus a BM25 index of their chunks."""

    def __init__(
        self,
        store: ChromaStore,
        embedder: Embedder,
        max_chunk_words: int = 140,
        bm25_cache: Path | None = None,
    ):
        """`bm25_cache` is the file the BM25 index is saved to and read back from (None: not saved)."""
        self.store = store
        self.embedder = embedder
        self.max_chunk_words = max_chunk_words
        self.bm25_cache = bm25_cache
        self._write_lock = threading.Lock()
        self._bm25: BM25Index | None = None
        self._visible: set[str] = set()
        recovered = store.recover_interrupted()
        if recovered:
            log.warning("cleaned up after %d interrupted document writes or deletes", recovered)
        self._refresh()

    # ---- writes -------------------------------------------------------------------------------
    def _refresh(self, written: Collection[str] | None = None, removed: Collection[str] = ()) -> None:
        """Bring the BM25 index and the visible set up to date with the store. After this library's own
        write, pass the documents it `written` and `removed`: only their chunks are read and tokenised.
        Otherwise (or if the result does not match the store's chunks, because another process wrote
        too) the saved index is read back if it matches the store, and failing that, rebuilt."""
        chunk_ids = self.store.chunk_ids()
        fingerprint = store_fingerprint(chunk_ids)
        self._visible = set(self.store.document_ids())
        if not chunk_ids:
            self._bm25 = None
            return
        index = None
        if written is not None and self._bm25 is not None:
            index = self._bm25.updated(*self.store.all_chunks(list(written)), {*written, *removed})
            if not _holds_exactly(index, chunk_ids):
                log.info("the store changed beyond this library's write; rebuilding the BM25 index")
                index = None
        elif self.bm25_cache is not None:
            index = load_index(self.bm25_cache, fingerprint)
            if index is not None:
                self._bm25 = index
                return
        # An update got here only if it holds exactly the fingerprinted chunks; a rebuild reads the store
        # again, so it is saved only if no write came in between.
        exact = index is not None
        if index is None:
            index = BM25Index(*self.store.all_chunks())
            exact = _holds_exactly(index, chunk_ids)
        self._bm25 = index
        if self.bm25_cache is not None and exact:
            save_index(self.bm25_cache, index, fingerprint)

    def add_prepared(self, prepared: PreparedDocument) -> IngestOutcome:
        """Store one prepared document, replacing older versions from the same source."""
        return self.add_batch([prepared])[0]

    def add_batch(self, batch: list[PreparedDocument], refresh: bool = True) -> list[IngestOutcome]:
        """Store documents together: one encoder pass over all their sentences and one write per
        collection. Each still becomes visible only when its own record lands, after its parts. With
        refresh=False the caller rebuilds the BM25 index once after several batches."""
        with self._write_lock:
            outcomes: list[IngestOutcome | None] = []
            todo: list[tuple[int, PreparedDocument, list[str]]] = []
            for prepared in batch:
                doc = prepared.document
                existing = self.store.get_document_info(doc.id)
                stale = [i for i in self.store.document_ids_for_source(doc.source) if i != doc.id]
                if existing is not None and not stale:
                    outcomes.append(IngestOutcome("unchanged", existing))
                else:
                    outcomes.append(None)
                    todo.append((len(outcomes) - 1, prepared, stale))
            if todo:
                vectors = self.embedder.embed_texts([s.text for _, p, _ in todo for s in p.sentences])
                parts, offset = [], 0
                for _, prepared, _ in todo:
                    sentence_vectors = vectors[offset : offset + len(prepared.sentences)]
                    offset += len(prepared.sentences)
                    parts.append(
                        (prepared, chunk_vectors_from_sentences(prepared, sentence_vectors), sentence_vectors)
                    )
                infos = self.store.write_documents(parts)
                for (position, _prepared, stale), info in zip(todo, infos, strict=True):
                    for old in stale:
                        self.store.delete_document(old)
                    outcomes[position] = IngestOutcome("replaced" if stale else "added", info, tuple(stale))
                if refresh:
                    self._refresh(*_changes(outcomes))
        return [o for o in outcomes if o is not None]

    def ingest_bytes(
        self, data: bytes, filename: str, metadata: DocumentMetadata | None = None
    ) -> IngestOutcome:
        """Parse and store one uploaded file; raises IngestError and stores nothing on bad input."""
        return self.add_prepared(prepare_bytes(data, filename, metadata, self.max_chunk_words))

    def ingest_paths(
        self, paths: list[Path], on_progress: Callable[[int, int, str], None] | None = None
    ) -> IngestReport:
        """Ingest files and folders; a file that fails is reported and the rest go on."""
        report = IngestReport()
        files = discover_files(paths)
        pending: list[PreparedDocument] = []
        try:
            for i, path in enumerate(files):
                if on_progress:
                    on_progress(i, len(files), path.name)
                try:
                    if not path.exists():
                        raise IngestError(path.name, "no such file")
                    pending.append(prepare_file(path, self.max_chunk_words))
                except IngestError as exc:
                    report.failures.append(exc)
                if len(pending) >= INGEST_BATCH:
                    report.outcomes += self.add_batch(pending, refresh=False)
                    pending = []
            if pending:
                report.outcomes += self.add_batch(pending, refresh=False)
        finally:
            if any(o.status != "unchanged" for o in report.outcomes):
                with self._write_lock:
                    self._refresh(*_changes(report.outcomes))
        if on_progress:
            on_progress(len(files), len(files), "")
        return report

    def delete(self, doc_id: str) -> bool:
        with self._write_lock:
            existed = self.store.delete_document(doc_id)
            self._refresh(written=(), removed=(doc_id,))
        return existed

    def audit(self) -> IndexAudit:
        """A consistency check of the store: whole documents, no leftovers, no duplicates."""
        return self.store.audit()

    # ---- reads --------------------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        return self.store.list_documents()

    def document(self, doc_id: str) -> StoredDocument | None:
        return self.store.get_document(doc_id)

    def counts(self) -> tuple[int, int]:
        """(documents, chunks) that are visible."""
        return len(self._visible), self._bm25.size if self._bm25 else 0

    def retrieve(
        self, query: str, k: int = 6, query_vector: np.ndarray | None = None
    ) -> list[RetrievedChunk]:
        """Top-k chunks for a query by reciprocal-rank fusion of vector and BM25 rankings."""
        bm25 = self._bm25
        if bm25 is None or not query.strip():
            return []
        vector = self.embedder.embed_query(query) if query_vector is None else query_vector
        pool = candidate_pool(k)
        dense = self.store.query_chunks(vector, min(pool, bm25.size))
        lexical = bm25.search(query, pool)
        return reciprocal_rank_fusion(dense, lexical, k, self._visible)

    def sentences(self, chunks: list[RetrievedChunk]) -> tuple[list[StoredSentence], np.ndarray]:
        """The sentences inside the given chunks, each once, with their embeddings."""
        ids = list(dict.fromkeys(sid for c in chunks for sid in c.sentence_ids))
        return self.store.get_sentences(ids)
