"""The answer as the API, the UI and the evals see it."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Mode = Literal["extractive", "generative"]


class ChatTurn(BaseModel):
    model_config = ConfigDict(strict=True)

    role: Literal["user", "assistant"]
    content: str = Field(..., max_length=20_000)


class Citation(BaseModel):
    """A quoted passage: `GET /v1/documents/{doc_id}` text[start:end] == quote."""

    n: int = Field(..., description="The number used as [n] in the answer.")
    doc_id: str
    title: str
    outlet: str = Field("", description="Empty when the article does not state it.")
    published: str = Field("", description="ISO date; empty when the article does not state it.")
    url: str = ""
    quote: str
    start: int
    end: int
    score: float
    also_carried_by: list[str] = Field(
        default_factory=list,
        description="Other outlets that carried the same story (near-duplicate copies in the library); a "
        "copy is not a second source.",
    )


class AnswerSentence(BaseModel):
    text: str
    citations: list[int] = Field(default_factory=list)
    supported: bool = Field(..., description="True when the cited passages support the sentence.")
    kind: Literal["direct", "evidence", "framing", "refusal"] = Field(
        "evidence",
        description="direct: the span that answers the question; evidence: a source sentence that "
        "supports it; framing: a sentence about the sources (not from them); refusal.",
    )


class DirectAnswer(BaseModel):
    """The shortest verbatim span of a source that answers the question (a name, date, place, figure or
    quote), shown first; each item cites its own span."""

    text: str
    citations: list[int] = Field(..., description="The [n] of each span, in the order of the text.")


class RetrievedPassage(BaseModel):
    """A chunk that retrieval returned, with its place in the article and the article's details."""

    doc_id: str
    chunk_id: str
    text: str
    score: float = Field(..., description="Reciprocal-rank fusion of the vector and keyword rankings.")
    start: int
    end: int
    title: str = ""
    outlet: str = Field("", description="Empty when the article does not state it.")
    published: str = Field("", description="ISO date; empty when the article does not state it.")


class ConflictSide(BaseModel):
    doc_id: str
    title: str
    outlet: str
    published: str
    claim: str = Field(..., description="What this source states, e.g. the organisation it names.")
    citations: list[int]


class Conflict(BaseModel):
    topic: str
    sides: list[ConflictSide]


# How many retrieved passages an unsure refusal points to (the CLI and the web UI show them).
PASSAGES_TO_CHECK = 3


class Answer(BaseModel):
    answer: str
    refused: bool = False
    refusal_reason: str | None = None
    unsure: bool = Field(
        False,
        description="A refusal although a passage may answer: the reader found one more likely than not to, "
        "but not surely enough to cite; the passages retrieved are the ones to check.",
    )
    direct_answer: DirectAnswer | None = Field(
        None,
        description="The answer in a few words, when the question asks for a name, date, figure or quote.",
    )
    citations: list[Citation] = Field(default_factory=list)
    sentences: list[AnswerSentence] = Field(default_factory=list)
    retrieved: list[RetrievedPassage] = Field(default_factory=list)
    conflicts: list[Conflict] = Field(default_factory=list)
    mode: Mode = "extractive"
    resolved_question: str = Field("", description="The question after follow-up resolution.")
    instruction_override_detected: bool = False
    dropped_unsupported: int = Field(0, description="Generated sentences dropped by the grounding check.")
    fallback_reason: str | None = Field(
        None, description="Why a generative request was answered extractively."
    )
    timings_ms: dict[str, float] = Field(default_factory=dict)
    trace: dict | None = Field(
        None,
        description="With debug: every stage's output (the parse, the names resolved, the candidates with "
        "their features and scores, the decision and why, the plan).",
    )

    def passages_to_check(self) -> list[RetrievedPassage]:
        """For an unsure refusal, the best passages retrieved (`PASSAGES_TO_CHECK`), which the reader could
        not rule out and a reader should read before concluding the articles are silent; else none."""
        return self.retrieved[:PASSAGES_TO_CHECK] if self.refused and self.unsure else []
