"""Stage 4, read: the learned reader over the question's candidate sentences.

The sentences of the retrieved chunks are shortlisted (`shortlist_scores`: their likeness to the question by
the vectors the library already holds, the question's terms they share, their neighbours' likeness and their
chunk's place in retrieval's order), and each shortlisted sentence is read with the sentences around it in its
article."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.types import StoredSentence
from server.answer.reader.decoding import Reading

# Characters between two sentences of one article that are adjacent (a space or a line break).
ADJACENT_GAP = 2


@dataclass(frozen=True)
class ShortlistWeights:
    """What a retrieved sentence's shortlisting score adds to its cosine to the question.

    Measured on 3,000 answerable questions of the reading corpus's dev split, each asked of the library of
    the seed and that split's 165 articles, ten passages retrieved (2026-12-04): the 12 sentences most like
    the question held a key fact for 0.788 of the questions, and 0.843 with these three added (each alone:
    the shared terms 0.799, the neighbours 0.799, the chunk's place 0.827). README, "The reader's candidates".
    """

    # times the share of the question's terms (content lemmas) the sentence holds
    terms: float = 0.2
    # times the best cosine of the sentences either side of it (an answer that names no one the question
    # names often follows the sentence that does)
    neighbour: float = 0.2
    # taken off per place its chunk stands below the first in retrieval's order (hybrid: words, vectors and
    # the question's names), which the cosine of one sentence alone does not see
    chunk_place: float = 0.04
    # places counted at most: below the tenth chunk retrieval's order says little more. The same 3,000
    # questions, twenty passages retrieved and the first 10, 15 or 20 kept: a key fact among the 12 for
    # 0.852 of them at ten either way, 0.855 uncapped and 0.861 capped at fifteen, 0.855 and 0.862 at twenty
    chunk_place_cap: int = 9


@dataclass(frozen=True)
class ReadSentence:
    """A candidate sentence with what the reader says of it."""

    sentence: StoredSentence
    reading: Reading
    similarity: float  # its cosine to the question, by the bundled encoder
    shortlisted: float = 0.0  # its shortlisting score (`shortlist_scores`), by which it was chosen to be read

    @property
    def score(self) -> float:
        """The reader's probability that this sentence answers the question."""
        return self.reading.answers

    @property
    def span_text(self) -> str | None:
        span = self.reading.span
        return self.sentence.text[span[0] : span[1]] if span else None

    def trace(self) -> dict:
        r = self.reading
        return {
            "doc_id": self.sentence.doc_id,
            "start": self.sentence.start,
            "end": self.sentence.end,
            "text": self.sentence.text[:200],
            "answers": round(r.answers, 4),
            "span": self.span_text,
            "span_probability": round(r.span_probability, 4),
            "verdict": dict(zip(("yes", "no", "not_stated"), (round(v, 3) for v in r.verdict), strict=True)),
            "similarity": round(self.similarity, 4),
            "shortlisted": round(self.shortlisted, 4),
        }


def shortlist(scores: np.ndarray, n: int) -> list[int]:
    """The n sentences of the highest shortlisting score."""
    return [int(i) for i in np.argsort(-scores, kind="stable")[:n]]


# Each sentence's (previous, next) sentence in its article by index, None where retrieval did not return it.
Adjacency = dict[str, tuple[int | None, int | None]]


def adjacent(sentences: list[StoredSentence]) -> Adjacency:
    """Each sentence's previous and next sentence in its article (their indexes), where retrieval returned
    them."""
    by_doc: dict[str, list[int]] = {}
    for i, s in enumerate(sentences):
        by_doc.setdefault(s.doc_id, []).append(i)

    def follows(a: int, b: int) -> bool:
        return 0 <= sentences[b].start - sentences[a].end <= ADJACENT_GAP

    out: Adjacency = {}
    for run in by_doc.values():
        run.sort(key=lambda i: sentences[i].start)
        for j, i in enumerate(run):
            before = run[j - 1] if j > 0 and follows(run[j - 1], i) else None
            after = run[j + 1] if j + 1 < len(run) and follows(i, run[j + 1]) else None
            out[sentences[i].id] = (before, after)
    return out


def shortlist_scores(
    sentences: list[StoredSentence],
    around: Adjacency,
    similarity: np.ndarray,
    chunk_places: list[int],
    terms: frozenset[str],
    weights: ShortlistWeights = ShortlistWeights(),
) -> np.ndarray:
    """Each retrieved sentence's shortlisting score: its cosine to the question, and what `ShortlistWeights`
    adds for the question's terms it holds, its neighbours' cosines (`around`: `adjacent`'s) and its chunk's
    place in retrieval."""
    shared = np.array([len(terms & set(s.lemmas)) / len(terms) if terms else 0.0 for s in sentences])
    beside = np.array(
        [max([similarity[j] for j in around[s.id] if j is not None], default=0.0) for s in sentences]
    ).clip(0.0)
    return (
        similarity
        + weights.terms * shared
        + weights.neighbour * beside
        - weights.chunk_place * np.minimum(np.asarray(chunk_places, dtype=float), weights.chunk_place_cap)
    )


def candidate_triples(
    sentences: list[StoredSentence], around: Adjacency, scores: np.ndarray, n: int
) -> tuple[list[int], list[tuple[str, str, str]]]:
    """The shortlisted sentences' indexes, and each as the reader reads it: (before, sentence, after), its
    neighbours from `around` (`adjacent`'s)."""

    def text(i: int | None) -> str:
        return sentences[i].text if i is not None else ""

    chosen = shortlist(scores, n)
    return chosen, [
        (text(around[sentences[i].id][0]), sentences[i].text, text(around[sentences[i].id][1]))
        for i in chosen
    ]


def read_candidates(
    reader,
    question: str,
    terms: frozenset[str],
    sentences: list[StoredSentence],
    matrix: np.ndarray,
    vector: np.ndarray,
    chunk_places: list[int],
    n: int,
) -> tuple[ReadSentence, ...]:
    """The shortlisted sentences as the reader reads them, the likeliest answer first."""
    if not sentences:
        return ()
    similarity = matrix @ vector
    around = adjacent(sentences)
    scores = shortlist_scores(sentences, around, similarity, chunk_places, terms)
    chosen, triples = candidate_triples(sentences, around, scores, n)
    readings = reader.read(question, triples)
    out = [
        ReadSentence(sentences[i], r, float(similarity[i]), float(scores[i]))
        for i, r in zip(chosen, readings, strict=True)
    ]
    return tuple(sorted(out, key=lambda x: -x.score))
