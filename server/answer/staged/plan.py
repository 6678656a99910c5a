"""The values passed between scoring, deciding, planning and composing."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from index.types import DocumentInfo, StoredSentence
from server.answer.staged.features import Candidate, Span
from server.answer.staged.mentions import ResolvedNames
from server.answer.staged.parse import ParsedQuestion, QuestionKind
from server.answer.staged.scoring import FittedParams


@dataclass(frozen=True)
class ScoredSentence:
    """A candidate sentence with its fitted probability of answering the question."""

    candidate: Candidate
    score: float

    @property
    def sentence(self) -> StoredSentence:
        return self.candidate.sentence

    def feature(self, name: str) -> float:
        return self.candidate.feature_map()[name]


@dataclass(frozen=True)
class ScoredSpan:
    span: Span
    sentence: StoredSentence
    score: float


@dataclass(frozen=True)
class PlanContext:
    """What every planner may read: the question, its names, the scored sentences (best first), the
    fitted parameters, the articles' details and the same-story groups."""

    question: ParsedQuestion
    names: ResolvedNames
    scored: tuple[ScoredSentence, ...]
    params: FittedParams
    docs: dict[str, DocumentInfo]
    max_sentences: int
    same_story: dict[str, frozenset[str]] = field(default_factory=dict)

    def pool(self, limit: int | None = None) -> list[ScoredSentence]:
        """The sentences good enough to be evidence, best first, at least the best one. A heading or a
        caption is never evidence: it states nothing."""
        claims = [s for s in self.scored if s.feature("heading") == 0] or list(self.scored)
        keep = [s for s in claims if s.score >= self.params.thresholds.evidence]
        return (keep or claims[:1])[: limit or self.max_sentences]

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
    evidence: tuple[ScoredSentence, ...]
    direct: tuple[LeadSpan, ...] = ()
    verdict: str | None = None  # "Yes", "No" or "The articles disagree"
    figures: bool = False  # the direct spans are figures from several sources
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


def with_antecedents(plan: AnswerPlan, context: PlanContext) -> AnswerPlan:
    """Each evidence sentence that speaks of a question's name, or of the one asked for, only by a pronoun
    or a description ("He was killed ...", "The former police commander leads ...") is preceded by the
    nearest earlier sentence of its article that names it, so that the answer says who is meant."""
    by_id = {s.sentence.id: s for s in context.scored}
    by_doc: dict[str, list[ScoredSentence]] = {}
    for s in context.scored:
        by_doc.setdefault(s.sentence.doc_id, []).append(s)
    shown = {s.sentence.id for s in plan.evidence}
    wants_slot = context.question.kind.wants_span
    out: list[ScoredSentence] = []
    for s in plan.evidence:
        earlier: list[ScoredSentence] = []
        if s.feature("names_near") > s.feature("names"):
            earlier = [
                by_id[m.sentence_id]
                for ms in context.names.mentions.values()
                for m in ms
                if m.sentence_id in by_id and by_id[m.sentence_id].sentence.doc_id == s.sentence.doc_id
            ]
        elif wants_slot and s.feature("slot") == 0:
            earlier = [x for x in by_doc[s.sentence.doc_id] if x.feature("slot") == 1]
        before = [e for e in earlier if e.sentence.start < s.sentence.start and e.feature("heading") == 0]
        nearest = max(before, key=lambda e: e.sentence.start, default=None)
        if nearest is not None and nearest.sentence.id not in shown and _adjacent(nearest, s, by_doc):
            shown.add(nearest.sentence.id)
            out.append(nearest)
        out.append(s)
    return replace(plan, evidence=tuple(out))


# How many sentences back an antecedent may be.
ANTECEDENT_SENTENCES = 2


def _adjacent(first: ScoredSentence, then: ScoredSentence, by_doc: dict[str, list[ScoredSentence]]) -> bool:
    between = [
        x
        for x in by_doc[then.sentence.doc_id]
        if first.sentence.start < x.sentence.start < then.sentence.start
    ]
    return len(between) < ANTECEDENT_SENTENCES
