"""Decide whether the evidence actually answers the question, from what it covers, not from similarity."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from server.answer.evidence import ScoredSentence, evidence_keys
from server.answer.matching import group_found, term_found
from server.answer.question_analysis import DATE_LABELS, NUMBER_LABELS, QuestionProfile

_WANTS_LABEL = {"date": "date", "number": "figure"}


@dataclass(frozen=True)
class Verdict:
    answerable: bool
    reason: str | None = None


def _names_any(profile: QuestionProfile, c: ScoredSentence) -> bool:
    return any(c.mentions(g) for g in profile.names)


def judge_answerability(
    profile: QuestionProfile,
    chosen: list[ScoredSentence],
    context_keys: Callable[[list[ScoredSentence]], set[str]] | None = None,
) -> Verdict:
    """Answerable only if the chosen evidence names every subject, covers the key terms and gives
    the kind of answer asked for (a date for "when", a figure for "how many"). Key terms may also be
    found in `context_keys(sentences)`, the passages around those evidence sentences."""
    if not chosen:
        return Verdict(False, "No passage in the library bears on the question.")
    keys = evidence_keys(chosen)
    # A name may be written out in the sentence before ("5. Karim Baktash" / "Baktash leads ...").
    named = keys | {k for c in chosen for k in c.context_keys}
    missing = [
        g for g in profile.names if not group_found(g, named) and not any(c.mentions(g) for c in chosen)
    ]
    if missing:
        return Verdict(False, f"No passage in the library mentions {', '.join(g.text for g in missing)}.")
    terms = profile.terms
    best_similarity = max(c.similarity for c in chosen)
    # The terms count where the evidence speaks of the question's subject: "the NRF's budget" is not
    # covered by one sentence naming the NRF and another about someone else's budget.
    about = [c for c in chosen if _names_any(profile, c)] if profile.names else chosen
    around = evidence_keys(about) | (context_keys(about) if context_keys and about else set())
    if terms or profile.head_terms:
        covered = {t for t in terms if term_found(t, around)}
        # "Which group does X belong to": evidence about groups covers the question as well as "belong".
        if profile.focus_noun and term_found(profile.focus_noun, around) and len(covered) < len(terms):
            covered.add(sorted(terms - covered)[0])
        # Half the key terms, or at least one of them in evidence that is close in meaning.
        if (
            terms and len(covered) / len(terms) < 0.5 and not (covered and best_similarity >= 0.45)
        ) or not all(term_found(h, around) for h in profile.head_terms):
            subject = ", ".join(g.text for g in profile.names) or "this topic"
            absent = [t for t in sorted(terms) if t not in covered]
            absent += [h for h in sorted(profile.head_terms) if h not in absent and not term_found(h, around)]
            listed = ", ".join(f"“{t}”" for t in absent)
            return Verdict(False, f"The passages about {subject} say nothing about {listed}.")
    if profile.wants in _WANTS_LABEL:
        # The date or figure must be about the subject (named here or in the sentence before) and about
        # what is measured ("budget", "fighters"), not just any number near the subject.
        labels = DATE_LABELS if profile.wants == "date" else NUMBER_LABELS | DATE_LABELS
        relevant = [
            c
            for c in chosen
            if c.names_present(profile)
            and (not profile.terms or any(term_found(t, c.keys) for t in profile.terms))
        ]
        if not any(e.label in labels for c in relevant for e in c.sentence.entities):
            return Verdict(
                False, f"The passages that bear on the question give no {_WANTS_LABEL[profile.wants]} for it."
            )
    return Verdict(True)
