"""Hybrid retrieval: dense (Chroma) and lexical (BM25) rankings fused by reciprocal rank."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from index.types import RetrievedChunk
from ingest.splitting import span_doc_id

RRF_K = 60


@dataclass
class _Candidate:
    text: str | None
    meta: dict | None
    rrf: float = 0.0
    vector_similarity: float | None = None
    bm25_score: float | None = None


Fetch = Callable[[list[str]], dict[str, tuple[str, dict]]]


def reciprocal_rank_fusion(
    dense: Sequence[tuple[str, str | None, dict | None, float]],
    lexical: Sequence[tuple[str, str | None, dict | None, float]],
    k: int,
    visible: Collection[str] | None = None,
    fetch: Fetch | None = None,
) -> list[RetrievedChunk]:
    """Fuse two ranked lists of (id, text, metadata, score); chunks of invisible documents are skipped.
    An entry may come without its text and metadata (None, None): its document is told by its id, and
    `fetch` reads those of the fused top k that neither list carried."""
    candidates: dict[str, _Candidate] = {}
    for ranking, is_dense in ((dense, True), (lexical, False)):
        rank = 0
        for cid, text, meta, score in ranking:
            doc_id = meta.get("doc_id") if meta is not None else span_doc_id(cid)
            if visible is not None and doc_id not in visible:
                continue
            rank += 1
            cand = candidates.setdefault(cid, _Candidate(text, meta))
            if cand.meta is None and meta is not None:
                cand.text, cand.meta = text, meta
            cand.rrf += 1.0 / (RRF_K + rank)
            if is_dense:
                cand.vector_similarity = score
            else:
                cand.bm25_score = score
    ranked = sorted(candidates.items(), key=lambda item: item[1].rrf, reverse=True)[:k]
    missing = [cid for cid, c in ranked if c.meta is None]
    if missing:
        found = fetch(missing) if fetch is not None else {}
        for cid, c in ranked:
            if cid in found:
                c.text, c.meta = found[cid]
    out = []
    for cid, c in ranked:
        if c.meta is None or c.text is None:
            continue  # deleted between the search and the read
        out.append(
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
        )
    return out


def candidate_pool(k: int) -> int:
    """How deep each ranking is read before fusing: deep enough that fusion can reorder."""
    return max(4 * k, 24)
