"""A BM25 index over chunk texts, built with llama-index's BM25Retriever (bm25s + Snowball stemming)."""

from __future__ import annotations

import threading

MAX_DEPTH = 64


class BM25Index:
    """Built once per change of the corpus; `search` is read-only and cheap."""

    def __init__(self, ids: list[str], texts: list[str], metadatas: list[dict]):
        import Stemmer
        from llama_index.core.schema import TextNode
        from llama_index.retrievers.bm25 import BM25Retriever

        self.size = len(ids)
        self._by_id = {cid: (text, meta) for cid, text, meta in zip(ids, texts, metadatas, strict=True)}
        nodes = [TextNode(id_=cid, text=text) for cid, text in zip(ids, texts, strict=True)]
        self._retriever = BM25Retriever.from_defaults(
            nodes=nodes,
            similarity_top_k=min(MAX_DEPTH, len(nodes)),
            stemmer=Stemmer.Stemmer("english"),
            language="english",
        )
        # bm25s tokenises queries with shared state; one search at a time keeps results exact.
        self._lock = threading.Lock()

    def search(self, query: str, n: int) -> list[tuple[str, str, dict, float]]:
        """Top-n chunks as (id, text, metadata, BM25 score); chunks with score 0 are left out."""
        with self._lock:
            hits = self._retriever.retrieve(query)
        out = []
        for hit in hits[:n]:
            if not hit.score or hit.score <= 0:
                continue
            text, meta = self._by_id[hit.node.node_id]
            out.append((hit.node.node_id, text, meta, float(hit.score)))
        return out
