"""Which groups / who are the members: the items of the sentence that lists them, and where articles
list different members, each article's list."""

from __future__ import annotations

from server.answer.staged import lexicon
from server.answer.staged.plan import AnswerPlan, LeadSpan, PlanContext, ScoredSentence
from server.answer.staged.planners.spans import scored_spans

MIN_LIST_ITEMS = 2
LIST_SENTENCES = 3


def _items(context: PlanContext, s: ScoredSentence) -> list[LeadSpan]:
    spans = [x for x in scored_spans(context, [s]) if x.score >= context.params.thresholds.span]
    spans.sort(key=lambda x: x.span.start)
    return [LeadSpan(s.sentence, x.span.start, x.span.end, x.score) for x in spans]


def plan(context: PlanContext) -> AnswerPlan:
    pool = context.pool(LIST_SENTENCES + 3)
    lists = []
    for s in pool:
        if lexicon.NEGATION.search(s.sentence.text):
            continue  # "X refused to join": not a sentence that asserts membership
        items = _items(context, s)
        if len(items) >= MIN_LIST_ITEMS:
            lists.append((s, items))
    if not lists:
        return AnswerPlan(
            context.question.kind, tuple(pool[:LIST_SENTENCES]), why="no sentence lists the items"
        )
    best, items = lists[0]
    other = next(
        (
            (s, it)
            for s, it in lists[1:]
            if context.independent(best.sentence.doc_id, s.sentence.doc_id)
            and {x.text for x in it} != {x.text for x in items}
        ),
        None,
    )
    evidence = [best] + ([other[0]] if other else [])
    evidence += [s for s in pool if s not in evidence][: max(0, LIST_SENTENCES - len(evidence))]
    note = ""
    if other is not None:
        note = "The articles list different members."
    return AnswerPlan(
        context.question.kind,
        tuple(evidence),
        direct=tuple(items),
        note=note,
        why=f"{len(items)} items from the best list sentence"
        + ("; another article lists others" if other else ""),
    )
