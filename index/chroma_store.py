"""Chroma collections for documents, chunks and sentences, and the write order that keeps them whole.

A document becomes visible only when its record lands in the documents collection, which is written
last and deleted first. Chunks or sentences without a document record are leftovers of an interrupted
write: they are never returned. Every write and delete is noted in a small journal collection first and
struck off when it completes, so that opening the store cleans up after exactly the interrupted ones
(`recover_interrupted`) without reading the whole index; `remove_orphans` is the full sweep.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import ParamSpec, TypeVar
from urllib.parse import urlparse

import numpy as np

from index.types import (
    DocumentInfo,
    IndexAudit,
    IndexMismatchError,
    SourceFilter,
    StoredDocument,
    StoredSentence,
    StoreUnavailableError,
    outlet_key,
    published_day,
)
from ingest.language import (
    SentenceAnnotation,
    annotate_sentences,
    entities_from_str,
    entities_to_str,
    lemmas_from_str,
    lemmas_to_str,
)
from ingest.models import PreparedDocument
from ingest.near_duplicates import BANDS, StoryFingerprint, same_story, story_fingerprint, story_links

_BATCH = 1000
READ_PAGE = 5000
DOCS_PER_FILTER = 500
# The version of the fields chunks carry for filters (published_day, outlet_key), noted in the chunks
# collection's metadata; a store whose chunks predate them gets them on open (`_add_filter_fields`).
FILTER_FIELDS = 1
P = ParamSpec("P")
R = TypeVar("R")


def _is_outage(exc: BaseException) -> bool:
    """A transport failure (refused, reset, timed out) anywhere in the exception's chain."""
    import httpx

    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, (httpx.TransportError, ConnectionError, TimeoutError)):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


def _outage_is_unavailable(method: Callable[P, R]) -> Callable[P, R]:
    """Report a store that cannot be reached as StoreUnavailableError (the API answers 503); other errors
    pass through unchanged."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except StoreUnavailableError:
            raise
        except Exception as exc:
            if _is_outage(exc):
                raise StoreUnavailableError(f"Chroma is not reachable: {type(exc).__name__}: {exc}") from exc
            raise

    return wrapper


def connect_chroma(data_dir: Path | None, chroma_url: str | None):
    """An embedded persistent client under data_dir, or an HTTP client for a `chroma run` server."""
    import chromadb
    from chromadb.config import Settings

    settings = Settings(anonymized_telemetry=False, allow_reset=False)
    if chroma_url:
        parsed = urlparse(chroma_url if "://" in chroma_url else f"http://{chroma_url}")
        return chromadb.HttpClient(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or (443 if parsed.scheme == "https" else 8000),
            ssl=parsed.scheme == "https",
            settings=settings,
        )
    if data_dir is None:
        raise ValueError("data_dir is required for the embedded Chroma store")
    path = data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=settings)


def read_all(collection, include: list[str], where: dict | None = None, page: int | None = None) -> dict:
    """A whole collection (or every match of `where`) read in pages: one unpaged `get` binds a variable
    per row in Chroma's SQLite and fails past about 32,000 rows ("too many SQL variables"), which the
    chunks of 10,000 articles exceed. Returns "ids" plus each included field, as lists."""
    page = page or READ_PAGE
    out: dict[str, list] = {"ids": [], **{field: [] for field in include}}
    offset = 0
    while True:
        got = collection.get(include=include, where=where, limit=page, offset=offset)
        out["ids"] += got["ids"]
        for field in include:
            out[field] += list(got[field])
        if len(got["ids"]) < page:
            return out
        offset += page


def _read_for(collection, include: list[str], doc_ids: list[str]) -> dict:
    """`read_all` of the given documents' parts, a few hundred documents per filter (each id in `$in` is
    one SQL variable)."""
    out: dict[str, list] = {"ids": [], **{field: [] for field in include}}
    for start in range(0, len(doc_ids), DOCS_PER_FILTER):
        got = read_all(
            collection, include, where={"doc_id": {"$in": list(doc_ids[start : start + DOCS_PER_FILTER])}}
        )
        for field, values in got.items():
            out[field] += values
    return out


def sentence_annotations(prepared: PreparedDocument) -> list[SentenceAnnotation]:
    """The document's sentence annotations, made now if whoever prepared it did not."""
    if len(prepared.annotations) == len(prepared.sentences):
        return prepared.annotations
    return annotate_sentences([s.text for s in prepared.sentences])


def _stored_sentence(sid: str, text: str, meta: dict) -> StoredSentence:
    """A sentence as stored; one written before annotations were stored is annotated now."""
    if "lemmas" in meta:
        entities, lemmas = entities_from_str(str(meta.get("ents", ""))), lemmas_from_str(str(meta["lemmas"]))
    else:
        note = annotate_sentences([text])[0]
        entities, lemmas = note.entities, note.lemmas
    return StoredSentence(sid, meta["doc_id"], int(meta["start"]), int(meta["end"]), text, entities, lemmas)


def chunk_metadatas(prepared: PreparedDocument) -> list[dict]:
    """Each chunk's metadata as stored: its document, its span, the ids of the sentences inside it, and its
    article's date (YYYYMMDD, 0 if none) and outlet (case-folded) for filters inside retrieval."""
    meta = prepared.document.metadata
    return [
        {
            "doc_id": c.doc_id,
            "published_day": published_day(meta.published),
            "outlet_key": outlet_key(meta.outlet),
            "start": c.start,
            "end": c.end,
            "sentence_ids": ",".join(
                s.id for s in prepared.sentences if s.start >= c.start and s.end <= c.end
            ),
        }
        for c in prepared.chunks
    ]


def _batches(n: int) -> Iterable[slice]:
    for i in range(0, n, _BATCH):
        yield slice(i, min(i + _BATCH, n))


def _fingerprint(meta: dict) -> StoryFingerprint | None:
    """A record's story fingerprint; None for records written before fingerprints were stored."""
    return StoryFingerprint.from_str(str(meta.get("story", ""))) if meta.get("story") else None


def _info(doc_id: str, meta: dict, same_story_as: Iterable[str] = ()) -> DocumentInfo:
    return DocumentInfo(
        id=doc_id,
        source=str(meta.get("source", "")),
        title=str(meta.get("title", "")),
        outlet=str(meta.get("outlet", "")),
        published=str(meta.get("published", "")),
        url=str(meta.get("url", "")),
        chunks=int(meta.get("chunks", 0)),
        sentences=int(meta.get("sentences", 0)),
        characters=int(meta.get("characters", 0)),
        ingested_at=float(meta.get("ingested_at", 0.0)),
        author=str(meta.get("author", "")),
        same_story_as=tuple(same_story_as),
    )


def chroma_where(source_filter: SourceFilter | None) -> dict | None:
    """A chunk `where` clause for a filter (None when it does not narrow)."""
    if source_filter is None or source_filter.is_empty:
        return None
    clauses: list[dict] = []
    if source_filter.has_dates:
        low, high = source_filter.day_range()
        clauses += [{"published_day": {"$gte": low}}, {"published_day": {"$lte": high}}]
    if source_filter.outlet_keys:
        clauses.append({"outlet_key": {"$in": list(source_filter.outlet_keys)}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


class ChromaStore:
    """Three collections under one name prefix; embeddings are always supplied, never computed by Chroma."""

    def __init__(self, client, prefix: str = "briefing", embedder_name: str = "", shared: bool = False):
        """`shared`: other processes may write to the same store (a Chroma server)."""
        self._client = client
        self.prefix = prefix
        self.shared = shared
        meta = {"embedder": embedder_name} if embedder_name else None
        try:
            self.journal = client.get_or_create_collection(f"{prefix}_journal", embedding_function=None)
            self.documents = client.get_or_create_collection(
                f"{prefix}_documents", embedding_function=None, metadata=meta
            )
            self.chunks = client.get_or_create_collection(
                f"{prefix}_chunks", embedding_function=None, metadata=meta
            )
            # Sentence vectors are fetched by id, never searched. Their HNSW graph keeps Chroma's defaults:
            # a minimal one (4 neighbours, ef_construction 16) halved the cost of writing them, but its
            # compaction failed now and then ("Failed to apply logs to the hnsw segment writer") once a store
            # had seen a few thousand sentences added and deleted, as the eval gate's library does.
            self.sentences = client.get_or_create_collection(
                f"{prefix}_sentences", embedding_function=None, metadata=meta
            )
        except Exception as exc:  # chromadb raises several transport errors
            raise StoreUnavailableError(f"Chroma is not reachable: {exc}") from exc
        built_with = (self.chunks.metadata or {}).get("embedder")
        if embedder_name and built_with and built_with != embedder_name:
            raise IndexMismatchError(
                f"this index was built with {built_with} but the configured embedder is {embedder_name}; "
                f"set BRIEFING_EMBEDDING_BACKEND to match, or use a new BRIEFING_DATA_DIR / collection prefix "
                f"and ingest again"
            )
        if (self.chunks.metadata or {}).get("filter_fields") != FILTER_FIELDS:
            self._add_filter_fields()

    def _add_filter_fields(self) -> None:
        """Give every chunk its article's `published_day` and `outlet_key` (a store written before chunks
        carried them), then note the version in the collection's metadata. Safe to repeat."""
        docs = read_all(self.documents, ["metadatas"])
        by_doc = {i: m for i, m in zip(docs["ids"], docs["metadatas"], strict=True)}
        chunks = read_all(self.chunks, ["metadatas"])
        ids, metas = [], []
        for cid, meta in zip(chunks["ids"], chunks["metadatas"], strict=True):
            record = by_doc.get(str(meta.get("doc_id")), {})
            fields = {
                "published_day": published_day(str(record.get("published", ""))),
                "outlet_key": outlet_key(str(record.get("outlet", ""))),
            }
            if any(meta.get(k) != v for k, v in fields.items()):
                ids.append(cid)
                metas.append({**meta, **fields})
        for part in _batches(len(ids)):
            self.chunks.update(ids=ids[part], metadatas=metas[part])
        self.chunks.modify(metadata={**(self.chunks.metadata or {}), "filter_fields": FILTER_FIELDS})

    def extra_collection(self, name: str):
        """Another collection of this store's (e.g. feed subscriptions), under the same prefix; its rows
        carry a one-number placeholder embedding, as the journal's do."""
        try:
            return self._client.get_or_create_collection(f"{self.prefix}_{name}", embedding_function=None)
        except Exception as exc:
            raise StoreUnavailableError(f"Chroma is not reachable: {exc}") from exc

    def heartbeat(self) -> bool:
        try:
            self._client.heartbeat()
            return True
        except Exception:
            return False

    # ---- writes -------------------------------------------------------------------------------
    @_outage_is_unavailable
    def write_documents(
        self, parts: list[tuple[PreparedDocument, np.ndarray, np.ndarray]]
    ) -> list[DocumentInfo]:
        """Write the sentences, then the chunks, then the records that make the documents visible.

        Part ids derive from content hashes, so upserting over the leftovers of an interrupted write of the
        same document is safe; if this write fails, its parts are removed again."""
        doc_ids = [p.document.id for p, _, _ in parts]
        self._journal_open(doc_ids, "write")
        try:
            self._upsert_sentences(parts)
            self._upsert_chunks(parts)
            metas = [self._record(prepared) for prepared, _, _ in parts]
            centroids = []
            for _, chunk_vectors, _ in parts:
                centroid = chunk_vectors.mean(axis=0)
                centroids.append((centroid / (np.linalg.norm(centroid) or 1.0)).tolist())
            self.documents.upsert(
                ids=[p.document.id for p, _, _ in parts],
                embeddings=centroids,
                documents=[p.document.text for p, _, _ in parts],
                metadatas=metas,
            )
        except Exception:
            for prepared, _, _ in parts:
                if self.get_document_info(prepared.document.id) is None:
                    self._delete_parts(prepared.document.id)
            self._journal_close(doc_ids)
            raise
        self._journal_close(doc_ids)
        return [_info(p.document.id, m) for (p, _, _), m in zip(parts, metas, strict=True)]

    def _upsert_sentences(self, parts) -> None:
        sents = [s for prepared, _, _ in parts for s in prepared.sentences]
        notes = [a for prepared, _, _ in parts for a in sentence_annotations(prepared)]
        vectors = np.concatenate([v for _, _, v in parts]) if parts else np.zeros((0, 0))
        for part in _batches(len(sents)):
            self.sentences.upsert(
                ids=[s.id for s in sents[part]],
                embeddings=vectors[part].tolist(),
                documents=[s.text for s in sents[part]],
                metadatas=[
                    {
                        "doc_id": s.doc_id,
                        "start": s.start,
                        "end": s.end,
                        "ents": entities_to_str(a.entities),
                        "lemmas": lemmas_to_str(a.lemmas),
                    }
                    for s, a in zip(sents[part], notes[part], strict=True)
                ],
            )

    def _upsert_chunks(self, parts) -> None:
        chunks = [c for prepared, _, _ in parts for c in prepared.chunks]
        vectors = np.concatenate([v for _, v, _ in parts]) if parts else np.zeros((0, 0))
        metadatas = [meta for prepared, _, _ in parts for meta in chunk_metadatas(prepared)]
        for part in _batches(len(chunks)):
            self.chunks.upsert(
                ids=[c.id for c in chunks[part]],
                embeddings=vectors[part].tolist(),
                documents=[c.text for c in chunks[part]],
                metadatas=metadatas[part],
            )

    @staticmethod
    def _record(prepared: PreparedDocument) -> dict:
        doc = prepared.document
        fingerprint = story_fingerprint(doc.text)
        return {
            "source": doc.source,
            "title": doc.title,
            "outlet": doc.metadata.outlet,
            "published": doc.metadata.published,
            "url": doc.metadata.url,
            "author": doc.metadata.author,
            "chunks": len(prepared.chunks),
            "sentences": len(prepared.sentences),
            "characters": len(doc.text),
            "ingested_at": time.time(),
            # The story's fingerprint, and its band keys one per field so that `where` finds copies.
            "story": fingerprint.to_str(),
            **{f"story_b{i}": key for i, key in enumerate(fingerprint.bands)},
        }

    @_outage_is_unavailable
    def delete_document(self, doc_id: str, part_ids: tuple[list[str], list[str]] | None = None) -> bool:
        """Remove the record first (the document vanishes at once), then its parts. `part_ids` (its chunk
        and sentence ids, when the caller knows them all) spares Chroma the search for them."""
        existed = bool(self.documents.get(ids=[doc_id], include=[])["ids"])
        self._journal_open([doc_id], "delete")
        self.documents.delete(ids=[doc_id])
        if part_ids is not None and part_ids[0] and part_ids[1]:
            self.chunks.delete(ids=part_ids[0])
            self.sentences.delete(ids=part_ids[1])
        else:
            self._delete_parts(doc_id)
        self._journal_close([doc_id])
        return existed

    # ---- the journal of writes in progress ------------------------------------------------------
    def _journal_open(self, doc_ids: list[str], operation: str) -> None:
        now = time.time()
        self.journal.upsert(
            ids=doc_ids,
            embeddings=[[1.0]] * len(doc_ids),
            metadatas=[{"operation": operation, "at": now}] * len(doc_ids),
        )

    def _journal_close(self, doc_ids: list[str]) -> None:
        self.journal.delete(ids=doc_ids)

    @_outage_is_unavailable
    def recover_interrupted(self) -> int:
        """Finish what interrupted writes and deletes left: a document whose record never landed (or was
        being deleted) loses its parts. Returns how many documents needed it. In a shared store, only
        entries older than 15 minutes count, since another process may be writing right now."""
        got = read_all(self.journal, ["metadatas"])
        cutoff = time.time() - (900 if self.shared else 0)
        entries = {
            doc_id: meta
            for doc_id, meta in zip(got["ids"], got["metadatas"], strict=True)
            if meta["at"] <= cutoff
        }
        if not entries:
            return 0
        committed = set(self.documents.get(ids=list(entries), include=[])["ids"])
        cleaned = 0
        for doc_id, meta in entries.items():
            if meta["operation"] == "write" and doc_id in committed:
                continue  # the write completed; only striking it off was lost
            self.documents.delete(ids=[doc_id])
            self._delete_parts(doc_id)
            cleaned += 1
        self._journal_close(list(entries))
        return cleaned

    def _delete_parts(self, doc_id: str) -> None:
        self.chunks.delete(where={"doc_id": doc_id})
        self.sentences.delete(where={"doc_id": doc_id})

    @_outage_is_unavailable
    def remove_orphans(self) -> int:
        """Delete chunks and sentences whose document record is missing; return how many went."""
        committed = set(self.document_ids())
        removed = 0
        for collection in (self.chunks, self.sentences):
            orphan_ids = [i for i, doc_id in self._part_owners(collection).items() if doc_id not in committed]
            for part in _batches(len(orphan_ids)):
                collection.delete(ids=orphan_ids[part])
            removed += len(orphan_ids)
        return removed

    @staticmethod
    def _part_owners(collection) -> dict[str, str]:
        """Every chunk or sentence id in the collection, with the id of the document it belongs to."""
        got = read_all(collection, ["metadatas"])
        return {i: m.get("doc_id") for i, m in zip(got["ids"], got["metadatas"], strict=True)}

    @_outage_is_unavailable
    def audit(self) -> IndexAudit:
        """Check that every document's chunks and sentences are all there, and that nothing else is."""
        from collections import Counter

        docs = read_all(self.documents, ["metadatas"])
        records = dict(zip(docs["ids"], docs["metadatas"], strict=True))
        found: dict[str, Counter] = {}
        orphans: dict[str, int] = {}
        for name, collection in (("chunks", self.chunks), ("sentences", self.sentences)):
            owners = Counter(self._part_owners(collection).values())
            found[name] = owners
            orphans[name] = sum(n for doc_id, n in owners.items() if doc_id not in records)
        incomplete = tuple(
            doc_id
            for doc_id, meta in records.items()
            if found["chunks"][doc_id] != int(meta.get("chunks", -1))
            or found["sentences"][doc_id] != int(meta.get("sentences", -1))
        )
        sources = Counter(str(meta.get("source", "")) for meta in records.values())
        return IndexAudit(
            documents=len(records),
            chunks=sum(found["chunks"].values()),
            sentences=sum(found["sentences"].values()),
            orphan_chunks=orphans["chunks"],
            orphan_sentences=orphans["sentences"],
            incomplete=incomplete,
            duplicate_sources=tuple(sorted(s for s, n in sources.items() if n > 1)),
        )

    # ---- reads --------------------------------------------------------------------------------
    @_outage_is_unavailable
    def document_ids(self) -> list[str]:
        return read_all(self.documents, [])["ids"]

    @_outage_is_unavailable
    def document_ids_for_source(self, source: str) -> list[str]:
        return read_all(self.documents, [], where={"source": source})["ids"]

    @_outage_is_unavailable
    def list_documents(self) -> list[DocumentInfo]:
        got = read_all(self.documents, ["metadatas"])
        fingerprints = {
            i: fp for i, m in zip(got["ids"], got["metadatas"], strict=True) if (fp := _fingerprint(m))
        }
        links = story_links(fingerprints)
        infos = [_info(i, m, links.get(i, ())) for i, m in zip(got["ids"], got["metadatas"], strict=True)]
        return sorted(infos, key=lambda d: (d.published or "", d.title), reverse=True)

    @_outage_is_unavailable
    def get_document_info(self, doc_id: str) -> DocumentInfo | None:
        got = self.documents.get(ids=[doc_id], include=["metadatas"])
        if not got["ids"]:
            return None
        meta = got["metadatas"][0]
        return _info(doc_id, meta, [d.id for d in self._copies(doc_id, meta)])

    @_outage_is_unavailable
    def get_document(self, doc_id: str) -> StoredDocument | None:
        got = self.documents.get(ids=[doc_id], include=["metadatas", "documents"])
        if not got["ids"]:
            return None
        meta = got["metadatas"][0]
        info = _info(doc_id, meta, [d.id for d in self._copies(doc_id, meta)])
        return StoredDocument(info, got["documents"][0])

    @_outage_is_unavailable
    def document_texts(self, doc_ids: list[str]) -> dict[str, str]:
        """The full texts of several documents in one read, by id (unknown ids left out)."""
        if not doc_ids:
            return {}
        got = self.documents.get(ids=list(dict.fromkeys(doc_ids)), include=["documents"])
        return dict(zip(got["ids"], got["documents"], strict=True))

    @_outage_is_unavailable
    def same_story_as(self, doc_id: str) -> list[DocumentInfo]:
        """The other documents that carry the same story as `doc_id` (none for an unknown id)."""
        got = self.documents.get(ids=[doc_id], include=["metadatas"])
        return self._copies(doc_id, got["metadatas"][0]) if got["ids"] else []

    @_outage_is_unavailable
    def same_story_groups(self, doc_ids: list[str]) -> dict[str, list[DocumentInfo]]:
        """`same_story_as` for several documents at once (an answer's cited documents), in two reads."""
        got = self.documents.get(ids=list(dict.fromkeys(doc_ids)), include=["metadatas"])
        metas = dict(zip(got["ids"], got["metadatas"], strict=True))
        candidates = self._sharing_a_band(list(metas.values()))
        return {doc_id: self._copies(doc_id, meta, candidates) for doc_id, meta in metas.items()}

    def _sharing_a_band(self, metas: list[dict]) -> dict[str, dict]:
        """Every record that shares a band key with one of these records, by id."""
        clauses = [
            {f"story_b{i}": key}
            for fingerprint in (_fingerprint(m) for m in metas)
            if fingerprint is not None
            for i, key in enumerate(fingerprint.bands[:BANDS])
        ]
        if not clauses:
            return {}
        found = self.documents.get(
            where={"$or": clauses} if len(clauses) > 1 else clauses[0], include=["metadatas"]
        )
        return dict(zip(found["ids"], found["metadatas"], strict=True))

    def _copies(
        self, doc_id: str, meta: dict, candidates: dict[str, dict] | None = None
    ) -> list[DocumentInfo]:
        """Documents sharing a band key with this record whose fingerprints say they carry its story."""
        fingerprint = _fingerprint(meta)
        if fingerprint is None:
            return []
        if candidates is None:
            candidates = self._sharing_a_band([meta])
        copies = []
        for other_id, other in candidates.items():
            other_fp = _fingerprint(other)
            if other_id != doc_id and other_fp is not None and same_story(fingerprint, other_fp):
                copies.append(_info(other_id, other))
        return sorted(copies, key=lambda d: d.id)

    @_outage_is_unavailable
    def all_chunks(self, doc_ids: list[str] | None = None) -> tuple[list[str], list[str], list[dict]]:
        """Every chunk, or the chunks of the given documents, as ids, texts and metadatas."""
        include = ["documents", "metadatas"]
        got = read_all(self.chunks, include) if doc_ids is None else _read_for(self.chunks, include, doc_ids)
        return got["ids"], got["documents"], got["metadatas"]

    @_outage_is_unavailable
    def query_chunks(self, vector: np.ndarray, n: int) -> list[tuple[str, str, dict, float]]:
        """Nearest chunks as (id, text, metadata, cosine similarity)."""
        if n <= 0:
            return []
        got = self.chunks.query(
            query_embeddings=[vector.tolist()], n_results=n, include=["documents", "metadatas", "distances"]
        )
        # Vectors are unit length and Chroma's default space is squared L2: cos = 1 - d / 2.
        return [
            (cid, text, meta, 1.0 - float(dist) / 2.0)
            for cid, text, meta, dist in zip(
                got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0], strict=True
            )
        ]

    @_outage_is_unavailable
    def nearest_chunk_ids(
        self, vector: np.ndarray, n: int, source_filter: SourceFilter | None = None
    ) -> list[tuple[str, None, None, float]]:
        """Nearest chunks as (id, None, None, cosine similarity): without their texts and metadata, which
        cost Chroma more than the search itself at retrieval's depth (see `chunks_by_id`). A filter is
        Chroma's `where`, applied inside the search."""
        if n <= 0:
            return []
        got = self.chunks.query(
            query_embeddings=[vector.tolist()],
            n_results=n,
            include=["distances"],
            where=chroma_where(source_filter),
        )
        return [
            (cid, None, None, 1.0 - float(d) / 2.0)
            for cid, d in zip(got["ids"][0], got["distances"][0], strict=True)
        ]

    @_outage_is_unavailable
    def chunks_by_id(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        """Chunks' texts and metadata by id (unknown ids left out)."""
        if not ids:
            return {}
        got = self.chunks.get(ids=ids, include=["documents", "metadatas"])
        return {
            cid: (text, meta)
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        }

    @_outage_is_unavailable
    def document_sentences(self, doc_ids: list[str]) -> tuple[list[StoredSentence], np.ndarray]:
        """Every sentence of the given documents, with their embeddings as one matrix."""
        got = _read_for(self.sentences, ["documents", "metadatas", "embeddings"], doc_ids)
        sentences = [
            _stored_sentence(i, text, meta)
            for i, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True)
        ]
        vectors = got["embeddings"]
        matrix = np.asarray(vectors, dtype=np.float32) if vectors else np.zeros((0, 0), dtype=np.float32)
        return sentences, matrix

    @_outage_is_unavailable
    def get_sentences(self, ids: list[str]) -> tuple[list[StoredSentence], np.ndarray]:
        """Sentences by id, in the order asked, with their embeddings as one matrix."""
        if not ids:
            return [], np.zeros((0, 0), dtype=np.float32)
        got = self.sentences.get(ids=ids, include=["documents", "metadatas", "embeddings"])
        position = {sid: i for i, sid in enumerate(got["ids"])}
        order = [position[sid] for sid in ids if sid in position]
        sentences = [_stored_sentence(got["ids"][i], got["documents"][i], got["metadatas"][i]) for i in order]
        matrix = np.asarray(got["embeddings"], dtype=np.float32)[order] if order else np.zeros((0, 0))
        return sentences, matrix
