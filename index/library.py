"""The article library: ingest, delete, list and search, over one Chroma store and a keyword index.

This is the one object the answer engine and the CLI use. Chroma is the record; the local index
(index/local_index.py: the keyword index and the sentences, tantivy, in this process's data folder) follows
it. A write of this library updates both, each in one step of its own; `sync` brings the local index in line
with whatever the store holds (at start, after a crash between the two steps, and every few seconds when
other servers write to the same Chroma server), reading only the documents that differ.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from index.chroma_store import ChromaStore, chunk_metadatas, sentence_annotations
from index.embedding import Embedder
from index.hybrid import candidate_pool, reciprocal_rank_fusion
from index.local_index import LocalChunk, LocalDocument, LocalIndex
from index.types import (
    DocumentInfo,
    IndexAudit,
    RetrievedChunk,
    SourceFilter,
    StoredDocument,
    StoredSentence,
)
from ingest.bulk import prepare_files
from ingest.fetching import FetchLimits
from ingest.models import DocumentMetadata, IngestError, PreparedDocument
from ingest.pages import prepare_url
from ingest.prepare import discover_files, prepare_bytes

log = logging.getLogger(__name__)
# Documents written together: bigger encoder batches pad less and Chroma takes fewer, larger writes.
INGEST_BATCH = 16
# Documents whose parts one sync reads from the store at a time.
SYNC_BATCH = 200


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


@dataclass(frozen=True)
class SyncReport:
    """What one `sync` changed in the local index."""

    added: int = 0
    removed: int = 0


def local_document(prepared: PreparedDocument, sentence_vectors: np.ndarray) -> LocalDocument:
    """A prepared document's entries in the local index, from what ingest computed (nothing is read back)."""
    chunks = [
        LocalChunk(c.id, c.doc_id, c.text, meta)
        for c, meta in zip(prepared.chunks, chunk_metadatas(prepared), strict=True)
    ]
    sentences = [
        StoredSentence(s.id, s.doc_id, s.start, s.end, s.text, note.entities, tuple(note.lemmas))
        for s, note in zip(prepared.sentences, sentence_annotations(prepared), strict=True)
    ]
    return LocalDocument(prepared.document.id, chunks, sentences, sentence_vectors)


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
    """Articles in Chroma plus this process's local index of them (keywords and sentences)."""

    def __init__(
        self,
        store: ChromaStore,
        embedder: Embedder,
        max_chunk_words: int = 140,
        local_dir: Path | None = None,
    ):
        """`local_dir` is the local index's folder (None: a temporary one, gone with the process)."""
        self.store = store
        self.embedder = embedder
        self.max_chunk_words = max_chunk_words
        if local_dir is None:
            import tempfile

            self._scratch = tempfile.TemporaryDirectory(prefix="briefing-local-")
            local_dir = Path(self._scratch.name)
        self.local = LocalIndex(local_dir)
        self._write_lock = threading.Lock()
        # The documents' details for `matching_documents`, keyed by the (documents, chunks) counts.
        self._documents_cache: tuple[tuple[int, int], list[DocumentInfo]] | None = None
        self._stop_polling = threading.Event()
        self._poller: threading.Thread | None = None
        recovered = store.recover_interrupted()
        if recovered:
            log.warning("cleaned up after %d interrupted document writes or deletes", recovered)
        self.sync()

    # ---- keeping the local index in line with the store ------------------------------------------
    def sync(self) -> SyncReport:
        """Add to the local index the documents the store has and it lacks, and drop those the store no
        longer has. Costs one read of the store's document ids, plus the parts of what differs."""
        with self._write_lock:
            held = self.store.document_ids()
            mine = self.local.documents()
            missing = [doc_id for doc_id in held if doc_id not in mine]
            extra = mine - set(held)
            if extra:
                self.local.apply([], extra)
            for start in range(0, len(missing), SYNC_BATCH):
                self.local.apply(self._stored_parts(missing[start : start + SYNC_BATCH]))
            if missing or extra:
                log.info(
                    "local index: %d documents added, %d removed to match the store", len(missing), len(extra)
                )
            return SyncReport(len(missing), len(extra))

    def _stored_parts(self, doc_ids: list[str]) -> list[LocalDocument]:
        """The given documents' chunks and sentences as the store holds them."""
        ids, texts, metas = self.store.all_chunks(doc_ids)
        chunks: dict[str, list[LocalChunk]] = {doc_id: [] for doc_id in doc_ids}
        for cid, text, meta in zip(ids, texts, metas, strict=True):
            chunks[str(meta["doc_id"])].append(LocalChunk(cid, str(meta["doc_id"]), text, meta))
        sentences, vectors = self.store.document_sentences(doc_ids)
        rows: dict[str, list[int]] = {doc_id: [] for doc_id in doc_ids}
        for i, sentence in enumerate(sentences):
            rows[sentence.doc_id].append(i)
        return [
            LocalDocument(doc_id, chunks[doc_id], [sentences[i] for i in rows[doc_id]], vectors[rows[doc_id]])
            for doc_id in doc_ids
        ]

    def start_polling(self, seconds: float) -> None:
        """Sync every `seconds` in a background thread: for a store that other servers write to. A store
        that cannot be reached is retried at the next tick; the index keeps what it had."""
        if self._poller is not None or seconds <= 0:
            return

        def poll() -> None:
            while not self._stop_polling.wait(seconds):
                try:
                    self.sync()
                except Exception as exc:  # an outage must not end the thread
                    log.warning("could not sync the local index with the store: %s", exc)

        self._poller = threading.Thread(target=poll, name="local-sync", daemon=True)
        self._poller.start()

    def stop_polling(self) -> None:
        self._stop_polling.set()
        if self._poller is not None:
            self._poller.join(timeout=5)
            self._poller = None

    # ---- writes -------------------------------------------------------------------------------
    def add_prepared(self, prepared: PreparedDocument) -> IngestOutcome:
        """Store one prepared document, replacing older versions from the same source; the outcome lists
        the documents already held that carry the same story."""
        from dataclasses import replace

        outcome = self.add_batch([prepared])[0]
        copies = tuple(d.id for d in self.store.same_story_as(outcome.document.id))
        return replace(outcome, document=replace(outcome.document, same_story_as=copies))

    def add_batch(self, batch: list[PreparedDocument]) -> list[IngestOutcome]:
        """Store documents together: one encoder pass over all their sentences and one write per
        collection. Each becomes visible only when its own record lands, after its parts, and then its
        chunks and sentences go into the local index, with the versions it replaced taken out, in one commit."""
        with self._write_lock:
            outcomes: list[IngestOutcome | None] = []
            todo: list[tuple[int, PreparedDocument, list[str]]] = []
            first_of: dict[str, int] = {}  # a document given twice (two copies of one file) is stored once
            repeats: list[tuple[int, int]] = []
            for prepared in batch:
                doc = prepared.document
                if doc.id in first_of:
                    outcomes.append(None)
                    repeats.append((len(outcomes) - 1, first_of[doc.id]))
                    continue
                first_of[doc.id] = len(outcomes)
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
                self.local.apply(
                    [local_document(prepared, sentence_vectors) for prepared, _, sentence_vectors in parts],
                    [old for _, _, stale in todo for old in stale],
                )
            for position, first in repeats:
                stored = outcomes[first]
                assert stored is not None
                outcomes[position] = IngestOutcome("unchanged", stored.document)
        return [o for o in outcomes if o is not None]

    def ingest_bytes(
        self, data: bytes, filename: str, metadata: DocumentMetadata | None = None
    ) -> IngestOutcome:
        """Parse and store one uploaded file; raises IngestError and stores nothing on bad input."""
        return self.add_prepared(prepare_bytes(data, filename, metadata, self.max_chunk_words))

    def ingest_url(
        self,
        url: str,
        limits: FetchLimits,
        metadata: DocumentMetadata | None = None,
        fallback: DocumentMetadata | None = None,
    ) -> IngestOutcome:
        """Fetch one page (guarded: ingest/fetching.py) and store it; raises FetchError or IngestError and
        stores nothing when the fetch or the page fails. `fallback` fills what the page does not state."""
        return self.add_prepared(prepare_url(url, limits, metadata, self.max_chunk_words, fallback))

    def ingest_paths(
        self, paths: list[Path], on_progress: Callable[[int, int, str], None] | None = None
    ) -> IngestReport:
        """Ingest files and folders; a file that fails is reported and the rest go on."""
        report = IngestReport()
        files = discover_files(paths)
        pending: list[PreparedDocument] = []
        # Many files are prepared in a second process while the batches before them are encoded and written.
        with closing(prepare_files(files, self.max_chunk_words)) as results:
            for i, (path, prepared) in enumerate(zip(files, results, strict=True)):
                if on_progress:
                    on_progress(i, len(files), path.name)
                if isinstance(prepared, IngestError):
                    report.failures.append(prepared)
                else:
                    pending.append(prepared)
                if len(pending) >= INGEST_BATCH:
                    report.outcomes += self.add_batch(pending)
                    pending = []
        if pending:
            report.outcomes += self.add_batch(pending)
        if on_progress:
            on_progress(len(files), len(files), "")
        return report

    def delete(self, doc_id: str) -> bool:
        with self._write_lock:
            existed = self.store.delete_document(doc_id, self.local.part_ids(doc_id))
            self.local.apply([], [doc_id])
        return existed

    def audit(self) -> IndexAudit:
        """A consistency check of the store (whole documents, no leftovers, no duplicates) and of the local
        index against it (the same documents, each with all its chunks and sentences)."""
        from dataclasses import replace

        with self._write_lock:
            audit = self.store.audit()
            records = {d.id: (d.chunks, d.sentences) for d in self.store.list_documents()}
            held = self.local.part_counts()
        mismatch = sorted(d for d in records.keys() | held.keys() if records.get(d) != held.get(d))
        return replace(audit, local_mismatch=tuple(mismatch))

    # ---- reads --------------------------------------------------------------------------------
    def documents(self) -> list[DocumentInfo]:
        return self.store.list_documents()

    def document(self, doc_id: str) -> StoredDocument | None:
        return self.store.get_document(doc_id)

    def document_texts(self, doc_ids: list[str]) -> dict[str, str]:
        """The full texts of several documents, in one store read (for comparing what articles say)."""
        return self.store.document_texts(doc_ids)

    def same_story_as(self, doc_id: str) -> list[DocumentInfo]:
        """The other documents that carry the same story as `doc_id` (syndicated copies): for the answer
        engine, which cites one copy and names the other outlets rather than count them as agreeing."""
        return self.store.same_story_as(doc_id)

    def same_story_groups(self, doc_ids: list[str]) -> dict[str, list[DocumentInfo]]:
        """`same_story_as` for several documents (say, an answer's sources) in two store reads; unknown ids
        are left out."""
        return self.store.same_story_groups(doc_ids)

    def counts(self) -> tuple[int, int]:
        """(documents, chunks) that are visible."""
        return len(self.local.documents()), self.local.size

    def matching_documents(self, source_filter: SourceFilter | None) -> list[DocumentInfo]:
        """The visible documents a filter lets through (all of them for none)."""
        counts = self.counts()
        cached = self._documents_cache
        if cached is None or cached[0] != counts:
            cached = self._documents_cache = (counts, self.documents())
        if source_filter is None or source_filter.is_empty:
            return list(cached[1])
        return [d for d in cached[1] if source_filter.matches(d)]

    def retrieve(
        self,
        query: str,
        k: int = 6,
        query_vector: np.ndarray | None = None,
        source_filter: SourceFilter | None = None,
    ) -> list[RetrievedChunk]:
        """Top-k chunks for a query by reciprocal-rank fusion of vector and BM25 rankings. `source_filter`
        narrows both rankings inside their searches (Chroma's `where`, the keyword query's clauses), so the
        top k are the best of the articles it lets through."""
        size = self.local.size
        if size == 0 or not query.strip():
            return []
        vector = self.embedder.embed_query(query) if query_vector is None else query_vector
        pool = candidate_pool(k)
        # Chroma returns ids and distances only; the texts of the fused top k that the keyword side did not
        # carry are read by id after fusion (their metadata cost Chroma more than the search at this depth),
        # from the local index (0.2 ms against Chroma's 1.1 ms for six chunks at 1,000 articles).
        dense = self.store.nearest_chunk_ids(vector, min(pool, size), source_filter)
        lexical = self.local.search(query, pool, source_filter)
        return reciprocal_rank_fusion(dense, lexical, k, self.local.documents(), self._chunks_by_id)

    def _chunks_by_id(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        """Chunks' texts and metadata from the local index, and from the store those it lacks (a document
        another process added to a shared store a moment ago)."""
        found = self.local.chunks_by_id(ids)
        missing = [i for i in ids if i not in found]
        return {**found, **self.store.chunks_by_id(missing)} if missing else found

    def sentences(self, chunks: list[RetrievedChunk]) -> tuple[list[StoredSentence], np.ndarray]:
        """The sentences inside the given chunks, each once, with their embeddings (from the local index)."""
        ids = list(dict.fromkeys(sid for c in chunks for sid in c.sentence_ids))
        return self.local.sentences(ids)
