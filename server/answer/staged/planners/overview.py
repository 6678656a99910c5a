"""Tell me about X: the best sentences, grouped by article."""

from __future__ import annotations

from server.answer.staged.plan import AnswerPlan, PlanContext


def plan(context: PlanContext) -> AnswerPlan:
    pool = context.pool()
    return AnswerPlan(
        context.question.kind,
        tuple(pool),
        grouped=len({s.sentence.doc_id for s in pool}) > 1,
        why="by article",
    )
