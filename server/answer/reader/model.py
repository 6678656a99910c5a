"""The trained reader as the server runs it: the committed ONNX file, checked against its model card, and
ONNX Runtime. No torch, no training code.

The model card (`reader.json` beside the model) names the file, its sha256, the token budget it was trained
with and the thresholds calibrated on held-out data. A missing or corrupt file stops the start with a
message that says how to restore it: answers never silently fall back to something weaker."""

from __future__ import annotations

import hashlib
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from server.answer.reader.decoding import EARLIER_VERDICT_SCORE, VERDICT_SCORE, Reading, decode
from server.answer.reader.encoding import TokenBudget, encode_pair, load_tokenizer

if TYPE_CHECKING:
    from server.answer.staged.decision_model import DecisionModel

CARD_NAME = "reader.json"
RESTORE_HINT = (
    "restore the committed model with `git checkout -- server/answer/reader/model/` "
    "(or train a new one with `make train`)"
)


def default_model_dir() -> Path:
    return Path(__file__).resolve().parent / "model"


class ReaderUnavailable(RuntimeError):
    """The reader's model file or card is missing or corrupt."""


@dataclass(frozen=True)
class Thresholds:
    """Calibrated on the reading corpus's dev split (see the model card)."""

    answer: float  # the best candidate's probability at or above which a question is answered
    span: float  # a span's probability at or above which it is given in bold
    # a Yes's and a No's confidence (Reading.verdict_confidence) at or above which each is given (the reader
    # is surer of its no's than of its yes's, so one threshold for both gave no yes at all), and the name of
    # the score they were calibrated for (decoding.VERDICT_SCORE; load_card refuses another)
    verdict_yes: float = 0.5
    verdict_no: float = 0.5
    verdict_score: str = EARLIER_VERDICT_SCORE

    def verdict(self, side: str) -> float:
        """The threshold of a side ("yes" or "no")."""
        return self.verdict_yes if side == "yes" else self.verdict_no

    @classmethod
    def of_card(cls, values: dict) -> Thresholds:
        """A card's thresholds; a card calibrated before 2026-12-04 gives one "verdict" for both sides."""
        values = dict(values)
        if "verdict" in values:
            both = values.pop("verdict")
            values.setdefault("verdict_yes", both)
            values.setdefault("verdict_no", both)
        return cls(**values)


@dataclass(frozen=True)
class ReaderCard:
    model_file: Path
    sha256: str
    budget: TokenBudget
    thresholds: Thresholds
    card: dict
    # the learned answer decision calibrated through the engine (staged/decision_model.py); None: the card
    # has none, and the answer threshold decides
    decision: DecisionModel | None = None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load_card(model_dir: Path | None = None) -> ReaderCard:
    """The model card, with the model file it names checked whole (sha256)."""
    from server.answer.staged.decision_model import DecisionModel

    model_dir = model_dir or default_model_dir()
    card_path = model_dir / CARD_NAME
    try:
        card = json.loads(card_path.read_text())
        model_file = model_dir / card["model_file"]
        budget = TokenBudget(**card["token_budget"])
        thresholds = Thresholds.of_card(card["thresholds"])
        decision = DecisionModel.of_card(card["decision"]) if "decision" in card else None
        expected = card["sha256"]
    except FileNotFoundError:
        raise ReaderUnavailable(f"the reader's model card {card_path} is missing: {RESTORE_HINT}") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ReaderUnavailable(
            f"the reader's model card {card_path} is unreadable ({exc}): {RESTORE_HINT}"
        ) from None
    if thresholds.verdict_score != VERDICT_SCORE:
        raise ReaderUnavailable(
            f"the reader's model card {card_path} has a verdict threshold for {thresholds.verdict_score!r}, not"
            f" for today's {VERDICT_SCORE!r}: recalibrate it with `briefing calibrate --model {model_dir}`"
            f" or {RESTORE_HINT}"
        )
    if not model_file.is_file():
        raise ReaderUnavailable(f"the reader's model {model_file} is missing: {RESTORE_HINT}")
    if sha256_of(model_file) != expected:
        raise ReaderUnavailable(
            f"the reader's model {model_file} does not match the sha256 in its card (corrupt or replaced): "
            f"{RESTORE_HINT}"
        )
    return ReaderCard(model_file, expected, budget, thresholds, card, decision)


class OnnxReader:
    """Reads (question, candidate sentence with its neighbours) pairs: one unpadded pair per run, runs in
    parallel across the cores, as the embedder does (dynamic int8 scales activations per run, so a pair's
    reading never depends on the pairs beside it)."""

    def __init__(self, model_dir: Path | None = None):
        import onnxruntime as ort

        from index.embedding import bundled_model_path

        self.card = load_card(model_dir)
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        try:
            self._session = ort.InferenceSession(
                str(self.card.model_file), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # noqa: BLE001 - ONNX Runtime raises its own types for a bad file
            raise ReaderUnavailable(f"the reader's model cannot be loaded ({exc}): {RESTORE_HINT}") from None
        self._tokenizer = load_tokenizer(bundled_model_path())
        self._workers = max(1, os.cpu_count() or 1)
        self._pool = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="reader")

    @property
    def thresholds(self) -> Thresholds:
        return self.card.thresholds

    @property
    def decision(self) -> DecisionModel | None:
        return self.card.decision

    def _read_one(self, question: str, triple: tuple[str, str, str]) -> Reading:
        before, candidate, after = triple
        pair = encode_pair(self._tokenizer, question, candidate, before, after, self.card.budget)
        span_mask = np.zeros((1, len(pair.ids)), dtype=np.float32)
        span_mask[0, 0] = 1.0
        span_mask[0, pair.candidate_tokens[0] : pair.candidate_tokens[1]] = 1.0
        answers, verdict, start, end = self._session.run(
            None, {"ids": pair.ids[None, :], "types": pair.types[None, :], "span_mask": span_mask}
        )
        return decode(pair, float(answers[0]), verdict[0], start[0], end[0])

    def read(self, question: str, triples: list[tuple[str, str, str]]) -> list[Reading]:
        """One Reading per (before, candidate, after), in order."""
        if len(triples) < 2 or self._workers < 2:
            return [self._read_one(question, t) for t in triples]
        return list(self._pool.map(lambda t: self._read_one(question, t), triples))
