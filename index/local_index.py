"""This process's local index of the library: the chunks' keyword (BM25) index, and the sentences the
answer engine reads (text, entities, lemmas, vector). One tantivy index, written a document at a time,
read without loading.

Why tantivy. Measured on 10,000 synthetic articles (52,629 chunks, 2 CPUs; see the README's performance
section): bm25s, which has no incremental add, re-indexed everything on each write (3.4 s); SQLite FTS5
adds and deletes a document in 0.3 ms but ranks with bm25() over every matching row, 154 ms per question;
tantivy adds a document in 5 ms, deletes one in 2 ms and answers a question in 0.5 ms, from files that are
memory-mapped, not read into memory at start.

The tokens are bm25s's: scikit-learn's token pattern, English stop words removed, Snowball stems. tantivy
gets them as whitespace-separated words and ranks them with BM25 (k1 1.2, b 0.75 and Lucene's idf, as
bm25s's default does). Sentences are kept here, beside Chroma's copy, because reading them by id is
about four times cheaper than a Chroma read, and every answer reads a few dozen.

Two tantivy indexes: `chunks` holds only the chunks, so that BM25's document count and average length are
the chunks' own; `parts` holds the sentences and one marker per document, and the markers are the set of
documents the local index holds. Every write commits the chunks first, then the parts. If the process stops
between the two, an added document has chunks but no marker (the store has it, so the next sync with the
store, `Library.sync`, adds it again whole), and a removed one a marker but no chunks (the store no longer
has it, so the next sync removes it). Each marker counts its document's chunks; if the chunk index holds
another number at opening, chunks without a marker are swept. The index is derived from the store: one of
another layout is rebuilt from it.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
from collections.abc import Collection, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from index.types import SourceFilter, StoredSentence
from ingest.language import entities_from_str, entities_to_str

log = logging.getLogger(__name__)
TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # scikit-learn's CountVectorizer pattern, bm25s's default
STOPWORDS = "english"
STEMMER = "english"
# 1: chunks only; 2: chunks and sentences; 3: chunks apart from the rest; 4: chunks by id; 5: chunks carry
# their article's date and outlet for filters
LAYOUT = "5"
# tantivy's minimum per writer thread.
WRITER_HEAP = 15_000_000
# mallopt's parameter number for the arena cap (glibc's malloc.h).
M_ARENA_MAX = -8


@dataclass(frozen=True)
class LocalChunk:
    """What the index keeps of a chunk: enough to hand it to fusion without asking Chroma."""

    chunk_id: str
    doc_id: str
    text: str
    metadata: dict


@dataclass(frozen=True)
class LocalDocument:
    """One document's entries: its chunks, and its sentences with their vectors (one row each)."""

    doc_id: str
    chunks: list[LocalChunk]
    sentences: list[StoredSentence]
    vectors: np.ndarray


def tokenize(texts: list[str], stemmer) -> list[list[str]]:
    """Each text's stemmed tokens, stop words left out."""
    import bm25s

    if not texts:
        return []
    return bm25s.tokenize(
        texts,
        stopwords=STOPWORDS,
        stemmer=stemmer,
        token_pattern=TOKEN_PATTERN,
        show_progress=False,
        return_ids=False,
    )


def new_stemmer():
    import Stemmer

    return Stemmer.Stemmer(STEMMER)


def _chunk_schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("doc_id", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("chunk_id", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("tokens", tokenizer_name="whitespace", index_option="freq")
    builder.add_bytes_field("payload", stored=True, indexed=False)
    # Filters inside the keyword query: the article's date as YYYYMMDD (0: none) and its outlet, case-folded.
    builder.add_integer_field("published_day", indexed=True, fast=True)
    builder.add_text_field("outlet_key", tokenizer_name="raw", index_option="basic")
    return builder.build()


def _filter_clauses(schema, source_filter: SourceFilter | None) -> list:
    """The Must clauses that keep a keyword query inside a filter (none when it does not narrow)."""
    import tantivy

    if source_filter is None or source_filter.is_empty:
        return []
    clauses = []
    if source_filter.has_dates:
        low, high = source_filter.day_range()
        clauses.append(
            (
                tantivy.Occur.Must,
                tantivy.Query.range_query(schema, "published_day", tantivy.FieldType.Integer, low, high),
            )
        )
    if source_filter.outlet_keys:
        clauses.append((tantivy.Occur.Must, _any_of(schema, "outlet_key", list(source_filter.outlet_keys))))
    return clauses


def _parts_schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("kind", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("doc_id", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("sentence_id", tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("payload", stored=True, indexed=False)
    builder.add_bytes_field("vector", stored=True, indexed=False)
    return builder.build()


class _Tantivy:
    """One tantivy index: its current searcher, and writes of one commit each."""

    def __init__(self, path: Path, schema):
        import tantivy

        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(schema, path=str(path), reuse=True)
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def commit(self, deleted: Iterable[str], added: Iterable) -> None:
        """Delete every entry of the `deleted` documents, then add the `added` entries, in one commit. The
        writer lives for this write only, so that no process holds the folder's lock between writes."""
        try:
            writer = self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
        except ValueError as exc:
            if "LockBusy" not in str(exc):
                raise
            raise RuntimeError(
                f"another process is writing the local index at {self.path.parent}: each server needs a "
                f"BRIEFING_DATA_DIR of its own"
            ) from exc
        try:
            for doc_id in deleted:
                writer.delete_documents_by_term("doc_id", doc_id)
            for entry in added:
                writer.add_document(entry)
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        finally:
            writer.wait_merging_threads()
        self.index.reload()
        self.searcher = self.index.searcher()

    def entries(self, query=None, limit: int | None = None) -> list:
        """The stored entries that match `query` (every entry if None), up to `limit` (all if None)."""
        import tantivy

        searcher = self.searcher
        limit = searcher.num_docs if limit is None else limit
        if limit <= 0:
            return []
        hits = searcher.search(tantivy.Query.all_query() if query is None else query, limit).hits
        return [searcher.doc(address) for _, address in hits]

    def term(self, field: str, value: str):
        import tantivy

        return tantivy.Query.term_query(self.schema, field, value)

    def doc_ids(self, query=None) -> list[str]:
        """The document id of every entry that matches `query` (every entry if None): a full read."""
        return [entry["doc_id"][0] for entry in self.entries(query)]


def _any_of(schema, field: str, values: list[str]):
    """Entries whose `field` is one of `values`: one term query per value, which for the few dozen ids an
    answer reads costs a third of tantivy's term-set query (0.08 against 0.3 ms for 23 sentence ids)."""
    import tantivy

    return tantivy.Query.boolean_query(
        [(tantivy.Occur.Should, tantivy.Query.term_query(schema, field, v)) for v in values]
    )


def _payload(entry) -> dict:
    return json.loads(bytes(entry["payload"][0]))


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


class LocalIndex:
    """The chunks' and the parts' tantivy indexes in one folder. Reads are lock-free; writes are serialised."""

    def __init__(self, path: Path):
        limit_allocator_arenas()
        self.path = path
        layout_file = path / "briefing-layout"
        if path.exists() and any(path.iterdir()) and _read(layout_file) != LAYOUT:
            log.warning("the local index at %s has another layout; rebuilding it from the store", path)
            shutil.rmtree(path)
        path.mkdir(parents=True, exist_ok=True)
        self._chunks = _Tantivy(path / "chunks", _chunk_schema())
        self._parts = _Tantivy(path / "parts", _parts_schema())
        layout_file.write_text(LAYOUT)
        self._write_lock = threading.Lock()
        # PyStemmer's stemmers are not thread-safe; queries tokenise one at a time.
        self._stem_lock = threading.Lock()
        self._stemmer = new_stemmer()
        self._documents = self._read_markers()

    def _read_markers(self) -> set[str]:
        """The documents with a marker; chunks of any other document are swept (a write that stopped
        between its two commits, whose document the store has since lost)."""
        markers = {
            entry["doc_id"][0]: int(_payload(entry).get("chunks", 0))
            for entry in self._parts.entries(self._parts.term("kind", "doc"))
        }
        if self.size != sum(markers.values()):
            stray = set(self._chunks.doc_ids()) - markers.keys()
            if stray:
                log.warning(
                    "removing the chunks of %d documents without a marker from %s", len(stray), self.path
                )
                self._chunks.commit(stray, [])
        return set(markers)

    # ---- reads --------------------------------------------------------------------------------
    def documents(self) -> AbstractSet[str]:
        """The documents in the index: a live view, changed in place by each write (a copy per write would
        cost as much as the library)."""
        return self._documents

    @property
    def size(self) -> int:
        """How many chunks the index holds."""
        return self._chunks.searcher.num_docs

    def search(
        self, query: str, n: int, source_filter: SourceFilter | None = None
    ) -> list[tuple[str, str, dict, float]]:
        """The top-n chunks as (id, text, metadata, BM25 score); chunks without a query word are left out,
        and so are chunks outside `source_filter` (inside the query, so the top n are all inside it)."""
        import tantivy

        with self._stem_lock:
            words = list(dict.fromkeys(tokenize([query], self._stemmer)[0]))
        if not words or n <= 0 or self.size == 0:
            return []
        schema, searcher = self._chunks.schema, self._chunks.searcher
        clauses = [(tantivy.Occur.Should, tantivy.Query.term_query(schema, "tokens", w)) for w in words]
        query_ = tantivy.Query.boolean_query(clauses)
        narrowing = _filter_clauses(schema, source_filter)
        if narrowing:
            # The filter clauses only narrow: boosted by 0 so that the BM25 scores stay the words' own.
            query_ = tantivy.Query.boolean_query(
                [(tantivy.Occur.Must, query_)]
                + [(occur, tantivy.Query.boost_query(q, 0.0)) for occur, q in narrowing]
            )
        out = []
        for score, address in searcher.search(query_, n).hits:
            if score <= 0:
                continue
            payload = _payload(searcher.doc(address))
            out.append((payload["id"], payload["text"], payload["meta"], float(score)))
        return out

    def chunks_by_id(self, ids: list[str]) -> dict[str, tuple[str, dict]]:
        """Chunks' texts and metadata by id (unknown ids left out)."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return {}
        searcher = self._chunks.searcher
        out = {}
        for _, address in searcher.search(_any_of(self._chunks.schema, "chunk_id", wanted), len(wanted)).hits:
            payload = _payload(searcher.doc(address))
            out[payload["id"]] = (payload["text"], payload["meta"])
        return out

    def sentences(self, ids: list[str]) -> tuple[list[StoredSentence], np.ndarray]:
        """Sentences by id, in the order asked (unknown ids left out), with their vectors as one matrix."""
        empty: tuple[list[StoredSentence], np.ndarray] = ([], np.zeros((0, 0), dtype=np.float32))
        if not ids:
            return empty
        searcher = self._parts.searcher
        found: dict[str, tuple[StoredSentence, np.ndarray]] = {}
        for _, address in searcher.search(_any_of(self._parts.schema, "sentence_id", ids), len(ids)).hits:
            entry = searcher.doc(address)
            p = _payload(entry)
            sentence = StoredSentence(
                p["id"],
                p["doc_id"],
                p["start"],
                p["end"],
                p["text"],
                entities_from_str(p["ents"]),
                tuple(p["lemmas"]),
            )
            found[sentence.id] = (sentence, np.frombuffer(bytes(entry["vector"][0]), dtype=np.float32))
        ordered = [found[i] for i in ids if i in found]
        if not ordered:
            return empty
        return [s for s, _ in ordered], np.stack([v for _, v in ordered])

    def part_ids(self, doc_id: str) -> tuple[list[str], list[str]] | None:
        """A document's chunk and sentence ids, if the index holds it (whole, since it has its marker)."""
        import tantivy

        if doc_id not in self._documents:
            return None
        sentences = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, self._parts.term("doc_id", doc_id)),
                (tantivy.Occur.Must, self._parts.term("kind", "sentence")),
            ]
        )
        return (
            [_payload(e)["id"] for e in self._chunks.entries(self._chunks.term("doc_id", doc_id))],
            [_payload(e)["id"] for e in self._parts.entries(sentences)],
        )

    def part_counts(self) -> dict[str, tuple[int, int]]:
        """(chunks, sentences) per document, for every document that has a marker or any entry (a full read,
        for audits)."""
        from collections import Counter

        chunks = Counter(self._chunks.doc_ids())
        sentences = Counter(self._parts.doc_ids(self._parts.term("kind", "sentence")))
        return {d: (chunks[d], sentences[d]) for d in {*self._documents, *chunks, *sentences}}

    # ---- writes -------------------------------------------------------------------------------
    def apply(self, added: Iterable[LocalDocument], removed: Collection[str] = ()) -> None:
        """Drop the documents in `removed` and (re)place each added document: the chunks' commit, then the
        parts' (see the module's docstring)."""
        import tantivy

        added = list(added)
        if not added and not removed:
            return
        with self._stem_lock:
            tokens = tokenize([c.text for d in added for c in d.chunks], self._stemmer)
        words = iter(tokens)
        chunk_entries = [
            tantivy.Document(
                doc_id=d.doc_id,
                chunk_id=c.chunk_id,
                tokens=" ".join(next(words)),
                payload=_json({"id": c.chunk_id, "text": c.text, "meta": c.metadata}),
                published_day=int(c.metadata.get("published_day", 0)),
                outlet_key=str(c.metadata.get("outlet_key", "")),
            )
            for d in added
            for c in d.chunks
        ]
        part_entries = []
        for d in added:
            for sentence, vector in zip(d.sentences, d.vectors, strict=True):
                part_entries.append(
                    tantivy.Document(
                        kind="sentence",
                        doc_id=d.doc_id,
                        sentence_id=sentence.id,
                        payload=_json(_sentence_payload(sentence)),
                        vector=np.asarray(vector, dtype=np.float32).tobytes(),
                    )
                )
            part_entries.append(
                tantivy.Document(kind="doc", doc_id=d.doc_id, payload=_json({"chunks": len(d.chunks)}))
            )
        replaced = {*removed, *(d.doc_id for d in added)}
        with self._write_lock:
            self._chunks.commit(replaced, chunk_entries)
            self._parts.commit(replaced, part_entries)
            self._documents.difference_update(removed)
            self._documents.update(d.doc_id for d in added)


@lru_cache(maxsize=1)
def _libc():
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    return ctypes.CDLL(name) if name else None


def limit_allocator_arenas() -> None:
    """Cap glibc's malloc arenas at the number of CPUs (at least 2), for the whole process. tantivy's
    indexing and merging threads, the encoder's and the server's each allocate from an arena of their own by
    default (up to 8 per CPU), and memory freed in one is rarely given back: measured with uploads and
    deletes in a loop, resident memory grew about 13 MB per upload and delete by default and stayed flat
    with the cap (the same as with MALLOC_ARENA_MAX=2 in the environment). Without glibc, nothing happens."""
    import os

    libc = _libc()
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is not None:
        mallopt(M_ARENA_MAX, max(2, os.cpu_count() or 1))


def _sentence_payload(s: StoredSentence) -> dict:
    return {
        "id": s.id,
        "doc_id": s.doc_id,
        "start": s.start,
        "end": s.end,
        "text": s.text,
        "ents": entities_to_str(s.entities),
        "lemmas": list(s.lemmas),
    }


def _read(path: Path) -> str | None:
    try:
        return path.read_text().strip()
    except OSError:
        return None
