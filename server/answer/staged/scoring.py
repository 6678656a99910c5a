"""Stage 4b, scoring: the fitted weights that turn features into probabilities.

The weights, the bias and the thresholds are read from `fitted_params.json` beside this module, which
`briefing fit` (evals/fitting.py) writes by logistic regression on the golden set's labelled training
splits; nobody edits them by hand. The file records when and on what it was fitted, and the precision
reached at its thresholds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from server.answer.staged.features import QUESTION_FEATURES, SENTENCE_FEATURES, SPAN_FEATURES

PARAMS_PATH = Path(__file__).with_name("fitted_params.json")


PRODUCT = "*"
# Terms shown per candidate in a trace: the largest contributions.
TRACE_TERMS = 8


def design(base: tuple[str, ...], terms: tuple[str, ...], matrix: np.ndarray) -> np.ndarray:
    """The model's terms for rows of base features: a base feature, or the product of two ("a*b")."""
    index = {name: i for i, name in enumerate(base)}
    columns = []
    for term in terms:
        if PRODUCT in term:
            a, b = term.split(PRODUCT)
            columns.append(matrix[:, index[a]] * matrix[:, index[b]])
        else:
            columns.append(matrix[:, index[term]])
    return np.column_stack(columns) if columns else np.zeros((len(matrix), 0))


@dataclass(frozen=True)
class LogisticModel:
    """A logistic regression over terms of the base features: each base feature, and products of two."""

    base: tuple[str, ...]
    features: tuple[str, ...]  # the terms, as named in the parameters file
    weights: tuple[float, ...]
    bias: float

    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        """Probabilities for rows of base features."""
        if len(matrix) == 0:
            return np.zeros(0)
        z = self.bias + design(self.base, self.features, np.asarray(matrix, dtype=float)) @ np.array(
            self.weights
        )
        return 1.0 / (1.0 + np.exp(-np.clip(z, -30.0, 30.0)))

    def probability(self, values: tuple[float, ...]) -> float:
        return float(self.probabilities(np.array([values], dtype=float))[0])

    def contributions(self, values: tuple[float, ...]) -> dict[str, float]:
        """The terms that weigh most in this score (weight times value), for the trace."""
        terms = design(self.base, self.features, np.array([values], dtype=float))[0]
        parts = sorted(
            zip(self.features, terms * np.array(self.weights), strict=True), key=lambda x: -abs(x[1])
        )
        return {name: round(float(v), 3) for name, v in parts[:TRACE_TERMS]}


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
    base = tuple(data.get("base", data["features"]))
    terms = tuple(data["features"])
    known = set(expected)
    if base != expected or any(not set(t.split(PRODUCT)) <= known for t in terms):
        raise ValueError(
            f"{PARAMS_PATH.name} was fitted on features {base}, the engine computes {expected}: run `briefing fit`"
        )
    return LogisticModel(base, terms, tuple(float(w) for w in data["weights"]), float(data["bias"]))


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
        LogisticModel(SENTENCE_FEATURES, SENTENCE_FEATURES, (0.0,) * len(SENTENCE_FEATURES), 0.0),
        LogisticModel(QUESTION_FEATURES, QUESTION_FEATURES, (0.0,) * len(QUESTION_FEATURES), 0.0),
        LogisticModel(SPAN_FEATURES, SPAN_FEATURES, (0.0,) * len(SPAN_FEATURES), 0.0),
        Thresholds(0.5, 0.5, 0.5),
        "neutral",
    )


@lru_cache(maxsize=4)
def load_params(path: Path = PARAMS_PATH) -> FittedParams:
    return parse_params(json.loads(path.read_text(encoding="utf-8")))
