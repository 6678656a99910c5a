"""The briefing's stages on hand-made inputs: dates read against an article's date, figures compared by
date, names merged, and the Markdown writer's escaping."""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

from index.types import DocumentInfo, StoredSentence
from ingest.language import Entity
from server.briefing.dates import resolve_date
from server.briefing.evidence import TopicSentence
from server.briefing.figures import Figure, FigureComparison, figure_value, figures_in, split_by_date
from server.briefing.names import names_in
from server.briefing.questions import generate_figure_questions

TUESDAY = datetime.date(2032, 9, 14)


@pytest.mark.parametrize(
    ("written", "day", "precision"),
    [
        ("on Tuesday", "2032-09-14", "day"),  # the report's own day
        ("Sunday", "2032-09-12", "day"),
        ("Monday night", "2032-09-13", "day"),
        ("last March", "2032-03-01", "month"),
        ("Sept. 4", "2032-09-04", "day"),
        ("in 2029", "2029-01-01", "year"),
        ("April 2029", "2029-04-01", "month"),
        ("two days ago", "2032-09-12", "day"),
    ],
)
def test_relative_dates_are_read_against_the_publication_date(written, day, precision):
    resolved = resolve_date(written, TUESDAY)
    assert resolved is not None and (resolved.date.isoformat(), resolved.precision) == (day, precision)


@pytest.mark.parametrize(
    "written", ["three and a half years", "10 years", "more than a year", "the 1990s", "47", "recent months"]
)
def test_lengths_of_time_ages_and_vague_phrases_are_not_dates(written):
    assert resolve_date(written, TUESDAY) is None


def test_last_march_written_in_march_is_a_year_before_and_undated_articles_need_a_year():
    resolved = resolve_date("last March", datetime.date(2025, 3, 20))
    assert resolved is not None and resolved.date == datetime.date(2024, 3, 1)
    assert resolve_date("on Tuesday", None) is None
    absolute = resolve_date("Sept. 4, 2032", None)
    assert absolute is not None and absolute.date == datetime.date(2032, 9, 4)


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("11", 11),
        ("about 3,000", 3000),
        ("Thirty-eight", 38),
        ("four", 4),
        ("two hundred", 200),
        ("dozens", None),
    ],
)
def test_figure_values(written, value):
    assert figure_value(written) == value


def _doc(doc_id: str, outlet: str, published: str) -> DocumentInfo:
    return DocumentInfo(doc_id, doc_id, doc_id, outlet, published, "", 1, 1, 1, 0.0)


def _figure(doc: DocumentInfo, value: float) -> Figure:
    sentence = StoredSentence(f"{doc.id}:0", doc.id, 0, 10, f"{value:g} guards were killed.")
    return Figure(
        TopicSentence(sentence, doc, 0.5, True), value, f"{value:g}", "guard", "kill", "guards were killed"
    )


def test_figures_of_one_date_disagree_and_of_different_dates_are_a_change_newest_first():
    a = _figure(_doc("a", "Wire A", "2032-09-22"), 2)
    b = _figure(_doc("b", "Wire B", "2032-09-22"), 3)
    c = _figure(_doc("c", "Wire C", "2032-09-21"), 4)
    comparison = FigureComparison("guards were killed", (a, b, c))
    disagreements, latest = split_by_date(comparison, same_date_days=0)
    assert disagreements == [[a, b]]
    assert latest == [a, c], "the newest date's first report, then each earlier date's"
    # Sources a day apart count as one date when the setting says so.
    disagreements, latest = split_by_date(comparison, same_date_days=1)
    assert disagreements == [[a, b, c]] and latest == [a]


def test_an_acronym_an_article_defines_and_a_surname_join_the_full_name():
    doc = _doc("d", "Wire", "2032-09-22")

    def sentence(i: int, text: str, *names: tuple[str, str]) -> TopicSentence:
        entities = tuple(Entity(text.index(n), text.index(n) + len(n), label) for n, label in names)
        return TopicSentence(StoredSentence(f"d:{i}", "d", 0, len(text), text, entities), doc, 0.6, True)

    found = names_in(
        [
            sentence(
                1,
                "The Free Valleys Front (FVF) is led by Haroon Sakhi Daryabi.",
                ("Free Valleys Front", "ORG"),
                ("FVF", "ORG"),
                ("Haroon Sakhi Daryabi", "PERSON"),
            ),
            sentence(2, "The FVF said Daryabi was safe.", ("FVF", "ORG"), ("Daryabi", "PERSON")),
            sentence(3, "Wire reported it first.", ("Wire", "ORG")),
        ],
        outlets=frozenset({"wire"}),
    )
    by_text = {n.text: n for n in found}
    assert set(by_text) == {"Free Valleys Front", "Haroon Sakhi Daryabi"}, (
        "the outlet is a source, not a name"
    )
    assert len(by_text["Free Valleys Front"].sentences) == 2 and "FVF" in by_text["Free Valleys Front"].forms
    assert len(by_text["Haroon Sakhi Daryabi"].sentences) == 2


def _topic_sentences(texts: list[str]) -> list[TopicSentence]:
    from ingest.language import annotate_sentences

    doc = _doc("a", "Wire A", "2032-09-22")
    out = []
    for i, (text, note) in enumerate(zip(texts, annotate_sentences(texts), strict=True)):
        out.append(
            TopicSentence(StoredSentence(f"a:{i}", "a", 0, len(text), text, note.entities), doc, 0.5, True)
        )
    return out


@pytest.mark.parametrize(
    ("sentence", "question"),
    [
        (
            "Darman said four jail guards were killed in the fighting on Tuesday.",
            "How many jail guards were killed in the fighting?",
        ),
        ("More than 9,000 people have fled, the agency said.", "How many people have fled?"),
        # The counted noun is the verb's object, not its subject: no question in the sentence's words.
        ("The militia ambushed a convoy, killing 12 soldiers.", ""),
        # A headline writes its verbs short.
        ("Ministry says 11 insurgents killed", ""),
    ],
)
def test_a_figure_asks_how_many_in_its_sentences_own_words(sentence, question):
    (figure,) = figures_in(_topic_sentences([sentence]))
    assert figure.question == question


def test_figure_questions_ask_first_what_most_articles_count_and_only_their_articles_answer():
    wire, herald = _doc("a", "Wire A", "2032-09-22"), _doc("b", "Herald", "2032-09-23")
    guards = [_figure(wire, 4), _figure(herald, 2)]
    guards = [replace(f, question="How many guards were killed?") for f in guards]
    fled = replace(_figure(wire, 9000), noun="person", verb="flee", question="How many people have fled?")
    (first,) = generate_figure_questions([fled, *guards], 1, frozenset({"a", "b"}))
    assert first.text == "How many guards were killed?" and first.name is None
    assert first.sources == frozenset({"a", "b"}) and first.cue is not None and first.cue.search("Guards")
