"""What the span planners share: the best spans of the best sentences, by the fitted span model."""

from __future__ import annotations

from server.answer.staged.features import span_features
from server.answer.staged.plan import AnswerPlan, LeadSpan, PlanContext, ScoredSentence, ScoredSpan

# Sentences whose spans are weighed for the direct answer, best first.
SPAN_SENTENCES = 3
# A one-fact answer: the span's sentence and at most this many more.
FACT_EVIDENCE = 2


def scored_spans(context: PlanContext, sentences: list[ScoredSentence]) -> list[ScoredSpan]:
    """Every candidate span of the sentences, best first."""
    model = context.params.span
    out = []
    for s in sentences:
        for span in span_features(context.question, context.names, s.sentence, s.score):
            out.append(ScoredSpan(span, s.sentence, model.probability(span.features)))
    return sorted(out, key=lambda x: -x.score)


def plan_one_span(context: PlanContext) -> AnswerPlan:
    """A name, place, date or choice: the best span, if it is good enough, in bold; its sentence first."""
    pool = context.pool()
    spans = scored_spans(context, pool[:SPAN_SENTENCES])
    best = spans[0] if spans else None
    if best is not None and best.score >= context.params.thresholds.span:
        lead = next(s for s in pool if s.sentence.id == best.sentence.id)
        rest = [s for s in pool if s is not lead][: FACT_EVIDENCE - 1]
        direct = LeadSpan(best.sentence, best.span.start, best.span.end, best.score)
        return AnswerPlan(
            context.question.kind,
            (lead, *rest),
            direct=(direct,),
            why=f"span {best.span.text!r} at {best.score:.2f}",
        )
    why = (
        f"best span {best.span.text!r} at {best.score:.2f} is below the span threshold" if best else "no span"
    )
    return AnswerPlan(context.question.kind, tuple(pool[:FACT_EVIDENCE]), why=why)
