"""A BM25 index over chunk texts: bm25s with Snowball stemming and English stop words.

This is the scoring of llama-index's BM25Retriever (which wraps bm25s) without its node objects and
callbacks, and without importing llama-index at server start, which cost about 2 s of a cold start.
tests/index/test_retrieval.py checks that both rank and score every golden question identically.

Each chunk's tokens are kept (as ids into one vocabulary that only grows), so a change to the corpus
tokenises only the chunks it adds; `state` and `from_state` turn the whole index into arrays and JSON
for index/bm25_cache.py, so a restart need not tokenise anything.
"""

from __future__ import annotations

import threading
from collections.abc import Collection

import numpy as np

MAX_DEPTH = 64
TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # scikit-learn's CountVectorizer pattern, BM25Retriever's default
STOPWORDS = "english"
STEMMER = "english"


def _new_stemmer():
    import Stemmer

    return Stemmer.Stemmer(STEMMER)


def _tokenize(texts: str | list[str], stemmer):
    import bm25s

    return bm25s.tokenize(
        texts, stopwords=STOPWORDS, stemmer=stemmer, token_pattern=TOKEN_PATTERN, show_progress=False
    )


def tokenize_into(texts: list[str], vocab: dict[str, int], stemmer=None) -> list[np.ndarray]:
    """Each text's tokens as ids into `vocab`, which gains the tokens it lacked."""
    if not texts:
        return []
    tokenized = _tokenize(texts, stemmer or _new_stemmer())
    to_global = np.empty(len(tokenized.vocab), dtype=np.int32)
    for token, local in tokenized.vocab.items():
        to_global[local] = vocab.setdefault(token, len(vocab))
    return [to_global[np.asarray(ids, dtype=np.int64)] for ids in tokenized.ids]


class BM25Index:
    """Built once per change of the corpus; `search` is read-only and cheap."""

    def __init__(
        self,
        ids: list[str],
        texts: list[str],
        metadatas: list[dict],
        *,
        tokens: list[np.ndarray] | None = None,
        vocab: dict[str, int] | None = None,
        scores: dict | None = None,
    ):
        """Index the chunks; `tokens` and `vocab` (from another index or a saved state) spare the
        tokenising, and `scores` (bm25s's sparse matrix for exactly those tokens) the indexing."""
        import bm25s
        from bm25s.tokenization import Tokenized

        self.size = len(ids)
        self.ids = list(ids)
        self._texts = list(texts)
        self._metadatas = list(metadatas)
        if not (len(self.ids) == len(self._texts) == len(self._metadatas)):
            raise ValueError("ids, texts and metadatas must have the same length")
        self._stemmer = _new_stemmer()
        if tokens is None:
            vocab = {}
            tokens = tokenize_into(self._texts, vocab, self._stemmer)
        if vocab is None or len(tokens) != self.size:
            raise ValueError("tokens must come with their vocabulary, one array per chunk")
        self._tokens = tokens
        self._vocab = vocab
        self._bm25 = bm25s.BM25()
        if self.size == 0:
            pass  # bm25s cannot index nothing; search() answers [] at depth 0
        elif scores is None:
            # index() adds "" to the vocabulary it is given; it gets a copy so that ours stays as it is.
            corpus = Tokenized(ids=[t.tolist() for t in tokens], vocab=dict(vocab))
            self._bm25.index(corpus, show_progress=False)
        else:  # restored as bm25s's own BM25.load does, for its default (Lucene) scoring
            self._bm25.scores = scores
            self._bm25.vocab_dict = {**vocab, "": len(vocab)} if "" not in vocab else dict(vocab)
            self._bm25.unique_token_ids_set = set(self._bm25.vocab_dict.values())
            self._bm25.nonoccurrence_array = None
        self._depth = min(MAX_DEPTH, self.size)
        # PyStemmer's stemmers are not thread-safe; one search at a time keeps results exact.
        self._lock = threading.Lock()

    def updated(
        self, ids: list[str], texts: list[str], metadatas: list[dict], drop_documents: Collection[str]
    ) -> BM25Index:
        """A new index without the chunks of `drop_documents` and with the given chunks; only the added
        chunks are tokenised."""
        keep = [i for i, meta in enumerate(self._metadatas) if meta.get("doc_id") not in drop_documents]
        vocab = dict(self._vocab)
        added = tokenize_into(list(texts), vocab, _new_stemmer())
        return BM25Index(
            [self.ids[i] for i in keep] + list(ids),
            [self._texts[i] for i in keep] + list(texts),
            [self._metadatas[i] for i in keep] + list(metadatas),
            tokens=[self._tokens[i] for i in keep] + added,
            vocab=vocab,
        )

    def state(self) -> tuple[dict, dict[str, np.ndarray]]:
        """Everything `from_state` needs: JSON-able fields, and arrays. An empty index has none to give."""
        if self.size == 0:
            raise ValueError("an empty BM25 index has no state to save")
        lengths = np.fromiter((len(t) for t in self._tokens), dtype=np.int64, count=self.size)
        fields = {
            "ids": self.ids,
            "texts": self._texts,
            "metadatas": self._metadatas,
            "vocab": sorted(self._vocab, key=self._vocab.__getitem__),
            "num_docs": int(self._bm25.scores["num_docs"]),
        }
        arrays = {
            "token_ids": np.concatenate(self._tokens),
            "token_offsets": np.concatenate([[0], np.cumsum(lengths)]),
            "scores_data": self._bm25.scores["data"],
            "scores_indices": self._bm25.scores["indices"],
            "scores_indptr": self._bm25.scores["indptr"],
        }
        return fields, arrays

    @classmethod
    def from_state(cls, fields: dict, arrays: dict[str, np.ndarray]) -> BM25Index:
        offsets = arrays["token_offsets"]
        flat = arrays["token_ids"].astype(np.int32, copy=False)
        return cls(
            fields["ids"],
            fields["texts"],
            fields["metadatas"],
            tokens=[flat[offsets[i] : offsets[i + 1]] for i in range(len(offsets) - 1)],
            vocab={token: i for i, token in enumerate(fields["vocab"])},
            scores={
                "data": arrays["scores_data"],
                "indices": arrays["scores_indices"],
                "indptr": arrays["scores_indptr"],
                "num_docs": int(fields["num_docs"]),
            },
        )

    def search(self, query: str, n: int) -> list[tuple[str, str, dict, float]]:
        """Top-n chunks as (id, text, metadata, BM25 score); chunks with score 0 are left out."""
        if self._depth == 0:
            return []
        with self._lock:
            indexes, scores = self._bm25.retrieve(
                _tokenize(query, self._stemmer), k=self._depth, show_progress=False
            )
        out = []
        for index, score in zip(indexes[0][:n], scores[0][:n], strict=True):
            if score <= 0:
                continue
            i = int(index)
            out.append((self.ids[i], self._texts[i], self._metadatas[i], float(score)))
        return out
