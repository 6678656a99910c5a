"""Stage 4, read: the learned reader over the question's candidate sentences.

The sentences of the retrieved chunks are shortlisted by their similarity to the question (the vectors the
library already holds), and each shortlisted sentence is read with the sentences around it in its article."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.types import StoredSentence
from server.answer.reader.decoding import Reading

# Characters between two sentences of one article that are adjacent (a space or a line break).
ADJACENT_GAP = 2


@dataclass(frozen=True)
class ReadSentence:
    """A candidate sentence with what the reader says of it."""

    sentence: StoredSentence
    reading: Reading
    similarity: float  # to the question, by the bundled encoder: the shortlist's order

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
        }


def shortlist(similarity: np.ndarray, n: int) -> list[int]:
    """The n sentences most like the question, by their cosine to it (the vectors are unit length)."""
    return [int(i) for i in np.argsort(-similarity, kind="stable")[:n]]


def neighbours(sentences: list[StoredSentence]) -> dict[str, tuple[str, str]]:
    """Each sentence's previous and next sentence in its article, where retrieval returned them."""
    by_doc: dict[str, list[StoredSentence]] = {}
    for s in sentences:
        by_doc.setdefault(s.doc_id, []).append(s)
    out: dict[str, tuple[str, str]] = {}
    for run in by_doc.values():
        run.sort(key=lambda s: s.start)
        for i, s in enumerate(run):
            before = run[i - 1] if i > 0 and 0 <= s.start - run[i - 1].end <= ADJACENT_GAP else None
            after = run[i + 1] if i + 1 < len(run) and 0 <= run[i + 1].start - s.end <= ADJACENT_GAP else None
            out[s.id] = (before.text if before else "", after.text if after else "")
    return out


def candidate_triples(
    sentences: list[StoredSentence], similarity: np.ndarray, n: int
) -> tuple[list[int], list[tuple[str, str, str]]]:
    """The shortlisted sentences' indexes, and each as the reader reads it: (before, sentence, after)."""
    chosen = shortlist(similarity, n)
    around = neighbours(sentences)
    return chosen, [
        (around[sentences[i].id][0], sentences[i].text, around[sentences[i].id][1]) for i in chosen
    ]


def read_candidates(
    reader, question: str, sentences: list[StoredSentence], matrix: np.ndarray, vector: np.ndarray, n: int
) -> tuple[ReadSentence, ...]:
    """The shortlisted sentences as the reader reads them, the likeliest answer first."""
    if not sentences:
        return ()
    similarity = matrix @ vector
    chosen, triples = candidate_triples(sentences, similarity, n)
    readings = reader.read(question, triples)
    out = [ReadSentence(sentences[i], r, float(similarity[i])) for i, r in zip(chosen, readings, strict=True)]
    return tuple(sorted(out, key=lambda x: -x.score))
