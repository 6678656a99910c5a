"""The golden question set: load it and check that it is well formed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from server.answer.models import ChatTurn

GOLDEN_PATH = Path(__file__).with_name("golden.json")
Kind = Literal["factual", "multi_doc", "conflict", "follow_up", "override", "false_premise", "unanswerable"]
Split = Literal["core", "robustness"]
# The kind of answer a question wants: one fact, a quotation, a reason, every item of a list, an overview, or
# several parts.
Shape = Literal["factoid", "quote", "explanation", "list", "overview", "multi_part"]
# Shapes whose key facts must open the answer (answer_lead_recall).
LEAD_SHAPES = ("factoid", "quote", "explanation")


class GoldenItem(BaseModel):
    id: str
    kind: Kind
    question: str
    history: list[ChatTurn] = Field(default_factory=list)
    answerable: bool | None = Field(
        ..., description="None for a false premise: refusing or correcting both pass."
    )
    reference: str
    reference_contexts: list[str]
    key_facts: list[str] = Field(default_factory=list, description="'a|b' accepts either a or b.")
    forbidden: list[str] = Field(default_factory=list)
    split: Split = "core"
    shape: Shape | None = Field(None, description="None for items that should be refused.")
    variant: str = Field("", description="What a robustness item varies: polite, markup, misspelling, ...")
    relevant: list[str] = Field(
        default_factory=list,
        description="An answer sentence bears on the question when it contains one of these or a key fact.",
    )

    def relevance_markers(self) -> list[str]:
        return [*self.relevant, *(alt for fact in self.key_facts for alt in fact.split("|"))]


def load_golden(path: Path = GOLDEN_PATH) -> list[GoldenItem]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [GoldenItem.model_validate(item) for item in data["items"]]
