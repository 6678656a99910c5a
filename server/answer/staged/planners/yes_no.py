"""Yes/no questions: Yes, No, or "The articles disagree", then the evidence from each side."""

from __future__ import annotations

from server.answer.staged import lexicon
from server.answer.staged.plan import AnswerPlan, PlanContext
from server.answer.staged.planners.disagreement import find_disagreement

YES_NO_SENTENCES = 2


def plan(context: PlanContext) -> AnswerPlan:
    q = context.question
    pool = context.pool(YES_NO_SENTENCES + 2)
    support = [s for s in pool if s.feature("names") >= 1.0] or pool[:1]
    best = support[0]
    people = [n for n in q.names if n.label == "PERSON"] or list(q.names[:1])
    others = [n for n in q.names if n not in people[:1]]
    if people and others:
        sides = find_disagreement(context, people[0], others[0].text, support)
        if sides:
            by_id = {s.sentence.id: s for s in context.scored}
            evidence = tuple(by_id[side.sentence.id] for side in sides)
            return AnswerPlan(
                q.kind,
                evidence,
                verdict="The articles disagree",
                disagreement=sides,
                disagreement_topic=f"what {people[0].text} belongs to",
                why="an independent article ties the person to another organisation only",
            )
    negated = bool(lexicon.NEGATION.search(best.sentence.text))
    return AnswerPlan(
        q.kind,
        tuple(support[:YES_NO_SENTENCES]),
        verdict="No" if negated else "Yes",
        why="the best sentence is negated" if negated else "the best sentence affirms it",
    )
