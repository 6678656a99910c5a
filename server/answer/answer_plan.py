"""Which evidence an answer shows, by the kind of question: the answer span and the one sentence that
supports it for a factoid; every item of a list; the most informative distinct sentences per article for
an overview; the best sentence of each part of a multi-part question; a linked entity's sentence for a
question whose subject is tied to the entity that carries the answer."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.answer.direct_answer import Span, find_direct_answer
from server.answer.evidence import ScoredSentence, select_evidence
from server.answer.matching import name_found, term_found
from server.answer.question_analysis import NameGroup, QuestionProfile

OVERVIEW_PER_ARTICLE = 3
OVERVIEW_ARTICLES = 3
EXPLANATION_SENTENCES = 3
# An explanation keeps sentences this close to the best one.
EXPLANATION_CUTOFF = 0.8
# A sentence that names the subject but none of the question's terms still bears on it this close in meaning.
RELATED_SIMILARITY = 0.45


@dataclass
class AnswerPlan:
    """The spans that answer first (may be empty) and the evidence sentences shown after them."""

    direct: list[Span] = field(default_factory=list)
    evidence: list[ScoredSentence] = field(default_factory=list)
    grouped: bool = False  # an overview: evidence grouped by article


def _about(
    profile: QuestionProfile, scored: list[ScoredSentence], with_context: bool = True
) -> list[ScoredSentence]:
    """Sentences that name everything the question names and, if it has key terms, hold one of them."""
    out = []
    for s in scored:
        if not s.names_present(profile, with_context):
            continue
        if profile.terms and not s.terms_present(profile) and s.similarity < RELATED_SIMILARITY:
            continue
        out.append(s)
    return out


def _factoid(profile: QuestionProfile, scored: list[ScoredSentence]) -> AnswerPlan:
    relevant = _about(profile, scored) or scored
    direct = find_direct_answer(profile, relevant)
    if not direct:
        return _explanation(profile, scored, EXPLANATION_SENTENCES)
    holder = next(s for s in relevant if s.sentence.id == direct[0].sentence.id)
    return AnswerPlan(direct, [holder])


def _overview(profile: QuestionProfile, scored: list[ScoredSentence]) -> AnswerPlan:
    relevant = _about(profile, scored) or scored
    by_doc: dict[str, list[ScoredSentence]] = {}
    for s in relevant:
        picked = by_doc.setdefault(s.sentence.doc_id, [])
        if len(picked) < OVERVIEW_PER_ARTICLE and not any(_similar(s, p) for p in picked):
            picked.append(s)
    docs = sorted(by_doc, key=lambda d: -by_doc[d][0].score)[:OVERVIEW_ARTICLES]
    return AnswerPlan([], [s for d in docs for s in by_doc[d]], grouped=len(docs) > 1)


def _similar(a: ScoredSentence, b: ScoredSentence) -> bool:
    return float(a.vector @ b.vector) >= 0.85


def _explanation(profile: QuestionProfile, scored: list[ScoredSentence], max_sentences: int) -> AnswerPlan:
    chosen = select_evidence(_about(profile, scored) or scored, min(max_sentences, EXPLANATION_SENTENCES))
    if chosen:
        best = chosen[0].score
        chosen = [c for c in chosen if c.score >= EXPLANATION_CUTOFF * best]
    return AnswerPlan([], chosen)


def linked_entity(profile: QuestionProfile, scored: list[ScoredSentence]) -> NameGroup | None:
    """For "What does Yasin Zia's group advocate?": when no sentence names the subject together with the
    question's terms, the organisation the articles tie the subject to most closely (nearest to its
    mentions, summed over the sentences that name it)."""
    people = [g for g in profile.names if g.label == "PERSON"]
    if not people or not profile.terms:
        return None
    if any(s.names_present(profile, with_context=False) and s.terms_present(profile) for s in scored):
        return None
    votes: dict[str, float] = {}
    for s in scored:
        text = s.sentence.text
        mentions = [
            e
            for e in s.sentence.entities
            if any(name_found(g.keys, _lower_words(text[e.start : e.end])) for g in people)
        ]
        for m in mentions:
            for e in s.sentence.entities:
                if e.label != "ORG" or e in mentions:
                    continue
                distance = e.start - m.end if e.start >= m.end else (m.start - e.end) * 1.5
                name = text[e.start : e.end]
                votes[name] = votes.get(name, 0.0) + 1.0 / (1.0 + max(distance, 0) / 20)
    if not votes:
        return None
    best = max(votes, key=lambda n: votes[n])
    return NameGroup(best, _content_words(best), label="ORG")


def _lower_words(text: str) -> set[str]:
    return {w.lower().strip("“”\"'’‘(),.") for w in text.split()} - {""}


def _content_words(name: str) -> set[str]:
    return {w for w in _lower_words(name) if w[:1].isalpha() and len(w) > 2}


def plan_answer(
    profile: QuestionProfile,
    scored: list[ScoredSentence],
    max_sentences: int,
    speech: list[ScoredSentence] | None = None,
) -> AnswerPlan:
    """Choose what the answer shows for this kind of question (`speech`: the sentences that report
    what the subject said, for a statement question)."""
    if profile.parts:
        plan = AnswerPlan()
        seen: set[str] = set()
        for part in profile.parts:
            part_scored = sorted(scored, key=lambda s: -_part_score(part, s))
            sub = plan_answer(part, part_scored, max_sentences)
            plan.direct += [d for d in sub.direct if d.sentence.id not in seen]
            for s in sub.evidence:
                if s.sentence.id not in seen:
                    plan.evidence.append(s)
                    seen.add(s.sentence.id)
        return plan
    if profile.wants == "overview":
        return _overview(profile, scored)
    if profile.is_factoid:
        return _factoid(profile, scored)
    if profile.wants == "statement":
        relevant = speech or _about(profile, scored) or scored
        direct = find_direct_answer(profile, relevant[:2])
        return AnswerPlan(direct, relevant[:2])
    return _explanation(profile, scored, max_sentences)


def _part_score(part: QuestionProfile, s: ScoredSentence) -> float:
    """How well a sentence answers one part of a question: the part's names and terms it holds."""
    total = 2 * len(part.names) + len(part.terms) + (1 if part.focus_noun else 0)
    if not total:
        return s.score
    got = 2 * sum(1 for g in part.names if name_found(g.keys, s.keys, g.aliases))
    got += sum(1 for t in part.terms if term_found(t, s.keys))
    got += 1 if part.focus_noun and term_found(part.focus_noun, s.keys) else 0
    return got / total + 0.5 * s.similarity
