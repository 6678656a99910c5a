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
from evals.golden import ORIGINAL_SPLITS, GoldenItem
from evals.metrics import deterministic_metrics
from evals.records import RunRecord
from evals.stages import candidate_texts, candidates_of, miss_stage
from ingest.splitting import sentence_spans

THRESHOLDS_PATH = Path(__file__).with_name("thresholds.toml")


@dataclass
class EvalResult:
    rows: list[dict]  # one per item: id, kind, question, answer, citations, metric values, passed
    summary: dict[str, float]  # metric -> mean over the items it applies to
    thresholds: dict[str, float]
    lengths: dict[str, float] = field(default_factory=dict)  # answer lengths, in characters
    maximums: dict[str, float] = field(default_factory=dict)  # the most each length may be
    # split -> metric -> mean, for the splits with thresholds of their own (dev, blind)
    split_means: dict[str, dict[str, float]] = field(default_factory=dict)
    split_thresholds: dict[str, dict[str, float]] = field(default_factory=dict)

    def failures(self) -> dict[str, float]:
        """metric -> the value it had to reach (a mean) or stay under (a length); a split's metric is
        named `split.metric`."""
        low = {
            m: v for m, v in self.thresholds.items() if m in self.summary and not self.summary[m] >= v - 1e-9
        }
        long = {m: v for m, v in self.maximums.items() if m in self.lengths and self.lengths[m] > v}
        split_low = {
            f"{split}.{m}": v
            for split, needed in self.split_thresholds.items()
            for m, v in needed.items()
            if not self.split_means.get(split, {}).get(m, math.nan) >= v - 1e-9
        }
        return low | long | split_low

    def value(self, metric: str) -> float:
        if metric in self.summary:
            return self.summary[metric]
        if metric in self.lengths:
            return self.lengths[metric]
        split, _, name = metric.partition(".")
        return self.split_means.get(split, {}).get(name, math.nan)

    @property
    def passed(self) -> bool:
        return not self.failures()


def load_thresholds(path: Path = THRESHOLDS_PATH) -> dict[str, float]:
    return {k: float(v) for k, v in tomllib.loads(path.read_text())["thresholds"].items()}


def load_maximums(path: Path = THRESHOLDS_PATH) -> dict[str, float]:
    return {k: float(v) for k, v in tomllib.loads(path.read_text()).get("maximums", {}).items()}


def load_split_thresholds(path: Path = THRESHOLDS_PATH) -> dict[str, dict[str, float]]:
    """split -> metric -> the mean it must reach (the `[split_thresholds.NAME]` tables)."""
    tables = tomllib.loads(path.read_text()).get("split_thresholds", {})
    return {split: {k: float(v) for k, v in table.items()} for split, table in tables.items()}


def means(rows: list[dict]) -> dict[str, float]:
    """Each metric's mean over the rows it applies to (NaN: not applicable)."""
    names = sorted({m for row in rows for m in row["metrics"]})
    out = {}
    for name in names:
        vals = [row["metrics"][name] for row in rows if not math.isnan(row["metrics"].get(name, math.nan))]
        if vals:
            out[name] = round(sum(vals) / len(vals), 4)
    return out


def answer_lengths(records: list[RunRecord]) -> dict[str, float]:
    """Median length of the answers to answered questions of the original splits, overall and for those
    that want one fact."""
    answered = [
        r
        for r in records
        if r.item.answerable is True and not r.answer["refused"] and r.item.split in ORIGINAL_SPLITS
    ]
    out = {}
    for name, chosen in (
        ("median_answer_chars", answered),
        ("median_factoid_answer_chars", [r for r in answered if r.item.shape == "factoid"]),
    ):
        if chosen:
            out[name] = float(statistics.median(len(r.answer["answer"]) for r in chosen))
    return out


def run_items(items: list[GoldenItem], client: AnswerClient) -> list[RunRecord]:
    """Ask each item's question with the trace on (the candidates the reader read, for candidate_recall),
    and read the texts of the documents its answer cites."""
    texts: dict[str, str | None] = {}  # the library does not change during a run

    def document_text(doc_id: str) -> str | None:
        if doc_id not in texts:
            texts[doc_id] = client.document_text(doc_id)
        return texts[doc_id]

    records = []
    for item in items:
        started = time.perf_counter()
        answer = client.ask(item.question, item.history, debug=True)
        seconds = time.perf_counter() - started
        docs = {c["doc_id"]: document_text(c["doc_id"]) for c in answer["citations"]}
        record = RunRecord(item, answer, {k: v for k, v in docs.items() if v is not None}, seconds)
        candidates = candidates_of(answer.get("trace"))
        if candidates is not None:
            record.candidates, record.candidates_cut = candidate_texts(
                candidates, answer.get("retrieved", []), document_text
            )
        records.append(record)
    return records


def retrieved_sentences(answer: dict) -> list[str]:
    """The retrieved passages, sentence by sentence, so that string similarity compares like with like."""
    out: list[str] = []
    for passage in answer["retrieved"]:
        out.extend(passage["text"][s:e] for s, e in sentence_spans(passage["text"]))
    return list(dict.fromkeys(out)) or [""]


def sample_keys(records: list[RunRecord]) -> list[str]:
    """The `user_input` of each record's ragas sample, which is how a metric finds its record: the
    question, with the item's id after it when an earlier item asks the same words ("Who killed him?" after
    two different conversations)."""
    seen: set[str] = set()
    keys = []
    for r in records:
        key = r.item.question if r.item.question not in seen else f"{r.item.question} ({r.item.id})"
        seen.add(key)
        keys.append(key)
    return keys


def _samples(records: list[RunRecord], grounded_only: bool):
    from ragas.dataset_schema import SingleTurnSample

    return [
        SingleTurnSample(
            user_input=key,
            response=r.answer["answer"],
            retrieved_contexts=retrieved_sentences(r.answer),
            reference=r.item.reference,
            reference_contexts=r.item.reference_contexts or None,
        )
        for r, key in zip(records, sample_keys(records), strict=True)
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

    keys = sample_keys(records)
    by_question = dict(zip(keys, records, strict=True))
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
    values: dict[str, dict[str, float]] = {key: {} for key in keys}
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
    all_split_thresholds = load_split_thresholds()
    rows = []
    for r, key in zip(records, keys, strict=True):
        metrics = values[key]
        needed = thresholds if r.item.split in ORIGINAL_SPLITS else all_split_thresholds.get(r.item.split, {})
        failed = [m for m, v in metrics.items() if m in needed and not math.isnan(v) and v < needed[m] - 1e-9]
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
                "miss_stage": miss_stage(metrics),
                "candidates_cut": r.candidates_cut,
                "seconds": round(r.seconds, 3),
            }
        )
    summary = means([row for row in rows if row["split"] in ORIGINAL_SPLITS])
    split_means = {
        split: means([row for row in rows if row["split"] == split])
        for split in dict.fromkeys(row["split"] for row in rows)
        if split not in ORIGINAL_SPLITS
    }
    maximums = maximums if maximums is not None else load_maximums()
    split_thresholds = {s: t for s, t in all_split_thresholds.items() if s in split_means}
    return EvalResult(
        rows, summary, thresholds, answer_lengths(records), maximums, split_means, split_thresholds
    )
