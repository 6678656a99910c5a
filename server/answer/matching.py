"""Matching a question's names and terms against sentences, by lemma, with spelling and word-form slack.

A sentence's keys are its content lemmas (computed by spaCy at ingest) plus the words of its named
entities. A term matches a key of the same word family ("lead" / "leadership", "negotiate" /
"negotiation", "Iran" / "Iranian"): one is a prefix of the other, at least four letters long. A name
matches when most of its words do, allowing a spelling variant ("Ata" / "Atta").
"""

from __future__ import annotations

import math
import re
from collections.abc import Set as AbstractSet
from functools import lru_cache

from rapidfuzz import fuzz

from index.types import StoredSentence
from ingest.language import NAME_LABELS, WITHOUT_PARSER, SentenceAnnotation, annotate_doc, pipeline

MIN_FAMILY_PREFIX = 4
NAME_SPELLING_RATIO = 80


def sentence_keys(sentence: StoredSentence) -> frozenset[str]:
    """A sentence's content lemmas and the words of its names."""
    keys = set(sentence.lemmas)
    for name in sentence.entity_texts():
        keys.update(name_words(name))
    return frozenset(keys)


@lru_cache(maxsize=4096)
def name_words(text: str) -> tuple[str, ...]:
    """The lower-case words of a name, a hyphenated word also as its parts ("anti-taliban", "anti",
    "taliban")."""
    out: list[str] = []
    for w in text.split():
        w = w.lower().strip("“”\"'’‘()[],.?!:;")
        if not w:
            continue
        out.append(w)
        if "-" in w:
            out.extend(part for part in w.split("-") if part)
    return tuple(out)


# The small words inside organisations' names ("Movement for Peace and Justice"), which do not identify one.
NAME_JOINERS = frozenset({"the", "of", "for", "and"})


def word_set(text: str) -> set[str]:
    return set(name_words(text))


def same_family(term: str, key: str) -> bool:
    if term == key:
        return True
    if len(term) >= 8 and len(key) >= 8 and fuzz.ratio(term, key) >= 90:
        return True  # organisation / organization
    short, long_ = (term, key) if len(term) <= len(key) else (key, term)
    return len(short) >= MIN_FAMILY_PREFIX and long_.startswith(short)


def term_found(term: str, keys: AbstractSet[str]) -> bool:
    return term in keys or any(same_family(term, k) for k in keys if k[:1] == term[:1])


def word_found(word: str, keys: AbstractSet[str]) -> bool:
    """A word of a name: the same word, or a spelling variant of it."""
    if word in keys:
        return True
    return len(word) >= 3 and any(
        k[:1] == word[:1] and fuzz.ratio(word, k) >= NAME_SPELLING_RATIO for k in keys
    )


def name_found(
    name_keys: set[str], keys: AbstractSet[str], aliases: set[str] | frozenset[str] = frozenset()
) -> bool:
    """A name counts as present when most of its words are, or one of its aliases (an abbreviation)."""
    if aliases & keys:
        return True
    if not name_keys:
        return False
    hits = sum(1 for w in name_keys if word_found(w, keys))
    # "National Resistance Council" is not "National Resistance Front": three words of four must match.
    return hits > 0 and hits >= math.ceil(0.75 * len(name_keys))


def group_found(group, keys: AbstractSet[str]) -> bool:
    """A question's name group (text, keys, aliases, label) among a sentence's keys: as `name_found`, or,
    for a person, by the surname alone ("Rahmatzai has rejected ..."), the way articles refer to someone
    after the first mention."""
    if name_found(group.keys, keys, group.aliases):
        return True
    if group.label == "PERSON" and len(group.keys) >= 2:
        words = name_words(group.text)
        return bool(words) and len(words[-1]) >= 3 and word_found(words[-1], keys)
    return False


def definite_mention(group, text: str, article_keys: AbstractSet[str]) -> bool:
    """ "The council opened its first clinic": an organisation's name by its last word alone, in lower case
    after "the", "this" or "its" ("the council", not "the National Resistance Front"), in an article that
    names it in full elsewhere."""
    if group.label not in ("ORG", "") or len(group.keys) < 2 or not text:
        return False
    words = name_words(group.text)
    head = words[-1] if words else ""
    return (
        len(head) >= 4
        and head.isalpha()
        and re.search(rf"\b(?:[Tt]he|[Tt]his|[Ii]ts)\s+{re.escape(head)}\b", text) is not None
        and name_found(group.keys, article_keys, group.aliases)
    )


@lru_cache(maxsize=4096)
def analyse_text(text: str) -> SentenceAnnotation:
    """Entities and content lemmas of any text (a generated claim, a quote), with the parser-less pipeline."""
    return annotate_doc(pipeline()(text, disable=WITHOUT_PARSER))


def text_keys(text: str) -> set[str]:
    note = analyse_text(text)
    keys = set(note.lemmas)
    for e in note.entities:
        keys.update(name_words(text[e.start : e.end]))
    return keys


def text_names(text: str) -> list[str]:
    note = analyse_text(text)
    return [text[e.start : e.end] for e in note.entities if e.label in NAME_LABELS]
