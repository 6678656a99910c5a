"""Stage 6, compose: an AnswerPlan as the cited Answer. Every quote is the source's exact characters;
numbers follow first use; sentences about the sources (a verdict, a disagreement) are framing."""

from __future__ import annotations

import re

from index.types import DocumentInfo, RetrievedChunk, StoredSentence
from server.answer.compose import Passage, chunk_slice, cite, conflict_side, display, source_label
from server.answer.models import Answer, AnswerSentence, Citation, Conflict, DirectAnswer
from server.answer.speech import quote_is_open
from server.answer.staged import lexicon
from server.answer.syndication import one_story

# A wire dateline before the first sentence ("KABUL, March 3 (Meridian Wire) -"): not part of the claim.
_DATELINE = re.compile(r"^[A-Z][\w .'-]{1,30}, [A-Z][a-z]+ \d{1,2} \([^)]{1,40}\)\s*[-–—:]?\s+")
MAX_QUOTE_CONTINUATION = 3
MIN_TRIMMED_CHARS = 20


def _following(sentence: StoredSentence, candidates: list[StoredSentence]) -> list[StoredSentence]:
    """The sentences after one that opens a quotation, until the quotation closes."""
    if not quote_is_open(sentence.text):
        return []
    after = sorted(
        (s for s in candidates if s.doc_id == sentence.doc_id and s.start >= sentence.end),
        key=lambda s: s.start,
    )
    run: list[StoredSentence] = []
    for s in after[:MAX_QUOTE_CONTINUATION]:
        run.append(s)
        if "”" in s.text or '"' in s.text:
            break
    return run


def build_passages(evidence, candidates: list[StoredSentence], chunks: list[RetrievedChunk]) -> list[Passage]:
    """The evidence in the plan's order, each sentence with the rest of a quotation it opens, sentences
    adjacent in one article joined into one passage."""
    passages: list[Passage] = []
    used: set[str] = set()
    for item in evidence:
        group = [s for s in [item.sentence, *_following(item.sentence, candidates)] if s.id not in used]
        if not group:
            continue
        used |= {s.id for s in group}
        last = passages[-1] if passages else None
        if last is not None and last.doc_id == group[0].doc_id and 0 <= group[0].start - last.end <= 2:
            joined = chunk_slice(chunks, last.doc_id, last.start, group[-1].end)
            if joined is not None:
                last.sentences += group
                last.end, last.quote = group[-1].end, joined
                continue
        passages.append(_passage(group, chunks, item.score))
    return passages


def _passage(group: list[StoredSentence], chunks, score: float) -> Passage:
    doc_id, start, end = group[0].doc_id, group[0].start, group[-1].end
    quote = chunk_slice(chunks, doc_id, start, end) if len(group) > 1 else group[0].text
    if quote is None:
        group, end, quote = group[:1], group[0].end, group[0].text
    trim = _DATELINE.match(quote) or lexicon.CONNECTIVES.match(quote)
    if trim and len(quote) - trim.end() > MIN_TRIMMED_CHARS:
        start += trim.end()
        quote = quote[trim.end() :]
    return Passage(doc_id, start, end, quote, group, score)


def _series(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _spans_text(plan) -> str:
    """A plan's bold spans as words: each with its source when they are figures from several."""
    texts = [display(x.text) for x in plan.direct]
    if plan.figures:
        return "; ".join(f"{t} {x.attribution}".strip() for t, x in zip(texts, plan.direct, strict=True))
    return _series(texts)


def direct_text(plan) -> str | None:
    """The words of the bold direct answer a plan gives, as the answer's `direct_answer` holds them: its
    verdict, or its spans; None when it gives none. Calibration through the engine scores these words as
    the eval does."""
    if plan.verdict:
        return plan.verdict
    return _spans_text(plan) if plan.direct else None


def compose_extractive(
    plan, candidates: list[StoredSentence], chunks: list[RetrievedChunk], docs: dict[str, DocumentInfo]
) -> Answer:
    """The direct answer (a verdict, or the spans that answer) first, then the evidence, every quote
    verbatim and cited."""
    citations: list[Citation] = []
    sentences: list[AnswerSentence] = []
    parts: list[str] = []
    passages = build_passages(plan.evidence, candidates, chunks)
    direct = None
    spans = list(plan.direct)
    if spans:
        numbers = []
        for span in spans:
            n = len(citations) + 1
            s = span.sentence
            citations.append(
                cite(n, s.doc_id, s.start + span.start, s.start + span.end, span.text, span.score, docs)
            )
            numbers.append(n)
        texts = [display(x.text) for x in spans]
        if plan.figures:
            items = [
                f"{t} {x.attribution} [{n}]".replace("  ", " ")
                for t, x, n in zip(texts, spans, numbers, strict=True)
            ]
            lead = "; ".join(items) + "."
        else:
            lead = _series([f"{t} [{n}]" for t, n in zip(texts, numbers, strict=True)]) + "."
        direct = DirectAnswer(text=_spans_text(plan), citations=numbers)
        parts.append(lead)
        sentences.append(AnswerSentence(text=lead, citations=numbers, supported=True, kind="direct"))
    first_n = len(citations) + 1
    passage_citations = [
        cite(first_n + i, p.doc_id, p.start, p.end, p.quote, p.score, docs) for i, p in enumerate(passages)
    ]
    if plan.verdict and passage_citations:
        lead_numbers = [c.n for c in passage_citations[: max(1, len(plan.disagreement))]]
        lead = f"{plan.verdict}" + "".join(f" [{n}]" for n in lead_numbers) + "."
        direct = DirectAnswer(text=plan.verdict, citations=lead_numbers)
        parts.insert(0, lead)
        sentences.insert(0, AnswerSentence(text=lead, citations=lead_numbers, supported=True, kind="direct"))
    if plan.note:
        parts.append(plan.note)
        sentences.append(AnswerSentence(text=plan.note, citations=[], supported=True, kind="framing"))
    shown_doc = None
    for passage, citation in zip(passages, passage_citations, strict=True):
        if (plan.grouped or plan.disagreement) and passage.doc_id != shown_doc:
            shown_doc = passage.doc_id
            label = f"From {source_label(docs.get(passage.doc_id))}:"
            parts.append(label)
            sentences.append(AnswerSentence(text=label, citations=[], supported=True, kind="framing"))
        parts.append(f"{display(passage.quote)} [{citation.n}]")
        for s in passage.sentences:
            lo = max(s.start, passage.start)
            text = passage.quote[lo - passage.start : s.end - passage.start]
            sentences.append(AnswerSentence(text=display(text), citations=[citation.n], supported=True))
    citations += passage_citations
    conflicts = []
    if plan.disagreement:
        conflicts.append(
            Conflict(
                topic=plan.disagreement_topic or "affiliation",
                sides=[
                    conflict_side(
                        side.doc_id,
                        side.claim,
                        [c.n for c in passage_citations if c.doc_id == side.doc_id][:1],
                        docs,
                    )
                    for side in plan.disagreement
                ],
            )
        )
    elif (
        plan.figures
        and not plan.dated
        and direct is not None
        and not one_story((x.sentence.doc_id for x in spans), docs)
    ):
        conflicts.append(
            Conflict(
                topic="figure",
                sides=[
                    conflict_side(x.sentence.doc_id, display(x.text), [n], docs)
                    for x, n in zip(spans, direct.citations, strict=True)
                ],
            )
        )
    return Answer(
        answer=" ".join(p for p in parts if p),
        direct_answer=direct,
        citations=citations,
        sentences=sentences,
        conflicts=conflicts,
        mode="extractive",
    )


def renumber_by_first_use(answer) -> None:
    """Make citation numbers ascend in the order the answer text first uses them."""
    order = list(dict.fromkeys(int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)))
    mapping = {old: new for new, old in enumerate(order, 1)}
    if all(old == new for old, new in mapping.items()):
        return

    def sub(text: str) -> str:
        return re.sub(r"\[(\d+)\]", lambda m: f"[{mapping.get(int(m.group(1)), m.group(1))}]", text)

    answer.answer = sub(answer.answer)
    for citation in answer.citations:
        citation.n = mapping.get(citation.n, citation.n)
    answer.citations.sort(key=lambda c: c.n)
    for sentence in answer.sentences:
        sentence.citations = [mapping.get(n, n) for n in sentence.citations]
        sentence.text = sub(sentence.text)
    for conflict in answer.conflicts:
        for side in conflict.sides:
            side.citations = [mapping.get(n, n) for n in side.citations]
    if answer.direct_answer is not None:
        answer.direct_answer.citations = [mapping.get(n, n) for n in answer.direct_answer.citations]
