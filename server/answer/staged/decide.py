"""Stage 5, decide: answer or refuse, read off the fitted probability of the best candidate sentence
against the fitted threshold. A refusal names what the articles lack."""

from __future__ import annotations

from dataclasses import dataclass

from server.answer.staged.features import QUESTION_FEATURES, question_features
from server.answer.staged.mentions import ResolvedNames
from server.answer.staged.parse import ParsedQuestion, QuestionKind
from server.answer.staged.plan import ScoredSentence
from server.answer.staged.scoring import FittedParams

# Sentences read to say what is missing.
MISSING_SENTENCES = 3
_SLOT_NOUN = {
    QuestionKind.PERSON: "the person",
    QuestionKind.PLACE: "the place",
    QuestionKind.DATE: "the date",
    QuestionKind.FIGURE: "the figure",
    QuestionKind.CHOICE: "the one",
}


@dataclass(frozen=True)
class Decision:
    answer: bool
    probability: float  # the question model's probability that the best sentences answer
    threshold: float
    reason: str
    features: tuple[float, ...] = ()

    def trace(self) -> dict:
        return {
            "answer": self.answer,
            "probability": round(self.probability, 3),
            "threshold": self.threshold,
            "reason": self.reason,
            "features": dict(zip(QUESTION_FEATURES, (round(f, 3) for f in self.features), strict=False)),
        }


def _missing(question: ParsedQuestion, names: ResolvedNames, scored: list[ScoredSentence]) -> str:
    absent = [n.text for n in question.names if not names.found(n)]
    if absent:
        return f"No article in the library mentions {', '.join(absent)}."
    top = scored[:MISSING_SENTENCES]
    if question.kind.wants_span and top and all(s.feature("slot") == 0 for s in top):
        about = f" for {', '.join(n.text for n in question.names)}" if question.names else ""
        return f"The passages that match do not give {_SLOT_NOUN[question.kind]} asked{about}."
    if question.kind == QuestionKind.FIGURE and top and all(s.feature("unit") == 0 for s in top):
        return f"The passages that match give no figure of {question.focus_noun or 'what is asked'}."
    if question.qualifiers and top and all(s.feature("qualifier") < 1 for s in top):
        return f"No passage speaks of {', '.join(question.qualifiers)}."
    if question.names and question.terms:
        named = ", ".join(n.text for n in question.names)
        return f"The articles mention {named}, but no passage says what is asked about them."
    return "No passage answers this closely enough."


def decide(
    question: ParsedQuestion, names: ResolvedNames, scored: list[ScoredSentence], params: FittedParams
) -> Decision:
    features = question_features(question, names, [(s.score, s.candidate) for s in scored])
    probability = params.question.probability(features)
    threshold = params.thresholds.answer
    # Whatever the model says, a question about someone or something no passage mentions is not answered:
    # its answer could only be about somebody else.
    if probability >= threshold and all(names.found(n) for n in question.names):
        return Decision(
            True, probability, threshold, "the best passages reach the answer threshold", features
        )
    return Decision(False, probability, threshold, _missing(question, names, scored), features)
