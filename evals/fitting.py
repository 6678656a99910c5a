"""`briefing fit`: fit the staged answer engine's weights and thresholds on the golden set's training splits
and write server/answer/staged/fitted_params.json.

Training splits: core, robustness and dev. The blind split is never read here. For every training
question the engine computes its candidate sentences and spans with their features (the same code that
answers); labels come from the golden items: a sentence is positive when it is one of the item's
reference passages (or holds its key facts), a span when it is one of the item's direct answers or key
facts; every candidate of a question that must be refused is negative. scikit-learn's logistic
regression fits three models: a sentence's (over its features and their products), a question's (over
what its best candidates have together: is it answerable?), and a span's. The thresholds are then read
off the training data:

- answer: the question model's probability at which answering beats refusing, where answering a question
  that should be refused costs REFUSAL_COST times as much as refusing one that could be answered;
- evidence: the sentence probability with the best F1 on the sentence labels;
- span: the lowest span probability at which the best span is right at least SPAN_PRECISION of the time.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from evals.golden import GoldenItem, load_golden
from server.answer.staged.features import (
    QUESTION_FEATURES,
    SENTENCE_FEATURES,
    SPAN_FEATURES,
    Candidate,
    question_features,
    span_features,
)
from server.answer.staged.scoring import PARAMS_PATH, parse_params

TRAINING_SPLITS = ("core", "robustness", "dev")
REFUSAL_COST = 3.0  # a confident wrong answer costs three times a needless refusal
SPAN_PRECISION = 0.95
SPAN_SENTENCES = 3
# Inverse regularisation strength of the logistic regressions, on standardised features.
REGULARISATION_C = 10.0
# The sentence model also weighs every product of two features (a sentence that names the subject AND has
# the asked slot ...), more strongly regularised: in cross-validation by question on the training splits its
# best sentence was the labelled one for 77 of 127 questions against 70 for the features alone.
PRODUCTS_C = 0.01


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text.lower()).strip()


def _alternatives(phrases: list[str]) -> list[str]:
    return [_norm(a) for p in phrases for a in p.split("|") if a.strip()]


def sentence_label(item: GoldenItem, text: str) -> int:
    if item.answerable is not True:
        return 0
    t = _norm(text)
    for ref in item.reference_contexts:
        r = _norm(ref)
        if r and (r in t or t in r):
            return 1
    facts = [_alternatives([f]) for f in item.key_facts]
    if facts and sum(any(a in t for a in alts) for alts in facts) >= max(1, (len(facts) + 1) // 2):
        return 1
    return 0


def span_label(item: GoldenItem, text: str) -> int:
    if item.answerable is not True:
        return 0
    t = _norm(text)
    wanted = _alternatives(item.direct) or _alternatives(item.key_facts)
    return int(bool(t) and any(a in t or (len(t) >= 3 and t in a) for a in wanted))


@dataclass
class Rows:
    x: list[tuple[float, ...]]
    y: list[int]


def collect(engine, items: list[GoldenItem]):
    """Sentence rows, and per question (label, candidate analyses) for the span and threshold fits."""
    sentences = Rows([], [])
    questions = []
    for qi, item in enumerate(items):
        result = engine.analyse_question(item.question, item.history)
        if not result:
            continue
        analyses, _search = result
        for a in analyses[:1]:
            for s in a.scored:
                sentences.x.append(s.candidate.features)
                sentences.y.append(sentence_label(item, s.sentence.text))
        questions.append((qi, item, analyses[0]))
    return sentences, questions


def _increasing_logistic(xs: np.ndarray, y: np.ndarray, c: float) -> tuple[np.ndarray, float]:
    """scikit-learn's balanced, L2-regularised logistic loss, minimised with every weight bounded below by 0
    (scipy's L-BFGS-B): for features that can only count for an answer. Unbounded, the question model
    learnt negative weights for the share of the question's names found and for the asked slot (they
    are nearly always 1 in training), which then said "answer" to a question whose subject no article
    names."""
    from scipy.optimize import minimize

    n, d = xs.shape
    signs = np.where(y == 1, 1.0, -1.0)
    weight = np.where(y == 1, n / (2.0 * max(1, int(y.sum()))), n / (2.0 * max(1, int(n - y.sum()))))

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        w, b = params[:d], params[d]
        margin = signs * (xs @ w + b)
        value = c * float((weight * np.logaddexp(0.0, -margin)).sum()) + 0.5 * float(w @ w)
        g = -c * weight * signs / (1.0 + np.exp(margin))
        return value, np.concatenate([xs.T @ g + w, [g.sum()]])

    bounds = [(0.0, None)] * d + [(None, None)]
    found = minimize(loss, np.zeros(d + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    return found.x[:d], float(found.x[d])


def _fit(x, y, names: tuple[str, ...], products: bool = False, increasing: bool = False) -> dict:
    """Logistic regression on standardised terms (the features, and with `products` every product of two),
    its weights given back on the terms' own scale; as the parameters file holds a model. With `increasing`
    no weight may be negative (see `_increasing_logistic`)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    from server.answer.staged.scoring import PRODUCT, design

    terms = tuple(names)
    if products:
        terms += tuple(f"{a}{PRODUCT}{b}" for i, a in enumerate(names) for b in names[i + 1 :])
    xs = design(tuple(names), terms, np.array(x, dtype=float))
    scaler = StandardScaler().fit(xs)
    scale = np.where(scaler.scale_ == 0, 1.0, scaler.scale_)
    standard = (xs - scaler.mean_) / scale
    c = PRODUCTS_C if products else REGULARISATION_C
    if increasing:
        coef, intercept = _increasing_logistic(standard, np.array(y), c)
    else:
        model = LogisticRegression(C=c, class_weight="balanced", max_iter=5000)
        model.fit(standard, np.array(y))
        coef, intercept = model.coef_[0], float(model.intercept_[0])
    weights = coef / scale
    bias = intercept - float((coef * scaler.mean_ / scale).sum())
    return {
        "base": list(names),
        "features": list(terms),
        "weights": [round(float(w), 6) for w in weights],
        "bias": round(float(bias), 6),
    }


def _model(data: dict):
    from server.answer.staged.scoring import LogisticModel

    return LogisticModel(tuple(data["base"]), tuple(data["features"]), tuple(data["weights"]), data["bias"])


def answer_threshold(best: list[float], answerable: list[bool]) -> tuple[float, dict]:
    """The threshold with the least cost; ties go to the higher (more careful) one."""
    grid = sorted(set(round(b, 4) for b in best)) + [1.0]
    chosen, chosen_cost = 0.5, float("inf")
    for t in grid:
        wrong_answers = sum(1 for b, a in zip(best, answerable, strict=True) if b >= t and not a)
        refusals = sum(1 for b, a in zip(best, answerable, strict=True) if b < t and a)
        cost = REFUSAL_COST * wrong_answers + refusals
        if cost <= chosen_cost:
            chosen, chosen_cost = t, cost
    answered = [a for b, a in zip(best, answerable, strict=True) if b >= chosen]
    report = {
        "questions": len(best),
        "answered": len(answered),
        "precision": round(sum(answered) / len(answered), 4) if answered else None,
        "recall": round(sum(answered) / max(1, sum(answerable)), 4),
    }
    return chosen, report


def evidence_threshold(p: np.ndarray, y: list[int]) -> float:
    best_t, best_f1 = 0.5, -1.0
    labels = np.array(y)
    for t in np.linspace(0.05, 0.95, 91):
        chosen = p >= t
        tp = float((chosen & (labels == 1)).sum())
        if not chosen.any() or tp == 0:
            continue
        precision, recall = tp / chosen.sum(), tp / max(1, (labels == 1).sum())
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best_f1:
            best_t, best_f1 = float(t), f1
    return round(best_t, 4)


def span_threshold(tops: list[tuple[float, int]]) -> tuple[float, dict]:
    """The lowest threshold at which the best span of a question is right SPAN_PRECISION of the time."""
    for t in sorted({round(p, 4) for p, _ in tops}):
        given = [right for p, right in tops if p >= t]
        if given and sum(given) / len(given) >= SPAN_PRECISION:
            return t, {
                "questions": len(tops),
                "given": len(given),
                "precision": round(sum(given) / len(given), 4),
            }
    return 1.0, {"questions": len(tops), "given": 0, "precision": None}


def _rescored(analysis, model) -> list[tuple[float, Candidate]]:
    """An analysis's candidates with their probabilities under the given sentence model, best first."""
    if not analysis.scored:
        return []
    probs = model.probabilities(np.array([s.candidate.features for s in analysis.scored]))
    pairs = [(float(p), s.candidate) for p, s in zip(probs, analysis.scored, strict=True)]
    return sorted(pairs, key=lambda x: -x[0])


def precision_curve(tops: list[tuple[float, int]]) -> list[dict]:
    """Precision and count of the best spans given at each decile of probability, for the report."""
    out = []
    for t in np.linspace(0.5, 0.9, 5):
        given = [right for p, right in tops if p >= t]
        out.append(
            {
                "at": round(float(t), 2),
                "given": len(given),
                "precision": round(sum(given) / len(given), 3) if given else None,
            }
        )
    return out


def fit(service, items: list[GoldenItem], out: Path = PARAMS_PATH) -> dict:
    """Fit on the items over the service's library, with the staged engine's stages; writes `out`."""
    from server.answer.staged.engine import AnswerEngine
    from server.answer.staged.scoring import neutral_params

    engine = AnswerEngine(service.library, service.settings.answer, params=neutral_params())
    sentences, questions = collect(engine, items)
    sentence_data = _fit(sentences.x, sentences.y, SENTENCE_FEATURES, products=True)
    sentence_model = _model(sentence_data)
    sp = sentence_model.probabilities(np.array(sentences.x))
    # the question model, over the question features of each question's candidates as now scored
    q_x, q_y = [], []
    for _qi, item, a in questions:
        if item.answerable is None:
            continue
        q_x.append(question_features(a.question, a.names, _rescored(a, sentence_model)))
        q_y.append(int(item.answerable is True))
    # Every question feature can only count for an answer: the weights are bounded below by 0.
    question_data = _fit(q_x, q_y, QUESTION_FEATURES, increasing=True)
    qp = _model(question_data).probabilities(np.array(q_x))
    t_answer, answer_report = answer_threshold([float(p) for p in qp], [bool(y) for y in q_y])
    t_evidence = evidence_threshold(sp, sentences.y)
    # spans, over the best sentences by the fitted sentence model
    span_x, span_y, span_q = [], [], []
    for qi, item, a in questions:
        if not a.question.kind.wants_span and a.question.kind.value != "list":
            continue
        for p, candidate in _rescored(a, sentence_model)[:SPAN_SENTENCES]:
            for span in span_features(a.question, a.names, candidate.sentence, p):
                span_x.append(span.features)
                span_y.append(span_label(item, span.text))
                span_q.append(qi)
    span_data = _fit(span_x, span_y, SPAN_FEATURES)
    pp = _model(span_data).probabilities(np.array(span_x))
    tops: dict[int, tuple[float, int]] = {}
    for p, y, q in zip(pp, span_y, span_q, strict=True):
        if q not in tops or p > tops[q][0]:
            tops[q] = (float(p), y)
    t_span, span_report = span_threshold(list(tops.values()))
    span_report["curve"] = precision_curve(list(tops.values()))
    data = {
        "version": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "fitted_by": "briefing fit (evals/fitting.py): scikit-learn LogisticRegression on standardised terms, "
        f"class_weight=balanced, C={REGULARISATION_C} (the sentence model, with products of features: "
        f"C={PRODUCTS_C})",
        "training": {
            "splits": list(TRAINING_SPLITS),
            "questions": len(questions),
            "sentence_rows": len(sentences.y),
            "sentence_positives": int(sum(sentences.y)),
            "span_rows": len(span_y),
            "span_positives": int(sum(span_y)),
        },
        "sentence": sentence_data,
        "question": question_data,
        "span": span_data,
        "thresholds": {"answer": t_answer, "evidence": t_evidence, "span": t_span},
        "at_thresholds": {"answer": answer_report, "span": span_report, "refusal_cost": REFUSAL_COST},
    }
    parse_params(data)  # the engine must be able to read what is written
    out.write_text(json.dumps(data, indent=1) + "\n")
    return data


def training_items() -> list[GoldenItem]:
    return [i for i in load_golden() if i.split in TRAINING_SPLITS]


def cmd_fit(settings, args: argparse.Namespace) -> int:
    from evals.clients import InProcessClient
    from evals.eval_articles import eval_articles
    from server.service import build_service

    service = build_service(settings)
    with eval_articles(InProcessClient(service)):
        data = fit(service, training_items(), Path(args.out) if args.out else PARAMS_PATH)
    print(json.dumps({k: data[k] for k in ("training", "thresholds", "at_thresholds")}, indent=1))
    return 0


def register(sub) -> None:
    p = sub.add_parser("fit", help="fit the answer engine's weights on the golden set's training splits")
    p.add_argument("--out", default=None, help=f"parameters file (default {PARAMS_PATH})")
    p.set_defaults(func=cmd_fit)
