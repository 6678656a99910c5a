"""Find where the articles disagree about a person's affiliation, so both accounts can be shown.

Example from the seed corpus: one article says Ahmad Massoud leads the National Resistance Front; the
other lists him in the National Resistance Council.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from index.types import StoredSentence
from server.answer.text_analysis import content_stems, entities

_ORG_HEADS = ("Front", "Council", "Movement", "Party", "Assembly", "Alliance", "Coalition")
_DEICTIC = re.compile(r"\b(?:This|The|this|the) (Front|Council|Movement|Party|Assembly|Alliance|Coalition)\b")
_AFFILIATION_QUESTION = re.compile(
    r"\b(lead|leads|led|leader|heads?|headed|members?|belong\w*|part of|group|organi[sz]ation|faction|"
    r"council|front|movement|coalition|party|affiliat\w*|who is|which side|camp)\b",
    re.IGNORECASE,
)
MAX_DISTANCE = 140


@dataclass
class Claim:
    doc_id: str
    organisation: str
    sentence: StoredSentence


def asks_about_affiliation(question: str) -> bool:
    return bool(_AFFILIATION_QUESTION.search(question))


def people_in(question: str) -> list[str]:
    return [e for e in entities(question) if len(e.split()) >= 2 and not any(h in e for h in _ORG_HEADS)]


def _same_name(a: str, b: str) -> bool:
    sa, sb = sorted(content_stems(a)), sorted(content_stems(b))
    return len(sa) == len(sb) and all(x == y or fuzz.ratio(x, y) >= 80 for x, y in zip(sa, sb, strict=True))


def _head(name: str) -> str | None:
    return next((h for h in _ORG_HEADS if re.search(rf"\b{h}\b", name)), None)


def _same_org(a: str, b: str) -> bool:
    """Same organisation: the same kind (Front, Council, ...) and mostly the same name words."""
    if _head(a) != _head(b):
        return False
    wa, wb = content_stems(a), content_stems(b)
    return len(wa & wb) / (len(wa | wb) or 1) >= 0.6


def _organisations(text: str) -> list[tuple[int, str]]:
    """(position, name) of organisation names in a text."""
    found = []
    for match in re.finditer(r"[A-Z][\w’'\-]*(?:\s+(?:of|for|the|and)?\s*[A-Z][\w’'\-]*)*", text):
        phrase = match.group()
        if (
            any(re.search(rf"\b{h}\b", phrase) for h in _ORG_HEADS)
            and len(phrase.split()) >= 2
            and not _DEICTIC.fullmatch(phrase)
        ):
            found.append((match.start(), phrase))
    return found


def claims_for(person: str, sentences: list[StoredSentence], doc_texts: dict[str, str]) -> list[Claim]:
    """For each sentence naming the person, the organisation named nearest to the name."""
    claims = []
    for s in sentences:
        mention = next((m for m in _mentions(person, s.text)), None)
        if mention is None:
            continue
        orgs = _organisations(s.text)
        for deictic in _DEICTIC.finditer(s.text):
            earlier = doc_texts.get(s.doc_id, "")[: s.start + deictic.start()]
            resolved = [name for _pos, name in _organisations(earlier) if deictic.group(1) in name]
            if resolved:
                orgs.append((deictic.start(), resolved[-1]))
        linked = _linked_organisation(s.text, mention, orgs)
        if linked:
            claims.append(Claim(s.doc_id, linked, s))
    return claims


_BEFORE_PERSON = re.compile(
    r"\b(led by|headed by|guided by|under|chaired by|founded by|includ\w*|such as|like)\b"
)
_AFTER_PERSON = re.compile(
    r"^[,\s]+(?:the |a |an )?(head|leader|chief|chairman|founder|member|spokesperson)\b"
)


def _linked_organisation(text: str, mention: int, orgs: list[tuple[int, str]]) -> str | None:
    """The organisation the sentence ties the person to: "ORG, led by PERSON", "ORG includes ... PERSON"
    or "PERSON, the head of ORG". Mere proximity is not enough."""
    before = [(pos, name) for pos, name in orgs if pos < mention]
    if before:
        pos, name = max(before)
        between = text[pos + len(name) : mention]
        if (
            len(between) <= MAX_DISTANCE
            and _BEFORE_PERSON.search(between)
            and not any(p > pos for p, _n in before)
        ):
            return name
    after = [(pos, name) for pos, name in orgs if pos > mention]
    if after:
        pos, name = min(after)
        person_end = text.find(",", mention)
        if person_end != -1 and _AFTER_PERSON.search(text[person_end:pos]) and pos - person_end <= 60:
            return name
    return None


def _mentions(person: str, text: str):
    for phrase in entities(text):
        if _same_name(person, phrase):
            yield text.find(phrase)


def find_disagreement(person: str, claims: list[Claim]) -> list[Claim] | None:
    """One claim per document when two documents tie the person to different organisations."""
    by_doc: dict[str, list[Claim]] = {}
    for c in claims:
        by_doc.setdefault(c.doc_id, []).append(c)
    if len(by_doc) < 2:
        return None
    docs = list(by_doc)
    for i, a in enumerate(docs):
        for b in docs[i + 1 :]:
            if not any(_same_org(x.organisation, y.organisation) for x in by_doc[a] for y in by_doc[b]):
                return [by_doc[a][0], by_doc[b][0]]
    return None
