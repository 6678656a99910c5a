"""What did X say: the sentences that report X's words, whole quotations first."""

from __future__ import annotations

from server.answer.staged.plan import AnswerPlan, PlanContext

QUOTE_SENTENCES = 3


def plan(context: PlanContext) -> AnswerPlan:
    pool = context.pool(QUOTE_SENTENCES + 3)
    spoken = [s for s in pool if s.feature("speech_quote") > 0 and s.feature("names_near") > 0]
    rest = [s for s in pool if s not in spoken]
    return AnswerPlan(
        context.question.kind,
        tuple((spoken + rest)[:QUOTE_SENTENCES] if spoken else rest[:QUOTE_SENTENCES]),
        why=f"{len(spoken)} sentences report the person's words",
    )
