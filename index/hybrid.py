"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from index.types import RetrievedChunk

RRF_K = 60


@dataclass
class _Candidate:
    text: str
    meta: dict
    rrf: float = 0.0
    vector_similarity: float | None = None
    bm25_score: float | None = None


def reciprocal_rank_fusion(
    dense: list[tuple[str, str, dict, float]],
    lexical: list[tuple[str, str, dict, float]],
    k: int,
    visible: Collection[str] | None = None,
) -> list[RetrievedChunk]:
    """Fuse two ranked lists of (id, text, metadata, score); chunks of invisible documents are skipped."""
    candidates: dict[str, _Candidate] = {}
    for ranking, is_dense in ((dense, True), (lexical, False)):
        rank = 0
        for cid, text, meta, score in ranking:
            if visible is not None and meta.get("doc_id") not in visible:
                continue
            rank += 1
            cand = candidates.setdefault(cid, _Candidate(text, meta))
            cand.rrf += 1.0 / (RRF_K + rank)
            if is_dense:
                cand.vector_similarity = score
            else:
                cand.bm25_score = score
    ranked = sorted(candidates.items(), key=lambda item: item[1].rrf, reverse=True)[:k]
    return [
        RetrievedChunk(
            chunk_id=cid,
            doc_id=str(c.meta["doc_id"]),
            start=int(c.meta["start"]),
            end=int(c.meta["end"]),
            text=c.text,
            score=round(c.rrf, 6),
            vector_similarity=c.vector_similarity,
            bm25_score=c.bm25_score,
            sentence_ids=tuple(s for s in str(c.meta.get("sentence_ids", "")).split(",") if s),
        )
        for cid, c in ranked
    ]


def candidate_pool(k: int) -> int:
    """How deep each ranking is read before fusing: deep enough that fusion can reorder."""
    return max(4 * k, 24)
