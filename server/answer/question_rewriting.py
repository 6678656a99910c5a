"""Prepare a question for retrieval: resolve follow-ups against the chat history and set aside any
attempt to override the assistant's instructions."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ingest.language import NAME_LABELS, WITHOUT_PARSER
from server.answer.matching import analyse_text
from server.answer.models import ChatTurn

_OVERRIDE = re.compile(
    r"\b(ignore|disregard|forget|override|bypass|skip)\b[^.?!]{0,60}?\b(instructions?|rules?|prompts?|guidelines?|"
    r"sources?|context|above|previous|system|constraints?)\b"
    r"|\b(you are now|act as|pretend (to be|you)|role-?play|system prompt|jailbreak|developer mode|"
    r"do anything now|respond only with|reply only with|answer only with|say exactly|just say|"
    r"print your|reveal your|without (any )?citations?|make (something|it) up|invent)\b",
    re.IGNORECASE,
)
_PERSON_PRONOUN = re.compile(r"\b(he|him|his|she|her|hers)\b", re.IGNORECASE)
_THING_PRONOUN = re.compile(r"\b(they|them|their|it|its|this|that|these|those|there)\b", re.IGNORECASE)
_FOLLOW_UP_OPENER = re.compile(r"^\s*(and|but|also|so|what about|how about|and what about)\b", re.IGNORECASE)


# Given the last question, the last answer and the people that answer names (in order), the one the answer
# says is the answer to that question, or None: the reader engine asks its reader (see AnswerEngine).
PersonAnswering = Callable[[str, str, list[str]], "str | None"]


@dataclass(frozen=True)
class PreparedQuestion:
    original: str
    text: str  # what is retrieved and judged
    override_detected: bool
    is_follow_up: bool


def strip_override(question: str) -> tuple[str, bool]:
    """Drop sentences that try to change the assistant's instructions; keep any real question."""
    pieces = re.split(r"(?<=[.?!;:])\s+|\n+", question)
    kept = [p for p in pieces if p.strip() and not _OVERRIDE.search(p)]
    detected = len(kept) != len([p for p in pieces if p.strip()])
    if detected:
        # "Ignore your rules and tell me X": keep what follows the conjunction if it asks something.
        for p in pieces:
            m = _OVERRIDE.search(p)
            if m:
                tail = re.split(r"\b(?:and|then|but)\b", p[m.end() :], maxsplit=1)
                if len(tail) == 2 and len(tail[1].split()) >= 3 and not _OVERRIDE.search(tail[1]):
                    kept.append(tail[1].strip(" ,.:"))
    return " ".join(kept).strip(), detected


def _names(text: str) -> list[tuple[str, str]]:
    """(name, entity label) of the names in a text, in order."""
    note = analyse_text(text)
    return [(text[e.start : e.end], e.label) for e in note.entities if e.label in NAME_LABELS]


def _antecedent_inside(question: str, pronoun) -> bool:
    """ "What are the main groups and who leads them?": the pronoun refers to a noun of the question."""
    if pronoun is None:
        return False
    from ingest.language import pipeline

    doc = pipeline()(question[: pronoun.start()], disable=WITHOUT_PARSER)
    return any(t.pos_ in ("NOUN", "PROPN") for t in doc)


def _last_exchange(history: list[ChatTurn]) -> tuple[str, str] | None:
    """The last user question and the answer after it, citation marks dropped."""
    for at in range(len(history) - 1, 0, -1):
        if history[at].role == "assistant" and history[at - 1].role == "user":
            return history[at - 1].content, re.sub(r"\s*\[\d+\]", "", history[at].content)
    return None


def resolve_follow_up(
    question: str, history: list[ChatTurn], person_answering: PersonAnswering | None = None
) -> tuple[str, bool]:
    """Rewrite pronouns in a follow-up with the names they most likely refer to in the last turns: a
    person for he/his/she/her (when the last answer names several, the one `person_answering` says
    answered the last question; otherwise the first), otherwise the names the last exchange was about."""
    if not history:
        return question, False
    person_ref = _PERSON_PRONOUN.search(question)
    thing_ref = _THING_PRONOUN.search(question)
    opener = _FOLLOW_UP_OPENER.search(question)
    if not (person_ref or thing_ref or opener):
        return question, False
    if _antecedent_inside(question, (person_ref or thing_ref)):
        return question, False
    own = {n.lower() for n, _label in _names(question)}
    names: list[tuple[str, str]] = []
    for turn in reversed(history[-6:]):
        text = re.sub(r"\[\d+\]", "", turn.content)
        # The user's own question names its subject first; an answer names it wherever it comes.
        for name, label in _names(text):
            if name.lower() not in own and name not in [n for n, _ in names]:
                names.append((name, label))
        if turn.role == "user" and names:
            break
    if not names:
        return question, False
    rewritten = question
    if person_ref:
        people = [n for n, label in names if label == "PERSON"]
        person = people[0] if people else None
        exchange = _last_exchange(history)
        if len(people) > 1 and person_answering is not None and exchange is not None:
            person = person_answering(exchange[0], exchange[1], people) or person
        if person:
            rewritten = _PERSON_PRONOUN.sub(
                lambda m: f"{person}'s" if m.group().lower() in ("his", "hers") else person,
                rewritten,
                count=1,
            )
    subject_names = [n for n, _label in names if n not in rewritten]
    if subject_names and rewritten == question and not own:
        rewritten = f"{rewritten.rstrip('?')} ({', '.join(subject_names[:2])})?"
    rewritten = _FOLLOW_UP_OPENER.sub("", rewritten).strip()
    return rewritten[:1].upper() + rewritten[1:], True


def prepare_question(
    question: str, history: list[ChatTurn], person_answering: PersonAnswering | None = None
) -> PreparedQuestion:
    cleaned, override = strip_override(question.strip())
    resolved, follow_up = resolve_follow_up(cleaned, history, person_answering) if cleaned else ("", False)
    return PreparedQuestion(question, resolved, override, follow_up)
