"""The answer engine on the seed articles and the fictional test articles (evals/articles): the answer first,
nothing padded, the kind of answer each kind of question wants, and the same answer however the question is
written. Every test runs the real pipeline (spaCy, the bundled encoder, an embedded Chroma store)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from evals.eval_articles import original_article_files as article_files
from ingest.metadata import read_sidecar
from server.answer.models import ChatTurn
from tests.server.conftest import make_settings


@pytest.fixture(scope="module")
def service(tmp_path_factory, embedder):
    from server.service import build_service

    svc = build_service(make_settings(tmp_path_factory.mktemp("engine-data")), embedder=embedder)
    for path in article_files():
        svc.upload(path.read_bytes(), path.name, read_sidecar(path))
    return svc


def ask(service, question: str, history: list[ChatTurn] | None = None):
    return service.ask(question, history or [])


def assert_contract(service, answer) -> None:
    """Every citation's quote is the document's text at its offsets, the direct answer's included."""
    for c in answer.citations:
        assert service.document(c.doc_id).text[c.start : c.end] == c.quote
    if answer.direct_answer:
        numbers = {c.n for c in answer.citations}
        assert answer.direct_answer.citations and set(answer.direct_answer.citations) <= numbers


def cited(answer) -> set[str]:
    return {c.quote for c in answer.citations}


def test_the_answer_comes_first_as_a_cited_span(service):
    answer = ask(service, "Who leads the Afghanistan Freedom Front?")
    assert_contract(service, answer)
    assert answer.direct_answer is not None and answer.direct_answer.text == "Yasin Zia"
    assert answer.answer.startswith("Yasin Zia [1].")
    span = answer.citations[0]
    assert span.quote == "Yasin Zia" and span.end - span.start == len("Yasin Zia")
    # the span, then the one sentence that supports it: nothing else
    assert len(answer.citations) == 2 and len(answer.answer) <= 400


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who leads the NRF?", "Ahmad Massoud"),
        ("Who leads the Afghanistan Justice and Freedom Party?", "Sarwar Danish"),
        ("Who is in charge of the National Resistance Front?", "Ahmad Massoud"),
        ("Who leads the Hindu Kush Defence League?", "Farid Rahmatzai"),
        ("Who is the spokesman of the Hindu Kush Defence League?", "Nasrullah Payman"),
        ("How many fighters does the HKDL say it has?", "About 1,500"),
        ("When was the HKDL founded?", "September 2029"),
        ("Which party does Karim Baktash lead?", "Unity and Justice Party"),
        # the second article's way of writing the Afghanistan National Movement for Peace and Justice
        ("Who leads the National Peace and Justice Movement?", "Hanif Atmar"),
        (
            "Where are the commanders of the Northern Salvation Alliance from?",
            "Baghlan, Takhar and Badakhshan",
        ),
    ],
)
def test_each_item_of_a_list_sentence_gets_its_own_answer(service, question, expected):
    """In "X, led by A, Y, under B, Z, led by C" each organisation's leader is the name next to it, and
    an abbreviation or a surname finds the same passage as the full name."""
    answer = ask(service, question)
    assert_contract(service, answer)
    assert not answer.refused, answer.refusal_reason
    assert answer.direct_answer is not None and answer.direct_answer.text == expected


PLAIN = "Who leads the Afghanistan Freedom Front?"


@pytest.mark.parametrize(
    "variant",
    [
        "Hi! I'm trying to understand the opposition groups, could you tell me who leads the Afghanistan "
        "Freedom Front? Thanks a lot.",
        "<b>Who leads</b> the Afghanistan Freedom Front? <img src=x onerror=alert(1)>",
        "who leads the afghanistan freedom front",
        "Who leads the Afganistan Freedom Front?",
        "I have been reading about the exiled opposition for a seminar paper, and my notes on the many groups "
        "that formed after 2021 are a mess, since several of them have similar names. "
        * 8
        + "So: who leads the Afghanistan Freedom Front?",
    ],
    ids=["polite", "markup", "lower-case", "misspelt", "long"],
)
def test_how_a_question_is_written_changes_neither_the_verdict_nor_the_evidence(service, variant):
    assert len(variant) <= 2000
    plain, varied = ask(service, PLAIN), ask(service, variant)
    assert varied.refused is plain.refused is False
    assert varied.direct_answer and varied.direct_answer.text == plain.direct_answer.text
    assert cited(varied) == cited(plain)


def test_lower_case_names_and_misspellings_still_find_the_person(service):
    plain = ask(service, "Where does Soraya Hakimi live?")
    for variant in ("where does soraya hakimi live", "Where does Soraya Hakimy live?"):
        answer = ask(service, variant)
        assert answer.direct_answer and answer.direct_answer.text == plain.direct_answer.text == "Istanbul"


def test_a_name_that_is_not_in_the_library_is_not_taken_for_a_close_one(service):
    """ "Pakistan" is three edits from "Paktia": not a misspelling of it."""
    answer = ask(service, "Who is the current president of Pakistan?")
    assert answer.refused and "Pakistan" in answer.refusal_reason


def test_a_term_must_be_found_where_the_subject_is(service):
    """One sentence names the NRF, another (about someone else) mentions a budget: not an answer."""
    assert ask(service, "<i>What is the NRF's annual budget?</i>").refused
    assert ask(service, "Which country supplies weapons to the Hindu Kush Defence League?").refused


def test_a_quote_question_opens_with_the_whole_quotation(service):
    answer = ask(service, "What did Atta Mohammad Noor say about those who promote war?")
    assert_contract(service, answer)
    assert answer.answer.startswith("“Those who promote war")
    direct = answer.direct_answer.text
    assert "front lines" in direct and direct.rstrip().endswith("justified.”")
    # the attribution follows, not the quotation a second time
    assert answer.answer.count("Those who promote war") == 1
    assert "Atta Mohammad Noor" in answer.answer


def test_an_interview_answer_names_its_speaker(service):
    answer = ask(service, "What does Hakimi say about Farid Rahmatzai?")
    assert answer.answer.startswith("Soraya Hakimi:")
    assert "bravery is not a policy" in answer.direct_answer.text


def test_the_answer_follows_a_link_to_the_entity_that_carries_it(service):
    answer = ask(service, "What does the group led by Yasin Zia advocate?")
    assert_contract(service, answer)
    assert "military solution" in answer.answer
    assert any("Yasin Zia" in q for q in cited(answer)) and any("advocate" in q for q in cited(answer))

    follow_up = ask(
        service,
        "What does his group advocate?",
        [
            ChatTurn(role="user", content=PLAIN),
            ChatTurn(role="assistant", content=ask(service, PLAIN).answer),
        ],
    )
    assert "military solution" in follow_up.answer

    talks = ask(service, "What is the position on talks of the man who leads the HKDL?")
    assert "Rahmatzai has rejected calls for talks" in talks.answer


def test_figures_of_different_dates_come_newest_first_with_the_older_as_an_earlier_report(service):
    """The March wire says 12 were killed, the April analysis 9: of different dates, the newest comes first
    and the older is an earlier report, not a disagreement (issue 28's rule, as in briefings)."""
    answer = ask(service, "How many Taliban soldiers were killed in the Zarvand valley ambush?")
    assert_contract(service, answer)
    assert answer.answer.startswith("The sources are of different dates, the newest first:")
    assert "contradict" not in answer.answer and not answer.conflicts
    newest, earlier = (
        answer.answer.index("Caravan Analysis, 2031-04-20"),
        answer.answer.index("Meridian Wire"),
    )
    assert newest < earlier
    assert "an earlier report, “Opposition militia says it ambushed" in answer.answer
    assert [c.quote for c in answer.citations[:2]] == ["9", "12"]


def test_figures_of_one_date_that_differ_are_a_contradiction(tmp_path, embedder):
    """The same two reports dated the same day: their figures disagree, both sides named in a conflict."""
    from server.service import build_service

    svc = build_service(make_settings(tmp_path), embedder=embedder)
    for path in article_files():
        if path.name in ("wire_zarvand_ambush.txt", "analysis_dushanbe_process.txt"):
            svc.upload(path.read_bytes(), path.name, replace(read_sidecar(path), published="2031-04-20"))
    answer = ask(svc, "How many Taliban soldiers were killed in the Zarvand valley ambush?")
    assert_contract(svc, answer)
    assert answer.answer.startswith("The articles contradict each other:")
    assert "Meridian Wire" in answer.answer and "Caravan Analysis" in answer.answer
    (conflict,) = answer.conflicts
    assert conflict.topic == "figure"
    assert {s.claim for s in conflict.sides} == {"12", "9"}
    assert len({s.doc_id for s in conflict.sides}) == 2


def test_different_organisations_are_not_called_a_contradiction(service):
    answer = ask(service, "Which group does Farid Rahmatzai belong to?")
    assert "The articles tie Farid Rahmatzai to different organisations" in answer.answer
    assert "contradict" not in answer.answer
    assert "Northern Salvation Alliance" in answer.answer and "HKDL" in answer.answer


def test_an_overview_groups_the_sentences_by_article(service):
    iran = ask(service, "Summarize what the articles say about Iran.")
    assert not iran.refused and "request of Tehran" in iran.answer
    dostum = ask(service, "Tell me about Dostum.")
    labels = [s.text for s in dostum.sentences if s.kind == "framing" and s.text.startswith("From “")]
    assert len(labels) == len({c.doc_id for c in dostum.citations}) == 2
    assert "general" in dostum.answer  # "served as a general in the former Najibullah government"


def test_a_multi_part_question_answers_every_part(service):
    answer = ask(service, "When was the Hindu Kush Defence League founded and who leads it?")
    assert answer.direct_answer.text == "September 2029; Farid Rahmatzai"
    listed = ask(service, "What are the main anti-Taliban groups and who leads them?")
    for leader in ("Ahmad Massoud", "Yasin Zia", "Hanif Atmar", "Sarwar Danish"):
        assert leader in listed.direct_answer.text


def test_publisher_furniture_is_never_evidence(service):
    """The analysis's Synopsis, Key Takeaways, Point of View and FAQ blocks are dropped at ingest."""
    for question in (
        "Why does the Dushanbe Process keep failing?",
        "What should the opposition leaders do?",
        "What is the Dushanbe Process?",
    ):
        for quote in cited(ask(service, question)):
            assert "egos aside" not in quote and "lose the world's attention" not in quote
            assert "no joint declaration" not in quote  # a Key Takeaways bullet


COUNCIL_ARTICLE = """A timeline of the Karez Valley Council

The Karez Valley Council (KVC) is an invented network of village councils, written for this test. Its
chairwoman, Laila Durrani, calls it "a parliament of valleys".

In April 2029, elders from forty villages met in Sarband and agreed to form the council. Laila Durrani, a
former schoolteacher, was elected chairwoman by 31 votes to 9.

The council opened its first clinic in Rokha in February 2030. In October 2030 the council signed a
water-sharing agreement with the neighbouring Andarab council after two years of talks.

Local officials detained the council's treasurer in March 2031 and released him three weeks later.
"""


@pytest.fixture(scope="module")
def council_service(tmp_path_factory, embedder):
    """The seed articles, the wire report (which also has something "released in January") and a short
    invented timeline that says "the council" after naming the Karez Valley Council (KVC) once."""
    from server.service import build_service

    svc = build_service(make_settings(tmp_path_factory.mktemp("council-data")), embedder=embedder)
    wire = next(p for p in article_files() if p.name.startswith("wire_"))
    svc.upload(wire.read_bytes(), wire.name, read_sidecar(wire))
    svc.upload(COUNCIL_ARTICLE.encode(), "karez_timeline.txt")
    return svc


def test_the_council_after_its_full_name_is_the_same_organisation(council_service):
    formed = ask(council_service, "When was the KVC formed?")
    assert not formed.refused and formed.direct_answer.text == "April 2029"
    water = ask(
        council_service, "Which council signed a water-sharing agreement with the Karez Valley Council?"
    )
    assert water.direct_answer and "Andarab" in water.direct_answer.text
    talks = ask(council_service, "How long did the water talks take?")
    assert talks.direct_answer and talks.direct_answer.text.lower() == "two years"


def test_one_shared_word_does_not_make_two_articles_contradict(council_service):
    """ "released" in the timeline and "a video released in January" in the wire report are not the same
    event: no contradiction."""
    answer = ask(council_service, "When was the treasurer released?")
    assert not answer.conflicts and "contradict" not in answer.answer


def test_asking_what_someone_wants_is_answered_with_their_position(service):
    """ "want", "think" ask for a position; the articles say "advocate", "made it clear"."""
    wants = ask(service, "What does the Freedom Front want?")
    assert not wants.refused and "military solution" in wants.answer
    thinks = ask(service, "What does the Hanif Atmar Movement think about war?")
    assert not thinks.refused and "war is not the answer" in thinks.answer


def test_a_span_over_words_that_are_not_a_list_is_not_one_answer(service):
    """Two places far apart in a sentence are two spans, never the text between them."""
    answer = ask(service, "What guerrilla operations are mentioned?")
    for n in answer.direct_answer.citations if answer.direct_answer else []:
        quote = next(c.quote for c in answer.citations if c.n == n)
        assert " or have sought refuge" not in quote and len(quote) < 40
