"""Compose an extractive answer: verbatim evidence, grouped into passages, numbered by first use."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.types import DocumentInfo, RetrievedChunk, StoredSentence
from server.answer.evidence import ScoredSentence
from server.answer.models import AnswerSentence, Citation, ConflictSide
from server.answer.speech import quote_is_open

# Openers that only link a sentence to the one before it; dropping them keeps the quote exact.
_LEADING_CONNECTIVE = re.compile(
    r"^(?:On a different note|On the other hand|Similarly|Notably|However|Meanwhile|Moreover|Furthermore|"
    r"In addition|Additionally|Also|Nevertheless|Nonetheless|In contrast|By contrast|Likewise|"
    r"[A-Z][\w .'-]{1,30}, [A-Z][a-z]+ \d{1,2} \([^)]{1,40}\) In a noteworthy turn of events(?: in [A-Z]\w+)?|"
    r"[A-Z][\w .'-]{1,30}, [A-Z][a-z]+ \d{1,2} \([^)]{1,40}\))[,:]?\s+"
)
MAX_QUOTE_CONTINUATION = 3


@dataclass
class Passage:
    """Consecutive evidence sentences of one document, cited once."""

    doc_id: str
    start: int
    end: int
    quote: str
    sentences: list[StoredSentence]
    score: float


def chunk_slice(chunks: list[RetrievedChunk], doc_id: str, start: int, end: int) -> str | None:
    for chunk in chunks:
        if chunk.doc_id == doc_id and chunk.start <= start and end <= chunk.end:
            return chunk.text[start - chunk.start : end - chunk.start]
    return None


def continue_open_quotes(
    chosen: list[ScoredSentence], candidates: list[StoredSentence]
) -> dict[str, list[StoredSentence]]:
    """For a chosen sentence that opens a quotation, the following sentences until it closes."""
    by_doc: dict[str, list[StoredSentence]] = {}
    for s in candidates:
        by_doc.setdefault(s.doc_id, []).append(s)
    for sentences in by_doc.values():
        sentences.sort(key=lambda s: s.start)
    extra: dict[str, list[StoredSentence]] = {}
    for c in chosen:
        if not quote_is_open(c.sentence.text):
            continue
        following = [s for s in by_doc.get(c.sentence.doc_id, []) if s.start >= c.sentence.end]
        run: list[StoredSentence] = []
        for s in following[:MAX_QUOTE_CONTINUATION]:
            run.append(s)
            if "”" in s.text or '"' in s.text:
                break
        extra[c.sentence.id] = run
    return extra


def build_passages(
    chosen: list[ScoredSentence], candidates: list[StoredSentence], chunks: list[RetrievedChunk]
) -> list[Passage]:
    """Group chosen sentences (and quote continuations) into contiguous passages, best document first."""
    continuation = continue_open_quotes(chosen, candidates)
    score_of: dict[str, float] = {}
    picked: dict[str, StoredSentence] = {}
    for c in chosen:
        for s in [c.sentence, *continuation.get(c.sentence.id, [])]:
            picked.setdefault(s.id, s)
            score_of[s.id] = max(score_of.get(s.id, 0.0), c.score)
    by_doc: dict[str, list[StoredSentence]] = {}
    for s in picked.values():
        by_doc.setdefault(s.doc_id, []).append(s)
    passages: list[Passage] = []
    for doc_id, sentences in by_doc.items():
        sentences.sort(key=lambda s: s.start)
        group = [sentences[0]]
        for s in sentences[1:]:
            joined = chunk_slice(chunks, doc_id, group[0].start, s.end)
            if s.start - group[-1].end <= 2 and joined is not None:
                group.append(s)
            else:
                passages.append(_passage(doc_id, group, chunks, score_of))
                group = [s]
        passages.append(_passage(doc_id, group, chunks, score_of))
    doc_rank: dict[str, float] = {}
    for p in passages:
        doc_rank[p.doc_id] = max(doc_rank.get(p.doc_id, 0.0), p.score)
    passages.sort(key=lambda p: (-doc_rank[p.doc_id], p.start))
    return passages


def _passage(doc_id: str, group: list[StoredSentence], chunks, score_of) -> Passage:
    start, end = group[0].start, group[-1].end
    quote = chunk_slice(chunks, doc_id, start, end) if len(group) > 1 else group[0].text
    assert quote is not None
    trim = _LEADING_CONNECTIVE.match(quote)
    if trim and len(quote) - trim.end() > 20:
        start += trim.end()
        quote = quote[trim.end() :]
    return Passage(doc_id, start, end, quote, group, max(score_of[s.id] for s in group))


def display(quote: str) -> str:
    """The quote as shown in the answer: whitespace collapsed and a capital first letter."""
    text = " ".join(quote.split())
    return text[:1].upper() + text[1:]


def cite(
    n: int, doc_id: str, start: int, end: int, quote: str, score: float, docs: dict[str, DocumentInfo]
) -> Citation:
    info = docs.get(doc_id)
    return Citation(
        n=n,
        doc_id=doc_id,
        title=info.title if info else "",
        outlet=info.outlet if info else "",
        published=info.published if info else "",
        url=info.url if info else "",
        quote=quote,
        start=start,
        end=end,
        score=round(score, 4),
    )


def conflict_side(
    doc_id: str, claim: str, citations: list[int], docs: dict[str, DocumentInfo]
) -> ConflictSide:
    """One article's side of a disagreement: the article as the reader knows it, what it states, where."""
    info = docs.get(doc_id)
    return ConflictSide(
        doc_id=doc_id,
        title=info.title if info else "",
        outlet=info.outlet if info else "",
        published=info.published if info else "",
        claim=claim,
        citations=citations,
    )


def cite_passages(passages: list[Passage], docs: dict[str, DocumentInfo], first_n: int = 1) -> list[Citation]:
    return [
        cite(first_n + i, p.doc_id, p.start, p.end, p.quote, p.score, docs) for i, p in enumerate(passages)
    ]


def published_of(info: DocumentInfo | None) -> str:
    return info.published if info else ""


def dated_apart(published: list[str]) -> bool:
    """Sources that give different values are of different dates when every one is dated and no two share
    a date: the newest comes first and the older ones are earlier reports (a toll that rises, a leader who
    changes). Sources of one date, or undated ones, that differ disagree."""
    return len(published) > 1 and "" not in published and len(set(published)) == len(published)


def source_label(info: DocumentInfo | None) -> str:
    """An article as a reader would name it: “Title” (Outlet, date), with what is known."""
    if info is None:
        return "an article no longer in the library"
    details = ", ".join(x for x in (info.outlet, info.published) if x)
    return f"“{info.title}”" + (f" ({details})" if details else "")


def extractive_sentences(passages: list[Passage], citations: list[Citation]) -> list[AnswerSentence]:
    """One answer sentence per source sentence, each citing its passage; the text is verbatim."""
    out: list[AnswerSentence] = []
    for passage, citation in zip(passages, citations, strict=True):
        for s in passage.sentences:
            lo, hi = max(s.start, passage.start), s.end
            text = passage.quote[lo - passage.start : hi - passage.start]
            out.append(AnswerSentence(text=display(text), citations=[citation.n], supported=True))
    return out


def render_answer(passages: list[Passage], citations: list[Citation]) -> str:
    return " ".join(f"{display(p.quote)} [{c.n}]" for p, c in zip(passages, citations, strict=True))
