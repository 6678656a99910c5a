"""Pick the sentences that answer a question from the sentences of the retrieved chunks."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from index.types import RetrievedChunk, StoredSentence
from server.answer.text_analysis import QuestionProfile, content_stems, is_heading_like, reports_speech, stem, tokens

W_SIMILARITY = 0.5
W_COVERAGE = 0.4
W_CHUNK = 0.1
# "What did X say" is answered by what X said: quotes and reported speech.
SPEECH_BONUS = 0.1
# A sentence far below the best one is padding, not evidence.
RELATIVE_CUTOFF = 0.75


@dataclass
class ScoredSentence:
    sentence: StoredSentence
    vector: np.ndarray
    similarity: float
    coverage: float
    score: float
    stems: set[str]


def entity_present(group: set[str], stems: set[str]) -> bool:
    """A name counts as present when most of its words are (allowing spelling variants like Ata/Atta)."""
    hits = 0
    for word in group:
        if word in stems or (len(word) >= 3 and any(fuzz.ratio(word, s) >= 80 for s in stems if s[:1] == word[:1])):
            hits += 1
    return hits * 2 >= len(group)


def term_coverage(profile: QuestionProfile, stems: set[str]) -> float:
    """Weighted share of the question's names (weight 2) and other key terms (weight 1) found in `stems`."""
    total = 2 * len(profile.entity_stems) + len(profile.term_stems)
    if total == 0:
        return 0.0
    got = 2 * sum(entity_present(g, stems) for g in profile.entity_stems)
    got += len(profile.term_stems & stems)
    return got / total


def score_sentences(
    profile: QuestionProfile,
    query_vector: np.ndarray,
    chunks: list[RetrievedChunk],
    sentences: list[StoredSentence],
    matrix: np.ndarray,
) -> list[ScoredSentence]:
    """Score every candidate sentence by meaning, key-term coverage and the rank of its chunk."""
    if not sentences:
        return []
    top = max(c.score for c in chunks) or 1.0
    chunk_prior: dict[str, float] = {}
    for chunk in chunks:
        for sid in chunk.sentence_ids:
            chunk_prior[sid] = max(chunk_prior.get(sid, 0.0), chunk.score / top)
    sims = matrix @ query_vector
    scored = []
    for sentence, vector, sim in zip(sentences, matrix, sims, strict=True):
        if is_heading_like(sentence.text) or len(tokens(sentence.text)) < 4:
            continue
        stems = content_stems(sentence.text)
        coverage = term_coverage(profile, stems)
        score = W_SIMILARITY * float(sim) + W_COVERAGE * coverage + W_CHUNK * chunk_prior.get(sentence.id, 0.0)
        if profile.wants == "statement" and reports_speech(sentence.text):
            score += SPEECH_BONUS
        scored.append(ScoredSentence(sentence, vector, float(sim), coverage, score, stems))
    scored.sort(key=lambda s: s.score, reverse=True)
    return scored


def _near_duplicate(a: ScoredSentence, b: ScoredSentence) -> bool:
    if float(a.vector @ b.vector) >= 0.9:
        return True
    small = min(len(a.stems), len(b.stems)) or 1
    return len(a.stems & b.stems) / small >= 0.8


def select_evidence(scored: list[ScoredSentence], max_sentences: int) -> list[ScoredSentence]:
    """The best sentences that are relevant enough and not near-copies of each other."""
    if not scored:
        return []
    best = scored[0].score
    chosen: list[ScoredSentence] = []
    for candidate in scored:
        if len(chosen) >= max_sentences:
            break
        if candidate.score < RELATIVE_CUTOFF * best:
            break
        if candidate.coverage == 0 and candidate.similarity < 0.5:
            continue
        if any(_near_duplicate(candidate, c) for c in chosen):
            continue
        chosen.append(candidate)
    return chosen


def keep_reported_speech(profile: QuestionProfile, chosen: list[ScoredSentence]) -> list[ScoredSentence]:
    """For "what did X say", keep only sentences that report what was said, when there are any."""
    if profile.wants != "statement":
        return chosen
    speech = [c for c in chosen if reports_speech(c.sentence.text)]
    return speech or chosen


def evidence_stems(chosen: list[ScoredSentence]) -> set[str]:
    out: set[str] = set()
    for c in chosen:
        out |= c.stems
    return out


__all__ = ["ScoredSentence", "score_sentences", "select_evidence", "term_coverage", "entity_present",
           "evidence_stems", "stem"]
