"""A generated answer kept only where it is sourced: the LLM writes from numbered evidence sentences, every
sentence it writes is checked against the passages it cites, and the unsupported ones are dropped. Both
answer engines use it."""

from __future__ import annotations

import logging
from typing import Protocol

from index.types import DocumentInfo, StoredSentence
from ingest.splitting import sentence_spans
from server.answer.compose import cite
from server.answer.generation import NOT_IN_SOURCES, GenerationError, NumberedPassage
from server.answer.grounding import is_supported, split_citations
from server.answer.models import Answer, AnswerSentence

log = logging.getLogger(__name__)
MAX_GENERATION_PASSAGES = 8


class Generator(Protocol):
    """What the engines need of an LLM: text with [n] markers from numbered passages."""

    def generate(self, question: str, passages: list[NumberedPassage]) -> str: ...


class Evidence(Protocol):
    """A scored evidence sentence, as either engine holds one."""

    @property
    def sentence(self) -> StoredSentence: ...

    @property
    def score(self) -> float: ...


def checked_generative_answer(
    generator: Generator, question: str, evidence: list, docs: dict[str, DocumentInfo]
) -> tuple[Answer | None, str | None, int]:
    """An LLM-written answer whose every sentence is supported by what it cites, or the reason for
    falling back to an extractive one, and how many generated sentences were dropped."""
    pool = evidence[:MAX_GENERATION_PASSAGES]
    numbered = [NumberedPassage(i + 1, s.sentence.text) for i, s in enumerate(pool)]
    try:
        raw = generator.generate(question, numbered)
    except GenerationError as exc:
        log.warning("generation failed, answering extractively: %s", exc)
        return None, f"the LLM failed: {exc}", 0
    if NOT_IN_SOURCES.lower() in raw.lower():
        return None, "the LLM said the passages do not answer; the extractive check found they do", 0
    text = raw.replace("\n", " ")
    kept: list[tuple[str, list[int]]] = []
    dropped = 0
    for start, end in sentence_spans(text):
        claim, cited = split_citations(text[start:end])
        cited = [n for n in cited if 1 <= n <= len(pool)]
        if cited and is_supported(claim, [pool[n - 1].sentence.text for n in cited]):
            kept.append((claim, cited))
        elif claim:
            dropped += 1
    if not kept:
        return (
            None,
            f"none of the {dropped} generated sentences was supported by the passages it cited",
            dropped,
        )
    renumber: dict[int, int] = {}
    for _claim, cited in kept:
        for n in cited:
            renumber.setdefault(n, len(renumber) + 1)
    citations = []
    for old, new in renumber.items():
        s = pool[old - 1].sentence
        citations.append(cite(new, s.doc_id, s.start, s.end, s.text, pool[old - 1].score, docs))
    sentences = [
        AnswerSentence(text=claim, citations=[renumber[n] for n in cited], supported=True)
        for claim, cited in kept
    ]
    body = " ".join(f"{s.text} " + "".join(f"[{n}]" for n in s.citations) for s in sentences)
    return Answer(answer=body, citations=citations, sentences=sentences, mode="generative"), None, dropped
