"""Stage 5, decide: answer or refuse. No-answer is a scored outcome: the question is answered when the learned
decision's score over the candidates (staged/decision_model.py, its weights and threshold in the model card's
"decision") reaches its threshold; with a card that has none, when the reader's probability that its
likeliest candidate answers reaches the card's `thresholds.answer`. Both are calibrated on held-out data. A
refusal says what the articles lack, or, when the reader found a candidate it gives better than even odds of
answering and the decision still refuses, that a passage may answer but not surely enough to cite (`unsure`):
a refusal must not tell an analyst that the articles are silent when the reader could not rule it out.

An overview of a name ("Tell me about Dostum", "What do the articles say about Iran?") asks for everything the
articles say of its topic, not for one fact: the reader, trained to find the sentence that states one asked
fact, gives no sentence a high probability of answering it. It is answered by the candidates that mention
the topic (`Decision.topic`), and refused when none does."""

from __future__ import annotations

from dataclasses import dataclass, field

from server.answer.staged.decision_model import LIKELY, DecisionModel, decision_features
from server.answer.staged.mentions import ResolvedNames
from server.answer.staged.parse import ParsedQuestion, QuestionKind
from server.answer.staged.read import ReadSentence


@dataclass(frozen=True)
class Decision:
    answer: bool
    probability: float  # the reader's probability that the likeliest candidate answers
    threshold: float
    reason: str
    # an overview's answer: the candidates that mention its topic, by their shortlisting score
    topic: tuple[ReadSentence, ...] = ()
    # the learned decision's score (log-odds; None for the probability rule) and its features (empty for an
    # overview or without candidates)
    score: float | None = None
    features: dict[str, float] = field(default_factory=dict)
    # a refusal although the likeliest candidate is more likely than not to answer (`LIKELY`)
    unsure: bool = False

    def trace(self) -> dict:
        return {
            "answer": self.answer,
            "probability": round(self.probability, 4),
            "threshold": self.threshold,
            "score": None if self.score is None else round(self.score, 4),
            "features": {k: round(v, 4) for k, v in self.features.items()},
            "reason": self.reason,
            "unsure": self.unsure,
            "topic": [r.sentence.id for r in self.topic],
        }


UNSURE_REASON = "A passage may say what is asked; the passages retrieved are the ones to check."


def _missing(question: ParsedQuestion, names: ResolvedNames, best: ReadSentence | None) -> str:
    absent = [n.text for n in question.names if not names.found(n)]
    if absent:
        return f"No article in the library mentions {', '.join(absent)}."
    if best is None:
        return "No passage in the library matches the question."
    if question.names:
        named = ", ".join(n.text for n in question.names)
        return f"The articles mention {named}, but no passage says what is asked."
    return "No passage answers this closely enough."


def _unanswered(question: ParsedQuestion, names: ResolvedNames, best: ReadSentence, unsure: bool) -> str:
    """Why a question with candidates is refused: an unsure refusal points to the passages, any other says
    what the articles lack."""
    return UNSURE_REASON if unsure else _missing(question, names, best)


def _topic_mentions(
    question: ParsedQuestion, names: ResolvedNames, read: tuple[ReadSentence, ...]
) -> tuple[ReadSentence, ...]:
    mentioning = [r for r in read if any(names.in_sentence(n, r.sentence.id) for n in question.names)]
    return tuple(sorted(mentioning, key=lambda r: -r.shortlisted))


def decide(
    question: ParsedQuestion,
    names: ResolvedNames,
    read: tuple[ReadSentence, ...],
    threshold: float,
    model: DecisionModel | None = None,
) -> Decision:
    """`threshold` is the card's answer probability threshold; `model` the card's learned decision, which
    decides in its place when there is one."""
    best = read[0] if read else None
    probability = best.score if best else 0.0
    if question.kind == QuestionKind.OVERVIEW and question.names:
        topic = _topic_mentions(question, names, read)
        if not topic:
            return Decision(False, probability, threshold, _missing(question, names, best))
        named = ", ".join(n.text for n in question.names)
        said = f"{len(topic)} candidate{'s' if len(topic) > 1 else ''} mention{'' if len(topic) > 1 else 's'}"
        return Decision(True, probability, threshold, f"an overview of {named}: {said} it", topic)
    if best is None:
        return Decision(False, probability, threshold, _missing(question, names, best))
    features = decision_features(question, names, read)  # traced, and read by calibration, either way
    unsure = probability > LIKELY
    if model is not None:
        score = model.score(features)
        if score >= model.threshold:
            reason = "the decision's score over the candidates reaches its threshold"
            return Decision(True, probability, model.threshold, reason, score=score, features=features)
        refusal = _unanswered(question, names, best, unsure)
        return Decision(
            False, probability, model.threshold, refusal, score=score, features=features, unsure=unsure
        )
    if probability >= threshold:
        reason = "the likeliest sentence reaches the answer threshold"
        return Decision(True, probability, threshold, reason, features=features)
    refusal = _unanswered(question, names, best, unsure)
    return Decision(False, probability, threshold, refusal, features=features, unsure=unsure)
