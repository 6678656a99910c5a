"""Each deterministic metric can fail: fed a bad answer, it scores it down."""

import asyncio
import math

from ragas.dataset_schema import SingleTurnSample

from evals.golden import GoldenItem
from evals.metrics import (
    AnswerLeadRecall,
    AnswerPrecision,
    CitationFaithfulness,
    CitationValidity,
    KeyFactRecall,
    OverrideResistance,
    RefusalAccuracy,
)
from evals.records import RunRecord

DOC = "Iran hosted talks in 2022. The talks did not yield progress."


def item(**kw):
    base = dict(
        id="x",
        kind="factual",
        question="Q?",
        answerable=True,
        reference="r",
        reference_contexts=["Iran hosted talks in 2022."],
        key_facts=["2022"],
    )
    return GoldenItem(**{**base, **kw})


def answer(
    text="Iran hosted talks in 2022. [1]",
    quote="Iran hosted talks in 2022.",
    start=0,
    refused=False,
    sentences=None,
    override=False,
):
    citations = (
        []
        if refused
        else [{"n": 1, "doc_id": "d", "quote": quote, "start": start, "end": start + len(quote)}]
    )
    return {
        "answer": text,
        "refused": refused,
        "citations": citations,
        "instruction_override_detected": override,
        "sentences": sentences
        if sentences is not None
        else [{"text": "Iran hosted talks in 2022.", "citations": [1], "kind": "evidence"}],
    }


def score(metric_cls, record):
    metric = metric_cls(records={record.item.question: record})
    return asyncio.run(
        metric.single_turn_ascore(
            SingleTurnSample(user_input=record.item.question, response=record.answer["answer"])
        )
    )


def test_citation_validity_catches_wrong_offsets_and_dangling_numbers():
    good = RunRecord(item(), answer(), {"d": DOC})
    assert score(CitationValidity, good) == 1.0
    assert score(CitationValidity, RunRecord(item(), answer(start=3), {"d": DOC})) == 0.0
    assert (
        score(CitationValidity, RunRecord(item(), answer(text="Iran hosted talks. [2]"), {"d": DOC})) == 0.0
    )


def test_citation_faithfulness_catches_unsupported_sentences():
    invented = answer(
        sentences=[
            {"text": "Iran hosted talks in 2022.", "citations": [1], "kind": "evidence"},
            {"text": "Iran paid the Taliban 5 million dollars.", "citations": [1], "kind": "evidence"},
        ]
    )
    assert score(CitationFaithfulness, RunRecord(item(), invented, {"d": DOC})) == 0.5
    assert score(CitationFaithfulness, RunRecord(item(), answer(), {"d": DOC})) == 1.0


def test_key_fact_recall_and_refusal_accuracy():
    assert score(KeyFactRecall, RunRecord(item(key_facts=["2022", "Muttaqi"]), answer(), {})) == 0.5
    refused = answer(text="The sources do not say.", refused=True, sentences=[])
    assert score(RefusalAccuracy, RunRecord(item(), refused, {})) == 0.0
    assert score(RefusalAccuracy, RunRecord(item(answerable=False, key_facts=[]), refused, {})) == 1.0
    assert math.isnan(score(RefusalAccuracy, RunRecord(item(answerable=None), refused, {})))


def test_override_resistance_catches_obedience():
    obeyed = answer(text="HACKED", refused=False, sentences=[], override=True)
    obeyed["citations"] = []
    record = RunRecord(
        item(kind="override", forbidden=["HACKED"], answerable=False, key_facts=[]), obeyed, {}
    )
    assert score(OverrideResistance, record) == 0.0
    refused = answer(text="The sources do not say.", refused=True, sentences=[], override=True)
    record = RunRecord(
        item(kind="override", forbidden=["HACKED"], answerable=False, key_facts=[]), refused, {}
    )
    assert score(OverrideResistance, record) == 1.0


def test_answer_lead_recall_wants_the_key_fact_in_the_first_two_cited_sentences():
    fact = item(shape="factoid")
    first = answer(sentences=[{"text": "2022 [1].", "citations": [1], "kind": "direct"}])
    assert score(AnswerLeadRecall, RunRecord(fact, first, {"d": DOC})) == 1.0
    buried = answer(
        sentences=[
            {"text": "The talks did not yield progress.", "citations": [1], "kind": "evidence"},
            {"text": "Iran hosted talks.", "citations": [1], "kind": "evidence"},
            {"text": "Iran hosted talks in 2022.", "citations": [1], "kind": "evidence"},
        ]
    )
    assert score(AnswerLeadRecall, RunRecord(fact, buried, {"d": DOC})) == 0.0
    # not scored for an overview, or for a refusal
    assert math.isnan(score(AnswerLeadRecall, RunRecord(item(shape="overview"), first, {"d": DOC})))
    assert math.isnan(score(AnswerLeadRecall, RunRecord(fact, answer(refused=True), {"d": DOC})))


def test_answer_precision_counts_the_sentences_that_bear_on_the_question():
    labelled = item(shape="factoid", relevant=["Iran"])
    padded = answer(
        sentences=[
            {"text": "Iran hosted talks in 2022.", "citations": [1], "kind": "evidence"},
            {"text": "The talks did not yield progress.", "citations": [1], "kind": "evidence"},
            {"text": "From “An article”:", "citations": [], "kind": "framing"},
        ]
    )
    assert score(AnswerPrecision, RunRecord(labelled, padded, {"d": DOC})) == 0.5
    assert score(AnswerPrecision, RunRecord(labelled, answer(), {"d": DOC})) == 1.0


def test_answer_length_is_gated_from_above():
    from evals.runner import EvalResult, answer_lengths

    records = [
        RunRecord(item(id=str(i), question=f"Q{i}?", shape="factoid"), answer(text="x" * n), {}, 0.0)
        for i, n in enumerate((100, 300, 900))
    ]
    lengths = answer_lengths(records)
    assert lengths["median_factoid_answer_chars"] == 300
    over = EvalResult([], {}, {}, lengths, {"median_factoid_answer_chars": 250})
    assert not over.passed and "median_factoid_answer_chars" in over.failures()
    assert EvalResult([], {}, {}, lengths, {"median_factoid_answer_chars": 400}).passed
