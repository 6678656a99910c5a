"""The golden question set: load it and check that it is well formed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from server.answer.models import ChatTurn

GOLDEN_PATH = Path(__file__).with_name("golden.json")
Kind = Literal["factual", "multi_doc", "conflict", "follow_up", "override", "false_premise", "unanswerable"]


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


def load_golden(path: Path = GOLDEN_PATH) -> list[GoldenItem]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [GoldenItem.model_validate(item) for item in data["items"]]
