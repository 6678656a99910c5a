"""What one golden question produced: the item, the answer JSON and the texts of the cited documents."""

from __future__ import annotations

from dataclasses import dataclass, field

from evals.golden import GoldenItem


@dataclass
class RunRecord:
    item: GoldenItem
    answer: dict
    documents: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
