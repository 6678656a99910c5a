"""Figures the topic's sentences give ("four jail guards were killed", "2 guards had been killed"), what
they count (the counted noun and the verb it goes with, from spaCy's parse) and how sources compare:
sources of one date that give different figures disagree; a figure that differs between sources of
different dates is a change over time, the newest first and the older ones earlier reports."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from server.briefing.dates import published_date
from server.briefing.evidence import TopicSentence

FIGURE_LABELS = ("CARDINAL", "QUANTITY", "MONEY", "PERCENT")
# Verbs too general to say what a figure counts.
GENERAL_VERBS = frozenset({"be", "have", "say", "include", "tell", "do", "make", "give", "take", "get"})
_UNITS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
_TENS = {
    w: 10 * (i + 2)
    for i, w in enumerate(["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"])
}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000}
# A "how many" question keeps the verb's complement when it is at most this many words ("in the fighting").
MAX_COMPLEMENT_WORDS = 5
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")


def figure_value(text: str) -> float | None:
    """The number a figure's words give ("about 3,000" 3000, "Thirty-eight" 38); None when vague
    ("several hundred", "dozens")."""
    digits = _NUMBER.search(text)
    words = re.findall(r"[a-z]+", text.casefold().replace("-", " "))
    scale = next((_SCALES[w] for w in words if w in _SCALES), 1)
    if digits:
        return float(digits.group().replace(",", "")) * scale
    total, current, seen = 0, 0, False
    for w in words:
        if w in _UNITS:
            current, seen = current + _UNITS[w], True
        elif w in _TENS:
            current, seen = current + _TENS[w], True
        elif w in _SCALES and seen:
            total, current = total + max(current, 1) * _SCALES[w], 0
        elif w == "dozen" and seen:
            current *= 12
    return float(total + current) if seen else None


@dataclass(frozen=True)
class Figure:
    """One figure of one sentence, and what it counts."""

    source: TopicSentence
    value: float
    written: str  # as the sentence writes it
    noun: str  # the counted noun's lemma ("guard")
    verb: str  # the verb it goes with ("kill"), or ""
    phrase: str  # the words that say what is counted, as written ("jail guards were killed")
    # "How many jail guards were killed?": asked when the counted noun is its verb's subject and comes
    # before it, so the sentence's own words make the question; else "".
    question: str = ""

    @property
    def day(self) -> datetime.date | None:
        return published_date(self.source.document.published)


def figures_in(sentences: list[TopicSentence]) -> list[Figure]:
    """The figures of the sentences that hold one, with what each counts (parsed here: the stored
    annotations carry no parse)."""
    from ingest.language import pipeline

    holding = [s for s in sentences if any(e.label in FIGURE_LABELS for e in s.sentence.entities)]
    out: list[Figure] = []
    for ts, doc in zip(holding, pipeline().pipe([s.sentence.text for s in holding]), strict=True):
        # A headline (no closing stop) writes its verbs short ("ministry says 11 insurgents killed").
        closed = ts.sentence.text.rstrip().endswith(_CLOSING)
        for entity in ts.sentence.entities:
            if entity.label not in FIGURE_LABELS:
                continue
            written = ts.sentence.text[entity.start : entity.end]
            value = figure_value(written)
            span = doc.char_span(entity.start, entity.end, alignment_mode="expand")
            if value is None or span is None:
                continue
            noun = span.root.head if span.root.dep_ in ("nummod", "quantmod", "compound") else None
            if noun is None or noun.pos_ not in ("NOUN", "PROPN") or noun.i < span.root.i:
                continue
            verb = noun.head if noun.head.pos_ == "VERB" else None
            verb_lemma = verb.lemma_.casefold() if verb is not None else ""
            if verb_lemma in GENERAL_VERBS:
                verb, verb_lemma = None, ""
            end = max(noun.i, verb.i if verb is not None else noun.i)
            phrase = doc[span.end : end + 1].text if end >= span.end else noun.text
            question = _question(doc, span, noun, verb) if closed else ""
            out.append(Figure(ts, value, written, noun.lemma_.casefold(), verb_lemma, phrase, question))
    return out


_CLOSING = (".", "!", "?", '"', "”", "’", "'")
# Between a counted subject and its verb only these may stand ("guards were killed", "people have fled").
_SUBJECT_TO_VERB = frozenset({"aux", "auxpass", "neg", "advmod"})
# What may follow the verb in the question: a particle, an object, a prepositional phrase, an agent.
_VERB_COMPLEMENTS = frozenset({"prt", "dobj", "prep", "agent"})


def _question(doc, number, noun, verb) -> str:
    """ "How many jail guards were killed in the fighting?": the sentence's own words from the counted
    noun through its verb and the verb's first complement, when the noun is the verb's subject and stands
    just before it; else ""."""
    if verb is None or noun.dep_ not in ("nsubj", "nsubjpass") or verb.i < noun.i:
        return ""
    between = doc[noun.i + 1 : verb.i]
    if any(t.dep_ not in _SUBJECT_TO_VERB for t in between):
        return ""
    if verb.tag_ == "VBN" and not any(t.dep_ in ("aux", "auxpass") for t in between):
        return ""  # "30 insurgents killed": a headline's or a clause's participle, not a question's verb
    end = verb.i
    complement = next((c for c in verb.rights if c.dep_ in _VERB_COMPLEMENTS), None)
    if complement is not None:
        last = max(t.i for t in complement.subtree)
        words = doc[complement.i : last + 1]
        if last - verb.i <= MAX_COMPLEMENT_WORDS and not any(t.is_punct for t in words):
            end = last
    return f"How many {doc[number.end : end + 1].text}?"


@dataclass(frozen=True)
class FigureComparison:
    """Figures of several articles that count one thing and differ."""

    about: str
    figures: tuple[Figure, ...]  # newest source first


def comparable(a: Figure, b: Figure) -> bool:
    """Two figures count the same thing: the same noun with the same verb ("guards ... killed"). A figure
    without a verb of its own ("2,300 personnel under arms") is compared with nothing: too little says
    what it counts."""
    return a.noun == b.noun and bool(a.verb) and a.verb == b.verb


def compare_figures(figures: list[Figure], copies: dict[str, frozenset[str]]) -> list[FigureComparison]:
    """Groups of figures from different articles (copies of one story count once) that count the same
    thing and do not all agree, newest source first."""
    groups: list[list[Figure]] = []
    for figure in figures:
        for group in groups:
            if all(comparable(figure, other) for other in group):
                group.append(figure)
                break
        else:
            groups.append([figure])
    out = []
    for group in groups:
        by_doc: dict[str, Figure] = {}
        for figure in group:
            by_doc.setdefault(figure.source.sentence.doc_id, figure)
        docs = list(by_doc)
        independent = [d for i, d in enumerate(docs) if not any(d in copies.get(o, ()) for o in docs[:i])]
        kept = [by_doc[d] for d in independent]
        if len(kept) < 2 or len({f.value for f in kept}) < 2:
            continue
        kept.sort(key=lambda f: f.day or datetime.date.min, reverse=True)
        verb_phrase = next((f.phrase for f in kept if f.verb), kept[0].phrase)
        out.append(FigureComparison(verb_phrase, tuple(kept)))
    return out


def split_by_date(
    comparison: FigureComparison, same_date_days: int
) -> tuple[list[list[Figure]], list[Figure]]:
    """(disagreements: groups of figures of one date that differ; the latest figure of each date, newest
    first, for the change over time). Sources at most `same_date_days` apart are of one date."""
    dates: list[list[Figure]] = []
    for figure in comparison.figures:  # newest first
        if dates and _within(dates[-1][0], figure, same_date_days):
            dates[-1].append(figure)
        else:
            dates.append([figure])
    disagreements = [group for group in dates if len({f.value for f in group}) > 1]
    return disagreements, [group[0] for group in dates]


def _within(a: Figure, b: Figure, days: int) -> bool:
    if a.day is None or b.day is None:
        return a.day is None and b.day is None
    return abs((a.day - b.day).days) <= days
