"""What the reader says of each candidate of a question, and how well that matches the labels: the
per-epoch dev metrics, the learning curve and the threshold calibration all read these."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from evals.training.corpus import Corpus, Item
from evals.training.examples import neighbours
from server.answer.reader.decoding import VERDICT_SCORE, verdict_confidence, verdict_side

_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Read:
    """The reader's output for one candidate sentence."""

    article: str
    index: int
    answers: float  # probability that the sentence answers
    verdict: tuple[float, float, float]  # yes, no, not stated
    span: tuple[int, int] | None  # characters inside the sentence
    span_probability: float  # of that span, against "no span here"


# (question, [(before, sentence, after)]) -> one Read per candidate, without article and index
ReadFn = Callable[[str, list[tuple[str, str, str]]], list[tuple[float, tuple, tuple[int, int] | None, float]]]


def read_items(
    items: list[Item], corpus: Corpus, read: ReadFn, shortlist: Callable[[Item, list], list] | None = None
) -> list[list[Read]]:
    """The sentences of each item's article(s) (those `shortlist` keeps, or all), each read with its
    neighbours; best first."""
    out = []
    for item in items:
        keys = [(a, i) for a in item.articles for i in range(len(corpus.articles[a].sentences))]
        if shortlist is not None:
            keys = shortlist(item, keys)
        triples = [(*_pair(corpus, a, i),) for a, i in keys]
        results = read(corpus.asked(item), triples)
        reads = [Read(a, i, p, v, s, sp) for (a, i), (p, v, s, sp) in zip(keys, results, strict=True)]
        out.append(sorted(reads, key=lambda r: -r.answers))
    return out


def _pair(corpus: Corpus, article: str, i: int) -> tuple[str, str, str]:
    before, after = neighbours(corpus, article, i)
    return before, corpus.articles[article].sentence(i), after


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def span_right(item: Item, corpus: Corpus, read: Read) -> bool:
    """The predicted span is one of the item's answers, or holds one and adds at most a few words."""
    if read.span is None:
        return False
    got = _norm(corpus.articles[read.article].sentence(read.index)[read.span[0] : read.span[1]])
    for ans in item.answers:
        want = _norm(ans)
        if got == want or (want and want in got and len(got.split()) <= len(want.split()) + 3):
            return True
    return False


def best_is_evidence(item: Item, reads: list[Read]) -> bool:
    """The reader's likeliest candidate is one of the item's labelled sentences."""
    return bool(reads) and (reads[0].article, reads[0].index) in set(item.evidence)


def auc(positive: list[float], negative: list[float]) -> float:
    if not positive or not negative:
        return float("nan")
    p, n = np.array(positive), np.array(negative)
    wins = (p[:, None] > n[None, :]).sum() + 0.5 * (p[:, None] == n[None, :]).sum()
    return float(wins / (len(p) * len(n)))


def metrics(items: list[Item], corpus: Corpus, reads: list[list[Read]], threshold: float = 0.5) -> dict:
    answerable = [(it, r) for it, r in zip(items, reads, strict=True) if it.answerable]
    near = [(it, r) for it, r in zip(items, reads, strict=True) if not it.answerable]
    top_right = [best_is_evidence(it, r) for it, r in answerable]
    spans = [(it, r[0]) for it, r in answerable if it.kind != "yes_no" and it.answers and r]
    yes_no = [(it, r[0]) for it, r in answerable if it.kind == "yes_no" and it.yes_no in ("yes", "no") and r]
    answered = [r[0].answers >= threshold for _, r in answerable]
    refused = [r[0].answers < threshold for _, r in near]
    return {
        "questions": len(items),
        "top1": float(np.mean(top_right)) if top_right else float("nan"),
        "top3": float(
            np.mean([any((x.article, x.index) in set(it.evidence) for x in r[:3]) for it, r in answerable])
        )
        if answerable
        else float("nan"),
        "answerable_vs_near_miss_auc": auc(
            [r[0].answers for _, r in answerable], [r[0].answers for _, r in near]
        ),
        "span_right": float(np.mean([span_right(it, corpus, r) for it, r in spans]))
        if spans
        else float("nan"),
        "verdict_right": float(np.mean([verdict_side(r.verdict) == it.yes_no for it, r in yes_no]))
        if yes_no
        else float("nan"),
        "threshold": threshold,
        "answered": float(np.mean(answered)) if answered else float("nan"),
        "answered_right": float(np.mean([a and t for a, t in zip(answered, top_right, strict=True)]))
        if answered
        else float("nan"),
        "near_misses_refused": float(np.mean(refused)) if refused else float("nan"),
    }


@dataclass(frozen=True)
class OperatingCurve:
    """What each answer threshold does on a split, from one model's reads of it: every answerable
    question's best candidate probability with whether that sentence is labelled evidence, and every near
    miss's best candidate probability; `threshold` is the one calibrated for the model. Two models are
    compared on their curves at one operating point (the same share of near misses refused), since each one's
    calibrated threshold sits at a different point of its own curve."""

    answerable: tuple[tuple[float, bool], ...]
    near_misses: tuple[float, ...]
    threshold: float
    # The share of the split's questions given a right bold span or a right Yes or No at the model's
    # calibrated thresholds (`calibrate`'s "bold_right_share"): what the thresholds above do not show.
    bold_right: float

    @classmethod
    def of(cls, items: list[Item], reads: list[list[Read]], calibration: dict) -> OperatingCurve:
        answerable, near = [], []
        for it, r in zip(items, reads, strict=True):
            top = r[0].answers if r else 0.0
            if it.answerable:
                answerable.append((top, best_is_evidence(it, r)))
            else:
                near.append(top)
        return cls(
            tuple(answerable), tuple(near), calibration["answer_threshold"], calibration["bold_right_share"]
        )

    def answered_right(self, threshold: float) -> float:
        return sum(p >= threshold and good for p, good in self.answerable) / max(1, len(self.answerable))

    def refused(self, threshold: float) -> float:
        return sum(p < threshold for p in self.near_misses) / max(1, len(self.near_misses))

    def threshold_refusing(self, share: float) -> float:
        """The least threshold at which at least `share` of the near misses are refused."""
        near = sorted(self.near_misses)
        k = math.ceil(share * len(near) - 1e-9)  # near misses that must fall below the threshold
        if k <= 0 or not near:
            return 0.0
        return float(np.nextafter(near[min(k, len(near)) - 1], np.inf))


# A confident answer to a question the articles do not answer costs this many needless refusals.
WRONG_ANSWER_COST = 3.0
# A bold span, and a yes or no, must be right this often (of the times one is given).
BOLD_PRECISION = 0.95
# The sides a verdict takes, each with its own threshold.
VERDICT_SIDES = ("yes", "no")
# Above every probability: the threshold when nothing given reaches BOLD_PRECISION (nothing is then given).
NEVER = float(np.nextafter(1.0, 2.0))


def _least_precise_enough(scored: list[tuple[float, bool]]) -> float:
    """The least score at or above which the right share reaches BOLD_PRECISION (NEVER: none does)."""
    ordered = sorted(scored, key=lambda x: -x[0])
    threshold, right = NEVER, 0
    for n, (p, ok) in enumerate(ordered, 1):
        right += ok
        last_of_its_score = n == len(ordered) or ordered[n][0] < p  # a threshold gives all of a tie
        if last_of_its_score and right / n >= BOLD_PRECISION:
            threshold = p
    return threshold


def _given(scored: list[tuple[float, bool]], threshold: float) -> tuple[float, float]:
    """The right share of what is given at a threshold, and the share given."""
    given = [ok for p, ok in scored if p >= threshold]
    return (float(np.mean(given)) if given else float("nan"), len(given) / max(1, len(scored)))


def _right_given(scored: list[tuple[float, bool]], threshold: float) -> int:
    """How many of what is given at a threshold are right."""
    return sum(ok for p, ok in scored if p >= threshold)


def bold_shown(question: str) -> str | None:
    """What the answer engine opens an answered question with, from its parse of the question: "verdict"
    (Yes or No), "span" (a bold span) or None (who-is and overviews open with sentences)."""
    from server.answer.staged.parse import QuestionKind, parse_question
    from server.answer.staged.planning import NO_SPAN

    kind = parse_question(question).kind
    if kind == QuestionKind.YES_NO:
        return "verdict"
    return None if kind in NO_SPAN else "span"


def _bold_rows(items, corpus, reads, threshold, shown) -> tuple[list, list]:
    """(score, right) for every bold the engine would give at the answer threshold: spans by their span
    probability, verdicts by their confidence (with their side: (score, right, side)). What the engine shows is its parse's (`shown`) of the whole
    question, as serving parses it; a bold given for a near miss, a verdict for a question that is not
    yes/no, or a span for one that is, is wrong, as a reader would count it. Items whose label is "the
    articles disagree" are left out: one sentence cannot say it."""
    spans, verdicts = [], []
    for it, r in zip(items, reads, strict=True):
        if not r or r[0].answers < threshold or it.yes_no == "disagree":
            continue
        top = r[0]
        how = shown(it.question)
        if how == "verdict":
            side = verdict_side(top.verdict)
            right = it.kind == "yes_no" and side == it.yes_no
            verdicts.append((verdict_confidence(top.answers, top.verdict), right, side))
        elif how == "span" and top.span is not None:
            right = it.answerable and it.kind != "yes_no" and span_right(it, corpus, top)
            spans.append((top.span_probability, right))
    return spans, verdicts


def calibrate(items: list[Item], corpus: Corpus, reads: list[list[Read]], shown=bold_shown) -> dict:
    """The answer threshold that costs least on held-out questions (answering a near miss or answering
    from the wrong sentence costs WRONG_ANSWER_COST, refusing an answerable question 1), and, among the
    questions answered there, the least span probability at which bold spans reach BOLD_PRECISION and the
    least verdict confidence at which a yes does, and a no (each side its own: the reader is surer of its
    no's; `_bold_rows` says what counts)."""
    rows = []
    for it, r in zip(items, reads, strict=True):
        if not r:
            continue
        good = it.answerable and best_is_evidence(it, r)
        rows.append((r[0].answers, it.answerable, good))
    best = (float("inf"), 0.5)
    for t in sorted({round(p, 4) for p, _, _ in rows}):
        cost = sum(
            (WRONG_ANSWER_COST if not good else 0.0) if p >= t else (1.0 if answerable else 0.0)
            for p, answerable, good in rows
        )
        best = min(best, (cost, t))
    threshold = best[1]
    answered = [(p, a, g) for p, a, g in rows if p >= threshold]
    spans, verdicts = _bold_rows(items, corpus, reads, threshold, shown)
    chosen = {
        "answer_threshold": threshold,
        "span_threshold": _least_precise_enough(spans),
        **{
            f"verdict_{side}_threshold": _least_precise_enough(
                [(p, ok) for p, ok, s in verdicts if s == side]
            )
            for side in VERDICT_SIDES
        },
        "verdict_score": VERDICT_SCORE,
    }
    return {
        **chosen,
        "answer_precision": float(np.mean([g for _, _, g in answered])) if answered else float("nan"),
        "answered_share": len(answered) / max(1, len(rows)),
        **_bold_figures(spans, verdicts, chosen, len(rows)),
    }


def bold_at(
    items: list[Item], corpus: Corpus, reads: list[list[Read]], thresholds: dict, shown=bold_shown
) -> dict:
    """What the bold answers are at given thresholds (`calibrate`'s): the share of the answered questions
    the engine would open with a span (or a yes or no) given one, how often it is right, and the share of
    all the split's questions given a right bold span or a right Yes or No. How dev's thresholds do on test."""
    spans, verdicts = _bold_rows(items, corpus, reads, thresholds["answer_threshold"], shown)
    return _bold_figures(spans, verdicts, thresholds, sum(1 for r in reads if r))


def _bold_figures(spans: list, verdicts: list, thresholds: dict, questions: int) -> dict:
    """`bold_at`'s figures from `_bold_rows`' rows, over `questions` questions read."""
    span_precision, span_given = _given(spans, thresholds["span_threshold"])
    # each verdict against its side's threshold
    given = [(ok, side) for p, ok, side in verdicts if p >= thresholds[f"verdict_{side}_threshold"]]
    right = _right_given(spans, thresholds["span_threshold"]) + sum(ok for ok, _ in given)
    return {
        "span_precision": span_precision,
        "span_given_share": span_given,
        "verdict_precision": float(np.mean([ok for ok, _ in given])) if given else float("nan"),
        "verdict_given_share": len(given) / max(1, len(verdicts)),
        **{f"{side}_given": sum(1 for _, s in given if s == side) for side in VERDICT_SIDES},
        "bold_right_share": right / max(1, questions),
    }
