"""The default engine's bold direct answer, on hand-made sentences (the question is parsed by spaCy; no
store, no encoder)."""

from __future__ import annotations

import numpy as np

from index.types import StoredSentence
from ingest.language import Entity
from server.answer.direct_answer import find_direct_answer
from server.answer.evidence import ScoredSentence
from server.answer.question_analysis import analyse_question


def scored(sid: str, text: str, ents: list[tuple[str, str]], start: int = 0) -> ScoredSentence:
    found = tuple(Entity(text.index(s), text.index(s) + len(s), label) for s, label in ents)
    words = {w.strip(".,'’s").lower() for w in text.split()}
    sentence = StoredSentence(sid, "doc", start, start + len(text), text, found, tuple(words))
    return ScoredSentence(sentence, np.zeros(2), 0.8, 1.0, 0.8, words, set())


def test_a_how_many_question_is_answered_only_by_a_figure_of_what_it_counts():
    profile = analyse_question("How many fighters does the Kalat Front have?")
    distance = scored(
        "s1",
        "Fighters of the Kalat Front hold a ridge about 35 kilometres north of Herat.",
        [("Kalat Front", "ORG"), ("about 35 kilometres", "QUANTITY"), ("Herat", "GPE")],
    )
    strength = scored(
        "s2",
        "The Kalat Front says it has about 2,200 fighters in the valley.",
        [("Kalat Front", "ORG"), ("about 2,200", "CARDINAL")],
        start=100,
    )
    assert find_direct_answer(profile, [distance]) == []
    assert [s.text for s in find_direct_answer(profile, [distance, strength])] == ["about 2,200"]


def test_the_counted_noun_is_read_as_written_too():
    assert analyse_question("How many women sit on the Kalat council?").counted_noun == {"woman", "women"}
    assert analyse_question("How far is Kalat from Herat?").counted_noun == frozenset()
