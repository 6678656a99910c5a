"""The values passed between reading, deciding, planning and composing."""

from __future__ import annotations

from dataclasses import dataclass, field

from index.types import DocumentInfo, StoredSentence
from server.answer.reader.model import Thresholds
from server.answer.staged.decide import Decision
from server.answer.staged.parse import ParsedQuestion, QuestionKind
from server.answer.staged.read import ReadSentence


@dataclass(frozen=True)
class PlanContext:
    """What the planner may read: the question, the candidates as the reader read them (likeliest answer
    first), the calibrated thresholds, the articles' details and the same-story groups."""

    question: ParsedQuestion
    read: tuple[ReadSentence, ...]
    thresholds: Thresholds
    docs: dict[str, DocumentInfo]
    max_sentences: int
    same_story: dict[str, frozenset[str]] = field(default_factory=dict)
    # an overview's candidates that mention its topic (server/answer/staged/decide.py, `Decision.topic`)
    topic: tuple[ReadSentence, ...] = ()
    # the decision to answer it or not, with its features (calibration through the engine reads them)
    decision: Decision | None = None

    def answering(self) -> list[ReadSentence]:
        """The candidates the reader says answer (at least the likeliest one), best first."""
        keep = [r for r in self.read if r.score >= self.thresholds.answer]
        return (keep or list(self.read[:1]))[: self.max_sentences]

    def independent(self, a: str, b: str) -> bool:
        """Two documents that are not copies of one story."""
        return a != b and b not in self.same_story.get(a, frozenset())


@dataclass(frozen=True)
class LeadSpan:
    """A verbatim span quoted in the direct answer, with what is said of it ("according to ...")."""

    sentence: StoredSentence
    start: int  # offsets into the sentence's text
    end: int
    score: float
    attribution: str = ""

    @property
    def text(self) -> str:
        return self.sentence.text[self.start : self.end]


@dataclass(frozen=True)
class Side:
    """One article's side where articles disagree."""

    doc_id: str
    claim: str
    sentence: StoredSentence


@dataclass(frozen=True)
class AnswerPlan:
    kind: QuestionKind
    evidence: tuple[ReadSentence, ...]
    direct: tuple[LeadSpan, ...] = ()
    verdict: str | None = None  # "Yes", "No" or "The articles disagree"
    figures: bool = False  # the direct spans come from several sources, each attributed
    dated: bool = False  # ... of different dates: the older ones are earlier reports, not a disagreement
    grouped: bool = False  # evidence grouped by article (an overview)
    disagreement: tuple[Side, ...] = ()
    disagreement_topic: str = ""
    note: str = ""  # a framing sentence about the sources
    why: str = ""  # for the trace: how the planner chose

    def trace(self) -> dict:
        return {
            "kind": self.kind.value,
            "verdict": self.verdict,
            "direct": [d.text for d in self.direct],
            "evidence": [s.sentence.text[:120] for s in self.evidence],
            "disagreement": [s.claim for s in self.disagreement],
            "why": self.why,
        }
