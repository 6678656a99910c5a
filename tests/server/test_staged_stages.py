"""The answer engine's stages, each on hand-made inputs: names, the parse, the reader's input and output,
the read stage's shortlist and neighbours, the decision, the plan and the composed answer. The reader's
readings are made by hand here (no model, no store); tests/server/test_reader.py runs the real model."""

from __future__ import annotations

import numpy as np
import pytest

from index.types import DocumentInfo, RetrievedChunk, StoredSentence
from ingest.language import Entity
from server.answer.engine import chunk_places
from server.answer.reader.decoding import Reading, decode
from server.answer.reader.encoding import MARK_END, MARK_START, ReaderInput, TokenBudget, encode_pair
from server.answer.reader.model import Thresholds
from server.answer.staged.compose import compose_extractive
from server.answer.staged.decide import UNSURE_REASON, decide
from server.answer.staged.decision_model import FEATURES, DecisionModel, log_odds
from server.answer.staged.mentions import resolve_mentions
from server.answer.staged.parse import ParsedQuestion, QuestionKind, QuestionName
from server.answer.staged.plan import AnswerPlan, PlanContext
from server.answer.staged.planning import UNSURE_VERDICT, plan_answer
from server.answer.staged.read import (
    ReadSentence,
    ShortlistWeights,
    adjacent,
    candidate_triples,
    shortlist,
    shortlist_scores,
)

DOC_A, DOC_B, DOC_C = "doc-a", "doc-b", "doc-c"
THRESHOLDS = Thresholds(answer=0.5, span=0.6, verdict_yes=0.85, verdict_no=0.85)


def sentence(sid: str, text: str, doc: str = DOC_A, start: int = 0, ents=()) -> StoredSentence:
    """A stored sentence whose entities are given as (surface text, label) pairs."""
    found = []
    for surface, label in ents:
        at = text.index(surface)
        found.append(Entity(at, at + len(surface), label))
    words = tuple(w.strip(".,").lower() for w in text.split() if len(w) > 3)
    return StoredSentence(sid, doc, start, start + len(text), text, tuple(found), words)


def question(kind: QuestionKind, names=()) -> ParsedQuestion:
    return ParsedQuestion(
        text="q",
        query="q",
        asked="q",
        kind=kind,
        names=tuple(QuestionName(n, frozenset(n.lower().split()), "PERSON") for n in names),
    )


def read(
    s: StoredSentence, answers: float, span: str | None = None, span_p: float = 0.0, verdict=(0.1, 0.1, 0.8)
):
    at = s.text.index(span) if span else -1
    reading = Reading(answers, verdict, (at, at + len(span)) if span else None, span_p)
    return ReadSentence(s, reading, similarity=answers)


def docs(published=None, same_story=None) -> dict[str, DocumentInfo]:
    published = published or {}
    same_story = same_story or {}

    def info(doc_id, outlet):
        return DocumentInfo(
            doc_id,
            f"{doc_id}.txt",
            f"Title {doc_id}",
            outlet,
            published.get(doc_id, "2032-01-01"),
            "",
            1,
            1,
            100,
            0.0,
            same_story_as=tuple(same_story.get(doc_id, ())),
        )

    return {d: info(d, f"Outlet {d[-1].upper()}") for d in (DOC_A, DOC_B, DOC_C)}


def context(q, reads, info=None) -> PlanContext:
    info = info or docs()
    return PlanContext(
        q,
        tuple(sorted(reads, key=lambda r: -r.score)),
        THRESHOLDS,
        info,
        max_sentences=4,
        same_story={d.id: frozenset(d.same_story_as) for d in info.values() if d.same_story_as},
    )


# ---- names --------------------------------------------------------------------------------------
def test_names_that_differ_by_one_word_stay_two_people():
    father = sentence("s1", "Ahmad Shah Massoud was killed in 2001.", ents=[("Ahmad Shah Massoud", "PERSON")])
    son = sentence("s2", "Ahmad Massoud leads the front.", start=50, ents=[("Ahmad Massoud", "PERSON")])
    names = resolve_mentions(
        (QuestionName("Ahmad Shah Massoud", frozenset({"ahmad", "shah", "massoud"})),), [father, son]
    )
    assert [m.sentence_id for m in names.mentions["Ahmad Shah Massoud"]] == ["s1"]


def test_a_longer_name_is_someone_else_when_the_library_writes_the_asked_name_too():
    father = sentence("s1", "Ahmad Shah Massoud was killed in 2001.", ents=[("Ahmad Shah Massoud", "PERSON")])
    son = sentence("s2", "Ahmad Massoud leads the front.", start=50, ents=[("Ahmad Massoud", "PERSON")])
    names = resolve_mentions((QuestionName("Ahmad Massoud", frozenset({"ahmad", "massoud"})),), [father, son])
    assert [m.sentence_id for m in names.mentions["Ahmad Massoud"]] == ["s2"]
    # where the library never writes the shorter name, the longer one is the same person
    dostum = sentence("s3", "Abdul Rashid Dostum left.", ents=[("Abdul Rashid Dostum", "PERSON")])
    names = resolve_mentions((QuestionName("Rashid Dostum", frozenset({"rashid", "dostum"})),), [dostum])
    assert [m.sentence_id for m in names.mentions["Rashid Dostum"]] == ["s3"]


def test_a_name_spacy_did_not_tag_counts_only_where_it_is_written_out():
    us = sentence("s1", "They told us the talks had ended.")
    named = sentence("s2", "The talks ended, the US said.", start=40)
    names = resolve_mentions((QuestionName("US", frozenset({"us"})),), [us, named])
    assert [m.sentence_id for m in names.mentions["US"]] == ["s2"]
    scattered = sentence("s3", "Massoud met Ahmad in Kabul.", start=80)
    names = resolve_mentions((QuestionName("Ahmad Massoud", frozenset({"ahmad", "massoud"})),), [scattered])
    assert names.mentions["Ahmad Massoud"] == ()


def test_a_surname_counts_when_no_other_full_name_in_the_article_shares_it():
    full = sentence("s1", "Farid Rahmatzai leads the league.", ents=[("Farid Rahmatzai", "PERSON")])
    later = sentence("s2", "Rahmatzai has rejected talks.", start=40, ents=[("Rahmatzai", "PERSON")])
    names = resolve_mentions(
        (QuestionName("Farid Rahmatzai", frozenset({"farid", "rahmatzai"})),), [full, later]
    )
    assert {m.sentence_id for m in names.mentions["Farid Rahmatzai"]} == {"s1", "s2"}


# ---- parse --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "text, kind",
    [
        ("Is Omar Safi a member of the Valley Council?", QuestionKind.YES_NO),
        ("Who was Omar Safi?", QuestionKind.WHO_IS),
        ("What is the Valley Council?", QuestionKind.WHO_IS),
        ("What do the articles say about Omar Safi?", QuestionKind.OVERVIEW),
        ("Summarize what the reports say about the Valley Council.", QuestionKind.OVERVIEW),
        ("Tell me about Omar Safi.", QuestionKind.OVERVIEW),
        ("What is known about Omar Safi?", QuestionKind.OVERVIEW),
        ("What has been reported about the Valley Council?", QuestionKind.OVERVIEW),
        ("What was decided about the talks in Herat?", QuestionKind.EXPLANATION),  # asks for the decision
        # ... but a passive verb of knowing followed by what is asked is not a request for an overview
        ("What is reported to have happened to Omar Safi?", QuestionKind.EXPLANATION),
        ("What was reported by Omar Safi?", QuestionKind.WHO_IS),
        ("What is known as the Valley Council?", QuestionKind.EXPLANATION),
        # one fact about a name, the reader's to answer or refuse, not an overview
        ("What happened to Omar Safi?", QuestionKind.WHO_IS),
        ("What killed Omar Safi?", QuestionKind.WHO_IS),
        ("What does Omar Safi want?", QuestionKind.WHO_IS),
        ("How was Omar Safi out?", QuestionKind.WHO_IS),
        ("How many months did the siege of Kalat last?", QuestionKind.FIGURE),
        ("Who chaired the meeting in Herat?", QuestionKind.PERSON),
        ("When did the Valley Council meet?", QuestionKind.DATE),
        ("Why did the talks in Herat fail?", QuestionKind.EXPLANATION),
        ("What did Omar Safi say about the talks?", QuestionKind.QUOTE),
        ("What role did Omar Safi play in the talks?", QuestionKind.EXPLANATION),
        ("Which country did Omar Safi visit?", QuestionKind.CHOICE),
        ("Does the Valley Council favour talks or a military solution?", QuestionKind.EXPLANATION),
        # a request made of the reader asks for what it requests, not for a yes or a no ...
        ("Can you tell me about Omar Safi?", QuestionKind.OVERVIEW),
        ("Could you tell me more about the Valley Council?", QuestionKind.OVERVIEW),
        ("Can you explain the role of the Valley Council?", QuestionKind.EXPLANATION),
        # ... unless it carries a claim to confirm
        ("Could you tell me whether Omar Safi met the council?", QuestionKind.YES_NO),
        ("Can you confirm that Omar Safi met the council?", QuestionKind.YES_NO),
        ("Do you think Omar Safi will stand again?", QuestionKind.YES_NO),
        ("Can Omar Safi stand again?", QuestionKind.YES_NO),
    ],
)
def test_the_parse_names_the_kind_of_question(text, kind):
    from server.answer.staged.parse import parse_question

    parsed = parse_question(text)
    assert parsed.kind == kind, parsed.trace()


@pytest.mark.parametrize(
    "text, asked, kind",
    [
        # spaCy attaches the fronted interrogative to the preposition or verb at the end (a non-projective arc)
        ("What does ZASLB stand for?", "What does ZASLB stand for?", QuestionKind.EXPLANATION),
        (
            "Which group does Hafiz Taimani speak for?",
            "Which group does Hafiz Taimani speak for?",
            QuestionKind.CHOICE,
        ),
        (
            "How is the brigade going to be financed?",
            "How is the brigade going to be financed?",
            QuestionKind.EXPLANATION,
        ),
        (
            "What does she say none of her proposals require?",
            "What does she say none of her proposals require?",
            QuestionKind.EXPLANATION,
        ),
        # and the request around a question is still left out
        (
            "Could you tell me who leads the Valley Council? Thanks",
            "who leads the Valley Council?",
            QuestionKind.PERSON,
        ),
    ],
)
def test_the_reader_reads_the_interrogative_moved_to_the_front(text, asked, kind):
    # Without it the reader would read a yes/no question ("does ZASLB stand for?").
    from server.answer.staged.parse import parse_question

    parsed = parse_question(text)
    assert parsed.asked == asked and parsed.kind == kind, parsed.trace()


@pytest.mark.parametrize(
    "text, stored, held",
    [
        # lemmas, not surface words: "met" is "meet", "councils" is "council"
        ("When did the councils meet in Herat?", "The council met in Herat on Monday.", {"council", "meet"}),
        # the analysis keeps a hyphenated modifier whole ("anti-taliban"); a stored sentence holds its parts
        (
            "Which anti-Taliban groups crossed the border?",
            "Two anti-Taliban groups made cross-border raids.",
            {"anti", "taliban", "cross", "border"},
        ),
    ],
)
def test_the_question_s_terms_are_the_lemmas_a_stored_sentence_is_matched_by(text, stored, held):
    # The shortlist counts the question's terms among a stored sentence's lemmas (annotated at ingest by
    # ingest/language.py): both must come out of the pipeline in the same form.
    from ingest.language import annotate_sentences
    from server.answer.staged.parse import parse_question

    parsed = parse_question(text)
    lemmas = set(annotate_sentences([stored])[0].lemmas)
    assert parsed.terms & lemmas == held, (parsed.trace(), sorted(lemmas))
    assert not parsed.terms & {"when", "which", "the", "did", "in", "?"}
    assert parsed.trace()["terms"] == sorted(parsed.terms)


def test_a_lower_case_word_tagged_as_a_proper_noun_is_not_a_name():
    from server.answer.staged.parse import parse_question

    names = [n.text for n in parse_question("Does the op-ed's author agree with Laila Zamanpur?").names]
    assert names == ["Laila Zamanpur"]


# ---- the reader's input and output ---------------------------------------------------------------
class _Encoding:
    def __init__(self, text: str):
        words = text.split()
        self.ids = [100 + len(w) for w in words]
        self.offsets, at = [], 0
        for w in words:
            at = text.index(w, at)
            self.offsets.append((at, at + len(w)))
            at += len(w)


class _Tokenizer:
    """One token per word (ids from word lengths), with character offsets, like the real tokenizer's."""

    def encode_batch(self, texts, add_special_tokens=False):
        return [_Encoding(t) for t in texts]


def test_the_candidate_is_marked_between_its_neighbours_and_cut_to_its_budgets():
    pair = encode_pair(
        _Tokenizer(),
        "who leads the front",
        "Zia leads the front.",
        "one two three four five",
        "after this sentence",
        TokenBudget(question=2, neighbour=3, candidate=3),
    )
    ids = list(pair.ids)
    assert ids[0] == 101 and ids[3] == 102  # [CLS] two question tokens [SEP]
    first, last = pair.candidate_tokens
    assert ids[first - 1] == MARK_START and ids[last] == MARK_END
    assert last - first == 3 and len(pair.offsets) == 3
    # the previous sentence keeps its end, the next one its start
    assert ids[4:7] == [105, 104, 104] and ids[last + 1 : last + 4] == [105, 104, 108]
    assert list(pair.types[:4]) == [0, 0, 0, 0] and set(pair.types[4:]) == {1}


def test_the_best_span_lies_inside_the_candidate_and_maps_back_to_its_characters():
    text = "Yasin Zia leads the front"
    offsets = tuple(_Encoding(text).offsets)
    pair = ReaderInput(np.zeros(10, dtype=np.int64), np.zeros(10, dtype=np.int64), (3, 8), offsets)
    start, end = np.full(10, -5.0), np.full(10, -5.0)
    start[1], end[2] = 9.0, 9.0  # outside the candidate: never chosen
    start[3], end[4] = 4.0, 4.0  # "Yasin Zia"
    reading = decode(pair, 2.0, [0.0, 0.0, 0.0], start, end)
    assert text[reading.span[0] : reading.span[1]] == "Yasin Zia"
    assert 0.5 < reading.span_probability < 1.0 and reading.answers == pytest.approx(1 / (1 + np.exp(-2.0)))
    start[0], end[0] = 12.0, 12.0  # "no span here" wins: the span's probability falls
    assert decode(pair, 2.0, [0.0, 0.0, 0.0], start, end).span_probability < 0.01


# ---- read -----------------------------------------------------------------------------------------
def test_the_shortlist_keeps_the_sentences_most_like_the_question():
    matrix = np.array([[0.1, 0.99], [0.9, 0.43], [0.5, 0.86], [0.95, 0.31]])
    assert shortlist(matrix @ np.array([1.0, 0.0]), 2) == [3, 1]


SHORTLISTED = [
    sentence("a", "The council met in Herat on Monday.", start=0),
    sentence("b", "Members reach the emergency desk by radio.", start=36),
    sentence("c", "The weather was mild.", doc=DOC_B, start=0),
    sentence("d", "Aid arrived by road.", doc=DOC_C, start=0),
]


def test_without_its_weights_the_shortlisting_score_is_the_cosine():
    cosine = np.array([0.5, 0.2, 0.4, 0.3])
    none = ShortlistWeights(terms=0.0, neighbour=0.0, chunk_place=0.0)
    scores = shortlist_scores(
        SHORTLISTED, adjacent(SHORTLISTED), cosine, [0, 0, 1, 2], frozenset({"desk"}), none
    )
    assert scores.tolist() == cosine.tolist()


@pytest.mark.parametrize(
    ("weights", "places", "terms", "first"),
    [
        # "emergency" and "desk" are the question's terms: the sentence holding both is read before the
        # slightly likelier weather sentence that holds neither
        (
            ShortlistWeights(terms=0.2, neighbour=0.0, chunk_place=0.0),
            [0, 0, 0, 0],
            {"emergency", "desk"},
            "b",
        ),
        # its neighbour "a" is the likest sentence: "b" follows it, and passes "c" and "d"
        (ShortlistWeights(terms=0.0, neighbour=0.2, chunk_place=0.0), [0, 0, 0, 0], set(), "b"),
        # the chunk retrieval put first lifts its sentences over those of the chunks below it
        (ShortlistWeights(terms=0.0, neighbour=0.0, chunk_place=0.1), [2, 0, 2, 2], set(), "b"),
    ],
)
def test_the_shortlist_reads_terms_neighbours_and_retrievals_order_beside_the_cosine(
    weights, places, terms, first
):
    cosine = np.array([0.6, 0.2, 0.3, 0.25])
    scores = shortlist_scores(SHORTLISTED, adjacent(SHORTLISTED), cosine, places, frozenset(terms), weights)
    second = [SHORTLISTED[i].id for i in shortlist(scores, 2)][1]
    assert shortlist(cosine, 2) == [0, 2] and second == first


def test_a_chunk_s_place_counts_up_to_its_cap():
    # "c" is likelier than "d"; below the cap their chunks' places part them, beyond it they count alike
    cosine = np.array([0.6, 0.2, 0.31, 0.3])
    weights = ShortlistWeights(terms=0.0, neighbour=0.0, chunk_place=0.1, chunk_place_cap=3)
    assert shortlist(
        shortlist_scores(SHORTLISTED, adjacent(SHORTLISTED), cosine, [0, 3, 3, 1], frozenset(), weights), 2
    ) == [0, 3]
    assert shortlist(
        shortlist_scores(SHORTLISTED, adjacent(SHORTLISTED), cosine, [0, 3, 19, 5], frozenset(), weights), 2
    ) == [0, 2]


def test_a_sentence_is_read_with_its_neighbours_only_where_they_follow_each_other():
    a = sentence("a", "First one.", start=0)
    b = sentence("b", "Second one.", start=11)
    c = sentence("c", "Far away.", start=400)
    other = sentence("o", "Other article.", doc=DOC_B, start=22)
    sentences = [c, b, other, a]
    _chosen, triples = candidate_triples(sentences, adjacent(sentences), np.array([4.0, 3.0, 2.0, 1.0]), 4)
    assert triples[3] == ("", "First one.", "Second one.") and triples[1] == ("First one.", "Second one.", "")
    assert triples[0] == ("", "Far away.", "") and triples[2] == ("", "Other article.", "")


# ---- decide ---------------------------------------------------------------------------------------
def test_the_question_is_answered_at_the_calibrated_threshold_and_refused_below_it():
    s = sentence("s1", "Omar Safi chaired the meeting.", ents=[("Omar Safi", "PERSON")])
    q = question(QuestionKind.PERSON)
    names = resolve_mentions(q.names, [s])
    assert decide(q, names, (read(s, 0.5),), 0.5).answer
    refused = decide(q, names, (read(s, 0.49),), 0.5)
    assert not refused.answer and refused.probability == 0.49 and refused.threshold == 0.5


def test_the_learned_decision_reads_more_than_the_likeliest_probability():
    """With a decision in the card, its score over the candidates decides in place of the answer threshold:
    here it weighs the likeliest candidate's shortlisting score and whether it mentions the asked name, so an
    equally sure reading of a sentence that does not name him and was shortlisted low is refused."""
    safi = sentence("s1", "Omar Safi chaired the meeting.", ents=[("Omar Safi", "PERSON")])
    other = sentence("s2", "The envoy chaired the talks.", doc=DOC_B)
    q = question(QuestionKind.PERSON, names=("Omar Safi",))
    names = resolve_mentions(q.names, [safi, other])
    weights = dict.fromkeys(FEATURES, 0.0) | {"answers": 1.0, "shortlisted": 4.0, "names_in": 2.0}
    model = DecisionModel(weights, bias=-6.0, threshold=0.0)
    sure = Reading(0.95, (0.1, 0.1, 0.8), None, 0.0)
    named = decide(q, names, (ReadSentence(safi, sure, 0.6, 0.8),), 0.99, model)
    assert named.answer and named.threshold == 0.0
    assert named.features["names_in"] == 1.0 and named.features["shortlisted"] == 0.8
    assert named.score == pytest.approx(log_odds(0.95) + 3.2 + 2.0 - 6.0)
    unnamed = decide(q, names, (ReadSentence(other, sure, 0.6, 0.2),), 0.5, model)
    assert not unnamed.answer and unnamed.features["names_in"] == 0.0 and unnamed.score < 0.0
    # the trace shows the score and each feature; without a model the probability rule decides, as before
    assert named.trace()["features"]["names_in"] == 1.0 and named.trace()["score"] > 0
    assert decide(q, names, (ReadSentence(other, sure, 0.6, 0.2),), 0.5).answer


def test_a_refusal_of_a_likely_candidate_is_unsure_and_does_not_say_the_articles_are_silent():
    """Refused by the threshold or by the learned decision, a question whose likeliest candidate the reader
    gives better than even odds is an unsure refusal (a passage may say it); one below even odds keeps the
    refusal that says what the articles lack."""
    s = sentence("s1", "Omar Safi chaired the meeting.", ents=[("Omar Safi", "PERSON")])
    q = question(QuestionKind.PERSON, names=("Omar Safi",))
    names = resolve_mentions(q.names, [s])
    likely = decide(q, names, (read(s, 0.8),), 0.9)
    assert not likely.answer and likely.unsure and likely.reason == UNSURE_REASON
    assert likely.trace()["unsure"]
    unlikely = decide(q, names, (read(s, 0.3),), 0.9)
    assert not unlikely.answer and not unlikely.unsure and "Omar Safi" in unlikely.reason
    strict = DecisionModel(dict.fromkeys(FEATURES, 0.0), bias=-1.0, threshold=0.0)
    assert decide(q, names, (read(s, 0.8),), 0.5, strict).unsure
    assert not decide(q, names, (read(s, 0.8),), 0.5).unsure  # answered: nothing to be unsure of


def test_a_card_s_decision_must_have_today_s_features():
    weights = dict.fromkeys(FEATURES, 0.5)
    assert DecisionModel.of_card({"weights": weights, "bias": 1, "threshold": 2}).bias == 1.0
    with pytest.raises(ValueError, match="recalibrate"):
        DecisionModel.of_card({"weights": {**weights, "retired": 1.0}, "bias": 0, "threshold": 0})


def test_a_refusal_names_a_name_no_article_mentions():
    s = sentence("s1", "Omar Safi chaired the meeting.", ents=[("Omar Safi", "PERSON")])
    q = question(QuestionKind.PERSON, names=("Bashir Noorzai",))
    decision = decide(q, resolve_mentions(q.names, [s]), (read(s, 0.2),), 0.5)
    assert not decision.answer and "Bashir Noorzai" in decision.reason


def test_an_overview_is_answered_by_the_candidates_that_mention_its_topic_whatever_their_reading():
    """The reader scores no sentence as answering "Tell me about Omar Safi" (it is trained on questions of one
    fact); every candidate that mentions him answers it, by its likeness to the question, article by article,
    and a candidate that names someone else does not."""
    safi = sentence("s1", "Omar Safi chaired the meeting.", ents=[("Omar Safi", "PERSON")])
    other = sentence("s2", "Bashir Noorzai stayed in Herat.", start=40, ents=[("Bashir Noorzai", "PERSON")])
    later = sentence("s3", "Omar Safi left for Doha in May.", doc=DOC_B, ents=[("Omar Safi", "PERSON")])
    again = sentence("s4", "Omar Safi denied it.", start=80, ents=[("Omar Safi", "PERSON")])
    reads = tuple(
        ReadSentence(s, Reading(0.05, (0.1, 0.1, 0.8), None, 0.0), 0.5, shortlisted)
        for s, shortlisted in ((safi, 0.8), (other, 0.9), (later, 0.7), (again, 0.6))
    )
    candidates = [safi, other, later, again]
    q = question(QuestionKind.OVERVIEW, names=("Omar Safi",))
    decision = decide(q, resolve_mentions(q.names, candidates), reads, 0.5)
    assert decision.answer and "Omar Safi" in decision.reason
    assert [r.sentence.id for r in decision.topic] == ["s1", "s3", "s4"]
    plan = plan_answer(PlanContext(q, reads, THRESHOLDS, docs(), max_sentences=4, topic=decision.topic))
    # grouped: the article of the best sentence first, its two sentences together
    assert plan.grouped and [e.sentence.id for e in plan.evidence] == ["s1", "s4", "s3"]
    # a question of one fact about him is the reader's to decide: refused at these readings
    person = question(QuestionKind.PERSON, names=("Omar Safi",))
    refused = decide(person, resolve_mentions(person.names, candidates), reads, 0.5)
    assert not refused.answer and refused.topic == ()
    # an overview of someone no candidate mentions is refused, whatever the reader says
    absent = question(QuestionKind.OVERVIEW, names=("Karim Jalali",))
    sure = tuple(ReadSentence(r.sentence, Reading(0.99, (0.1, 0.1, 0.8), None, 0.0), 0.5) for r in reads)
    assert not decide(absent, resolve_mentions(absent.names, candidates), sure, 0.5).answer


# ---- plan -----------------------------------------------------------------------------------------
def test_a_confident_span_is_the_bold_answer_and_its_sentence_comes_first():
    s = sentence("s1", "The meeting was chaired by Omar Safi.")
    other = sentence("s2", "Safi has chaired it since 2030.", start=40)
    plan = plan_answer(
        context(
            question(QuestionKind.PERSON), [read(s, 0.9, "Omar Safi", 0.8), read(other, 0.6, "Safi", 0.3)]
        )
    )
    assert [d.text for d in plan.direct] == ["Omar Safi"]
    assert [e.sentence.id for e in plan.evidence] == ["s1", "s2"]


def test_a_span_below_the_span_threshold_is_not_given_in_bold():
    s = sentence("s1", "The meeting was chaired by Omar Safi.")
    plan = plan_answer(context(question(QuestionKind.PERSON), [read(s, 0.9, "Omar Safi", 0.59)]))
    assert plan.direct == () and [e.sentence.id for e in plan.evidence] == ["s1"]


def test_who_is_opens_with_the_sentence_that_says_who_without_a_bold_span():
    s = sentence("s1", "Omar Safi is a former governor of Balkh.")
    plan = plan_answer(
        context(question(QuestionKind.WHO_IS), [read(s, 0.9, "a former governor of Balkh", 0.9)])
    )
    assert plan.direct == () and plan.evidence[0].sentence.id == "s1"


def test_the_verdict_comes_from_the_reader_and_independent_articles_can_disagree():
    yes = sentence("s1", "Safi is a member of the council.")
    no = sentence("s2", "Safi is not a member of the council.", doc=DOC_B)
    q = question(QuestionKind.YES_NO)
    # verdict scores (answer probability x side): 0.95 x 0.95 and 0.9 x 0.96, above the threshold of 0.85
    alone = plan_answer(context(q, [read(yes, 0.95, verdict=(0.95, 0.03, 0.02))]))
    assert alone.verdict == "Yes"
    both = [read(yes, 0.95, verdict=(0.95, 0.03, 0.02)), read(no, 0.9, verdict=(0.02, 0.96, 0.02))]
    assert plan_answer(context(q, both)).verdict == "The articles disagree"
    copies = docs(same_story={DOC_A: [DOC_B], DOC_B: [DOC_A]})
    assert plan_answer(context(q, both, copies)).verdict == "Yes", "copies of one story are not two sources"


def test_a_verdict_the_reader_is_not_sure_of_is_not_given_nor_makes_a_disagreement():
    yes = sentence("s1", "Safi attended the council's first session.")
    no = sentence("s2", "Safi was abroad during the session.", doc=DOC_B)
    q = question(QuestionKind.YES_NO)
    unsure = plan_answer(context(q, [read(yes, 0.9, verdict=(0.5, 0.4, 0.1))]))
    assert unsure.verdict is None and unsure.note == UNSURE_VERDICT
    assert unsure.evidence[0].sentence.id == "s1"
    # sure of its side, but the sentence barely answers: not sure of the verdict (0.6 x 0.97)
    doubted = plan_answer(context(q, [read(yes, 0.6, verdict=(0.97, 0.01, 0.02))]))
    assert doubted.verdict is None and doubted.note == UNSURE_VERDICT
    sure_and_unsure = [read(yes, 0.95, verdict=(0.95, 0.03, 0.02)), read(no, 0.8, verdict=(0.4, 0.5, 0.1))]
    assert plan_answer(context(q, sure_and_unsure)).verdict == "Yes"


def test_a_yes_and_a_no_are_each_given_at_their_own_side_s_threshold():
    yes = sentence("s1", "Safi is a member of the council.")
    no = sentence("s2", "Safi is not a member of the council.")
    sides = Thresholds(answer=0.5, span=0.6, verdict_yes=0.8, verdict_no=0.95)
    q = question(QuestionKind.YES_NO)

    def plan(r: ReadSentence):
        return plan_answer(PlanContext(q, (r,), sides, docs(), max_sentences=4))

    # both at 0.9 x 0.96 = 0.864: above the yes threshold, below the no threshold
    assert plan(read(yes, 0.9, verdict=(0.96, 0.02, 0.02))).verdict == "Yes"
    assert plan(read(no, 0.9, verdict=(0.02, 0.96, 0.02))).verdict is None
    assert plan(read(no, 0.99, verdict=(0.01, 0.98, 0.01))).verdict == "No"


def test_figures_from_sources_of_different_dates_come_newest_first_as_earlier_reports():
    old = sentence("s1", "Officials said 40 people were killed.")
    new = sentence("s2", "The toll has risen to 63 people.", doc=DOC_B)
    reads = [read(old, 0.9, "40 people", 0.9), read(new, 0.8, "63 people", 0.9)]
    info = docs(published={DOC_A: "2032-02-18", DOC_B: "2032-02-20"})
    plan = plan_answer(context(question(QuestionKind.FIGURE), reads, info))
    assert [d.text for d in plan.direct] == ["63 people", "40 people"] and plan.dated
    answer = compose_extractive(plan, [old, new], [], info)
    assert answer.conflicts == [] and "earlier reports" in answer.answer
    same_day = plan_answer(context(question(QuestionKind.FIGURE), reads, docs()))
    assert not same_day.dated
    assert compose_extractive(same_day, [old, new], [], docs()).conflicts[0].topic == "figure"


def test_an_overview_groups_the_answering_sentences_by_article():
    a = sentence("s1", "The council met in Herat.")
    b = sentence("s2", "The council named a leader.", doc=DOC_B)
    plan = plan_answer(context(question(QuestionKind.OVERVIEW), [read(a, 0.9), read(b, 0.7), read(a, 0.1)]))
    assert plan.grouped and [e.sentence.id for e in plan.evidence] == ["s1", "s2"]


# ---- compose --------------------------------------------------------------------------------------
def test_every_quote_is_the_source_s_characters_at_its_offsets():
    text = "Intro sentence here. Omar Safi chaired the meeting."
    s = sentence("s1", "Omar Safi chaired the meeting.", start=21, ents=[("Omar Safi", "PERSON")])
    plan = plan_answer(context(question(QuestionKind.PERSON), [read(s, 0.9, "Omar Safi", 0.9)]))
    answer = compose_extractive(plan, [s], [], docs())
    assert answer.direct_answer.text == "Omar Safi"
    for c in answer.citations:
        assert text[c.start : c.end] == c.quote


def test_a_plan_without_evidence_cites_nothing():
    answer = compose_extractive(AnswerPlan(QuestionKind.PERSON, ()), [], [], docs())
    assert answer.citations == [] and answer.direct_answer is None


def test_a_sentence_takes_the_place_of_the_first_retrieved_chunk_that_holds_it():
    def chunk(cid: str, sids: tuple[str, ...]) -> RetrievedChunk:
        return RetrievedChunk(cid, DOC_A, 0, 1, "", 0.0, None, None, sids)

    chunks = [chunk("c0", ("b",)), chunk("c1", ("a", "b")), chunk("c2", ("c",))]
    assert chunk_places(chunks, SHORTLISTED) == [1, 0, 2, 3]  # "d" is in none of them: after the last


def test_no_span_is_given_in_bold_when_another_article_s_answering_sentence_gives_another_value():
    s = sentence("s1", "The meeting was chaired by Omar Safi.")
    other = sentence("s2", "The meeting was chaired by Nasir Kamal.", doc=DOC_B)
    plan = plan_answer(
        context(
            question(QuestionKind.PERSON),
            [read(s, 0.9, "Omar Safi", 0.8), read(other, 0.7, "Nasir Kamal", 0.3)],
        )
    )
    assert plan.direct == () and [e.sentence.id for e in plan.evidence] == ["s1", "s2"]
    assert "another value" in plan.why


def test_a_bold_span_stands_when_the_other_answering_sentences_agree_or_share_its_article():
    s = sentence("s1", "The meeting was chaired by Omar Safi.")
    same_value = sentence("s2", "Omar Safi chaired the meeting.", doc=DOC_B)
    same_article = sentence("s3", "Its deputy is Nasir Kamal.", start=40)
    reads = [
        read(s, 0.9, "Omar Safi", 0.8),
        read(same_value, 0.7, "Omar Safi", 0.3),
        read(same_article, 0.6, "Nasir Kamal", 0.2),
    ]
    plan = plan_answer(context(question(QuestionKind.PERSON), reads))
    assert [d.text for d in plan.direct] == ["Omar Safi"]
