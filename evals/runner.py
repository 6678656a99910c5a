"""Run the golden set through the pipeline and score it with ragas.

Offline metrics: ragas's NonLLMContextRecall, NonLLMContextPrecisionWithReference and RougeScore, and
our deterministic metrics (evals/metrics.py). With a judge (BRIEFING_JUDGE_URL) ragas's LLM-judged
Faithfulness, ResponseRelevancy, FactualCorrectness and LLMContextRecall run too.
"""

from __future__ import annotations

import math
import statistics
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from evals.clients import AnswerClient
from evals.golden import GoldenItem
from evals.metrics import deterministic_metrics
from evals.records import RunRecord
from ingest.splitting import sentence_spans

THRESHOLDS_PATH = Path(__file__).with_name("thresholds.toml")


@dataclass
class EvalResult:
    rows: list[dict]  # one per item: id, kind, question, answer, citations, metric values, passed
    summary: dict[str, float]  # metric -> mean over the items it applies to
    thresholds: dict[str, float]
    lengths: dict[str, float] = field(default_factory=dict)  # answer lengths, in characters
    maximums: dict[str, float] = field(default_factory=dict)  # the most each length may be

    def failures(self) -> dict[str, float]:
        """metric -> the value it had to reach (a mean) or stay under (a length)."""
        low = {
            m: v for m, v in self.thresholds.items() if m in self.summary and not self.summary[m] >= v - 1e-9
        }
        long = {m: v for m, v in self.maximums.items() if m in self.lengths and self.lengths[m] > v}
        return low | long

    def value(self, metric: str) -> float:
        return self.summary[metric] if metric in self.summary else self.lengths[metric]

    @property
    def passed(self) -> bool:
        return not self.failures()


def load_thresholds(path: Path = THRESHOLDS_PATH) -> dict[str, float]:
    return {k: float(v) for k, v in tomllib.loads(path.read_text())["thresholds"].items()}


def load_maximums(path: Path = THRESHOLDS_PATH) -> dict[str, float]:
    return {k: float(v) for k, v in tomllib.loads(path.read_text()).get("maximums", {}).items()}


def answer_lengths(records: list[RunRecord]) -> dict[str, float]:
    """Median length of the answers to answered questions, overall and for those that want one fact."""
    answered = [r for r in records if r.item.answerable is True and not r.answer["refused"]]
    out = {}
    for name, chosen in (
        ("median_answer_chars", answered),
        ("median_factoid_answer_chars", [r for r in answered if r.item.shape == "factoid"]),
    ):
        if chosen:
            out[name] = float(statistics.median(len(r.answer["answer"]) for r in chosen))
    return out


def run_items(items: list[GoldenItem], client: AnswerClient) -> list[RunRecord]:
    records = []
    for item in items:
        started = time.perf_counter()
        answer = client.ask(item.question, item.history)
        seconds = time.perf_counter() - started
        docs = {c["doc_id"]: client.document_text(c["doc_id"]) for c in answer["citations"]}
        records.append(RunRecord(item, answer, {k: v for k, v in docs.items() if v is not None}, seconds))
    return records


def retrieved_sentences(answer: dict) -> list[str]:
    """The retrieved passages, sentence by sentence, so that string similarity compares like with like."""
    out: list[str] = []
    for passage in answer["retrieved"]:
        out.extend(passage["text"][s:e] for s, e in sentence_spans(passage["text"]))
    return list(dict.fromkeys(out)) or [""]


def _samples(records: list[RunRecord], grounded_only: bool):
    from ragas.dataset_schema import SingleTurnSample

    return [
        SingleTurnSample(
            user_input=r.item.question,
            response=r.answer["answer"],
            retrieved_contexts=retrieved_sentences(r.answer),
            reference=r.item.reference,
            reference_contexts=r.item.reference_contexts or None,
        )
        for r in records
        if not grounded_only or r.item.reference_contexts
    ]


def score(
    records: list[RunRecord],
    judge=None,
    thresholds: dict[str, float] | None = None,
    maximums: dict[str, float] | None = None,
) -> EvalResult:
    """ragas.evaluate over the records: deterministic metrics on every item, context and overlap metrics
    on the items with reference passages, and the judge's metrics when a judge is given."""
    from ragas import EvaluationDataset, evaluate
    from ragas.metrics import NonLLMContextPrecisionWithReference, NonLLMContextRecall, RougeScore

    by_question = {r.item.question: r for r in records}
    every = evaluate(
        EvaluationDataset(samples=_samples(records, False)),
        metrics=deterministic_metrics(by_question),
        show_progress=False,
        raise_exceptions=True,
    )
    grounded_metrics = [NonLLMContextRecall(), NonLLMContextPrecisionWithReference(), RougeScore()]
    llm = embeddings = None
    if judge is not None:
        grounded_metrics += judge.metrics
        llm, embeddings = judge.llm, judge.embeddings
    grounded = evaluate(
        EvaluationDataset(samples=_samples(records, True)),
        metrics=grounded_metrics,
        llm=llm,
        embeddings=embeddings,
        show_progress=False,
        raise_exceptions=judge is None,
    )
    values: dict[str, dict[str, float]] = {r.item.question: {} for r in records}
    for result in (every, grounded):
        frame = result.to_pandas()  # type: ignore[union-attr]  # evaluate() returns a result, not an executor
        metric_names = [
            c
            for c in frame.columns
            if c not in ("user_input", "response", "retrieved_contexts", "reference", "reference_contexts")
        ]
        for _, row in frame.iterrows():
            for name in metric_names:
                values[row["user_input"]][name] = float(row[name]) if row[name] is not None else math.nan
    thresholds = thresholds if thresholds is not None else load_thresholds()
    rows = []
    for r in records:
        metrics = values[r.item.question]
        failed = [
            m
            for m, v in metrics.items()
            if m in thresholds and not math.isnan(v) and v < thresholds[m] - 1e-9
        ]
        rows.append(
            {
                "id": r.item.id,
                "kind": r.item.kind,
                "split": r.item.split,
                "question": r.item.question,
                "answer": r.answer["answer"],
                "refused": r.answer["refused"],
                "citations": len(r.answer["citations"]),
                "metrics": metrics,
                "passed": not failed,
                "failed_metrics": failed,
                "seconds": round(r.seconds, 3),
            }
        )
    names = sorted({m for row in rows for m in row["metrics"]})
    summary = {}
    for name in names:
        vals = [row["metrics"][name] for row in rows if not math.isnan(row["metrics"].get(name, math.nan))]
        if vals:
            summary[name] = round(sum(vals) / len(vals), 4)
    maximums = maximums if maximums is not None else load_maximums()
    return EvalResult(rows, summary, thresholds, answer_lengths(records), maximums)
