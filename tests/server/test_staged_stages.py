"""Each stage of the staged answer engine (server/answer/staged) on hand-made inputs: no embedding model,
no store, no spaCy (except the parse stage, whose job is spaCy's parse). The texts are invented here."""

import json
from dataclasses import replace

import numpy as np
import pytest

from index.types import DocumentInfo, RetrievedChunk, StoredSentence
from ingest.language import Entity
from server.answer.staged.compose import compose_extractive
from server.answer.staged.decide import decide
from server.answer.staged.features import (
    QUESTION_FEATURES,
    SENTENCE_FEATURES,
    SPAN_FEATURES,
    Candidate,
    sentence_features,
    span_features,
)
from server.answer.staged.mentions import resolve_mentions
from server.answer.staged.parse import ParsedQuestion, QuestionKind, QuestionName
from server.answer.staged.plan import AnswerPlan, PlanContext, ScoredSentence, with_antecedents
from server.answer.staged.planners import figure, list_members, yes_no
from server.answer.staged.scoring import FittedParams, LogisticModel, Thresholds, parse_params

DOC_A, DOC_B = "doc-a", "doc-b"


def sentence(sid: str, text: str, doc: str = DOC_A, start: int = 0, ents=(), lemmas=()) -> StoredSentence:
    """A stored sentence whose entities are given as (surface text, label) pairs."""
    found = []
    for surface, label in ents:
        at = text.index(surface)
        found.append(Entity(at, at + len(surface), label))
    words = tuple(lemmas) or tuple(w.strip(".,").lower() for w in text.split() if len(w) > 3)
    return StoredSentence(sid, doc, start, start + len(text), text, tuple(found), words)


def question(kind: QuestionKind, names=(), terms=(), labels=(), focus=None, predicate=()) -> ParsedQuestion:
    return ParsedQuestion(
        text="q",
        query="q",
        kind=kind,
        names=tuple(QuestionName(n, frozenset(n.lower().split()), "PERSON") for n in names),
        terms=frozenset(terms),
        head_terms=frozenset(),
        answer_labels=frozenset(labels),
        focus_noun=focus,
        units=frozenset([focus]) if focus and kind == QuestionKind.FIGURE else frozenset(),
        predicate=frozenset(predicate),
        qualifiers=(),
        plural=False,
    )


def params(answer=0.5, evidence=0.5, span=0.5, sentence_weights=None) -> FittedParams:
    """Weights that make a sentence's probability follow its similarity, a span's its sentence's."""
    sw = sentence_weights or {"similarity": 10.0}
    return FittedParams(
        LogisticModel(
            SENTENCE_FEATURES, SENTENCE_FEATURES, tuple(sw.get(f, 0.0) for f in SENTENCE_FEATURES), -5.0
        ),
        LogisticModel(
            QUESTION_FEATURES,
            QUESTION_FEATURES,
            tuple(10.0 if f == "best" else 0.0 for f in QUESTION_FEATURES),
            -5.0,
        ),
        LogisticModel(
            SPAN_FEATURES,
            SPAN_FEATURES,
            tuple(10.0 if f in ("sentence", "unit") else 0.0 for f in SPAN_FEATURES),
            -8.0,
        ),
        Thresholds(answer, evidence, span),
        "test",
    )


def docs() -> dict[str, DocumentInfo]:
    def info(doc_id, outlet):
        return DocumentInfo(
            doc_id, f"{doc_id}.txt", f"Title {doc_id}", outlet, "2032-01-01", "", 1, 1, 100, 0.0
        )

    return {DOC_A: info(DOC_A, "Outlet A"), DOC_B: info(DOC_B, "Outlet B")}


def scored(q, sentences, sims, names=None):
    """Scored sentences whose similarity to the question is given, by hand-made vectors."""
    names = names or resolve_mentions(q.names, sentences)
    matrix = np.array([[s, float(np.sqrt(max(0.0, 1 - s * s)))] for s in sims])
    chunks = [RetrievedChunk("c", DOC_A, 0, 1000, "", 1.0, None, None, tuple(s.id for s in sentences))]
    cands = sentence_features(q, names, sentences, matrix, np.array([1.0, 0.0]), chunks)
    model = params().sentence
    out = sorted((ScoredSentence(c, model.probability(c.features)) for c in cands), key=lambda s: -s.score)
    return names, out


def context(q, names, ranked, p=None) -> PlanContext:
    return PlanContext(q, names, tuple(ranked), p or params(), docs(), max_sentences=4)


# ---- resolve names --------------------------------------------------------------------------------
def test_names_that_differ_by_one_word_stay_two_people():
    father = sentence("s1", "Ahmad Shah Massoud was killed in 2001.", ents=[("Ahmad Shah Massoud", "PERSON")])
    son = sentence("s2", "Ahmad Massoud leads the front.", start=50, ents=[("Ahmad Massoud", "PERSON")])
    names = resolve_mentions(
        (QuestionName("Ahmad Shah Massoud", frozenset({"ahmad", "shah", "massoud"})),), [father, son]
    )
    assert [m.sentence_id for m in names.mentions["Ahmad Shah Massoud"]] == ["s1"]


def test_a_surname_counts_when_no_other_full_name_in_the_article_shares_it():
    full = sentence("s1", "Farid Rahmatzai leads the league.", ents=[("Farid Rahmatzai", "PERSON")])
    later = sentence("s2", "Rahmatzai has rejected talks.", start=40, ents=[("Rahmatzai", "PERSON")])
    names = resolve_mentions(
        (QuestionName("Farid Rahmatzai", frozenset({"farid", "rahmatzai"})),), [full, later]
    )
    assert {m.sentence_id for m in names.mentions["Farid Rahmatzai"]} == {"s1", "s2"}


# ---- features -------------------------------------------------------------------------------------
def test_a_figure_question_finds_the_figure_of_the_asked_unit():
    q = question(QuestionKind.FIGURE, labels=("CARDINAL",), focus="month")
    months = sentence("s1", "The siege lasted nine months.", ents=[("nine", "CARDINAL")])
    people = sentence("s2", "Some 400 people fled the siege.", start=40, ents=[("400", "CARDINAL")])
    _names, ranked = scored(q, [months, people], [0.5, 0.5])
    unit = {s.sentence.id: s.feature("unit") for s in ranked}
    assert unit == {"s1": 1.0, "s2": 0.0}
    spans = span_features(q, _names, people, 0.9)
    assert spans and spans[0].text == "400" and spans[0].features[SPAN_FEATURES.index("unit")] == 0.0


def test_a_length_of_time_labelled_as_a_date_is_a_figure_of_a_how_long_question():
    q = replace(question(QuestionKind.FIGURE, labels=("CARDINAL",)), units=frozenset(["month", "year"]))
    held = sentence("s1", "The front held them for five months.", ents=[("five months", "DATE")])
    dated = sentence("s2", "The front was set up in 2029.", start=40, ents=[("2029", "DATE")])
    _names, ranked = scored(q, [held, dated], [0.5, 0.5])
    assert {s.sentence.id: s.feature("unit") for s in ranked} == {"s1": 1.0, "s2": 0.0}
    spans = span_features(q, _names, held, 0.9)
    assert [x.text for x in spans] == ["five months"]


def test_the_question_s_own_name_is_never_the_span_that_answers_it():
    q = question(QuestionKind.PERSON, names=["Nadia Karimi"], labels=("PERSON",))
    s = sentence(
        "s1",
        "Nadia Karimi met Omar Safi in Herat.",
        ents=[("Nadia Karimi", "PERSON"), ("Omar Safi", "PERSON")],
    )
    names = resolve_mentions(q.names, [s])
    assert [x.text for x in span_features(q, names, s, 0.9)] == ["Omar Safi"]


def test_a_which_month_question_needs_a_date_that_names_the_month():
    q = question(QuestionKind.DATE, labels=("DATE",), focus="month")
    year_only = sentence("s1", "The commander was killed in 2001.", ents=[("2001", "DATE")])
    with_month = sentence(
        "s2", "The commander was killed in September 2001.", start=40, ents=[("September 2001", "DATE")]
    )
    _names, ranked = scored(q, [year_only, with_month], [0.5, 0.5])
    assert {s.sentence.id: s.feature("slot") for s in ranked} == {"s1": 0.0, "s2": 1.0}


def test_a_list_number_or_an_articles_untitled_first_line_is_a_heading_not_evidence():
    from server.answer.staged.features import headline

    assert headline(sentence("s1", "2.", start=300))
    assert headline(
        sentence("s2", "The engineer who went to war and the long shadow of his father's name", start=0)
    )
    assert not headline(
        sentence("s3", "The engineer went to war in the spring of that year, his brother said.", start=0)
    )
    assert not headline(sentence("s4", "He went to war.", start=300))


# ---- scoring ---------------------------------------------------------------------------------------
def test_a_parameters_file_for_other_features_is_refused():
    data = {
        "sentence": {"features": ["similarity"], "weights": [1.0], "bias": 0.0},
        "question": {
            "features": list(QUESTION_FEATURES),
            "weights": [0.0] * len(QUESTION_FEATURES),
            "bias": 0,
        },
        "span": {"features": list(SPAN_FEATURES), "weights": [0.0] * len(SPAN_FEATURES), "bias": 0},
        "thresholds": {"answer": 0.5, "evidence": 0.5, "span": 0.5},
    }
    with pytest.raises(ValueError, match="briefing fit"):
        parse_params(data)


def test_the_committed_parameters_were_fitted_and_say_on_what():
    from server.answer.staged.scoring import PARAMS_PATH, load_params

    data = json.loads(PARAMS_PATH.read_text())
    assert data["training"]["splits"] == ["core", "robustness", "dev"], "the blind split is never fitted on"
    assert data["at_thresholds"]["answer"]["precision"] is not None
    model = load_params().sentence
    assert model.probability(tuple(1.0 for _ in SENTENCE_FEATURES)) != model.probability(
        tuple(0.0 for _ in SENTENCE_FEATURES)
    )


# ---- decide ----------------------------------------------------------------------------------------
def test_a_question_whose_name_is_nowhere_is_refused_and_the_reason_names_it():
    q = question(QuestionKind.PERSON, names=["Zarin Gul"], labels=("PERSON",))
    s = sentence("s1", "Omar Safi chaired the meeting.", ents=[("Omar Safi", "PERSON")])
    names, ranked = scored(q, [s], [0.2])
    decision = decide(q, names, ranked, params(answer=0.9))
    assert not decision.answer and "Zarin Gul" in decision.reason


def test_a_name_no_passage_mentions_is_refused_however_well_the_rest_matches():
    q = question(QuestionKind.PERSON, names=["Zarin Gul"], labels=("PERSON",))
    s = sentence("s1", "Omar Safi chaired the meeting.", ents=[("Omar Safi", "PERSON")])
    names, ranked = scored(q, [s], [0.99])
    decision = decide(q, names, ranked, params(answer=0.0))  # the model alone would answer anything
    assert not decision.answer and "Zarin Gul" in decision.reason


def test_a_question_may_name_the_outlet_that_published_the_article():
    q = question(QuestionKind.LIST, names=["Outlet B"], labels=("PERSON",))
    theirs = sentence("s1", "Omar Safi and Nadia Karimi will matter this year.", doc=DOC_B)
    other = sentence("s2", "Zarin Gul will matter too.", doc=DOC_A, start=60)
    outlets = {d.id: d.outlet for d in docs().values()}
    names = resolve_mentions(q.names, [theirs, other], outlets)
    assert [m.sentence_id for m in names.mentions["Outlet B"]] == ["s1"]
    assert resolve_mentions(q.names, [theirs, other]).mentions["Outlet B"] == ()


def test_a_good_enough_best_sentence_is_answered():
    q = question(QuestionKind.EXPLANATION, terms=("siege",))
    s = sentence("s1", "The siege ended after talks.")
    names, ranked = scored(q, [s], [0.95])
    assert decide(q, names, ranked, params(answer=0.5)).answer


# ---- planners -------------------------------------------------------------------------------------
def test_every_figure_the_sources_give_is_given_with_its_source():
    q = question(QuestionKind.FIGURE, labels=("CARDINAL",), focus="people")
    a = sentence("a1", "The ministry said 1,240 people were displaced.", ents=[("1,240", "CARDINAL")])
    b = sentence(
        "b1", "The Red Crescent counted 900 people displaced.", doc=DOC_B, ents=[("900", "CARDINAL")]
    )
    names, ranked = scored(q, [a, b], [0.9, 0.85])
    plan = figure.plan(context(q, names, ranked))
    assert [d.text for d in plan.direct] == ["1,240", "900"] and plan.figures
    answer = compose_extractive(plan, [a, b], [], docs())
    assert answer.direct_answer is not None and "according to “Title doc-b” (Outlet B" in answer.answer
    assert answer.conflicts and answer.conflicts[0].topic == "figure"


def test_a_negated_best_sentence_makes_the_verdict_no():
    q = question(QuestionKind.YES_NO, names=["Omar Safi"], terms=("attend",))
    s = sentence("s1", "Omar Safi did not attend the meeting.", ents=[("Omar Safi", "PERSON")])
    names, ranked = scored(q, [s], [0.9])
    plan = yes_no.plan(context(q, names, ranked))
    assert plan.verdict == "No"
    answer = compose_extractive(plan, [s], [], docs())
    assert answer.answer.startswith("No [1].") and answer.direct_answer.text == "No"


def test_an_independent_article_that_ties_the_person_elsewhere_makes_the_articles_disagree():
    q = ParsedQuestion(
        **{
            **question(QuestionKind.YES_NO, terms=("member",)).__dict__,
            "names": (
                QuestionName("Omar Safi", frozenset({"omar", "safi"}), "PERSON"),
                QuestionName("Valley Council", frozenset({"valley", "council"}), "ORG"),
            ),
        }
    )
    a = sentence(
        "a1",
        "Omar Safi is a member of the Valley Council.",
        ents=[("Omar Safi", "PERSON"), ("Valley Council", "ORG")],
    )
    b = sentence(
        "b1",
        "Omar Safi heads the Mountain Assembly.",
        doc=DOC_B,
        ents=[("Omar Safi", "PERSON"), ("Mountain Assembly", "ORG")],
    )
    names, ranked = scored(q, [a, b], [0.9, 0.6])
    plan = yes_no.plan(context(q, names, ranked))
    assert plan.verdict == "The articles disagree"
    assert [side.claim for side in plan.disagreement] == ["Valley Council", "Mountain Assembly"]


def test_a_list_comes_from_the_sentence_that_asserts_membership_not_from_a_refusal():
    q = question(QuestionKind.LIST, terms=("member",), labels=("PERSON",))
    refused = sentence(
        "r1",
        "Gul Bibi and Nasir Ahmadi refused to join the council.",
        ents=[("Gul Bibi", "PERSON"), ("Nasir Ahmadi", "PERSON")],
    )
    members = sentence(
        "m1",
        "Its members are Omar Safi, Zarin Gul and Karim Noori.",
        start=80,
        ents=[("Omar Safi", "PERSON"), ("Zarin Gul", "PERSON"), ("Karim Noori", "PERSON")],
    )
    names, ranked = scored(q, [refused, members], [0.95, 0.9])
    plan = list_members.plan(context(q, names, ranked, params(span=0.3)))
    assert [d.text for d in plan.direct] == ["Omar Safi", "Zarin Gul", "Karim Noori"]


def test_a_sentence_that_only_says_he_is_preceded_by_the_one_that_names_him():
    q = question(QuestionKind.PERSON, names=["Omar Safi"], terms=("kill",), labels=("PERSON",))
    first = sentence("s1", "Omar Safi commanded the valley for a decade.", ents=[("Omar Safi", "PERSON")])
    second = sentence("s2", "He was killed by a rocket in 1998.", start=46)
    names, ranked = scored(q, [first, second], [0.3, 0.9])
    by_id = {s.sentence.id: s for s in ranked}
    plan = with_antecedents(AnswerPlan(q.kind, (by_id["s2"],)), context(q, names, ranked))
    assert [s.sentence.id for s in plan.evidence] == ["s1", "s2"]


# ---- compose ---------------------------------------------------------------------------------------
def test_every_quote_is_the_source_s_characters_at_its_offsets():
    text = "Intro sentence here. Omar Safi chaired the meeting."
    s = sentence("s1", "Omar Safi chaired the meeting.", start=21, ents=[("Omar Safi", "PERSON")])
    q = question(QuestionKind.PERSON, terms=("chair",), labels=("PERSON",), predicate=("chair",))
    names, ranked = scored(q, [s], [0.95])
    plan = AnswerPlan(q.kind, tuple(ranked))
    answer = compose_extractive(plan, [s], [], docs())
    for c in answer.citations:
        assert text[c.start : c.end] == c.quote


def test_a_model_over_products_of_features_scores_rows_at_once():
    model = LogisticModel(("a", "b"), ("a", "a*b"), (1.0, 2.0), 0.0)
    rows = np.array([[1.0, 0.0], [1.0, 1.0]])
    z = np.array([1.0, 3.0])
    assert np.allclose(model.probabilities(rows), 1 / (1 + np.exp(-z)))
    assert model.probability((1.0, 1.0)) == pytest.approx(1 / (1 + np.exp(-3.0)))
    assert model.contributions((1.0, 1.0)) == {"a*b": 2.0, "a": 1.0}


def test_kinds_have_a_planner_each():
    from server.answer.staged.planners import PLANNERS

    assert set(PLANNERS) == set(QuestionKind)


def test_candidate_features_are_named_in_one_place():
    c = Candidate(sentence("s1", "x"), tuple(0.0 for _ in SENTENCE_FEATURES))
    assert list(c.feature_map()) == list(SENTENCE_FEATURES)


# ---- parse (spaCy's parse is this stage's job) -------------------------------------------------------
@pytest.mark.parametrize(
    "text, kind",
    [
        ("Is Omar Safi a member of the Valley Council?", QuestionKind.YES_NO),
        ("Who was Omar Safi?", QuestionKind.WHO_IS),
        ("How many months did the siege of Kalat last?", QuestionKind.FIGURE),
        ("Who chaired the meeting in Herat?", QuestionKind.PERSON),
        ("When did the Valley Council meet?", QuestionKind.DATE),
        ("Why did the talks in Herat fail?", QuestionKind.EXPLANATION),
        ("What did Omar Safi say about the talks?", QuestionKind.QUOTE),
        ("What role did Omar Safi play in the talks?", QuestionKind.EXPLANATION),
        ("Which country did Omar Safi visit?", QuestionKind.CHOICE),
    ],
)
def test_the_parse_names_the_kind_of_question(text, kind):
    from server.answer.staged.parse import parse_question

    parsed = parse_question(text)
    assert parsed.kind == kind, parsed.trace()


def test_a_figure_question_knows_the_unit_it_counts():
    from server.answer.staged.parse import parse_question

    assert parse_question("How many months did the siege of Kalat last?").units == {"month"}
    assert "kilometre" in parse_question("How far is Kalat from Herat?").units


def test_a_figure_of_the_asked_unit_is_the_one_the_unit_follows():
    q = question(QuestionKind.FIGURE, labels=("CARDINAL",), focus="fighter")
    s = sentence(
        "s1",
        "Eight days after fighters arrived, the front said it had 2,200 fighters.",
        ents=[("Eight days", "DATE"), ("2,200", "CARDINAL")],
    )
    names = resolve_mentions((), [s])
    unit = SPAN_FEATURES.index("unit")
    assert {x.text: x.features[unit] for x in span_features(q, names, s, 0.9)} == {"2,200": 1.0}


def test_a_question_between_alternatives_is_not_a_yes_or_no_question():
    from server.answer.staged.parse import parse_question

    assert (
        parse_question("Does the Valley Council favour talks or a military solution?").kind
        == QuestionKind.EXPLANATION
    )


def test_only_absolute_dates_and_counting_ordinals_qualify_the_asked_event():
    from server.answer.staged.parse import parse_question

    assert parse_question("Who was absent from this year's conference in Herat?").qualifiers == ()
    assert parse_question("When is the next round of the Kalat talks planned?").qualifiers == ()
    assert parse_question("How many girls attend the classes each week?").qualifiers == ()
    assert parse_question("Who won the 2030 football world cup?").qualifiers == ("2030",)
    assert parse_question("Who chaired the second meeting in March 2031?").qualifiers == (
        "March 2031",
        "second",
    )


def test_a_lower_case_word_tagged_as_a_proper_noun_is_not_a_name():
    from server.answer.staged.parse import parse_question

    names = [n.text for n in parse_question("Does the op-ed's author agree with Laila Zamanpur?").names]
    assert names == ["Laila Zamanpur"]
