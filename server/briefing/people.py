"""People and organisations, with their roles and memberships as each source states them: per name, the
sentences that state a role of it (lexicon.py: "X, a former commander", "X, who leads", "the leader of X",
"X, led by"), one per article, newest source first. The answer engine's answers
about the name ("Who is X?", "Who leads X?") come first."""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.types import StoredSentence
from server.briefing.evidence import TopicSentence
from server.briefing.lexicon import ORG_ROLE_AFTER, ORG_ROLE_BEFORE, PERSON_ROLE_AFTER, PERSON_ROLE_BEFORE
from server.briefing.names import Name

ACTOR_LABELS = {"PERSON": "person", "ORG": "organisation"}


@dataclass(frozen=True)
class ActorPlan:
    name: Name
    kind: str
    statements: tuple[TopicSentence, ...]


def mentions(sentence: StoredSentence, name: Name) -> list[tuple[int, int]]:
    """Where the sentence names it (any of the ways the articles write it)."""
    spans = []
    for form in name.forms:
        for match in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", sentence.text):
            spans.append((match.start(), match.end()))
    return spans


def states_a_role(sentence: StoredSentence, name: Name) -> bool:
    """A person's: set in an apposition or a relative clause, after a title, or beside an organisation's
    name. An organisation's: "the leader of X", "X's spokesman", "X, led by", "leads X" (lexicon.py);
    a place the recogniser took for an organisation is named in none of these ways."""
    text = sentence.text
    for start, end in mentions(sentence, name):
        before, after = text[:start], text[end:]
        if name.label == "ORG":
            if ORG_ROLE_BEFORE.search(before) or ORG_ROLE_AFTER.match(after):
                return True
            continue
        if PERSON_ROLE_AFTER.match(after) or PERSON_ROLE_BEFORE.search(before):
            return True
        if any(e.label == "ORG" and not start <= e.start < end for e in sentence.entities):
            return True
    return False


def plan_actors(
    names: list[Name], answered: dict[str, list[TopicSentence]], max_actors: int, per_actor: int
) -> list[ActorPlan]:
    """The heaviest people and organisations that some source states a role of. `answered` holds, per
    name key, the engine's answer sentences about it."""
    plans = []
    for name in names:
        if name.label not in ACTOR_LABELS:
            continue
        candidates = [*answered.get(name.key, []), *name.sentences]
        chosen: dict[str, TopicSentence] = {}
        for ts in candidates:
            if ts.sentence.doc_id not in chosen and states_a_role(ts.sentence, name):
                chosen[ts.sentence.doc_id] = ts
        if not chosen:
            continue
        statements = sorted(chosen.values(), key=lambda s: s.as_of, reverse=True)[:per_actor]
        plans.append(ActorPlan(name, ACTOR_LABELS[name.label], tuple(statements)))
        if len(plans) >= max_actors:
            break
    return plans
