"""Why / how / what role: the best sentences, best first."""

from __future__ import annotations

from server.answer.staged.plan import AnswerPlan, PlanContext


def plan(context: PlanContext) -> AnswerPlan:
    return AnswerPlan(context.question.kind, tuple(context.pool()), why="the best sentences")
