"""How many / how much: every figure the sources give for the asked quantity, each with its source."""

from __future__ import annotations

from server.answer.compose import source_label
from server.answer.staged.plan import AnswerPlan, LeadSpan, PlanContext
from server.answer.staged.planners.spans import FACT_EVIDENCE, scored_spans


def _value(text: str) -> str:
    return "".join(ch for ch in text.lower() if ch.isalnum())


def plan(context: PlanContext) -> AnswerPlan:
    pool = context.pool()
    spans = [s for s in scored_spans(context, pool) if s.score >= context.params.thresholds.span]
    chosen = []
    seen_values: set[str] = set()
    seen_sentences: set[str] = set()
    for s in spans:
        value = _value(s.span.text)
        if value in seen_values or s.sentence.id in seen_sentences:
            continue
        seen_values.add(value)
        seen_sentences.add(s.sentence.id)
        chosen.append(s)
    if not chosen:
        return AnswerPlan(
            context.question.kind, tuple(pool[:FACT_EVIDENCE]), why="no figure of the asked unit"
        )
    by_id = {s.sentence.id: s for s in pool}
    several_docs = len({s.sentence.doc_id for s in chosen}) > 1
    direct = tuple(
        LeadSpan(
            s.sentence,
            s.span.start,
            s.span.end,
            s.score,
            f"according to {source_label(context.docs.get(s.sentence.doc_id))}" if len(chosen) > 1 else "",
        )
        for s in chosen
    )
    evidence = tuple(by_id[s.sentence.id] for s in chosen)
    return AnswerPlan(
        context.question.kind,
        evidence,
        direct=direct,
        figures=len(chosen) > 1,
        why=f"{len(chosen)} figures" + (" from several articles" if several_docs else ""),
    )
