"""Who is / who was X: the sentence that says who X is comes first."""

from __future__ import annotations

from server.answer.staged.plan import AnswerPlan, PlanContext

WHO_IS_SENTENCES = 3


def plan(context: PlanContext) -> AnswerPlan:
    pool = context.pool(WHO_IS_SENTENCES + 2)
    named = [s for s in pool if s.feature("names") > 0]
    defining = [s for s in named if s.feature("defines") > 0]
    ordered = defining[:1] + [s for s in named if s not in defining[:1]] + [s for s in pool if s not in named]
    return AnswerPlan(
        context.question.kind,
        tuple(ordered[:WHO_IS_SENTENCES]),
        why="a defining sentence first"
        if defining
        else "no sentence defines the name; the best that name it",
    )
