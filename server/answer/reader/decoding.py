"""From the reader's logits for one pair to what it says: the probability that the candidate answers, the
yes / no / not-stated probabilities, and the best answer span inside the candidate with its probability."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from server.answer.reader.encoding import ReaderInput

# The longest span considered, in tokens.
MAX_SPAN_TOKENS = 30


@dataclass(frozen=True)
class Reading:
    answers: float
    verdict: tuple[float, float, float]  # yes, no, not stated
    span: tuple[int, int] | None  # characters inside the candidate sentence
    span_probability: float  # P(start) * P(end) of that span, [CLS] ("no span here") competing

    @property
    def says_yes(self) -> bool:
        return verdict_side(self.verdict) == "yes"

    @property
    def verdict_confidence(self) -> float:
        return verdict_confidence(self.answers, self.verdict)


def verdict_side(verdict: tuple[float, float, float]) -> str:
    """The side the reader takes on a yes/no question: "yes" or "no" (a tie is a yes)."""
    return "yes" if verdict[0] >= verdict[1] else "no"


# The name of what `verdict_confidence` computes, kept in the card beside the verdict threshold calibrated for
# it: a threshold set for another score would give verdicts at another precision.
VERDICT_SCORE = "answer probability x side probability"
# What cards made before 2026-12-04, which name no score, were calibrated for.
EARLIER_VERDICT_SCORE = "side's share of yes + no"


def verdict_confidence(answers: float, verdict: tuple[float, float, float]) -> float:
    """How sure the reader is that the sentence answers the question and takes this side: the answer
    probability times the side's probability (yes, no and "not stated" sum to one). Of the scores measured
    on the 78-desk dev split (2026-12-04), it gave the most right verdicts at the bold precision: the side's
    share of yes + no alone, blind to the head's "not stated" and to the answer head, was near certain for
    wrong sides too, and reached that precision only when a verdict was given for 0.02 of the yes/no
    questions answered."""
    yes, no, _not_stated = verdict
    return answers * max(yes, no)


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max())
    return e / e.sum()


def decode(pair: ReaderInput, answer_logit: float, verdict_logits, start_logits, end_logits) -> Reading:
    first, last = pair.candidate_tokens
    positions = np.r_[0, np.arange(first, last)]
    p_start = _softmax(np.asarray(start_logits, dtype=np.float64)[positions])
    p_end = _softmax(np.asarray(end_logits, dtype=np.float64)[positions])
    best, span = 0.0, None
    n = last - first
    if n > 0:
        # outer product over (start, end) inside the candidate, end >= start, short enough
        grid = np.outer(p_start[1:], p_end[1:])
        grid = np.triu(grid) - np.triu(grid, MAX_SPAN_TOKENS)
        s, e = np.unravel_index(int(np.argmax(grid)), grid.shape)
        best = float(grid[s, e])
        span = (pair.offsets[s][0], pair.offsets[e][1])
    verdict = _softmax(np.asarray(verdict_logits, dtype=np.float64))
    return Reading(
        answers=float(1.0 / (1.0 + np.exp(-float(answer_logit)))),
        verdict=(float(verdict[0]), float(verdict[1]), float(verdict[2])),
        span=span,
        span_probability=best,
    )
