"""The learned answer decision: whether the reader's likeliest candidate is to be given as the answer, scored
from what the reader and the engine's earlier stages say of the candidates, not from its probability alone.

The reader is trained to say whether one sentence answers a question when it reads that sentence beside its
neighbours, in its own article. Served over a library, its likeliest candidate is often a sentence of another
article that would answer the same words asked there: "How much is the final tranche worth?" has an answer in
every article about a loan. What the reader cannot see from one sentence, the decision reads from all of them:
how sure the reader is of the likeliest and of the next, whether both come from one article, how well the
likeliest was shortlisted (its likeness to the question and its passage's place in retrieval's order), and
whether the question's names are mentioned in it.

The weights are a logistic regression fitted on the reading corpus's dev split asked through the engine, its
threshold chosen at the least cost on held-out scores (a wrong answer costs three refusals), both written into
the model card by `briefing calibrate --through-engine` (evals/training/decision_fit.py). On that split, held
out, it gave a third fewer wrong answers than the probability alone at the same share of near misses refused
(767 against 1,185; README, "The answer decision")."""

from __future__ import annotations

import math
from dataclasses import dataclass

from server.answer.staged.mentions import ResolvedNames
from server.answer.staged.parse import ParsedQuestion
from server.answer.staged.read import ReadSentence

# A probability is read as its log-odds, clipped so that a reader's 0 or 1 stays finite.
PROBABILITY_FLOOR = 1e-6
# The share of probability above which a candidate counts as one the reader says answers.
LIKELY = 0.5

# The features, in the order the weights are stored, each with what it measures.
FEATURES: dict[str, str] = {
    "answers": "log-odds of the likeliest candidate's probability of answering",
    "second": "log-odds of the next candidate's probability of answering",
    "span": "log-odds of the likeliest candidate's span probability",
    "not_stated": "log-odds of the likeliest candidate's verdict 'not stated'",
    "likely": f"how many candidates the reader gives a probability above {LIKELY}",
    "similarity": "the likeliest candidate's cosine to the question (the bundled encoder)",
    "shortlisted": "the likeliest candidate's shortlisting score (staged/read.py)",
    "names_in": "1 when the likeliest candidate mentions every name of the question (or it names none)",
    "names_found": "1 when the candidates mention every name of the question somewhere (or it names none)",
    "named": "1 when the question names someone or something",
    "same_article": "1 when the next candidate is of the likeliest's article",
}


def log_odds(p: float) -> float:
    p = min(max(p, PROBABILITY_FLOOR), 1.0 - PROBABILITY_FLOOR)
    return math.log(p / (1.0 - p))


def decision_features(
    question: ParsedQuestion, names: ResolvedNames, read: tuple[ReadSentence, ...]
) -> dict[str, float]:
    """The features of FEATURES for a question's candidates, likeliest first (empty when there are none)."""
    if not read:
        return {}
    best = read[0]
    second = read[1] if len(read) > 1 else None
    return {
        "answers": log_odds(best.score),
        "second": log_odds(second.score if second else 0.0),
        "span": log_odds(best.reading.span_probability),
        "not_stated": log_odds(best.reading.verdict[2]),
        "likely": float(sum(r.score > LIKELY for r in read)),
        "similarity": best.similarity,
        "shortlisted": best.shortlisted,
        "names_in": float(all(names.in_sentence(n, best.sentence.id) for n in question.names)),
        "names_found": float(all(names.found(n) for n in question.names)),
        "named": float(bool(question.names)),
        "same_article": float(second is not None and second.sentence.doc_id == best.sentence.doc_id),
    }


@dataclass(frozen=True)
class DecisionModel:
    """A logistic regression over FEATURES: the question is answered when its score (log-odds) reaches the
    threshold."""

    weights: dict[str, float]
    bias: float
    threshold: float

    @classmethod
    def of_card(cls, values: dict) -> DecisionModel:
        """The card's "decision"; a ValueError when its features are not today's."""
        weights = {str(k): float(v) for k, v in dict(values["weights"]).items()}
        if set(weights) != set(FEATURES):
            raise ValueError(
                f"the decision's features {sorted(weights)} are not today's {sorted(FEATURES)}: recalibrate"
                " it with `briefing calibrate --through-engine`"
            )
        return cls(weights, float(values["bias"]), float(values["threshold"]))

    def score(self, features: dict[str, float]) -> float:
        return self.bias + sum(self.weights[name] * features[name] for name in FEATURES)

    def card(self) -> dict:
        return {"weights": self.weights, "bias": self.bias, "threshold": self.threshold}
