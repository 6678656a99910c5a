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
    # The full texts of the candidate sentences the reader read (from the answer's trace); None when the
    # answer carries no trace.
    candidates: list[str] | None = None
    # How many of them stayed cut to the trace's first characters (their full sentence was not found).
    candidates_cut: int = 0
