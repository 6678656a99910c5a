"""The keyword (BM25) index of the chunks: tantivy, written a document at a time, read without loading.

Why tantivy. Measured on 10,000 synthetic articles (52,629 chunks, 2 CPUs; the script is described in the
README's scaling section): bm25s, which has no incremental add, re-indexed everything on each write
(3.4 s); SQLite FTS5 adds and deletes a document in 0.3 ms but ranks with bm25() over every matching row,
154 ms per question; tantivy adds a document in 5 ms, deletes one in 2 ms and answers a question in 0.5 ms,
from a 7.7 MB directory that is memory-mapped, not read into memory at start.

The tokens are bm25s's, as before: scikit-learn's token pattern, English stop words removed, Snowball
stems. tantivy gets them as whitespace-separated words and ranks them with BM25 (k1 1.2, b 0.75 and
Lucene's idf, as bm25s's default does).

Every document has a marker entry beside its chunk entries; the markers are the set of documents the
index holds. A write is one tantivy commit, so a document's chunks and its marker land together or not at
all, whatever stops the process.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Collection, Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from pathlib import Path

TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # scikit-learn's CountVectorizer pattern, bm25s's default
STOPWORDS = "english"
STEMMER = "english"
SCHEMA_VERSION = "1"
# tantivy's minimum per writer thread; a writer lives only for the length of one write.
WRITER_HEAP = 15_000_000


@dataclass(frozen=True)
class KeywordChunk:
    """What the keyword index keeps of a chunk: enough to hand it to fusion without asking Chroma."""

    chunk_id: str
    doc_id: str
    text: str
    metadata: dict


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


def _schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("kind", tokenizer_name="raw", index_option="basic")
    builder.add_text_field("doc_id", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("tokens", tokenizer_name="whitespace", index_option="freq")
    builder.add_bytes_field("payload", stored=True, indexed=False)
    return builder.build()


class KeywordIndex:
    """One tantivy index in a directory of its own. Reads are lock-free; writes are serialised."""

    def __init__(self, path: Path):
        import tantivy

        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        version_file = path / "briefing-schema"
        if version_file.exists() and version_file.read_text().strip() != SCHEMA_VERSION:
            raise ValueError(
                f"the keyword index at {path} has another layout; delete the folder to rebuild it"
            )
        self._index = tantivy.Index(_schema(), path=str(path), reuse=True)
        version_file.write_text(SCHEMA_VERSION)
        self._schema = self._index.schema
        self._write_lock = threading.Lock()
        # PyStemmer's stemmers are not thread-safe; queries tokenise one at a time.
        self._stem_lock = threading.Lock()
        self._stemmer = new_stemmer()
        self._searcher = self._index.searcher()
        self._documents = self._read_markers()

    # ---- reads --------------------------------------------------------------------------------
    def documents(self) -> AbstractSet[str]:
        """The documents whose chunks are in the index: a live view, changed in place by each write (a copy
        per write would cost as much as the library)."""
        return self._documents

    @property
    def size(self) -> int:
        """How many chunks the index holds."""
        return self._searcher.num_docs - len(self._documents)

    def search(self, query: str, n: int) -> list[tuple[str, str, dict, float]]:
        """The top-n chunks as (id, text, metadata, BM25 score); chunks without a query word are left out."""
        import tantivy

        with self._stem_lock:
            words = list(dict.fromkeys(tokenize([query], self._stemmer)[0]))
        if not words or n <= 0:
            return []
        clauses = [(tantivy.Occur.Should, tantivy.Query.term_query(self._schema, "tokens", w)) for w in words]
        searcher = self._searcher
        out = []
        for score, address in searcher.search(tantivy.Query.boolean_query(clauses), n).hits:
            if score <= 0:
                continue
            payload = json.loads(bytes(searcher.doc(address)["payload"][0]))
            out.append((payload["id"], payload["text"], payload["meta"], float(score)))
        return out

    def chunk_counts(self) -> dict[str, int]:
        """How many chunks the index holds per document (a full read, for audits)."""
        import tantivy

        searcher = self._searcher
        counts = dict.fromkeys(self._documents, 0)
        if searcher.num_docs:
            query = tantivy.Query.term_query(self._schema, "kind", "chunk")
            for _, address in searcher.search(query, searcher.num_docs).hits:
                doc_id = searcher.doc(address)["doc_id"][0]
                counts[doc_id] = counts.get(doc_id, 0) + 1
        return counts

    def _read_markers(self) -> set[str]:
        import tantivy

        searcher = self._searcher
        count = searcher.num_docs
        if count == 0:
            return set()
        query = tantivy.Query.term_query(self._schema, "kind", "doc")
        hits = searcher.search(query, count).hits
        return {searcher.doc(address)["doc_id"][0] for _, address in hits}

    # ---- writes -------------------------------------------------------------------------------
    def apply(self, added: Iterable[tuple[str, list[KeywordChunk]]], removed: Collection[str] = ()) -> None:
        """In one commit: drop the documents in `removed` and (re)place each added document's chunks."""
        import tantivy

        added = list(added)
        if not added and not removed:
            return
        with self._stem_lock:
            tokens = tokenize([c.text for _, chunks in added for c in chunks], self._stemmer)
        with self._write_lock:
            writer = self._index.writer(heap_size=WRITER_HEAP, num_threads=1)
            try:
                for doc_id in {*removed, *(doc_id for doc_id, _ in added)}:
                    writer.delete_documents_by_term("doc_id", doc_id)
                position = 0
                for doc_id, chunks in added:
                    for chunk in chunks:
                        payload = {"id": chunk.chunk_id, "text": chunk.text, "meta": chunk.metadata}
                        writer.add_document(
                            tantivy.Document(
                                kind="chunk",
                                doc_id=doc_id,
                                tokens=" ".join(tokens[position]),
                                payload=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                            )
                        )
                        position += 1
                    writer.add_document(tantivy.Document(kind="doc", doc_id=doc_id, payload=b"{}"))
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
            self._index.reload()
            self._searcher = self._index.searcher()
            self._documents.difference_update(removed)
            self._documents.update(doc_id for doc_id, _ in added)
