"""Which evidence an answer shows, by the kind of question: the answer span and the one sentence that
supports it for a factoid; every item of a list; the most informative distinct sentences per article for
an overview; the best sentence of each part of a multi-part question; a linked entity's sentence for a
question whose subject is tied to the entity that carries the answer."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from server.answer.direct_answer import Span, find_direct_answer
from server.answer.evidence import ScoredSentence, select_evidence
from server.answer.matching import group_found, term_found, word_set
from server.answer.question_analysis import NameGroup, QuestionProfile
from server.answer.speech import quotations, quote_is_open, reports_speech

# A list question looks at this many of the best sentences and favours those naming many items, up to
# LIST_FULL items, by up to LIST_WEIGHT of score.
LIST_POOL = 8
LIST_FULL = 6
LIST_WEIGHT = 0.15
# Another article's figure counts as a rival only from a sentence holding this share of the question's words.
RIVAL_COVERAGE = 0.8
RIVAL_MIN_TERMS = 2
RIVAL_TERM_SHARE = 2 / 3
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
    quotation: bool = False  # the direct spans are the consecutive pieces of one quotation
    contradiction: bool = False  # the direct spans are different articles' different figures or dates
    # How many of the direct spans answer each part of a multi-part question, in order (empty: one part).
    part_sizes: list[int] = field(default_factory=list)


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
    if profile.is_list:
        relevant = _richest_lists(profile, relevant)
    direct = find_direct_answer(profile, relevant)
    if not direct:
        return _explanation(profile, relevant, EXPLANATION_SENTENCES)
    holder = next(s for s in relevant if s.sentence.id == direct[0].sentence.id)
    rival = (
        _rival_figure(profile, relevant, holder, direct[0]) if profile.wants in ("number", "date") else None
    )
    if rival is not None:
        return AnswerPlan([direct[0], rival[0]], [holder, rival[1]], contradiction=True)
    return AnswerPlan(direct, [holder])


def _richest_lists(profile: QuestionProfile, relevant: list[ScoredSentence]) -> list[ScoredSentence]:
    """ "What are the main groups": among the best sentences, one that names many things of the kind asked
    for (a list: "Other notable groups include X, led by A, Y, under B, ...") comes first."""
    top = relevant[:LIST_POOL]
    if not top:
        return relevant
    best = max(s.coverage for s in top)

    def key(s: ScoredSentence) -> float:
        if s.coverage < best - 1e-9:
            return s.score  # it holds fewer of the question's words: no bonus
        items = sum(1 for e in s.sentence.entities if e.label in profile.answer_labels)
        return s.score + LIST_WEIGHT * min(items, LIST_FULL) / LIST_FULL

    return sorted(top, key=lambda s: -key(s)) + relevant[LIST_POOL:]


def _rival_figure(
    profile: QuestionProfile, relevant: list[ScoredSentence], holder: ScoredSentence, answer: Span
) -> tuple[Span, ScoredSentence] | None:
    """Another article's figure or date for the same thing that differs from this one: 12 killed in one
    report, 9 in another. The same thing: both sentences name what the question names and hold the same
    of its words, most of them: one shared word ("released") does not make two events one."""
    shared = holder.terms_present(profile)
    if len(shared) < RIVAL_MIN_TERMS or len(shared) < RIVAL_TERM_SHARE * len(profile.terms):
        return None
    for other in relevant:
        if (
            other.sentence.doc_id == holder.sentence.doc_id
            or other.coverage < RIVAL_COVERAGE * holder.coverage
            or not other.names_present(profile)
            or other.terms_present(profile) != holder.terms_present(profile)
        ):
            continue
        spans = find_direct_answer(profile, [other])
        if spans and _figure(spans[0].text) != _figure(answer.text):
            return spans[0], other
    return None


def _figure(text: str) -> str:
    """ "About 1,500" and "1,500" state the same figure; "March 2031" and "march 2031" the same date."""
    digits = re.findall(r"\d+", text.replace(",", ""))
    return " ".join(digits) if digits else " ".join(re.findall(r"\w+", text.lower()))


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
    """For "What does the group led by Yasin Zia advocate?" or "... the man who leads the HKDL": when the
    question ties its subject to something else ("group", "man") and no sentence names the subject with
    what is asked, the entity the articles tie the subject to most closely (a person's organisation, an
    organisation's person), nearest its mentions, summed over the sentences that name it."""
    asked = profile.asked_terms
    subjects = [g for g in profile.names if g.label in ("PERSON", "ORG")]
    if not profile.link_terms or not asked or not subjects or profile.wants in ("statement", "overview"):
        return None
    subject = subjects[0]
    target = "ORG" if subject.label == "PERSON" else "PERSON"
    if any(group_found(subject, s.keys) and any(term_found(t, s.keys) for t in asked) for s in scored):
        return None
    votes: dict[str, float] = {}
    for s in scored:
        text = s.sentence.text
        mentions = [e for e in s.sentence.entities if _is_subject(subject, text[e.start : e.end])]
        for m in mentions:
            for e in s.sentence.entities:
                if e.label != target or e in mentions:
                    continue
                distance = e.start - m.end if e.start >= m.end else (m.start - e.end) * 1.5
                name = text[e.start : e.end]
                votes[name] = votes.get(name, 0.0) + 1.0 / (1.0 + max(distance, 0) / 20)
    if not votes:
        return None
    # "Afghanistan Freedom Front" and "Freedom Front" are one organisation: the short form finds both.
    merged: dict[str, float] = {}
    for name, vote in votes.items():
        short = min((n for n in votes if _content_words(n) <= _content_words(name)), key=len)
        merged[short] = merged.get(short, 0.0) + vote
    best = max(merged, key=lambda n: merged[n])
    return NameGroup(best, _content_words(best), label=target)


def _is_subject(subject: NameGroup, text: str) -> bool:
    words = word_set(text)
    return bool(subject.aliases & words) or group_found(subject, words)


def _content_words(name: str) -> set[str]:
    return {w for w in word_set(name) if w[:1].isalpha() and len(w) > 2}


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
            spans = [d for d in sub.direct if d.sentence.id not in seen]
            plan.direct += spans
            plan.part_sizes.append(len(spans))
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
        return _statement(profile, scored, speech)
    return _explanation(profile, scored, max_sentences)


MAX_QUOTE_SENTENCES = 4
QUOTE_POOL = 4
MAX_SPEAKER_LABEL_CHARS = 40


def _statement(
    profile: QuestionProfile, scored: list[ScoredSentence], speech: list[ScoredSentence] | None
) -> AnswerPlan:
    """The words themselves first (the whole quotation, over as many sentences as it runs), then the
    sentence that says who said them, if it is not the one that holds the quotation."""
    # Only words the articles attribute to the subject (named in the sentence or the one before) count.
    relevant = [s for s in speech or [] if s.names_present(profile)] or _about(profile, scored) or scored
    # "What did the spokesman say about diplomats?": a quotation that speaks of the topic comes first.
    on_topic = [s for s in relevant[:QUOTE_POOL] if quotations(s.sentence.text) and s.terms_present(profile)]
    relevant = on_topic + [s for s in relevant if s not in on_topic]
    direct = find_direct_answer(profile, relevant[:2])
    if not direct:
        return AnswerPlan([], relevant[:2])
    direct[0] = _with_speaker_label(direct[0])
    direct += _quote_continuation(direct[0], scored)
    in_quote = {d.sentence.id for d in direct}
    holder = next(s for s in scored if s.sentence.id == direct[0].sentence.id)
    # "Soraya Hakimi: “...”" says who speaks; "he expressed, “...”" needs the sentence that names him.
    attribution = []
    speakers = [g for g in profile.names if g.label == "PERSON"][:1] or profile.names[:1]
    if not all(group_found(g, holder.keys) for g in speakers):
        attribution = [
            s
            for s in relevant[:3]
            if s.sentence.id not in in_quote
            and s.names_present(profile, with_context=False)
            and reports_speech(s.sentence.text)
        ][:1]
    return AnswerPlan(direct, attribution, quotation=True)


def _with_speaker_label(span: Span) -> Span:
    """An interview's "Soraya Hakimi: “...”": the speaker's label belongs to the quotation."""
    sentence = span.sentence
    before = sentence.text[: span.start - sentence.start]
    if before.rstrip().endswith(":") and 0 < len(before) <= MAX_SPEAKER_LABEL_CHARS:
        return Span(sentence, sentence.start, span.end)
    return span


def _quote_continuation(first: Span, scored: list[ScoredSentence]) -> list[Span]:
    """The sentences a quotation runs on into, each as a span, up to the closing quote mark."""
    following = sorted(
        (s.sentence for s in scored if s.sentence.doc_id == first.sentence.doc_id),
        key=lambda sentence: sentence.start,
    )
    out: list[Span] = []
    current = first.sentence
    if not quote_is_open(first.text):
        return out
    while len(out) < MAX_QUOTE_SENTENCES:
        nxt = next((x for x in following if 0 <= x.start - current.end <= 2), None)
        if nxt is None:
            break
        closing = max(nxt.text.find("”"), nxt.text.find('"'))
        out.append(Span(nxt, nxt.start, nxt.start + closing + 1 if closing >= 0 else nxt.end))
        current = nxt
        if closing >= 0:
            break
    return out


def _part_score(part: QuestionProfile, s: ScoredSentence) -> float:
    """How well a sentence answers one part of a question: the part's names and terms it holds."""
    total = 2 * len(part.names) + len(part.terms) + (1 if part.focus_noun else 0)
    if not total:
        return s.score
    got = 2 * sum(1 for g in part.names if group_found(g, s.keys))
    got += sum(1 for t in part.terms if term_found(t, s.keys))
    got += 1 if part.focus_noun and term_found(part.focus_noun, s.keys) else 0
    return got / total + 0.5 * s.similarity
