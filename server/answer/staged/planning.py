"""Stage 6, plan: the shape of the answer, from what the reader says of the candidates.

- yes/no: Yes or No from the likeliest answering sentence's verdict when the reader is sure of it (the
  side's calibrated verdict threshold), "The articles disagree" when an independent article's answering sentence
  is sure (at or above that threshold) of the opposite; otherwise the answering sentences without a yes or no;
- a name, place, date, choice, list, quotation or reason: the reader's span of the likeliest sentence in
  bold when its probability reaches the calibrated span threshold and no other article's answering sentence
  gives another value, that sentence first;
- a figure, or a span that independent articles give differently: every value with its source, the newest
  source first; sources of different dates are earlier reports, sources of one date that differ disagree;
- who is X: the sentence that says who X is first (the likeliest answering one), no bold span;
- an overview: the candidates that mention its topic (or, with none, the answering sentences), grouped by
  article.
"""

from __future__ import annotations

import re

from server.answer.compose import dated_apart, published_of, source_label
from server.answer.reader.decoding import verdict_side
from server.answer.staged.parse import QuestionKind
from server.answer.staged.plan import AnswerPlan, LeadSpan, PlanContext, Side
from server.answer.staged.read import ReadSentence

# Evidence sentences after a one-fact answer's own, and in other answers.
FACT_EVIDENCE = 2
EVIDENCE = 3
# Kinds whose answer is never a bold span.
NO_SPAN = (QuestionKind.YES_NO, QuestionKind.WHO_IS, QuestionKind.OVERVIEW)
# Kinds where independent articles giving different spans are all shown, each with its source.
MULTI_SOURCE = (
    QuestionKind.FIGURE,
    QuestionKind.PERSON,
    QuestionKind.PLACE,
    QuestionKind.DATE,
    QuestionKind.CHOICE,
)

# What a yes/no answer says first when the reader is not sure enough of a yes or a no to give one.
UNSURE_VERDICT = (
    "These sentences bear on the question but do not settle yes or no clearly enough to say which."
)

_VALUE = re.compile(r"\w+")


def _value(text: str) -> str:
    return " ".join(_VALUE.findall(text.lower()))


def _lead(r: ReadSentence, attribution: str = "") -> LeadSpan:
    span = r.reading.span
    assert span is not None
    return LeadSpan(r.sentence, span[0], span[1], r.reading.span_probability, attribution)


def _confident(context: PlanContext, r: ReadSentence) -> bool:
    return r.reading.span is not None and r.reading.span_probability >= context.thresholds.span


def _contested(context: PlanContext, best: ReadSentence, answering: list[ReadSentence]) -> bool:
    """Another article's sentence that the reader also says answers gives another value (or none): one
    article's span in bold would hide it, so the sentences are shown without one. Measured through the
    engine on reading_dev (evals/training/engine_calibration.py, 2026-12-05): at the card's span threshold
    the bold spans given went from 182 (152 right, 0.835) to 156 (139 right, 0.891); most of the wrong ones
    were read from an article other than the one the question was written for."""
    value = _value(best.span_text or "")
    return any(
        context.independent(best.sentence.doc_id, r.sentence.doc_id) and _value(r.span_text or "") != value
        for r in answering[1:]
    )


def _published(context: PlanContext, r: ReadSentence) -> str:
    return published_of(context.docs.get(r.sentence.doc_id))


def _sources(context: PlanContext, answering: list[ReadSentence]) -> list[ReadSentence]:
    """Answering sentences with a confident span, one per distinct value and per independent article."""
    out: list[ReadSentence] = []
    for r in answering:
        if not _confident(context, r) or r.score < context.thresholds.answer:
            continue
        if any(_value(r.span_text or "") == _value(o.span_text or "") for o in out):
            continue
        if any(not context.independent(r.sentence.doc_id, o.sentence.doc_id) for o in out):
            continue
        out.append(r)
    return out


def _rest(answering: list[ReadSentence], shown: list[ReadSentence], limit: int) -> tuple[ReadSentence, ...]:
    ids = {r.sentence.id for r in shown}
    return (*shown, *[r for r in answering if r.sentence.id not in ids][:limit])


def _several_sources(context: PlanContext, sources: list[ReadSentence], answering) -> AnswerPlan:
    """Every value with its source, newest first. Sources of different dates: the older ones are earlier
    reports. Sources of one date (or undated) that differ: a disagreement."""
    ordered = sorted(sources, key=lambda r: _published(context, r), reverse=True)
    dated = dated_apart([_published(context, r) for r in ordered])
    direct = tuple(
        _lead(r, f"according to {source_label(context.docs.get(r.sentence.doc_id))}") for r in ordered
    )
    note = (
        "The sources are of different dates: the newest comes first, the others are earlier reports."
        if dated
        else ""
    )
    return AnswerPlan(
        context.question.kind,
        _rest(answering, ordered, 0),
        direct=direct,
        figures=True,
        dated=dated,
        note=note,
        why=f"{len(ordered)} values from independent articles" + (" of different dates" if dated else ""),
    )


def _by_article(ranked: list[ReadSentence]) -> tuple[ReadSentence, ...]:
    """The sentences article by article, each article where its best sentence stands, so that an article's
    sentences are shown together under one heading."""
    order = list(dict.fromkeys(r.sentence.doc_id for r in ranked))
    return tuple(sorted(ranked, key=lambda r: order.index(r.sentence.doc_id)))


def _verdict(r: ReadSentence) -> str:
    return "Yes" if r.reading.says_yes else "No"


def _sure(context: PlanContext, r: ReadSentence) -> bool:
    return r.reading.verdict_confidence >= context.thresholds.verdict(verdict_side(r.reading.verdict))


def _yes_no(context: PlanContext, answering: list[ReadSentence]) -> AnswerPlan:
    best = answering[0]
    verdict = _verdict(best)
    if not _sure(context, best):
        return AnswerPlan(
            context.question.kind,
            tuple(answering[:EVIDENCE]),
            note=UNSURE_VERDICT,
            why=f"the likeliest sentence's verdict ({verdict} at {best.reading.verdict_confidence:.2f}) is below"
            " the verdict threshold: its sentences without a yes or no",
        )
    for other in answering[1:]:
        if (
            other.score >= context.thresholds.answer
            and _sure(context, other)
            and context.independent(best.sentence.doc_id, other.sentence.doc_id)
            and _verdict(other) != verdict
        ):
            sides = tuple(
                Side(r.sentence.doc_id, _verdict(r), r.sentence)
                for r in sorted((best, other), key=lambda r: r.sentence.doc_id)
            )
            return AnswerPlan(
                context.question.kind,
                (best, other),
                verdict="The articles disagree",
                disagreement=sides,
                disagreement_topic="yes or no",
                why="independent articles' answering sentences give opposite verdicts",
            )
    return AnswerPlan(
        context.question.kind,
        tuple(answering[:FACT_EVIDENCE]),
        verdict=verdict,
        why=f"verdict of the likeliest sentence (yes {best.reading.verdict[0]:.2f}, no {best.reading.verdict[1]:.2f})",
    )


def plan_answer(context: PlanContext) -> AnswerPlan:
    kind = context.question.kind
    answering = context.answering()
    if kind == QuestionKind.YES_NO:
        return _yes_no(context, answering)
    if kind == QuestionKind.OVERVIEW:
        if context.topic:
            topic = _by_article(list(context.topic[: context.max_sentences]))
            return AnswerPlan(
                kind, topic, grouped=True, why="the sentences that mention the topic, by article"
            )
        return AnswerPlan(
            kind, _by_article(answering), grouped=True, why="the answering sentences by article"
        )
    if kind in MULTI_SOURCE:
        sources = _sources(context, answering)
        if len(sources) > 1 or (kind == QuestionKind.FIGURE and sources and sources[0] is not answering[0]):
            return _several_sources(context, sources, answering)
    best = answering[0]
    if kind not in NO_SPAN and _confident(context, best) and not _contested(context, best, answering):
        return AnswerPlan(
            kind,
            _rest(answering, [best], FACT_EVIDENCE - 1),
            direct=(_lead(best),),
            why=f"span {best.span_text!r} at {best.reading.span_probability:.2f}",
        )
    if not best.reading.span or kind in NO_SPAN:
        why = "the answering sentences"
    elif _confident(context, best):
        why = f"best span {best.span_text!r}: another article's answering sentence gives another value"
    else:
        why = (
            f"best span {best.span_text!r} at {best.reading.span_probability:.2f} is below the span threshold"
        )
    return AnswerPlan(kind, tuple(answering[:EVIDENCE]), why=why)


def join_plans(plans: list[AnswerPlan]) -> AnswerPlan:
    """The plan of a whole question: its one part's, or, for a question of several parts, each part's
    direct answer and evidence, in order."""
    if len(plans) == 1:
        return plans[0]
    seen: set[str] = set()
    evidence = []
    for p in plans:
        for s in p.evidence:
            if s.sentence.id not in seen:
                seen.add(s.sentence.id)
                evidence.append(s)
    return AnswerPlan(
        plans[0].kind,
        tuple(evidence),
        direct=tuple(d for p in plans for d in p.direct),
        why="; ".join(p.why for p in plans),
    )
