"""The names (people, organisations, places, events) the topic's sentences hold, counted across sentences
and articles: what sections are headed by, whom the people list is of, what questions are asked about."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

from server.briefing.evidence import TopicSentence

# spaCy's labels for names a briefing groups by; PERSON and ORG are also its people and organisations.
NAME_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT", "FAC")
_EDGES = re.compile(r"^(?:the)\s+|['’]s$", re.IGNORECASE)


def name_key(text: str) -> str:
    """A name as names are compared: without a leading "the" or a trailing possessive, case-folded."""
    return " ".join(_EDGES.sub("", text.strip()).split()).casefold()


@dataclass
class Name:
    key: str
    label: str
    forms: dict[str, int] = field(default_factory=dict)  # how the articles write it, and how often
    sentences: list[TopicSentence] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The fullest way the articles write it (the most frequent among the longest)."""
        return max(self.forms.items(), key=lambda item: (len(item[0].split()), item[1]))[0]

    @property
    def documents(self) -> set[str]:
        return {s.sentence.doc_id for s in self.sentences}

    @property
    def weight(self) -> float:
        """Sentences naming it, by their closeness to the topic, with a bonus per article that names it."""
        return sum(max(s.similarity, 0.0) for s in self.sentences) * (1 + 0.5 * (len(self.documents) - 1))


def names_in(
    sentences: tuple[TopicSentence, ...] | list[TopicSentence], outlets: frozenset[str] = frozenset()
) -> list[Name]:
    """Every name of the given labels, heaviest first; a sentence counts once per name. The outlets'
    names (`outlets`, case-folded) are the sources, not what they report on, and are left out."""
    found: dict[str, Name] = {}
    labels: dict[str, dict[str, int]] = defaultdict(dict)
    for ts in sentences:
        seen: set[str] = set()
        for entity in ts.sentence.entities:
            if entity.label not in NAME_LABELS:
                continue
            surface = _EDGES.sub("", ts.sentence.text[entity.start : entity.end].strip())
            key = name_key(surface)
            if len(key) < 2 or key in seen or key in outlets:
                continue
            seen.add(key)
            name = found.setdefault(key, Name(key, entity.label))
            name.forms[surface] = name.forms.get(surface, 0) + 1
            labels[key][entity.label] = labels[key].get(entity.label, 0) + 1
            name.sentences.append(ts)
    for key, name in found.items():
        name.label = max(labels[key].items(), key=lambda item: item[1])[0]
    found = _with_surnames(_with_acronyms(found, sentences))
    return sorted(found.values(), key=lambda n: -n.weight)


def _merge(name: Name, other: Name, found: dict[str, Name]) -> None:
    name.forms[other.text] = name.forms.get(other.text, 0) + sum(other.forms.values())
    known = {s.sentence.id for s in name.sentences}
    name.sentences += [s for s in other.sentences if s.sentence.id not in known]
    del found[other.key]


def _with_surnames(found: dict[str, Name]) -> dict[str, Name]:
    """A one-word person ("Darman") is the full name that ends with it ("Shafiq Darman") when exactly one
    full name does and the articles that write the short name all write the full one too; otherwise (two
    Daryabis, a "Sharif" from elsewhere) it stays apart."""
    for short in [n for n in found.values() if n.label == "PERSON" and " " not in n.key]:
        full = [n for n in found.values() if n.label == "PERSON" and n.key.endswith(" " + short.key)]
        if len(full) == 1 and short.documents <= full[0].documents:
            _merge(full[0], short, found)
    return found


_ACRONYM_AFTER = re.compile(r"^\s*\(([A-Z]{2,8})\)")


def _with_acronyms(found: dict[str, Name], sentences) -> dict[str, Name]:
    """An acronym an article defines ("the Free Valleys Front (FVF)") is the same name: its sentences and
    forms join the full name's."""
    for ts in sentences:
        text = ts.sentence.text
        for name in list(found.values()):
            for form in list(name.forms):
                at = text.find(form)
                match = _ACRONYM_AFTER.match(text[at + len(form) :]) if at >= 0 else None
                short = found.get(name_key(match.group(1))) if match else None
                if short is None or short is name:
                    continue
                _merge(name, short, found)
    return found


def in_topic(name: Name, topic: str) -> bool:
    """The topic names it itself (a section headed by it would be the whole briefing)."""
    return name.key in name_key(topic)
