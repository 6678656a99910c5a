"""The golden question set: load it and check that it is well formed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, Field

from server.answer.models import ChatTurn

GOLDEN_PATH = Path(__file__).with_name("golden.json")
# The golden set's files: the original core and robustness items, then two splits written by a helper who
# had not read the engine: dev (for fitting and debugging) and blind (reported, never tuned to).
GOLDEN_FILES = (
    GOLDEN_PATH,
    GOLDEN_PATH.with_name("golden_dev.json"),
    GOLDEN_PATH.with_name("golden_blind.json"),
)
Kind = Literal[
    "factual", "multi_doc", "conflict", "follow_up", "override", "false_premise", "unanswerable", "near_miss"
]
# reading_test and reading_dev: the reading corpus's test and dev splits (evals/reading,
# evals/reading_split.py), not in these files.
Split = Literal["core", "robustness", "dev", "blind", "reading_test", "reading_dev"]
SPLITS: tuple[str, ...] = get_args(Split)
# What `briefing eval` runs when no split is named (and so the CI gate): every split but reading_dev, the
# corpus's dev split end to end, which is run by name to look into the engine's misses on questions it may be
# tuned to (reading_test is reported and never tuned to).
DEFAULT_SPLITS: tuple[str, ...] = tuple(s for s in SPLITS if s != "reading_dev")
# The reading corpus's golden splits, and each one's list in evals/reading/splits.json.
CORPUS_SPLIT_OF = {"reading_test": "test", "reading_dev": "dev"}
# Splits whose items were written beside the rules of the first engine; their means are the gate's
# `[thresholds]`. The other splits have thresholds of their own.
ORIGINAL_SPLITS = ("core", "robustness")
# The kind of answer a question wants: one fact, a quotation, a reason, every item of a list, an overview,
# several parts, or a yes or no.
Shape = Literal["factoid", "quote", "explanation", "list", "overview", "multi_part", "yes_no"]
# Shapes whose key facts must open the answer (answer_lead_recall).
LEAD_SHAPES = ("factoid", "quote", "explanation", "yes_no")


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
    direct: list[str] = Field(
        default_factory=list,
        description="Phrases the bold direct answer must each contain ('a|b' accepts either); empty: any key "
        "fact will do.",
    )
    verdict: Literal["yes", "no", "disagree"] | None = Field(None, description="A yes/no item's answer.")
    article: str | list[str] = Field("", description="The article(s) that hold the answer.")

    @property
    def articles(self) -> list[str]:
        """The article(s) that hold the answer, as a list however `article` was written (empty when none is
        named)."""
        if isinstance(self.article, str):
            return [self.article] if self.article else []
        return list(self.article)

    def relevance_markers(self) -> list[str]:
        return [*self.relevant, *(alt for fact in self.key_facts for alt in fact.split("|"))]


def load_golden(paths: tuple[Path, ...] | Path = GOLDEN_FILES) -> list[GoldenItem]:
    """Every item of the golden set's files that exist, in order."""
    items = []
    for path in (paths,) if isinstance(paths, Path) else paths:
        if path.exists():
            data = json.loads(path.read_text(encoding="utf-8"))
            items += [GoldenItem.model_validate(item) for item in data["items"]]
    return items
