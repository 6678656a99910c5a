"""Follow-up resolution: which person a follow-up's "he" or "his" is rewritten with."""

from __future__ import annotations

from server.answer.models import ChatTurn
from server.answer.question_rewriting import resolve_follow_up

QUESTION = "Who runs the Western Lakes Council?"
ANSWER = (
    "The Eastern Hills Council is run by Farid Osmani, and the Western Lakes Council by Rahim Naderi. [1] "
    "Both councils meet in Herat. [2]"
)
HISTORY = [ChatTurn(role="user", content=QUESTION), ChatTurn(role="assistant", content=ANSWER)]


def test_without_a_reader_the_first_person_the_answer_names_is_taken():
    resolved, follow_up = resolve_follow_up("Where was he born?", HISTORY)
    assert follow_up
    assert "Farid Osmani" in resolved


def test_the_person_the_reader_picks_replaces_the_pronoun():
    asked = []

    def picks_second(question, answer, people):
        asked.append((question, answer, people))
        return people[1]

    resolved, _ = resolve_follow_up("Where was he born?", HISTORY, picks_second)
    assert "Rahim Naderi" in resolved and "Farid Osmani" not in resolved
    question, answer, people = asked[0]
    # The reader is given the last question, the answer without its citation marks, and the people in order.
    assert question == QUESTION
    assert "[1]" not in answer and "Rahim Naderi" in answer
    assert people[:2] == ["Farid Osmani", "Rahim Naderi"]


def test_no_pick_keeps_the_first_person():
    resolved, _ = resolve_follow_up("Where was he born?", HISTORY, lambda q, a, p: None)
    assert "Farid Osmani" in resolved


def test_the_reader_is_not_asked_when_the_answer_names_one_person():
    history = [
        ChatTurn(role="user", content="Who runs the Western Lakes Council?"),
        ChatTurn(role="assistant", content="The Western Lakes Council is run by Rahim Naderi. [1]"),
    ]

    def never(question, answer, people):
        raise AssertionError("asked with one person")

    resolved, _ = resolve_follow_up("Where was he born?", history, never)
    assert "Rahim Naderi" in resolved
