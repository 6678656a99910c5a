"""Decide whether the evidence actually answers the question, from what it covers, not from similarity."""

from __future__ import annotations

from dataclasses import dataclass

from server.answer.evidence import ScoredSentence, entity_present, evidence_stems
from server.answer.text_analysis import QuestionProfile, content_stems, entities, satisfies, stem, tokens

_WANTS_LABEL = {"date": "date", "number": "figure", "person": "name"}


@dataclass(frozen=True)
class Verdict:
    answerable: bool
    reason: str | None = None


def judge_answerability(
    profile: QuestionProfile, chosen: list[ScoredSentence], context_stems: set[str] | None = None
) -> Verdict:
    """Answerable only if the chosen evidence names every subject, covers the key terms and gives
    the kind of answer asked for (a date for "when", a figure for "how many"). Key terms may also be
    found in `context_stems`, the passages around the evidence."""
    if not chosen:
        return Verdict(False, "No passage in the library bears on the question.")
    stems = evidence_stems(chosen)
    names = entities(profile.text)
    missing = [g for g in profile.entity_stems if not entity_present(g, stems)]
    if missing:
        absent = [n for n in names if any(m <= content_stems(n) for m in missing)]
        return Verdict(
            False, f"No passage in the library mentions {', '.join(absent) or 'the subject asked about'}."
        )
    terms = profile.term_stems
    if terms:
        covered = terms & (stems | (context_stems or set()))
        best_similarity = max(c.similarity for c in chosen)
        # Half the key terms, or at least one of them in evidence that is close in meaning.
        if len(covered) / len(terms) < 0.5 and not (covered and best_similarity >= 0.45):
            subject = ", ".join(names) if names else "this topic"
            words = dict.fromkeys(t.lower() for t in tokens(profile.text) if stem(t) in terms - covered)
            return Verdict(
                False, f"The passages about {subject} say nothing about {', '.join(f'“{w}”' for w in words)}."
            )
    if profile.wants in _WANTS_LABEL and profile.wants != "person":
        # The date or figure must be about the subject (named here or in the sentence before) and about
        # what is measured ("budget", "fighters"), not just any number near the subject.
        relevant = [
            c
            for c in chosen
            if all(entity_present(g, c.stems | c.context_stems) for g in profile.entity_stems)
            and (not terms or terms & c.stems)
        ]
        if not any(satisfies(profile.wants, c.sentence.text) for c in relevant):
            return Verdict(
                False, f"The passages that bear on the question give no {_WANTS_LABEL[profile.wants]} for it."
            )
    return Verdict(True)
