"""Retrieval's recall beside the reader's: on hand-made records (no model), whether the key fact is in the
retrieved chunks and in the candidate sentences the reader read, and where each miss is placed."""

import asyncio
import json
import math

import pytest
from ragas.dataset_schema import SingleTurnSample

from evals.golden import GoldenItem
from evals.metrics import CandidateRecall, RetrievalRecall
from evals.records import RunRecord
from evals.report import load_previous, stage_summary, write_report
from evals.runner import EvalResult, run_items
from evals.stages import TRACE_TEXT_CHARS, candidate_texts, candidates_of, holds_fact, miss_stage

# A document with a long second sentence whose answer lies past the trace's cut.
FIRST = "The council met in Herat on Monday."
LONG = (
    "Its chairman, speaking to reporters after a meeting that ran late into the night and covered the "
    "budget, the roads, the schools, the water rights of the upper valley and the dispute over grazing "
    "land, said the vote had been moved to 14 March."
)
DOC = f"{FIRST} {LONG}"
LONG_START = len(FIRST) + 1


def item(**kw):
    base = dict(
        id="x",
        kind="factual",
        question="When is the vote?",
        answerable=True,
        reference="r",
        reference_contexts=[],
        key_facts=["14 March|March 14"],
        split="reading_test",
        shape="factoid",
    )
    return GoldenItem(**{**base, **kw})


def candidate(text, start, doc_id="d", **kw):
    return {"doc_id": doc_id, "start": start, "text": text[:TRACE_TEXT_CHARS], "answers": 0.5, **kw}


def answer(chunks=(DOC,), candidates=(), refused=False, trace=True):
    out = {
        "answer": "The articles do not say." if refused else "On 14 March. [1]",
        "refused": refused,
        "citations": [],
        "sentences": [],
        "retrieved": [
            {"doc_id": "d", "chunk_id": f"c{i}", "text": t, "score": 1.0, "start": 0, "end": len(t)}
            for i, t in enumerate(chunks)
        ],
    }
    if trace:
        out["trace"] = {
            "retrieval": {"query": "q", "chunks": [("d", 0, 1.0) for _ in chunks]},
            "parts": [{"candidates": list(candidates)}],
        }
    return out


def score(metric_cls, record):
    metric = metric_cls(records={record.item.question: record})
    return asyncio.run(
        metric.single_turn_ascore(
            SingleTurnSample(user_input=record.item.question, response=record.answer["answer"])
        )
    )


def record(ans, candidates=None, **kw):
    return RunRecord(item(**kw), ans, {}, 0.0, candidates)


def test_holds_fact_takes_any_alternative_of_any_fact_case_and_space_aside():
    assert holds_fact(["the vote is on  14\nMarch"], ["14 March|March 14"])
    assert holds_fact(["March 14 it is"], ["nothing", "14 March|March 14"])
    assert not holds_fact(["the vote is in March"], ["14 March|March 14"])
    assert not holds_fact([], ["14 March"])


def test_retrieval_recall_reads_the_retrieved_chunks():
    assert score(RetrievalRecall, record(answer())) == 1.0
    assert score(RetrievalRecall, record(answer(chunks=(FIRST,)))) == 0.0
    # Refused or not, what retrieval found is scored.
    assert score(RetrievalRecall, record(answer(refused=True))) == 1.0
    # Not scored: a near miss, a yes/no item (no key facts), a question that never reached retrieval.
    assert math.isnan(
        score(RetrievalRecall, record(answer(), answerable=False, key_facts=[], kind="near_miss"))
    )
    assert math.isnan(score(RetrievalRecall, record(answer(), key_facts=[], verdict="yes", shape="yes_no")))
    stopped = answer()
    stopped["trace"] = {"prepared": {"text": "", "override": True}}
    assert math.isnan(score(RetrievalRecall, record(stopped)))


def test_candidate_recall_reads_the_candidates_the_reader_read():
    assert score(CandidateRecall, record(answer(), candidates=[FIRST, LONG])) == 1.0
    assert score(CandidateRecall, record(answer(), candidates=[FIRST])) == 0.0
    # Without a trace there are no candidates to read: not scored.
    assert math.isnan(score(CandidateRecall, record(answer(trace=False), candidates=None)))


def test_a_candidate_cut_by_the_trace_is_read_again_in_full():
    assert len(LONG) > TRACE_TEXT_CHARS and "14 March" not in LONG[:TRACE_TEXT_CHARS]
    cands = [candidate(FIRST, 0), candidate(LONG, LONG_START)]
    asked: list[str] = []

    def document_text(doc_id):
        asked.append(doc_id)
        return DOC if doc_id == "d" else None

    texts, cut = candidate_texts(cands, [], document_text)
    assert texts == [FIRST, LONG] and cut == 0 and asked == ["d"]
    # With the sentence's end in the trace, from the retrieved chunk alone.
    chunk = {"doc_id": "d", "start": 0, "end": len(DOC), "text": DOC}
    with_end = [candidate(LONG, LONG_START, end=LONG_START + len(LONG))]
    assert candidate_texts(with_end, [chunk], lambda _d: None) == ([LONG], 0)
    # An unknown document leaves it cut, and counted.
    texts, cut = candidate_texts([candidate(LONG, LONG_START, doc_id="gone")], [], document_text)
    assert texts == [LONG[:TRACE_TEXT_CHARS]] and cut == 1


def test_candidates_are_gathered_over_every_part():
    trace = {"parts": [{"candidates": [candidate("a", 0)]}, {"candidates": [candidate("b", 2)]}]}
    assert [c["text"] for c in candidates_of(trace) or []] == ["a", "b"]
    assert candidates_of(None) is None and candidates_of({"prepared": {}}) is None


@pytest.mark.parametrize(
    ("retrieval", "candidates", "correct", "stage"),
    [
        (0.0, 0.0, 0.0, "retrieval"),
        (1.0, 0.0, 0.0, "candidates"),
        (1.0, 1.0, 0.0, "reader"),
        (1.0, 1.0, 1.0, None),
        (0.0, 0.0, 1.0, None),
        (math.nan, math.nan, 0.0, None),
        (1.0, math.nan, 0.0, None),
    ],
)
def test_a_miss_is_placed_at_the_first_stage_that_lost_the_fact(retrieval, candidates, correct, stage):
    metrics = {"retrieval_recall": retrieval, "candidate_recall": candidates, "answer_correct": correct}
    assert miss_stage(metrics) == stage


class FakeClient:
    """Answers every question from one document with the long sentence as the reader's only candidate."""

    def __init__(self):
        self.debug: list[bool] = []

    def ask(self, question, history, debug=False):
        self.debug.append(debug)
        return answer(candidates=[candidate(LONG, LONG_START)])

    def document_text(self, doc_id):
        return DOC


def test_the_runner_asks_for_the_trace_and_keeps_the_full_candidates():
    client = FakeClient()
    records = run_items([item(), item(id="y", question="And the vote?")], client)
    assert client.debug == [True, True]
    assert all(r.candidates == [LONG] and r.candidates_cut == 0 for r in records)


def test_the_report_shows_both_recalls_and_the_misses_by_stage(tmp_path):
    def row(rid, split, retrieval, candidates, correct):
        metrics = {"retrieval_recall": retrieval, "candidate_recall": candidates, "answer_correct": correct}
        return {
            "id": rid,
            "kind": "factual",
            "split": split,
            "question": "q?",
            "answer": "a",
            "refused": False,
            "citations": 0,
            "metrics": metrics,
            "passed": True,
            "failed_metrics": [],
            "miss_stage": miss_stage(metrics),
            "candidates_cut": 0,
            "seconds": 0.1,
        }

    rows = [
        row("a", "reading_test", 0.0, 0.0, 0.0),
        row("b", "reading_test", 1.0, 0.0, 0.0),
        row("c", "reading_test", 1.0, 1.0, 0.0),
        row("d", "reading_test", 1.0, 1.0, 1.0),
        row("e", "reading_test", math.nan, math.nan, math.nan),
    ]
    stages = stage_summary(rows)["reading_test"]
    assert stages == {
        "placed": 4,
        "retrieval_recall": 0.75,
        "candidate_recall": 0.5,
        "answer_correct": 0.25,
        "retrieval": 1,
        "candidates": 1,
        "reader": 1,
        "cut": 0,
    }
    split_means = {
        "reading_test": {"retrieval_recall": 0.75, "candidate_recall": 0.5, "answer_correct": 0.25}
    }
    result = EvalResult(rows, {}, {}, split_means=split_means)
    payload = write_report(result, tmp_path, mode="test")
    assert payload["stage_summary"]["reading_test"]["reader"] == 1
    md = (tmp_path / "latest.md").read_text()
    assert "## Where the misses are" in md
    assert "| reading_test | 4 | 0.750 | 0.500 | 0.250 | 1 | 1 | 1 | 0 |" in md
    # Without the original splits, the per-question table still shows every metric.
    assert "| id | kind | question | answer | citations | answer_correct | candidate_recall |" in md
    # The committed summary holds every aggregate and no per-question row.
    summary_md = (tmp_path / "summary.md").read_text()
    assert "| reading_test | 4 | 0.750 | 0.500 | 0.250 | 1 | 1 | 1 | 0 |" in summary_md
    assert "## Per question" not in summary_md
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert "rows" not in summary and summary["stage_summary"] == payload["stage_summary"]
    # A fresh clone has only the summary: the next run's "previous" comes from it.
    (tmp_path / "latest.json").unlink()
    assert load_previous(tmp_path)["stage_summary"] == payload["stage_summary"]
