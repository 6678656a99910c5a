"""Where articles disagree about what a person belongs to: one ties them to the asked organisation (or
lists them among its members), an independent article ties them to another one and never to the asked."""

from __future__ import annotations

from server.answer.staged.mentions import name_keys
from server.answer.staged.parse import QuestionName
from server.answer.staged.plan import PlanContext, ScoredSentence, Side

ORG_LABELS = ("ORG", "NORP")
# Share of an organisation's name words two mentions must share to be the same organisation.
SAME_ORG_OVERLAP = 0.6


def _orgs(s: ScoredSentence, exclude: frozenset[str]) -> list[str]:
    text = s.sentence.text
    out = []
    for e in s.sentence.entities:
        if e.label in ORG_LABELS:
            keys = name_keys(text[e.start : e.end])
            if keys and not keys <= exclude:
                out.append(text[e.start : e.end])
    return out


def same_org(a: str, b: str) -> bool:
    ka, kb = name_keys(a), name_keys(b)
    if not ka or not kb:
        return False
    return len(ka & kb) / min(len(ka), len(kb)) >= SAME_ORG_OVERLAP


def find_disagreement(
    context: PlanContext, person: QuestionName, organisation: str, support: list[ScoredSentence]
) -> tuple[Side, ...]:
    """The supporting side and the first independent article that ties `person` to another organisation
    only; () when there is none."""
    if not support:
        return ()
    names = context.names
    support_docs = {s.sentence.doc_id for s in support}
    docs_with_both = {
        s.sentence.doc_id
        for s in context.scored
        if names.in_sentence(person, s.sentence.id)
        and any(same_org(o, organisation) for o in _orgs(s, frozenset()))
    }
    for s in context.scored:
        doc = s.sentence.doc_id
        if doc in docs_with_both or not all(context.independent(d, doc) for d in support_docs):
            continue
        if not names.in_sentence(person, s.sentence.id):
            continue
        others = [o for o in _orgs(s, person.keys) if not same_org(o, organisation)]
        if others:
            first = support[0]
            return (
                Side(first.sentence.doc_id, organisation, first.sentence),
                Side(doc, others[0], s.sentence),
            )
    return ()
