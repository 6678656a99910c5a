"""The reader engine (BRIEFING_ANSWER_ENGINE=reader) on the seed articles and the fictional test articles
(evals/articles): the citation contract on every kind of answer, the answer first, refusals that say why, and the same
verdict however the question is written. Every test runs the real pipeline (spaCy, the bundled encoder, the
committed reader, an embedded Chroma store)."""

from __future__ import annotations

import pytest

from evals.eval_articles import original_article_files as article_files
from ingest.metadata import read_sidecar
from server.answer.models import ChatTurn
from tests.server.conftest import make_settings


@pytest.fixture(scope="module")
def service(tmp_path_factory, embedder):
    from server.service import build_service

    settings = make_settings(tmp_path_factory.mktemp("engine-data"))
    settings.answer.engine = "reader"
    svc = build_service(settings, embedder=embedder)
    for path in article_files():
        svc.upload(path.read_bytes(), path.name, read_sidecar(path))
    return svc


def ask(service, question: str, history: list[ChatTurn] | None = None):
    return service.ask(question, history or [])


def assert_contract(service, answer) -> None:
    """Every citation's quote is the document's text at its offsets, every [n] has its citation and every
    citation is used; the direct answer cites its own spans."""
    import re

    numbers = {c.n for c in answer.citations}
    for c in answer.citations:
        assert service.document(c.doc_id).text[c.start : c.end] == c.quote
    assert set(int(n) for n in re.findall(r"\[(\d+)\]", answer.answer)) == numbers
    if answer.direct_answer:
        assert answer.direct_answer.citations and set(answer.direct_answer.citations) <= numbers


QUESTIONS = [
    "Who leads the Afghanistan Freedom Front?",
    "What did Atta Mohammad Noor say about those who promote war?",
    "What role did Iran play in bringing the factions together?",
    "How many Taliban soldiers were killed in the Zarvand valley ambush?",
    "Is Ahmad Massoud the leader of the National Resistance Front?",
    "Who is Soraya Hakimi?",
    "Summarize what the articles say about Iran.",
    "Which group does Farid Rahmatzai belong to?",
    "When was the Hindu Kush Defence League founded and who leads it?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_every_kind_of_answer_keeps_the_citation_contract(service, question):
    answer = ask(service, question)
    assert_contract(service, answer)
    if not answer.refused:
        assert answer.citations and answer.sentences


@pytest.mark.parametrize("question", QUESTIONS)
def test_planning_the_engine_s_contexts_again_gives_the_bold_answer_it_gives(service, question):
    """What calibration through the engine (evals/training/engine_calibration.py) scores at each threshold is
    what `ask` gives at that threshold: here at the card's."""
    from evals.training.engine_calibration import bold_given

    contexts = tuple(service.engine.plan_contexts(question))
    answer = ask(service, question)
    assert bool(contexts) == (not answer.refused)
    given = answer.direct_answer.text if answer.direct_answer else None
    assert bold_given(contexts, service.engine.reader.thresholds) == given


def test_the_card_s_learned_decision_decides_what_is_answered(service, monkeypatch):
    """The engine asks the card's decision (staged/decision_model.py), not the answer threshold, whether to
    answer: with a decision whose score never reaches its threshold, a question it answered is refused (as an
    unsure refusal, since the reader still finds its answer likely), and the trace gives the score and the
    features it was computed from."""
    from dataclasses import replace

    from server.answer.engine import UNSURE_TEXT
    from server.answer.staged.decision_model import FEATURES, DecisionModel

    question = "Who leads the Afghanistan Freedom Front?"
    assert not ask(service, question).refused
    reader = service.engine.reader
    never = DecisionModel(dict.fromkeys(FEATURES, 0.0), bias=-1.0, threshold=0.0)
    monkeypatch.setattr(reader, "card", replace(reader.card, decision=never))
    refused = service.ask(question, [], debug=True)
    assert refused.refused and not refused.citations
    # the reader still finds its answer likely: the refusal says it is not sure and points to the passages
    assert refused.unsure and refused.answer.startswith(UNSURE_TEXT)
    assert "Yasin Zia" in " ".join(p.text for p in refused.passages_to_check())
    decision = refused.trace["parts"][0]["decision"]
    assert (
        decision["score"] == -1.0
        and decision["threshold"] == 0.0
        and set(decision["features"]) == set(FEATURES)
    )
    always = replace(never, bias=1.0)
    monkeypatch.setattr(reader, "card", replace(reader.card, decision=always))
    assert not ask(service, question).refused


def test_the_bold_answer_is_a_verbatim_cited_span_that_comes_first(service):
    answer = ask(service, "Who leads the Afghanistan Freedom Front?")
    assert not answer.refused, answer.refusal_reason
    assert "Yasin Zia" in " ".join(c.quote for c in answer.citations)
    if answer.direct_answer is not None:
        first = next(c for c in answer.citations if c.n == answer.direct_answer.citations[0])
        assert answer.answer.startswith(first.quote) and first.quote in answer.direct_answer.text


def test_a_quote_question_is_answered_with_the_quotation(service):
    answer = ask(service, "What did Atta Mohammad Noor say about those who promote war?")
    assert not answer.refused, answer.refusal_reason
    assert "front lines" in answer.answer or "promote war" in answer.answer


def test_questions_the_library_cannot_answer_are_refused_with_a_reason(service):
    for question in ("Who won the 2030 football world cup?", "What is the population of Kabul?"):
        answer = ask(service, question)
        assert answer.refused and answer.refusal_reason and answer.citations == []


PLAIN = "Who leads the Afghanistan Freedom Front?"


@pytest.mark.parametrize(
    "variant",
    [
        "Hi! I'm trying to understand the opposition groups, could you tell me who leads the Afghanistan "
        "Freedom Front? Thanks a lot.",
        "<b>Who leads</b> the Afghanistan Freedom Front? <img src=x onerror=alert(1)>",
        "who leads the afghanistan freedom front",
    ],
    ids=["polite", "markup", "lower-case"],
)
def test_how_a_question_is_written_does_not_change_the_verdict(service, variant):
    plain, varied = ask(service, PLAIN), ask(service, variant)
    assert varied.refused is plain.refused
    assert {c.quote for c in varied.citations} == {c.quote for c in plain.citations}


def test_a_follow_up_is_answered_from_the_conversation(service):
    # The first answer is the sentence naming every group's leader, Ahmad Massoud first: "his" is the person
    # the reader finds answering "Who leads the AFF?" in it.
    first = ask(service, PLAIN)
    follow_up = ask(
        service,
        "What does his group advocate?",
        [ChatTurn(role="user", content=PLAIN), ChatTurn(role="assistant", content=first.answer)],
    )
    assert "Afghanistan Freedom Front" in follow_up.resolved_question or "Zia" in follow_up.resolved_question
    assert_contract(service, follow_up)


def test_an_overview_groups_the_sentences_by_article(service):
    answer = ask(service, "Summarize what the articles say about Iran.")
    assert not answer.refused
    labels = [s.text for s in answer.sentences if s.kind == "framing" and s.text.startswith("From “")]
    assert len(labels) == len({c.doc_id for c in answer.citations})


def test_publisher_furniture_is_never_evidence(service):
    """The analysis's Synopsis, Key Takeaways, Point of View and FAQ blocks are dropped at ingest."""
    for question in ("Why does the Dushanbe Process keep failing?", "What is the Dushanbe Process?"):
        for quote in (c.quote for c in ask(service, question).citations):
            assert "egos aside" not in quote and "lose the world's attention" not in quote
            assert "no joint declaration" not in quote  # a Key Takeaways bullet
