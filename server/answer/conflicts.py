"""Find where the articles disagree about a person's affiliation, so both accounts can be shown.

Example from the seed corpus: one article says Ahmad Massoud leads the National Resistance Front; the
other lists him in the National Resistance Council.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from index.types import StoredSentence
from server.answer.matching import analyse_text
from server.answer.question_analysis import QuestionProfile

# "This Council", "the Front": a reference back to an organisation named earlier in the article.
_DEICTIC = re.compile(r"\b(?:This|this|The|the) ([A-Z][a-z]+)\b")
MAX_DISTANCE = 140
LOOK_BACK_CHARS = 1500


@dataclass
class Claim:
    doc_id: str
    organisation: str
    sentence: StoredSentence


def people_in(profile: QuestionProfile) -> list[str]:
    """The people a question about membership asks after ("Which group does X belong to?", "What do
    the articles say about X?")."""
    if profile.wants not in ("choice", "overview"):
        return []
    return [g.text for g in profile.names if g.label == "PERSON"]


def _words(name: str) -> list[str]:
    return sorted(w.lower().strip("“”\"'’‘()") for w in name.split() if w[:1].isupper())


def _same_name(a: str, b: str) -> bool:
    sa, sb = _words(a), _words(b)
    return len(sa) == len(sb) and all(x == y or fuzz.ratio(x, y) >= 80 for x, y in zip(sa, sb, strict=True))


def _same_org(a: str, b: str) -> bool:
    """Same organisation: the same last word (Front, Council, ...) and mostly the same name words."""
    wa, wb = set(_words(a)), set(_words(b))
    if not wa or not wb or a.split()[-1].lower() != b.split()[-1].lower():
        return False
    return len(wa & wb) / len(wa | wb) >= 0.6


def _organisations(text: str) -> list[tuple[int, str]]:
    """(position, name) of the organisations spaCy finds in a text."""
    note = analyse_text(text)
    return [
        (e.start, text[e.start : e.end])
        for e in note.entities
        if e.label == "ORG" and len(text[e.start : e.end].split()) >= 2
    ]


def claims_for(person: str, sentences: list[StoredSentence], doc_texts: dict[str, str]) -> list[Claim]:
    """For each sentence naming the person, the organisation named nearest to the name."""
    claims = []
    for s in sentences:
        mention = next(_mentions(person, s), None)
        if mention is None:
            continue
        orgs = [(e.start, s.text[e.start : e.end]) for e in s.entities if e.label == "ORG"]
        orgs = [(pos, name) for pos, name in orgs if len(name.split()) >= 2 or _ABBREVIATION.fullmatch(name)]
        for deictic in _DEICTIC.finditer(s.text):
            at = s.start + deictic.start()
            earlier = doc_texts.get(s.doc_id, "")[max(0, at - LOOK_BACK_CHARS) : at]
            resolved = [name for _pos, name in _organisations(earlier) if deictic.group(1) in name.split()]
            if resolved:
                orgs.append((deictic.start(), resolved[-1]))
        linked = _linked_organisation(s.text, mention, orgs)
        if linked:
            claims.append(Claim(s.doc_id, linked, s))
    return claims


_BEFORE_PERSON = re.compile(
    r"\b(led by|headed by|guided by|under|chaired by|founded by|includ\w*|such as|like)\b"
)
_ROLE = r"(?:head|leader|chief|chairman|founder|member|spokesperson|commander)"
# "PERSON, the head of ORG" or "PERSON attended ... as a member of ORG"
_AFTER_PERSON = re.compile(rf"^[,\s]+(?:the |a |an )?{_ROLE}\b|\bas (?:the |a |an )?{_ROLE} of(?: the)?\s*$")
_ABBREVIATION = re.compile(r"[A-Z]{2,6}")


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
        comma = text.find(",", mention)
        person_end = comma if comma != -1 and comma < pos else mention
        if _AFTER_PERSON.search(text[person_end:pos]) and pos - person_end <= 60:
            return name
    return None


def _mentions(person: str, sentence: StoredSentence):
    for e in sentence.entities:
        if e.label == "PERSON" and _same_name(person, sentence.text[e.start : e.end]):
            yield e.start


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
