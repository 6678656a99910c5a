"""A BM25 index over chunk texts: bm25s with Snowball stemming and English stop words.

This is the scoring of llama-index's BM25Retriever (which wraps bm25s) without its node objects and
callbacks, and without importing llama-index at server start, which cost about 2 s of a cold start.
tests/index/test_retrieval.py checks that both rank and score every golden question identically.
"""

from __future__ import annotations

import threading

MAX_DEPTH = 64
TOKEN_PATTERN = r"(?u)\b\w\w+\b"  # scikit-learn's CountVectorizer pattern, BM25Retriever's default
STOPWORDS = "english"


class BM25Index:
    """Built once per change of the corpus; `search` is read-only and cheap."""

    def __init__(self, ids: list[str], texts: list[str], metadatas: list[dict]):
        import bm25s
        import Stemmer

        self.size = len(ids)
        self._ids = list(ids)
        self._texts = list(texts)
        self._metadatas = list(metadatas)
        if not (len(self._ids) == len(self._texts) == len(self._metadatas)):
            raise ValueError("ids, texts and metadatas must have the same length")
        self._stemmer = Stemmer.Stemmer("english")
        self._bm25 = bm25s.BM25()
        self._bm25.index(self._tokenize(texts), show_progress=False)
        self._depth = min(MAX_DEPTH, self.size)
        # PyStemmer's stemmers are not thread-safe; one search at a time keeps results exact.
        self._lock = threading.Lock()

    def _tokenize(self, texts: str | list[str]):
        import bm25s

        return bm25s.tokenize(
            texts,
            stopwords=STOPWORDS,
            stemmer=self._stemmer,
            token_pattern=TOKEN_PATTERN,
            show_progress=False,
        )

    def search(self, query: str, n: int) -> list[tuple[str, str, dict, float]]:
        """Top-n chunks as (id, text, metadata, BM25 score); chunks with score 0 are left out."""
        if self._depth == 0:
            return []
        with self._lock:
            indexes, scores = self._bm25.retrieve(self._tokenize(query), k=self._depth, show_progress=False)
        out = []
        for index, score in zip(indexes[0][:n], scores[0][:n], strict=True):
            if score <= 0:
                continue
            i = int(index)
            out.append((self._ids[i], self._texts[i], self._metadatas[i], float(score)))
        return out
