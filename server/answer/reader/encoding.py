"""How a (question, candidate sentence with its neighbours) pair becomes the reader's input tokens.

Training (evals/training) and serving (server/answer/reader/model.py) build their inputs here, so that the
model reads at run time exactly what it learned from:

    [CLS] question [SEP] previous sentence [unused0] candidate sentence [unused1] next sentence [SEP]

The markers are two of the vocabulary's unused tokens; fine-tuning gives them their meaning. The question
and the neighbours are cut to their budgets first (the previous sentence keeps its end, the next one its
start), the candidate last. Token types are 0 for the question and 1 for the rest, as BERT pairs are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

CLS, SEP = 101, 102
MARK_START, MARK_END = 1, 2  # [unused0], [unused1]


@dataclass(frozen=True)
class TokenBudget:
    """The most tokens each part of an input may take (see reader_config.json)."""

    question: int = 40
    neighbour: int = 24
    candidate: int = 96


@dataclass(frozen=True)
class ReaderInput:
    """One pair as token ids; `candidate_tokens` is the [first, last) token range of the candidate
    sentence and `offsets` the character range of each of its tokens inside the sentence's text."""

    ids: np.ndarray
    types: np.ndarray
    candidate_tokens: tuple[int, int]
    offsets: tuple[tuple[int, int], ...]


def load_tokenizer(model_dir: Path):
    """The bundled MiniLM's WordPiece tokenizer, with its own padding and truncation switched off."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


def encode_pair(
    tokenizer,
    question: str,
    candidate: str,
    before: str = "",
    after: str = "",
    budget: TokenBudget | None = None,
) -> ReaderInput:
    budget = budget or TokenBudget()
    q, prev, cand, nxt = tokenizer.encode_batch(
        [question, before, candidate, after], add_special_tokens=False
    )
    q_ids = q.ids[: budget.question]
    prev_ids = prev.ids[-budget.neighbour :] if prev.ids and budget.neighbour else []
    next_ids = nxt.ids[: budget.neighbour] if budget.neighbour else []
    cand_ids = cand.ids[: budget.candidate]
    offsets = tuple(tuple(o) for o in cand.offsets[: budget.candidate])
    head = [CLS, *q_ids, SEP]
    first = len(head) + len(prev_ids) + 1
    ids = [*head, *prev_ids, MARK_START, *cand_ids, MARK_END, *next_ids, SEP]
    types = [0] * len(head) + [1] * (len(ids) - len(head))
    return ReaderInput(
        np.array(ids, dtype=np.int64),
        np.array(types, dtype=np.int64),
        (first, first + len(cand_ids)),
        offsets,  # type: ignore[arg-type]
    )
