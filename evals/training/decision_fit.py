"""The learned answer decision (server/answer/staged/decision_model.py) fitted on what the engine reads for the
reading corpus's dev split: one row per part of a question the engine read (overviews aside, which are answered
by the candidates that mention their topic), labelled 1 when the question is answerable and the reader's
likeliest candidate is one of its labelled sentences, 0 otherwise (a near miss, or an answer from another
sentence: another article's, most often).

A logistic regression (scikit-learn) over the features; its threshold is the score at which answering costs
least on held-out scores, each question scored by a model fitted without its article's questions (FOLDS folds
by article): a wrong answer costs WRONG_ANSWER_COST, refusing an answerable question 1, as the card's answer
threshold is chosen. The weights served are then fitted on every row."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from evals.golden import GoldenItem
from evals.training.scoring import WRONG_ANSWER_COST
from server.answer.staged.decision_model import FEATURES, DecisionModel, log_odds
from server.answer.staged.plan import PlanContext

FOLDS = 5  # folds by article for the held-out scores the threshold is chosen on
REGULARISATION = 1.0  # scikit-learn's C: the inverse strength of the L2 penalty


@dataclass(frozen=True)
class Row:
    features: dict[str, float]
    answerable: bool
    good: bool  # answerable, and the likeliest candidate is one of the item's labelled sentences
    group: str  # the item's article: the folds keep an article's questions together


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def is_labelled(item: GoldenItem, sentence: str) -> bool:
    """The sentence is (or holds, or is held by) one of the item's labelled sentences."""
    s = _norm(sentence)
    return any((r := _norm(ref)) and (r in s or s in r) for ref in item.reference_contexts)


def decided_by_score(context: PlanContext) -> bool:
    """A part whose answer a score decides: one with candidates, not an overview (decide.py)."""
    return context.decision is not None and bool(context.decision.features) and bool(context.read)


def rows_of(asked) -> list[Row]:
    """One row per part the engine decided by a score, from calibration's asked questions (every part)."""
    rows = []
    for a in asked:
        for c in a.contexts:
            if not decided_by_score(c):
                continue
            answerable = a.item.answerable is True
            good = answerable and is_labelled(a.item, c.read[0].sentence.text)
            rows.append(Row(c.decision.features, answerable, good, (a.item.articles or [a.item.id])[0]))
    return rows


def _matrix(rows: list[Row]) -> np.ndarray:
    return np.array([[r.features[name] for name in FEATURES] for r in rows], dtype=float)


def _least_cost(scores: np.ndarray, good: np.ndarray, answerable: np.ndarray) -> float:
    """The score at or above which answering costs least (a threshold at one of the scores)."""
    order = np.argsort(-scores)
    s, g, a = scores[order], good[order], answerable[order]
    # answering the first i rows: the wrong ones among them cost WRONG_ANSWER_COST, the answerable rest 1
    wrong = np.concatenate([[0], np.cumsum(~g)])
    refused = a.sum() - np.concatenate([[0], np.cumsum(a)])
    cost = WRONG_ANSWER_COST * wrong + refused
    # only where the next score is lower can a threshold split there
    cut = np.concatenate([[True], s[1:] < s[:-1], [True]])
    i = int(np.argmin(np.where(cut, cost, np.inf)))
    return float(s[i - 1]) if i > 0 else float(s[0] + 1.0)


def _figures(scores: np.ndarray, threshold: float, good: np.ndarray, answerable: np.ndarray) -> dict:
    answered = scores >= threshold
    near_miss = ~answerable
    return {
        "answered_right": float((answered & good).sum() / max(1, answerable.sum())),
        "near_misses_refused": float((~answered & near_miss).sum() / max(1, near_miss.sum())),
        "wrong_answers": int((answered & ~good).sum()),
        "precision": float((answered & good).sum() / max(1, answered.sum())),
    }


def fit_decision(rows: list[Row], answer_threshold: float) -> dict | None:
    """The decision fitted on these rows, with its figures on held-out scores beside the card's answer
    threshold's on the same rows; None when they cannot fit one (fewer articles than folds, or one label)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import GroupKFold

    groups = [r.group for r in rows]
    good = np.array([r.good for r in rows], dtype=bool)
    if len(set(groups)) < FOLDS or good.all() or not good.any():
        return None
    x = _matrix(rows)
    answerable = np.array([r.answerable for r in rows], dtype=bool)
    held_out = np.zeros(len(rows))
    for train, test in GroupKFold(n_splits=FOLDS).split(x, good, groups):
        if len(set(good[train])) < 2:
            return None
        model = LogisticRegression(C=REGULARISATION, max_iter=5000).fit(x[train], good[train])
        held_out[test] = model.decision_function(x[test])
    threshold = _least_cost(held_out, good, answerable)
    final = LogisticRegression(C=REGULARISATION, max_iter=5000).fit(x, good)
    probability = x[:, list(FEATURES).index("answers")]
    return {
        **DecisionModel(
            {name: float(w) for name, w in zip(FEATURES, final.coef_[0], strict=True)},
            float(final.intercept_[0]),
            threshold,
        ).card(),
        "rows": len(rows),
        "held_out": _figures(held_out, threshold, good, answerable),
        "card_answer_threshold": _figures(probability, log_odds(answer_threshold), good, answerable),
    }
