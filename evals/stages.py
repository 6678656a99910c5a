"""Where an answer's key fact was lost: in retrieval (not in the retrieved chunks), in the reader's shortlist
(retrieved, but not among the candidate sentences the reader read), or by the reader and what follows it
(read, but the answer is wrong).

The retrieved chunks are the answer's `retrieved` passages (their full text). The candidates are the
trace's (`debug`): `trace["parts"][i]["candidates"]`, whose `text` the trace cuts to its first
TRACE_TEXT_CHARS characters; a cut sentence is read again in full from its document (ingest's sentence
boundaries over the document's text, the same function over the same text), or from its `end` when the
trace gives one."""

from __future__ import annotations

import re
from collections.abc import Callable

from ingest.splitting import sentence_spans

# server/answer/staged/read.py's ReadSentence.trace keeps this many characters of a candidate's text.
TRACE_TEXT_CHARS = 200
# Stages a missed answerable item is placed at (an answered one is placed nowhere).
STAGES = ("retrieval", "candidates", "reader")

_SPACE = re.compile(r"\s+")


def _flat(text: str) -> str:
    return _SPACE.sub(" ", text).strip().lower()


def holds_fact(texts: list[str], facts: list[str]) -> bool:
    """Whether one of the texts holds one of the key facts ('a|b': either), case and white space aside."""
    flats = [_flat(t) for t in texts]
    return any(_flat(alt) in t for fact in facts for alt in fact.split("|") if alt.strip() for t in flats)


def candidates_of(trace: dict | None) -> list[dict] | None:
    """The candidate sentences the reader read, over every part of the question; None without a trace
    (or when the engine stopped before reading: an override with no question left)."""
    if not trace or "parts" not in trace:
        return None
    return [c for part in trace["parts"] for c in part.get("candidates", [])]


def candidate_texts(
    candidates: list[dict], retrieved: list[dict], document_text: Callable[[str], str | None]
) -> tuple[list[str], int]:
    """Each candidate's full text, and how many stayed cut (their document or sentence not found)."""
    spans: dict[str, dict[int, int]] = {}  # doc id -> sentence start -> end

    def end_of(doc_id: str, start: int) -> tuple[str, int] | None:
        text = document_text(doc_id)
        if text is None:
            return None
        if doc_id not in spans:
            spans[doc_id] = dict(sentence_spans(text))
        end = spans[doc_id].get(start)
        return (text, end) if end is not None else None

    out, cut = [], 0
    for c in candidates:
        text = c.get("text") or ""
        if len(text) < TRACE_TEXT_CHARS and "end" not in c:
            out.append(text)
            continue
        full = None
        if "end" in c:
            for chunk in retrieved:
                if (
                    chunk.get("doc_id") == c["doc_id"]
                    and chunk["start"] <= c["start"]
                    and c["end"] <= chunk["end"]
                ):
                    full = chunk["text"][c["start"] - chunk["start"] : c["end"] - chunk["start"]]
                    break
        if full is None:
            found = end_of(c["doc_id"], c["start"])
            if found is not None:
                doc, end = found
                full = doc[c["start"] : c.get("end", end)]
        if full is not None and full.startswith(text[:TRACE_TEXT_CHARS]):
            out.append(full)
        else:
            out.append(text)
            cut += 1
    return out, cut


def miss_stage(metrics: dict[str, float]) -> str | None:
    """The stage that lost a wrong answer's key fact, from its metrics (None: right, or not placed)."""
    correct = metrics.get("answer_correct")
    retrieved = metrics.get("retrieval_recall")
    read = metrics.get("candidate_recall")
    if correct is None or correct != correct or correct >= 1.0 or retrieved is None or retrieved != retrieved:
        return None
    if retrieved < 1.0:
        return "retrieval"
    if read is None or read != read:
        return None
    return "candidates" if read < 1.0 else "reader"
