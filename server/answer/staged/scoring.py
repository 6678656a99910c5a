"""Stage 4b, scoring: the fitted weights that turn features into probabilities.

The weights, the bias and the thresholds are read from `fitted_params.json` beside this module, which
`briefing fit` (evals/fitting.py) writes by logistic regression on the golden set's labelled training
splits; nobody edits them by hand. The file records when and on what it was fitted, and the precision
reached at its thresholds."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from server.answer.staged.features import QUESTION_FEATURES, SENTENCE_FEATURES, SPAN_FEATURES

PARAMS_PATH = Path(__file__).with_name("fitted_params.json")


@dataclass(frozen=True)
class LogisticModel:
    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float

    def probability(self, values: tuple[float, ...]) -> float:
        z = self.bias + sum(w * v for w, v in zip(self.weights, values, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def contributions(self, values: tuple[float, ...]) -> dict[str, float]:
        """Each feature's share of the score (weight times value), for the trace."""
        return {f: round(w * v, 3) for f, w, v in zip(self.features, self.weights, values, strict=True)}


@dataclass(frozen=True)
class Thresholds:
    answer: float  # the question model's probability at or above which the question is answered
    evidence: float  # further sentences at or above this probability join the answer
    span: float  # a span at or above this probability is given as the bold direct answer


@dataclass(frozen=True)
class FittedParams:
    sentence: LogisticModel  # does this sentence answer the question?
    question: LogisticModel  # do the best sentences, together, answer it?
    span: LogisticModel  # is this span the answer?
    thresholds: Thresholds
    version: str


def _model(data: dict, expected: tuple[str, ...]) -> LogisticModel:
    features = tuple(data["features"])
    if features != expected:
        raise ValueError(
            f"{PARAMS_PATH.name} was fitted on features {features}, the engine computes {expected}: "
            "run `briefing fit`"
        )
    return LogisticModel(features, tuple(float(w) for w in data["weights"]), float(data["bias"]))


def parse_params(data: dict) -> FittedParams:
    t = data["thresholds"]
    return FittedParams(
        sentence=_model(data["sentence"], SENTENCE_FEATURES),
        question=_model(data["question"], QUESTION_FEATURES),
        span=_model(data["span"], SPAN_FEATURES),
        thresholds=Thresholds(float(t["answer"]), float(t["evidence"]), float(t["span"])),
        version=str(data.get("version", "")),
    )


def neutral_params() -> FittedParams:
    """All weights zero: what the fitting script computes features with before anything is fitted."""
    return FittedParams(
        LogisticModel(SENTENCE_FEATURES, (0.0,) * len(SENTENCE_FEATURES), 0.0),
        LogisticModel(QUESTION_FEATURES, (0.0,) * len(QUESTION_FEATURES), 0.0),
        LogisticModel(SPAN_FEATURES, (0.0,) * len(SPAN_FEATURES), 0.0),
        Thresholds(0.5, 0.5, 0.5),
        "neutral",
    )


@lru_cache(maxsize=4)
def load_params(path: Path = PARAMS_PATH) -> FittedParams:
    return parse_params(json.loads(path.read_text(encoding="utf-8")))
