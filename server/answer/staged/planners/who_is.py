"""Who is / who was X: the sentence that says who X is comes first."""

from __future__ import annotations

from server.answer.staged.plan import AnswerPlan, PlanContext

WHO_IS_SENTENCES = 3


# Candidates searched for a sentence that defines the name, best first (not only those above the evidence
# threshold: "X, who leads ..." often reads less like the question than a sentence about X's day).
DEFINING_SEARCH = 12


def plan(context: PlanContext) -> AnswerPlan:
    pool = context.pool(WHO_IS_SENTENCES + 2)
    named = [s for s in pool if s.feature("names") > 0]
    defining = [
        s for s in context.scored[:DEFINING_SEARCH] if s.feature("defines") > 0 and s.feature("heading") == 0
    ]
    ordered = defining[:1] + [s for s in named if s not in defining[:1]] + [s for s in pool if s not in named]
    return AnswerPlan(
        context.question.kind,
        tuple(ordered[:WHO_IS_SENTENCES]),
        why="a defining sentence first"
        if defining
        else "no sentence defines the name; the best that name it",
    )
