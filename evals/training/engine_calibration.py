"""Calibration through the engine: the bold thresholds (a span's, a Yes's, a No's) chosen on what the answer
engine itself gives for the reading corpus's dev split, asked of a library of that split's articles.

Training and `briefing calibrate` choose every threshold on each dev question's own article (its sentences
most like the question). Serving reads other candidates: retrieval's, from every article of the library, and
the planner then gives a bold span only from its likeliest sentence, or several when independent articles give
different values. A span threshold chosen in the first setting let through bold answers right 0.890 of the
times on reading_test in the second (2026-12-04), below the 0.95 asked. Here each dev question is asked once
(stages 1 to 5, `AnswerEngine.plan_contexts`), and its answer is planned again at each threshold where what the
planner gives could change; the bold words are scored as the eval scores them (`DirectAnswerPrecision`: a bold
answer to a near miss is wrong). Each threshold is the least at which the bold answers it lets through are right
BOLD_PRECISION of the times, with the other two bold thresholds closed, so that each is judged on its own.

Before the bold thresholds, the decision to answer is fitted on the same reads (every part of every question,
refused ones included: evals/training/decision_fit.py), and the bold thresholds are then chosen on the parts it
answers. The card's answer threshold stays as it is: it still says which candidates answer once a question is
answered (the planner's `answering`), and decides for a card without a learned decision."""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from evals.golden import GoldenItem
from evals.training.decision_fit import decided_by_score, fit_decision, rows_of
from evals.training.scoring import BOLD_PRECISION, NEVER
from server.answer.reader.decoding import verdict_side
from server.answer.reader.model import Thresholds
from server.answer.staged.compose import direct_text
from server.answer.staged.decision_model import DecisionModel
from server.answer.staged.plan import PlanContext
from server.answer.staged.planning import join_plans, plan_answer

log = logging.getLogger(__name__)
PROGRESS_EVERY = 500  # questions between two lines of the log

# The thresholds calibrated here, each with the reader's score it is compared with in the planner.
FIELDS: dict[str, Callable] = {
    "span": lambda r: r.reading.span_probability if r.reading.span is not None else None,
    "verdict_yes": lambda r: (
        r.reading.verdict_confidence if verdict_side(r.reading.verdict) == "yes" else None
    ),
    "verdict_no": lambda r: r.reading.verdict_confidence if verdict_side(r.reading.verdict) == "no" else None,
}


@dataclass(frozen=True)
class Asked:
    """A dev question as the engine read it: what the planner reads for each part it answers (none when
    it refuses)."""

    item: GoldenItem
    contexts: tuple[PlanContext, ...]


@dataclass(frozen=True)
class Chosen:
    """One threshold chosen, with the bold answers it lets through on dev and those the card's let through."""

    field: str
    threshold: float
    given: int
    right: int
    card_threshold: float
    card_given: int
    card_right: int

    def figures(self) -> dict:
        return {
            "threshold": self.threshold,
            "given": self.given,
            "right": self.right,
            "precision": self.right / self.given if self.given else None,
            "card_threshold": self.card_threshold,
            "card_given": self.card_given,
            "card_right": self.card_right,
            "card_precision": self.card_right / self.card_given if self.card_given else None,
        }


def bold_right(item: GoldenItem, text: str) -> float:
    """1 if a bold answer of these words is right for the item, 0 if wrong, NaN if the item cannot say."""
    from evals.metrics import DirectAnswerPrecision
    from evals.records import RunRecord

    answer = {"direct_answer": {"text": text}, "refused": False}
    return DirectAnswerPrecision().score_record(RunRecord(item, answer))


def bold_given(contexts: tuple[PlanContext, ...], thresholds: Thresholds) -> str | None:
    """The words of the bold answer the engine gives at these thresholds for a question it read into these
    contexts (None: none, or refused)."""
    if not contexts:
        return None
    plans = [plan_answer(replace(c, thresholds=thresholds)) for c in contexts]
    return direct_text(join_plans(plans))


def _outcome(asked: Asked, thresholds: Thresholds) -> tuple[int, int]:
    """(given, right) of one question's bold answer at these thresholds; (0, 0) when none is given or the
    item cannot say whether it is right."""
    text = bold_given(asked.contexts, thresholds)
    if text is None:
        return 0, 0
    right = bold_right(asked.item, text)
    return (0, 0) if math.isnan(right) else (1, int(right))


def _with(thresholds: Thresholds, values: dict[str, Any]) -> Thresholds:
    return replace(thresholds, **values)


def choose(asked: list[Asked], field: str, card: Thresholds) -> Chosen:
    """The least value of one bold threshold at which what it lets through is right BOLD_PRECISION of the
    times (NEVER when no value is), the other two closed. A question's bold answer changes only where the
    threshold passes one of its candidates' scores, so it is planned again at those values alone and the
    totals are swept from the highest score down."""
    closed = _with(card, {f: NEVER for f in FIELDS})
    score = FIELDS[field]
    events: list[tuple[float, int, tuple[int, int]]] = []
    for i, a in enumerate(asked):
        values = {v for c in a.contexts for r in c.read if (v := score(r)) is not None}
        events += [(v, i, _outcome(a, _with(closed, {field: v}))) for v in values]
    events.sort(key=lambda e: -e[0])
    state: dict[int, tuple[int, int]] = {}
    given = right = 0
    chosen = (NEVER, 0, 0)
    for n, (value, i, (g, r)) in enumerate(events):
        old_g, old_r = state.get(i, (0, 0))
        given, right = given + g - old_g, right + r - old_r
        state[i] = (g, r)
        last_of_its_value = n + 1 == len(events) or events[n + 1][0] < value
        if last_of_its_value and given and right / given >= BOLD_PRECISION:
            chosen = (value, given, right)
    at_card = [_outcome(a, _with(closed, {field: getattr(card, field)})) for a in asked]
    return Chosen(
        field,
        chosen[0],
        chosen[1],
        chosen[2],
        getattr(card, field),
        sum(g for g, _ in at_card),
        sum(r for _, r in at_card),
    )


def ask_all(engine, items: list[GoldenItem], refused_too: bool = False) -> list[Asked]:
    asked = []
    for n, it in enumerate(items, 1):
        asked.append(Asked(it, tuple(engine.plan_contexts(it.question, it.history, refused_too))))
        if n % PROGRESS_EVERY == 0:
            log.info("asked %d of %d questions", n, len(items))
    return asked


def calibrate_through_engine(service, split: str = "reading_dev", limit: int | None = None) -> dict:
    """Ask the split's questions of a library of its articles (added for the run and removed after) with the
    service's reader engine, and choose the bold thresholds on what it gives."""
    from evals.clients import InProcessClient
    from evals.eval_articles import eval_articles
    from evals.reading_split import article_files, reading_items

    items = reading_items(split=split)[:limit]
    # a smoke run on the first questions reads a library of their articles alone
    names = None if limit is None else sorted({a for it in items for a in it.articles})
    with eval_articles(InProcessClient(service), article_files(names, split=split)):
        every_part = ask_all(service.engine, items, refused_too=True)
    card = service.engine.reader.thresholds
    decision = fit_decision(rows_of(every_part), card.answer)
    model = None if decision is None else DecisionModel.of_card(decision)
    asked = [Asked(a.item, tuple(c for c in a.contexts if answered(c, model))) for a in every_part]
    return {**chosen_thresholds(asked, card, split), "decision": decision}


def answered(context: PlanContext, model: DecisionModel | None) -> bool:
    """Whether the engine answers this part with this decision (None: as it decided when asked)."""
    if context.decision is None:
        return False
    if model is None or not decided_by_score(context):
        return context.decision.answer
    return model.score(context.decision.features) >= model.threshold


def chosen_thresholds(asked: list[Asked], card: Thresholds, split: str) -> dict:
    """Each bold threshold chosen on the questions as asked, with what it and the card's let through."""
    chosen = [choose(asked, f, card) for f in FIELDS]
    return {
        "split": split,
        "questions": len(asked),
        "answered": sum(1 for a in asked if a.contexts),
        "bold_precision": BOLD_PRECISION,
        **{c.field: c.figures() for c in chosen},
    }


def write_engine_calibration(folder: Path, result: dict, why: str) -> dict:
    """The card's span and verdict thresholds set to those chosen through the engine, with the figures in
    "engine_calibration" (the calibration on the article's own sentences is kept beside them in
    "calibration", its thresholds no longer the ones served). The model file is untouched."""
    from evals.training.export import render_card
    from server.answer.reader.model import CARD_NAME

    card = json.loads((folder / CARD_NAME).read_text())
    for field in FIELDS:
        card["thresholds"][field] = result[field]["threshold"]
    date = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    result = dict(result)
    decision = result.pop("decision", None)
    # the learned answer decision (staged/decision_model.py) with what it chose; one too few questions to fit
    # (a smoke run) leaves the card's as it was
    if decision is not None:
        DecisionModel.of_card(decision)  # today's features
        card["decision"] = {**decision, "date": date, "split": result["split"]}
    card["engine_calibration"] = {"date": date, **result}
    card.setdefault("recalibrated", []).append({"date": date, "why": why})
    (folder / CARD_NAME).write_text(json.dumps(card, indent=1) + "\n")
    (folder / "MODEL_CARD.md").write_text(render_card(card))
    return card
