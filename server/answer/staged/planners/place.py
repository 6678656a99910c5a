"""Place questions: the span that fills the asked slot, in bold, then its sentence."""

from __future__ import annotations

from server.answer.staged.plan import AnswerPlan, PlanContext
from server.answer.staged.planners.spans import plan_one_span


def plan(context: PlanContext) -> AnswerPlan:
    return plan_one_span(context)
