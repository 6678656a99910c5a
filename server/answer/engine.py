"""The answer engine: it only orchestrates the stages, each in a module of its own.

prepare (question_rewriting: follow-ups, overrides) -> parse (staged/parse.py) -> retrieve (this module's
search; names resolved against the library between parse and search) -> read (staged/read.py: the learned
reader over the best candidate sentences) -> decide (staged/decide.py: the calibrated answer decision) ->
plan by kind (staged/planning.py) -> compose (staged/compose.py; or generation.py, checked by grounding.py).
With `debug`, the answer carries the trace of every stage."""

from __future__ import annotations

import logging
import re
import time
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from index.library import Library
from index.types import DocumentInfo, RetrievedChunk, SourceFilter, StoredSentence
from ingest.splitting import sentence_spans
from server.answer.checked_generation import Generator, checked_generative_answer
from server.answer.library_reader import LibraryReader, passages
from server.answer.matching import group_found, word_set
from server.answer.models import Answer, AnswerSentence, ChatTurn, Mode
from server.answer.name_resolution import resolve_names, truecase_names
from server.answer.question_analysis import (
    QuestionProfile,
    analyse_question,
    analyse_question_doc,
    clean_question,
)
from server.answer.question_rewriting import prepare_question
from server.answer.reader.model import OnnxReader
from server.answer.staged.compose import compose_extractive, renumber_by_first_use
from server.answer.staged.decide import Decision, decide
from server.answer.staged.mentions import ResolvedNames, resolve_mentions
from server.answer.staged.parse import ParsedQuestion, freeze_question
from server.answer.staged.plan import PlanContext
from server.answer.staged.planning import join_plans, plan_answer
from server.answer.staged.read import ReadSentence, read_candidates
from server.answer.syndication import name_other_outlets
from server.settings import AnswerSettings

log = logging.getLogger(__name__)
REFUSAL_TEXT = "The sources in the library do not say."
UNSURE_TEXT = "The sources in the library do not answer this surely enough to cite."
OVERRIDE_REFUSAL = (
    "I can only answer questions from the sources in the library, and I do not change how I work."
)


def elapsed_ms(start: float) -> float:
    return round((time.perf_counter() - start) * 1000, 2)


@dataclass(frozen=True)
class Search:
    """Stage 3's output: the query's vector, its chunks, their sentences and the sentences' vectors."""

    query: str
    vector: np.ndarray
    chunks: list[RetrievedChunk]
    sentences: list[StoredSentence]
    matrix: np.ndarray
    places: list[int]  # each sentence's place in retrieval's order (`chunk_places`)


@dataclass(frozen=True)
class Analysis:
    """Everything up to the decision, for one question (or one part of it)."""

    question: ParsedQuestion
    names: ResolvedNames
    read: tuple[ReadSentence, ...]
    decision: Decision

    def trace(self) -> dict:
        return {
            "parse": self.question.trace(),
            "names": self.names.trace(),
            "candidates": [r.trace() for r in self.read],
            "decision": self.decision.trace(),
        }


class AnswerEngine(LibraryReader):
    """Composes cited answers from the library with the learned reader; optionally lets an LLM write them,
    then checks them."""

    def __init__(
        self,
        library: Library,
        settings: AnswerSettings,
        reader: OnnxReader,
        generator: Generator | None = None,
    ):
        super().__init__(library, settings)
        self.reader = reader
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
        """The cited answer; `source_filter` narrows the articles it may draw on, inside retrieval."""
        started = time.perf_counter()
        timings: dict[str, float] = {}
        mode = mode or self.settings.default_mode  # type: ignore[assignment]
        prepared = prepare_question(question, history or [], self._person_answering)
        trace: dict = {"prepared": {"text": prepared.text, "override": prepared.override_detected}}
        if not prepared.text:
            answer = _refusal(OVERRIDE_REFUSAL, "The question only asks me to change my instructions.", mode)
            return self._finish(answer, prepared, [], timings, started, trace if debug else None)
        search, analyses = self._read_question(prepared.text, top_k, source_filter, timings)
        if debug:
            trace["retrieval"] = {
                "query": search.query,
                "chunks": [(c.doc_id, c.start, round(c.score, 4)) for c in search.chunks],
            }
            trace["parts"] = [a.trace() for a in analyses]
        docs = self._documents()
        retrieved = passages(search.chunks, docs)
        answering = [a for a in analyses if a.decision.answer]
        if not answering:
            reason = " ".join(dict.fromkeys(a.decision.reason for a in analyses))
            unsure = any(a.decision.unsure for a in analyses)
            answer = _refusal(UNSURE_TEXT if unsure else REFUSAL_TEXT, reason, mode)
            answer.unsure = unsure
            return self._finish(answer, prepared, retrieved, timings, started, trace if debug else None)
        t = time.perf_counter()
        plans = [plan_answer(self._context(a, docs)) for a in answering]
        plan = join_plans(plans)
        if debug:
            trace["plan"] = plan.trace()
        written: Answer | None = None
        fallback_reason = None
        dropped = 0
        if mode == "generative":
            if self.generator is None:
                fallback_reason = "no LLM is configured (set BRIEFING_LLM_URL)"
            else:
                written, fallback_reason, dropped = checked_generative_answer(
                    self.generator, prepared.text, list(plan.evidence), docs
                )
        answer = written or compose_extractive(plan, search.sentences, search.chunks, docs)
        renumber_by_first_use(answer)
        name_other_outlets(answer, docs)
        timings["compose"] = elapsed_ms(t)
        answer.fallback_reason = fallback_reason
        answer.dropped_unsupported = dropped
        return self._finish(answer, prepared, retrieved, timings, started, trace if debug else None)

    def plan_contexts(
        self, question: str, history: list[ChatTurn] | None = None, refused_too: bool = False
    ) -> list[PlanContext]:
        """Stages 1 to 5 of `ask` without the plan: what the planner reads for each part of the question
        the engine answers (none when every part is refused), or for every part with `refused_too`, each
        with its decision. Calibration through the engine (evals/training/engine_calibration.py) decides
        and plans these again at other thresholds."""
        prepared = prepare_question(question, history or [], self._person_answering)
        if not prepared.text:
            return []
        _, analyses = self._read_question(prepared.text, None, None, {})
        docs = self._documents()
        return [self._context(a, docs) for a in analyses if refused_too or a.decision.answer]

    def _read_question(
        self, text: str, top_k: int | None, source_filter: SourceFilter | None, timings: dict[str, float]
    ) -> tuple[Search, list[Analysis]]:
        """Parse and retrieve (stages 1 to 3), then read and decide each part of the question (4 and 5)."""
        t = time.perf_counter()
        search, profile, doc = self._parse_and_search(
            text, top_k or self.settings.reader_passages, source_filter
        )
        timings["retrieve"] = elapsed_ms(t)
        t = time.perf_counter()
        parsed = freeze_question(profile, doc)
        analyses = [self.analyse(part, search) for part in parsed.parts or (parsed,)]
        timings["read"] = elapsed_ms(t)
        return search, analyses

    def analyse(self, question: ParsedQuestion, search: Search) -> Analysis:
        """Stages 2 (mentions), 4 (read) and 5 (decide) for one parsed question over one search."""
        docs = self._documents()
        outlets = {s.doc_id: docs[s.doc_id].outlet for s in search.sentences if s.doc_id in docs}
        names = resolve_mentions(question.names, search.sentences, outlets)
        read = read_candidates(
            self.reader,
            # The question itself, without a request around it ("Hi! could you tell me ..."): how a question
            # is wrapped must not change the reader's verdict. Not the search query: cutting "Who is X?" to
            # "X" loses what is asked (dev, 4-epoch reader: answered right 0.58 read as asked, 0.48 as the query).
            question.asked,
            question.terms,
            search.sentences,
            search.matrix,
            search.vector,
            search.places,
            self.settings.reader_candidates,
        )
        decision = decide(question, names, read, self.reader.thresholds.answer, self.reader.decision)
        return Analysis(question, names, read, decision)

    def _person_answering(self, question: str, answer: str, people: list[str]) -> str | None:
        """Of the people the last answer names, the one in the reader's best span when it reads the last
        question against that answer's sentences ("Who leads the AFF?" answered with a sentence naming
        every group's leader): a follow-up's "his" is most likely the person that question asked for."""
        asked = analyse_question(question).asked or question
        sentences = [answer[a:b] for a, b in sentence_spans(answer)][: self.settings.follow_up_sentences]
        readings = self.reader.read(asked, [("", s, "") for s in sentences])
        spans = [
            (r.answers * r.span_probability, s[r.span[0] : r.span[1]])
            for s, r in zip(sentences, readings, strict=True)
            if r.span is not None
        ]
        if not spans:
            return None
        best = set(re.findall(r"\w+", max(spans)[1].lower()))
        return next((p for p in people if best & set(re.findall(r"\w+", p.lower()))), None)

    def warm_up(self) -> None:
        super().warm_up()
        self.reader.read("Who leads the front?", [("", "The front is led by its council.", "")])

    def _parse_and_search(
        self, text: str, k: int, source_filter: SourceFilter | None = None
    ) -> tuple[Search, QuestionProfile, object]:
        """Parse (stage 1) and retrieve (stage 3), resolving the library's names in the question between
        them (stage 2): a lower-case name is written as the library writes it, a misspelt one as the
        library spells it, and an abbreviation the articles define is searched with its full name."""
        plain = clean_question(text)
        # Most questions are searched as written: that search starts now, beside the parse (ONNX Runtime
        # releases the GIL while it embeds the query).
        early = self._workers().submit(self._pool_for, plain, k, source_filter)
        profile, doc = analyse_question_doc(text)
        query = profile.query or profile.text
        search = self._search(profile, query, k, source_filter, early if query == plain else None)
        cased = truecase_names(profile.text, search.sentences)
        if cased != profile.text:
            profile, doc = analyse_question_doc(cased)
            query = profile.query or profile.text
            search = self._search(profile, query, k, source_filter)
        expansion = resolve_names(profile, search.sentences)
        if expansion:
            search = self._search(profile, f"{query} ({expansion})", k, source_filter)
        return search, profile, doc

    def _search(
        self,
        profile: QuestionProfile,
        query: str,
        k: int,
        source_filter: SourceFilter | None = None,
        early: Future | None = None,
    ) -> Search:
        vector, pool = early.result() if early is not None else self._pool_for(query, k, source_filter)
        chunks = named_first(profile, pool, k)
        sentences, matrix = self.library.sentences(chunks)
        return Search(query, vector, chunks, sentences, matrix, chunk_places(chunks, sentences))

    def _context(self, analysis: Analysis, docs: dict[str, DocumentInfo]) -> PlanContext:
        return PlanContext(
            question=analysis.question,
            read=analysis.read,
            topic=analysis.decision.topic,
            decision=analysis.decision,
            thresholds=self.reader.thresholds,
            docs=docs,
            max_sentences=self.settings.max_sentences,
            same_story={d.id: frozenset(d.same_story_as) for d in docs.values() if d.same_story_as},
        )

    def _finish(self, answer: Answer, prepared, retrieved, timings, started, trace) -> Answer:
        answer.retrieved = retrieved
        answer.resolved_question = prepared.text
        answer.instruction_override_detected = prepared.override_detected
        timings["total"] = elapsed_ms(started)
        answer.timings_ms = timings
        answer.trace = trace
        return answer


def chunk_places(chunks: list[RetrievedChunk], sentences: list[StoredSentence]) -> list[int]:
    """Each sentence's place in retrieval's order: that of the first chunk holding it."""
    first: dict[str, int] = {}
    for place, c in enumerate(chunks):
        for sid in c.sentence_ids:
            first.setdefault(sid, place)
    return [first.get(s.id, len(chunks)) for s in sentences]


def named_first(profile: QuestionProfile, pool: list[RetrievedChunk], k: int) -> list[RetrievedChunk]:
    """The k best chunks, those that name what the question names first: among many articles, a passage
    about someone else that reads alike must not push out the one about the subject."""
    if not profile.names:
        return pool[:k]
    named = {c.chunk_id: _names_in(profile, c.text) for c in pool}
    return sorted(pool, key=lambda c: -named[c.chunk_id])[:k]


def _names_in(profile: QuestionProfile, text: str) -> int:
    """How many of the question's names a passage holds."""
    words = word_set(text)
    return sum(1 for g in profile.names if group_found(g, words))


def _refusal(text: str, reason: str, mode) -> Answer:
    return Answer(
        answer=f"{text} {reason}".strip(),
        refused=True,
        refusal_reason=reason,
        sentences=[AnswerSentence(text=text, citations=[], supported=True, kind="refusal")],
        mode=mode,
    )
