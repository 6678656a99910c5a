"""Recognise the library's names in a question however they are written: in lower case, misspelt
("Yaseen Zia"), or abbreviated as the articles define them ("National Resistance Front of Afghanistan
(NRF)" defines NRF). The names come from the entities found in the retrieved sentences at ingest."""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler, Levenshtein

from index.types import StoredSentence
from ingest.language import NAME_LABELS
from server.answer.matching import NAME_JOINERS, name_words, sentence_keys
from server.answer.question_analysis import NameGroup, QuestionProfile

MIN_NAME_RATIO = 85
# How close a misspelt word of a name must be to the library's spelling (Jaro-Winkler, same first letter).
SPELLING_SIMILARITY = 0.85
MAX_SPELLING_EDITS = 2
_ABBREVIATION = re.compile(r"^[a-z]{2,6}$")


def _words(text: str) -> list[str]:
    return list(name_words(text))


def _spelling_variant(a: str, b: str) -> bool:
    """ "nadeem" / "nadim", "qarluk" / "qarluq"; not "pakistan" / "paktia" (three edits apart)."""
    return a == b or (
        a[:1] == b[:1]
        and Levenshtein.distance(a, b) <= MAX_SPELLING_EDITS
        and JaroWinkler.similarity(a, b) >= SPELLING_SIMILARITY
    )


def _name_keys(text: str) -> set[str]:
    return set(_words(text)) - NAME_JOINERS


def _merge_split_names(profile: QuestionProfile, library_names: set[str]) -> None:
    """ "Afghanistan Justice" + "Freedom Party": two pieces of a question that together are one of the
    library's names become that name."""
    for name in sorted(library_names, key=len, reverse=True):
        keys = _name_keys(name)
        pieces = [g for g in profile.names if g.keys and g.keys <= keys]
        if len(pieces) >= 2 and set().union(*(g.keys for g in pieces)) == keys:
            label = pieces[0].label
            profile.names = [g for g in profile.names if g not in pieces]
            profile.names.append(NameGroup(name, keys, label=label))


def _drop_subsumed(profile: QuestionProfile) -> None:
    """ "Taliban" beside "anti-Taliban", "Soraya" beside "Soraya Hakimi": a group whose words are all in
    another group is that group."""
    profile.names = [
        g
        for g in profile.names
        if not any(o is not g and g.keys < o.keys for o in profile.names)
        and not any(o is not g and g.keys == o.keys and len(o.text) > len(g.text) for o in profile.names)
    ]


def _add_abbreviations(profile: QuestionProfile, abbreviations: dict[str, str]) -> None:
    """A name the articles abbreviate ("Hindu Kush Defence League (HKDL)") is also found as its
    abbreviation."""
    for group in profile.names:
        for abbreviation, full in abbreviations.items():
            keys = _name_keys(full)
            if group.keys and group.keys <= keys and len(group.keys) >= math.ceil(0.75 * len(keys)):
                group.aliases.add(abbreviation)


def _initials_match(abbreviation: str, name: str) -> bool:
    """NRF / "National Resistance Front of Afghanistan": the abbreviation's letters are the initials of
    the name's capitalised words, in order (words may be skipped)."""
    initials = [w[0].lower() for w in name.split() if w[:1].isupper()]
    i = 0
    for letter in abbreviation.lower():
        while i < len(initials) and initials[i] != letter:
            i += 1
        if i == len(initials):
            return False
        i += 1
    return initials[:1] == [abbreviation[:1].lower()]


def defined_abbreviations(sentences: list[StoredSentence]) -> dict[str, str]:
    """abbreviation (lower case) -> full name, from "Full Name (ABBR)" in the sentences."""
    found: dict[str, str] = {}
    for s in sentences:
        for e in s.entities:
            if e.label not in NAME_LABELS:
                continue
            after = s.text[e.end : e.end + 16]
            m = re.match(r"\W{0,4}\(\s*([A-Z]{2,6})\s*\)", after)
            if m and _initials_match(m.group(1), s.text[e.start : e.end]):
                found.setdefault(m.group(1).lower(), s.text[e.start : e.end])
    return found


def truecase_names(question: str, candidates: list[StoredSentence]) -> str:
    """ "where does soraya hakimi live": the library's names written in the library's case, so that the
    question parses as it would have if its author had used capitals."""
    names = {s.text[e.start : e.end] for s in candidates for e in s.entities if e.label in NAME_LABELS}
    out = question
    for name in sorted(names, key=len, reverse=True):
        if len(name) < 3 or name.lower() == name:
            continue
        out = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", _in_case_of(name), out, flags=re.IGNORECASE)
    return out


def _in_case_of(name: str) -> Callable[[re.Match[str]], str]:
    """A replacement that writes a lower-case occurrence as `name`; one with capitals stays as written."""

    def replace(match: re.Match[str]) -> str:
        found = match.group(0)
        return name if found.lower() == found else found

    return replace


def resolve_names(profile: QuestionProfile, candidates: list[StoredSentence]) -> str:
    """Turn question words that are the library's names into name groups (and out of the key terms),
    in this profile and its parts. Returns the full names of the abbreviations it resolved, for a second
    search ("" if none)."""
    abbreviations = defined_abbreviations(candidates)
    library_names = {
        s.text[e.start : e.end] for s in candidates for e in s.entities if e.label in NAME_LABELS
    }
    known = {k for s in candidates for k in sentence_keys(s)}
    expansions: list[str] = []
    for p in [profile, *profile.parts]:
        _merge_split_names(p, library_names)
        expansions += _resolve(p, abbreviations, library_names, known)
        _add_abbreviations(p, abbreviations)
        _drop_subsumed(p)
    return " ".join(dict.fromkeys(expansions))


def _resolve(
    profile: QuestionProfile, abbreviations: dict[str, str], library_names: set[str], known: set[str]
) -> list[str]:
    expansions = []
    question_words = _words(profile.text)
    for group in profile.names:
        # An abbreviation the articles define stands for the full name, even where they use it too.
        for key in list(group.keys):
            if key in abbreviations:
                group.aliases.add(key)
                group.keys = _name_keys(abbreviations[key])
                group.text = abbreviations[key]
                expansions.append(abbreviations[key])
        if group.keys <= known:
            continue  # the library writes it this way
        # A misspelt name ("Yaseen Zia"): the library's spelling of the name whose words all match it.
        for name in library_names:
            words = set(_words(name))
            if group.keys and all(any(_spelling_variant(k, w) for w in words) for k in group.keys):
                if not group.keys <= words:
                    group.keys = {w for w in words if any(_spelling_variant(k, w) for k in group.keys)}
                    group.text = name
                break
    for term in sorted(profile.terms):
        if _ABBREVIATION.match(term) and term in abbreviations:
            full = abbreviations[term]
            keys = _name_keys(full)
            profile.names.append(NameGroup(full, keys, aliases={term}, label="ORG"))
            profile.terms.discard(term)
            expansions.append(full)
    named = profile.name_keys | {a for g in profile.names for a in g.aliases}
    for name in sorted(library_names, key=len, reverse=True):
        parts = [w for w in name.lower().split() if len(w) > 2 and w not in ("the", "and", "for")]
        parts = [w.strip("“”\"'’‘()[],.?!:;") for w in parts]
        if not parts or all(w in named for w in parts):
            continue
        matched = [w for w in parts if w and any(fuzz.ratio(w, q) >= MIN_NAME_RATIO for q in question_words)]
        # A person's or a place's name: all its words; a long organisation name: at least two of them.
        if len(matched) == len(parts) or (len(matched) >= 2 and len(parts) >= 3):
            hits = {q for q in question_words for w in matched if fuzz.ratio(w, q) >= MIN_NAME_RATIO}
            if hits <= named or hits <= profile.modifier_words:
                continue
            profile.names.append(NameGroup(name, {part for w in matched for part in w.split("-") if part}))
            profile.terms -= hits | {part for h in hits for part in h.split("-")}
            named |= set(matched) | hits
    return expansions
