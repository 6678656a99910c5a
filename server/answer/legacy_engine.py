"""The rule-based answer engine the golden set's original splits were written beside (`BRIEFING_ANSWER_ENGINE=
legacy`, the default until the reader engine in engine.py reaches every split's thresholds): question in,
answer out, every sentence sourced or the question refused."""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future
from dataclasses import replace

from index.library import Library
from index.types import DocumentInfo, RetrievedChunk, SourceFilter, StoredSentence
from server.answer.answer_plan import AnswerPlan, linked_entity, plan_answer
from server.answer.answerability import judge_answerability
from server.answer.checked_generation import Generator, checked_generative_answer
from server.answer.compose import (
    build_passages,
    cite,
    cite_passages,
    conflict_side,
    dated_apart,
    display,
    extractive_sentences,
    published_of,
    render_answer,
    source_label,
)
from server.answer.conflicts import claims_for, find_disagreement, people_in
from server.answer.engine import OVERRIDE_REFUSAL, REFUSAL_TEXT, elapsed_ms, named_first
from server.answer.evidence import ScoredSentence, keep_reported_speech, score_sentences, select_evidence
from server.answer.library_reader import LibraryReader, passages
from server.answer.matching import sentence_keys
from server.answer.models import (
    Answer,
    AnswerSentence,
    ChatTurn,
    Citation,
    Conflict,
    DirectAnswer,
    Mode,
)
from server.answer.name_resolution import resolve_names, truecase_names
from server.answer.question_analysis import QuestionProfile, analyse_question, clean_question
from server.answer.question_rewriting import prepare_question
from server.answer.staged.compose import renumber_by_first_use
from server.answer.syndication import name_other_outlets, one_story
from server.settings import AnswerSettings

log = logging.getLogger(__name__)


class AnswerEngine(LibraryReader):
    """Composes cited answers from the library; optionally lets an LLM write them, then checks them."""

    def __init__(self, library: Library, settings: AnswerSettings, generator: Generator | None = None):
        super().__init__(library, settings)
        self.generator = generator

    # ---- public -------------------------------------------------------------------------------
    def ask(
        self,
        question: str,
        history: list[ChatTurn] | None = None,
        top_k: int | None = None,
        mode: Mode | None = None,
        debug: bool = False,
        source_filter: SourceFilter | None = None,
    ) -> Answer:
        answer = self._ask(question, history, top_k, mode, source_filter=source_filter)
        if debug:
            answer.trace = _legacy_trace(answer)
        return answer

    def _ask(
        self,
        question: str,
        history: list[ChatTurn] | None = None,
        top_k: int | None = None,
        mode: Mode | None = None,
        source_filter: SourceFilter | None = None,
    ) -> Answer:
        started = time.perf_counter()
        timings: dict[str, float] = {}
        mode = mode or self.settings.default_mode  # type: ignore[assignment]
        prepared = prepare_question(question, history or [])
        if not prepared.text:
            return self._refusal(
                OVERRIDE_REFUSAL,
                "The question only asks me to change my instructions.",
                prepared.text,
                True,
                [],
                timings,
                started,
                mode,
            )
        t = time.perf_counter()
        k = top_k or self.settings.top_k
        # Most questions are searched as they are written: that search starts now, beside the parse (the
        # query's embedding runs in ONNX Runtime, which releases the GIL), and is used if the parse asks
        # for the same text.
        plain = clean_question(prepared.text)
        early = self._workers().submit(self._pool_for, plain, k, source_filter)
        profile = analyse_question(prepared.text)
        query = profile.query or profile.text
        query_vector, chunks, candidates, matrix = self._search(
            profile, query, k, early if query == plain else None, source_filter=source_filter
        )
        cased = truecase_names(profile.text, candidates)
        if cased != profile.text:
            # A lower-case question, parsed and searched again with the library's names capitalised.
            profile = analyse_question(cased)
            query = profile.query or profile.text
            query_vector, chunks, candidates, matrix = self._search(
                profile, query, k, source_filter=source_filter
            )
        expansion = resolve_names(profile, candidates)
        if expansion:
            # An abbreviation the articles define: search again with its full name.
            query = f"{query} ({expansion})"
            query_vector, chunks, candidates, matrix = self._search(
                profile, query, k, source_filter=source_filter
            )
        timings["retrieve"] = elapsed_ms(t)
        t = time.perf_counter()
        scored = score_sentences(profile, query_vector, chunks, candidates, matrix)
        chosen = keep_reported_speech(profile, select_evidence(scored, self.settings.max_sentences), scored)
        link = linked_entity(profile, scored)
        hop = (
            self._follow_link(profile, link, query, k, scored, source_filter=source_filter)
            if link is not None
            else None
        )
        judged = profile
        if hop is not None:
            chosen, hop_chunks, hop_candidates = hop
            known_chunks, known_sentences = {x.chunk_id for x in chunks}, {x.id for x in candidates}
            chunks = chunks + [c for c in hop_chunks if c.chunk_id not in known_chunks]
            candidates = candidates + [c for c in hop_candidates if c.id not in known_sentences]
            judged = replace(profile, names=[*profile.names, link]) if link is not None else profile
        verdict = judge_answerability(judged, chosen, lambda about: _context_keys(chunks, about, candidates))
        timings["select"] = elapsed_ms(t)
        docs = self._documents()
        retrieved = passages(chunks, docs)
        if not verdict.answerable:
            return self._refusal(
                REFUSAL_TEXT,
                verdict.reason or "",
                prepared.text,
                prepared.override_detected,
                retrieved,
                timings,
                started,
                mode,
            )
        t = time.perf_counter()
        # After a hop, the answer is the sentence that ties the subject to the linked entity and the one
        # that answers about it.
        plan = (
            AnswerPlan([], chosen)
            if hop
            else plan_answer(profile, scored, self.settings.max_sentences, chosen)
        )
        conflict = self._find_conflict(profile, candidates)
        if conflict and one_story((c.doc_id for c in conflict[1]), docs):
            conflict = None  # copies of one story do not disagree with each other
        if plan.contradiction and one_story((s.sentence.doc_id for s in plan.direct), docs):
            plan.contradiction, plan.direct = False, plan.direct[:1]
        if conflict:
            claims = [c.sentence for c in conflict[1]]
            # "Which group does X belong to?": the sentences that tie X to each organisation are the answer.
            kept = [] if profile.wants == "choice" else plan.evidence
            plan.evidence = _with_claim_sentences(kept, scored, claims)
        answer = None
        fallback_reason = None
        dropped = 0
        if mode == "generative":
            if self.generator is None:
                fallback_reason = "no LLM is configured (set BRIEFING_LLM_URL)"
            else:
                pool = list(chosen) + [s for s in scored if s not in chosen]
                answer, fallback_reason, dropped = checked_generative_answer(
                    self.generator, prepared.text, pool, docs
                )
        if answer is None:
            answer = compose_extractive(plan, candidates, chunks, docs)
            if conflict:
                person, claims = conflict
                _add_conflict(answer, person, claims, docs)

        renumber_by_first_use(answer)
        name_other_outlets(answer, docs)
        timings["compose"] = elapsed_ms(t)
        answer.retrieved = retrieved
        answer.resolved_question = prepared.text
        answer.instruction_override_detected = prepared.override_detected
        answer.fallback_reason = fallback_reason
        answer.dropped_unsupported = dropped
        timings["total"] = elapsed_ms(started)
        answer.timings_ms = timings
        return answer

    # ---- helpers ------------------------------------------------------------------------------
    def _search(
        self,
        profile: QuestionProfile,
        query: str,
        k: int,
        early: Future | None = None,
        source_filter: SourceFilter | None = None,
    ):
        """The query's vector, its k best chunks and their sentences with their vectors. `early` is the
        query's vector and chunk pool, searched already."""
        vector, pool = early.result() if early is not None else self._pool_for(query, k, source_filter)
        chunks = named_first(profile, pool, k)
        candidates, matrix = self.library.sentences(chunks)
        return vector, chunks, candidates, matrix

    def _refusal(self, text, reason, resolved, override, retrieved, timings, started, mode) -> Answer:
        timings["total"] = elapsed_ms(started)
        return Answer(
            answer=f"{text} {reason}".strip(),
            refused=True,
            refusal_reason=reason,
            sentences=[AnswerSentence(text=text, citations=[], supported=True, kind="refusal")],
            retrieved=retrieved,
            mode=mode,
            resolved_question=resolved,
            instruction_override_detected=override,
            timings_ms=timings,
        )

    def _follow_link(self, profile, link, query, k, scored, source_filter=None):
        """Search again for the linked entity with what the question asks. Returns the sentence that ties
        the subject to it and the one that answers about it, with the chunks and sentences searched; None
        if either is missing."""
        asked = profile.asked_terms
        hop = QuestionProfile(text=query, names=[link], terms=set(asked), wants=profile.wants)
        hop_query = f"{link.text} {' '.join(sorted(asked))}"
        vector, hop_chunks, hop_candidates, hop_matrix = self._search(
            hop, hop_query, k, source_filter=source_filter
        )
        hop_scored = score_sentences(hop, vector, hop_chunks, hop_candidates, hop_matrix)
        answering = [
            s for s in hop_scored if s.names_present(hop, with_context=False) and s.terms_present(hop)
        ]
        tying = [
            s
            for s in scored
            if s.names_present(profile, with_context=False) and s.names_present(hop, with_context=False)
        ]
        if not answering or not tying:
            return None
        return [tying[0], answering[0]], hop_chunks, hop_candidates

    def _find_conflict(self, profile: QuestionProfile, candidates: list[StoredSentence]):
        people = people_in(profile)
        if not people:
            return None
        texts = self.library.document_texts(sorted({s.doc_id for s in candidates}))
        for person in people:
            disagreement = find_disagreement(person, claims_for(person, candidates, texts))
            if disagreement:
                return person, disagreement
        return None


def _legacy_trace(answer: Answer) -> dict:
    """What the rule-based engine can say of an answer: how it read the question and what it decided.
    (The reader engine, BRIEFING_ANSWER_ENGINE=reader, traces every stage with each candidate's reading.)"""
    profile = analyse_question(answer.resolved_question) if answer.resolved_question else None
    return {
        "engine": "legacy",
        "parse": {
            "wants": profile.wants,
            "query": profile.query,
            "names": [g.text for g in profile.names],
            "terms": sorted(profile.terms),
            "parts": len(profile.parts),
        }
        if profile
        else None,
        "decision": {"answer": not answer.refused, "reason": answer.refusal_reason or "answered"},
        "cited": [
            {"n": c.n, "doc_id": c.doc_id, "start": c.start, "quote": c.quote[:200]} for c in answer.citations
        ],
    }


def _context_keys(
    chunks: list[RetrievedChunk], chosen: list[ScoredSentence], candidates: list[StoredSentence]
) -> set[str]:
    """Keys of the sentences around the evidence: every sentence of the chunks it came from."""
    ids = {c.sentence.id for c in chosen}
    around = {sid for chunk in chunks if ids & set(chunk.sentence_ids) for sid in chunk.sentence_ids}
    out: set[str] = set()
    for sentence in candidates:
        if sentence.id in around:
            out |= sentence_keys(sentence)
    return out


def compose_extractive(
    plan: AnswerPlan,
    candidates: list[StoredSentence],
    chunks: list[RetrievedChunk],
    docs: dict[str, DocumentInfo],
) -> Answer:
    """The answer span(s) first, each cited, then the passages that support them (grouped by article for
    an overview), every one verbatim and cited."""
    citations: list[Citation] = []
    sentences: list[AnswerSentence] = []
    text_parts: list[str] = []
    direct = None
    dated = False
    if plan.contradiction:
        # Differing values, newest source first; of different dates they are earlier reports, not a
        # disagreement (the reader engine and briefings keep the same rule).
        plan.direct.sort(key=lambda s: published_of(docs.get(s.sentence.doc_id)), reverse=True)
        dated = dated_apart([published_of(docs.get(s.sentence.doc_id)) for s in plan.direct])
    if plan.direct:
        numbers = []
        for span in plan.direct:
            n = len(citations) + 1
            citations.append(cite(n, span.sentence.doc_id, span.start, span.end, span.text, 1.0, docs))
            numbers.append(n)
        texts = [display(s.text) for s in plan.direct]
        items = [f"{t} [{n}]" for t, n in zip(texts, numbers, strict=True)]
        if plan.quotation:  # one quotation in pieces: its own punctuation ends it
            lead, plain = " ".join(items), " ".join(texts)
        elif plan.contradiction:
            labels = [source_label(docs.get(s.sentence.doc_id)) for s in plan.direct]
            given = [f"{label} gives {item}" for label, item in zip(labels, items, strict=True)]
            if dated:
                lead = (
                    "The sources are of different dates, the newest first: "
                    + "; ".join([given[0], *(f"an earlier report, {g}" for g in given[1:])])
                    + "."
                )
            else:
                lead = "The articles contradict each other: " + "; ".join(given) + "."
            plain = "; ".join(texts)
        else:  # a series per part of the question, the parts apart
            sizes = [n for n in plan.part_sizes if n] or [len(items)]
            lead = "; ".join(_series(g) for g in _grouped(items, sizes)) + "."
            plain = "; ".join(_series(g) for g in _grouped(texts, sizes))
        direct = DirectAnswer(text=plain, citations=numbers)
        text_parts.append(lead)
        sentences.append(AnswerSentence(text=lead, citations=numbers, supported=True, kind="direct"))
    passages = build_passages(plan.evidence, candidates, chunks)
    passage_citations = cite_passages(passages, docs, first_n=len(citations) + 1)
    if plan.grouped:
        shown_doc = None
        for passage, citation in zip(passages, passage_citations, strict=True):
            if passage.doc_id != shown_doc:
                shown_doc = passage.doc_id
                label = f"From {source_label(docs.get(passage.doc_id))}:"
                text_parts.append(label)
                sentences.append(AnswerSentence(text=label, citations=[], supported=True, kind="framing"))
            text_parts.append(render_answer([passage], [citation]))
            sentences += extractive_sentences([passage], [citation])
    else:
        text_parts.append(render_answer(passages, passage_citations))
        sentences += extractive_sentences(passages, passage_citations)
    citations += passage_citations
    conflicts = []
    if plan.contradiction and not dated:
        conflicts.append(
            Conflict(
                topic="figure",
                sides=[
                    conflict_side(s.sentence.doc_id, display(s.text), [n], docs)
                    for s, n in zip(plan.direct, direct.citations if direct else [], strict=True)
                ],
            )
        )
    return Answer(
        answer=" ".join(p for p in text_parts if p),
        direct_answer=direct,
        citations=citations,
        sentences=sentences,
        conflicts=conflicts,
        mode="extractive",
    )


def _series(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _grouped(items: list[str], sizes: list[int]) -> list[list[str]]:
    out, at = [], 0
    for size in sizes:
        out.append(items[at : at + size])
        at += size
    return [g for g in out if g]


def _with_claim_sentences(chosen, scored, claim_sentences) -> list[ScoredSentence]:
    ids = {c.sentence.id for c in chosen}
    extra = [
        s for s in scored if s.sentence.id in {c.id for c in claim_sentences} and s.sentence.id not in ids
    ]
    return chosen + extra


def _add_conflict(answer: Answer, person: str, claims, docs: dict[str, DocumentInfo]) -> None:
    """Name each article by its title and say how they differ: organisations a person is tied to can
    all be true at once, so the articles tie him to different organisations; they do not contradict."""
    sides = []
    for claim in claims:
        n = next(
            (
                c.n
                for c in answer.citations
                if c.doc_id == claim.doc_id
                and c.start <= claim.sentence.end
                and claim.sentence.start <= c.end
                and c.end - c.start > len(claim.organisation)
            ),
            None,
        )
        sides.append(conflict_side(claim.doc_id, claim.organisation, [n] if n else [], docs))
    named = [s for s in sides if s.citations]
    note = (
        f"The articles tie {person} to different organisations: "
        + "; ".join(
            f"{source_label(docs.get(s.doc_id))} [{s.citations[0]}] names the {s.claim}" for s in named
        )
        + "."
    )
    answer.conflicts = [Conflict(topic="affiliation", sides=sides)]
    _add_framing(answer, note, [n for s in sides for n in s.citations])


def _add_framing(answer: Answer, note: str, citations: list[int] | None = None) -> None:
    """Put a sentence about the sources (not from them) in front of the answer."""
    answer.answer = f"{note} {answer.answer}"
    answer.sentences.insert(
        0, AnswerSentence(text=note, citations=citations or [], supported=True, kind="framing")
    )
