"""Stage 4a, features: what each candidate sentence, and each answer span inside it, has of what the
question asks. Every feature is a number in [0, 1]; the fitted weights (server/answer/scoring.py) turn
them into probabilities. Nothing here decides."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from index.types import RetrievedChunk, StoredSentence
from server.answer.matching import name_words, sentence_keys, term_found
from server.answer.speech import is_heading_like, quotations
from server.answer.staged import lexicon
from server.answer.staged.mentions import ResolvedNames, name_keys
from server.answer.staged.parse import ParsedQuestion, QuestionKind

SENTENCE_FEATURES = (
    "similarity",  # cosine of the question's and the sentence's embeddings
    "similarity_gap",  # 1 for the most similar candidate, falling with the distance to it
    "term_meaning",  # cosine of the embedding of the question's terms alone and the sentence's
    "neighbour_similarity",  # the highest similarity of the sentences just before and after it
    "names",  # share of the question's names mentioned in the sentence
    "names_near",  # ... in the sentence or the two before it in its article
    "rival_name",  # the sentence names another person who shares a word with the question's name
    "terms",  # share of the question's other content lemmas in the sentence
    "rare_terms",  # the same share, each term weighted by its rarity among the candidates (idf)
    "term_words",  # each term's closest word of the sentence by meaning (word vectors), averaged
    "predicate_words",  # the closest word of the sentence to the question's verb, by meaning
    "head",  # the noun asked about is in the sentence (1 when the question has none)
    "predicate",  # one of the question's verbs (by lemma family) is in the sentence
    "slot",  # a span that can fill the asked slot (a name, place, date, figure) is in the sentence
    "slot_near",  # ... in the sentence or the one before it ("... a flag," he said: the speaker is named before)
    "unit",  # a figure of the asked unit ("months", "fighters") is in the sentence
    "qualifier",  # share of the question's dates and ordinals in the sentence (1 when it has none)
    "speech_quote",  # the sentence reports speech, and the question asks what someone said
    "defines",  # the sentence says who or what the asked name is, and the question asks that
    "negation",  # the sentence says something did not happen or was refused
    "position",  # how early in its article the sentence is
    "chunk_rank",  # how high retrieval ranked the sentence's passage
    "heading",  # the sentence reads like a heading or a caption, not a statement
)
SPAN_FEATURES = (
    "sentence",  # the probability of the span's sentence
    "near_terms",  # how close the span is to the question's terms and names in its sentence
    "near_predicate",  # how close the span is to the question's verb
    "unit",  # the span is a figure of the asked unit
    "focus",  # the asked noun ("minister") stands beside the span
    "primary_label",  # the span's entity label is the first one the kind asks for
    "in_quote",  # the span sits inside a quotation
    "first",  # the span is the closest one to the question's words in its sentence
)
_WORD = re.compile(r"[\w’'-]+")
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"dozen|dozens|hundreds?|thousands?|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
    r"ninety)\b",
    re.IGNORECASE,
)
NEAR_WORDS = 6.0  # words at which closeness is halved


@dataclass(frozen=True)
class Span:
    sentence_id: str
    start: int  # offsets into the sentence's text
    end: int
    label: str
    text: str
    features: tuple[float, ...]


@dataclass(frozen=True)
class Candidate:
    sentence: StoredSentence
    features: tuple[float, ...]

    def feature_map(self) -> dict[str, float]:
        return dict(zip(SENTENCE_FEATURES, (round(f, 3) for f in self.features), strict=True))


def _words_with_offsets(text: str) -> list[tuple[int, str]]:
    return [(m.start(), m.group(0).lower()) for m in _WORD.finditer(text)]


def _word_index(words: list[tuple[int, str]], offset: int) -> int:
    for i, (at, _w) in enumerate(words):
        if at >= offset:
            return i
    return len(words)


def _positions(words: list[tuple[int, str]], wanted: frozenset[str]) -> list[int]:
    return [i for i, (_at, w) in enumerate(words) if wanted and term_found(w, wanted)]


def _closeness(i: int, positions: list[int]) -> float:
    if not positions:
        return 0.0
    d = min(abs(i - p) for p in positions)
    return 1.0 / (1.0 + d / NEAR_WORDS)


def _unit_follows(text: str, start: int, end: int, units: frozenset[str]) -> bool:
    """The figure counts one of the asked units: the word right after it ("2,200 fighters", "35 kilometres"),
    or the one after "of" ("thousands of people"), or a word inside it ("about 3,000 fighters")."""
    if not units:
        return False
    after = [w for _at, w in _words_with_offsets(text[end : end + 40])[:2]]
    inside = [w for _at, w in _words_with_offsets(text[start:end])]
    counted = after[:1] + (after[1:2] if after[:1] == ["of"] else []) + inside
    return any(term_found(w, units) for w in counted)


def _figures(sentence: StoredSentence) -> list[tuple[int, int, str]]:
    """Figures in a sentence: its number entities, and numbers written out that spaCy left untagged."""
    out = [(e.start, e.end, e.label) for e in sentence.entities if e.label in lexicon.NUMBER_LABELS]
    dates = [(e.start, e.end) for e in sentence.entities if e.label in lexicon.DATE_LABELS]
    for m in _NUMBER.finditer(sentence.text):
        if not any(s <= m.start() < e for s, e, _ in out) and not any(s <= m.start() < e for s, e in dates):
            out.append((m.start(), m.end(), "CARDINAL"))
    return out


def _lengths_of_time(sentence: StoredSentence, units: frozenset[str]) -> list[tuple[int, int, str]]:
    """ "five months", "almost four months": a date entity with a number in it that names an asked unit
    of time is a figure of it (spaCy labels lengths of time as dates)."""
    out = []
    for e in sentence.entities:
        text = sentence.text[e.start : e.end]
        if (
            e.label in lexicon.DATE_LABELS
            and _NUMBER.search(text)
            and any(term_found(w, units) for _at, w in _words_with_offsets(text))
        ):
            out.append((e.start, e.end, e.label))
    return out


def _slot_entities(question: ParsedQuestion, sentence: StoredSentence, names: ResolvedNames):
    """Spans of the sentence that could fill the asked slot: entities of the asked labels that are not the
    question's own names."""
    if question.kind == QuestionKind.FIGURE:
        found = _figures(sentence) + _lengths_of_time(sentence, question.units)
    else:
        found = [(e.start, e.end, e.label) for e in sentence.entities if e.label in question.answer_labels]
    if question.kind == QuestionKind.DATE and question.focus_noun in lexicon.DATE_GRAINS:
        # "In which month ...": a date that names a month ("in 2001" does not say which)
        found = [f for f in found if _has_grain(sentence.text[f[0] : f[1]], question.focus_noun)]
    own = [(m.start, m.end) for ms in names.mentions.values() for m in ms if m.sentence_id == sentence.id]
    asked = frozenset().union(*(n.keys for n in question.names)) if question.names else frozenset()
    out = []
    for start, end, label in found:
        if any(s < end and start < e for s, e in own):
            continue
        if name_keys(sentence.text[start:end]) & asked:
            continue
        out.append((start, end, label))
    return out


def _has_grain(date: str, grain: str) -> bool:
    words = [w.lower() for w in _WORD.findall(date)]
    if grain == "year":
        return any(len(w) == 4 and w.isdigit() for w in words)
    if grain == "month":
        return any(w[:3] in lexicon.MONTH_PREFIXES for w in words)
    return any(w[:3] in lexicon.WEEKDAY_PREFIXES or (w.isdigit() and len(w) <= 2) for w in words)


def headline(sentence: StoredSentence) -> bool:
    """A heading or caption, or the article's first line when it does not end like a sentence (its title)."""
    text = sentence.text.rstrip()
    return is_heading_like(text) or (sentence.start == 0 and text[-1:] not in '.!"”’)')


def sentence_features(
    question: ParsedQuestion,
    names: ResolvedNames,
    sentences: list[StoredSentence],
    matrix: np.ndarray,
    query_vector: np.ndarray,
    chunks: list[RetrievedChunk],
    terms_vector: np.ndarray | None = None,
    word_vectors=None,
) -> list[Candidate]:
    """The features of every candidate sentence, in the order given. `terms_vector` is the embedding of
    the question's terms alone (None when it has none: the question's own similarity stands in)."""
    if not sentences:
        return []
    norms = np.linalg.norm(matrix, axis=1)
    safe = np.where(norms == 0, 1.0, norms)
    sims = (matrix @ (query_vector / (np.linalg.norm(query_vector) or 1.0))) / safe
    meaning = (
        sims
        if terms_vector is None
        else (matrix @ (terms_vector / (np.linalg.norm(terms_vector) or 1.0))) / safe
    )
    best = float(sims.max())
    position_of = {s.id: i for i, s in enumerate(sentences)}
    term_words = _closest_words(sorted(question.terms), sentences, word_vectors)
    predicate_words = _closest_words(sorted(question.predicate), sentences, word_vectors)
    chunk_rank: dict[str, int] = {}
    for rank, c in enumerate(chunks):
        for sid in c.sentence_ids:
            chunk_rank.setdefault(sid, rank)
    by_doc: dict[str, list[StoredSentence]] = {}
    for s in sentences:
        by_doc.setdefault(s.doc_id, []).append(s)
    previous: dict[str, list[str]] = {}
    neighbour: dict[str, float] = {}
    for doc_sentences in by_doc.values():
        doc_sentences.sort(key=lambda s: s.start)
        for i, s in enumerate(doc_sentences):
            previous[s.id] = [p.id for p in doc_sentences[max(0, i - 2) : i]]
            around = doc_sentences[max(0, i - 1) : i] + doc_sentences[i + 1 : i + 2]
            neighbour[s.id] = max((float(sims[position_of[n.id]]) for n in around), default=0.0)
    terms = question.terms
    all_keys = [sentence_keys(s) for s in sentences]
    has_slot = {
        s.id: bool(_slot_entities(question, s, names)) and _focus_present(question, keys)
        for s, keys in zip(sentences, all_keys, strict=True)
    }
    idf = {
        t: math.log((1 + len(sentences)) / (1 + sum(1 for k in all_keys if term_found(t, k)))) + 1.0
        for t in terms
    }
    out = []
    for s, sim, term_sim, keys in zip(sentences, sims, meaning, all_keys, strict=True):
        n_names = len(question.names)
        in_s = sum(1 for n in question.names if names.in_sentence(n, s.id))
        near = sum(
            1
            for n in question.names
            if names.in_sentence(n, s.id) or any(names.in_sentence(n, p) for p in previous[s.id])
        )
        words = set(name_words(s.text))
        rival = any(
            set(r.split()) <= words and not n.keys <= words
            for n in question.names
            for r in names.rivals[n.text]
        )
        found_terms = [t for t in terms if term_found(t, keys)]
        term_share = len(found_terms) / len(terms) if terms else 1.0
        rare_share = sum(idf[t] for t in found_terms) / sum(idf.values()) if terms else 1.0
        head = all(term_found(t, keys) for t in question.head_terms) if question.head_terms else True
        predicate = any(term_found(t, keys) for t in question.predicate)
        slots = (
            _slot_entities(question, s, names)
            if question.kind.wants_span or question.kind == QuestionKind.LIST
            else []
        )
        unit = question.kind == QuestionKind.FIGURE and any(
            _unit_follows(s.text, a, b, question.units) for a, b, _ in slots
        )
        qualifier = (
            sum(1 for x in question.qualifiers if _qualifier_in(x, s.text)) / len(question.qualifiers)
            if question.qualifiers
            else 1.0
        )
        slot_before = any(has_slot[p] for p in previous[s.id][-1:])
        speech = bool(lexicon.SAYING.search(s.text)) or bool(quotations(s.text))
        defines = question.kind == QuestionKind.WHO_IS and any(
            lexicon.DEFINING_AFTER_NAME.match(s.text[m.end :])
            for ms in names.mentions.values()
            for m in ms
            if m.sentence_id == s.id
        )
        out.append(
            Candidate(
                s,
                (
                    float(sim),
                    1.0 / (1.0 + 10.0 * (best - float(sim))),
                    float(term_sim),
                    neighbour[s.id],
                    in_s / n_names if n_names else 1.0,
                    near / n_names if n_names else 1.0,
                    float(rival),
                    term_share,
                    rare_share,
                    term_words.get(s.id, term_share),
                    predicate_words.get(s.id, float(predicate)),
                    float(head),
                    float(predicate) if question.predicate else 0.5,
                    float(has_slot[s.id])
                    if question.kind.wants_span or question.kind == QuestionKind.LIST
                    else 0.5,
                    float(has_slot[s.id] or slot_before)
                    if question.kind.wants_span or question.kind == QuestionKind.LIST
                    else 0.5,
                    float(unit) if question.kind == QuestionKind.FIGURE else 0.5,
                    qualifier,
                    float(speech and question.kind == QuestionKind.QUOTE),
                    float(defines),
                    float(bool(lexicon.NEGATION.search(s.text))),
                    1.0 / (1.0 + s.start / 1500.0),
                    1.0 / (1.0 + chunk_rank.get(s.id, len(chunks))),
                    float(headline(s)),
                ),
            )
        )
    return out


def _focus_present(question: ParsedQuestion, keys) -> bool:
    """ "Which commander ...": a sentence can name the one asked for only if it speaks of a commander."""
    if question.kind != QuestionKind.CHOICE or not question.focus_noun:
        return True
    return term_found(question.focus_noun, keys)


def _qualifier_in(qualifier: str, text: str) -> bool:
    """A date or ordinal of the question in a sentence, however abbreviated ("September 2032" in "Sept. 14,
    2032"): its figures as written, its words by their first three letters."""
    words = [w.lower() for w in _WORD.findall(text)]
    for part in _WORD.findall(qualifier.lower()):
        if part.isdigit():
            if part not in words:
                return False
        elif not any(w[:3] == part[:3] for w in words if w.isalpha()):
            return False
    return True


def _closest_words(words: list[str], sentences: list[StoredSentence], word_vectors) -> dict[str, float]:
    """sentence id -> the mean over `words` of the cosine of each to its closest content lemma of the
    sentence, by word vectors; {} without word vectors or words."""
    if word_vectors is None or not words:
        return {}
    universe = sorted({lemma for s in sentences for lemma in s.lemmas})
    if not universe:
        return {}
    column = {lemma: i for i, lemma in enumerate(universe)}
    closeness = np.clip(word_vectors.vectors(words) @ word_vectors.vectors(universe).T, 0.0, 1.0)
    out = {}
    for s in sentences:
        columns = [column[lemma] for lemma in s.lemmas]
        out[s.id] = float(closeness[:, columns].max(axis=1).mean()) if columns else 0.0
    return out


def span_features(
    question: ParsedQuestion, names: ResolvedNames, sentence: StoredSentence, sentence_probability: float
) -> list[Span]:
    """The spans of a sentence that could answer a span question, with their features."""
    slots = _slot_entities(question, sentence, names)
    if not slots:
        return []
    words = _words_with_offsets(sentence.text)
    anchors = _positions(words, question.terms | question.head_terms)
    anchors += [
        _word_index(words, m.start)
        for ms in names.mentions.values()
        for m in ms
        if m.sentence_id == sentence.id
    ]
    verbs = _positions(words, question.predicate)
    quoted = quotations(sentence.text)
    primary = _primary_label(question)
    focus = frozenset([question.focus_noun]) if question.focus_noun else frozenset()
    scored = []
    for start, end, label in slots:
        i = _word_index(words, start)
        near_focus = bool(focus) and any(
            term_found(w, focus) for _at, w in words[max(0, i - 3) : _word_index(words, end) + 3]
        )
        scored.append(
            (
                start,
                end,
                label,
                _closeness(i, anchors),
                _closeness(i, verbs),
                float(
                    question.kind == QuestionKind.FIGURE
                    and _unit_follows(sentence.text, start, end, question.units)
                ),
                float(near_focus),
                float(label == primary),
                float(any(a <= start < b for a, b in quoted)),
            )
        )
    top = max(x[3] for x in scored)
    return [
        Span(
            sentence.id,
            start,
            end,
            label,
            sentence.text[start:end],
            (sentence_probability, near, verb, unit, foc, prim, quote, float(near == top)),
        )
        for start, end, label, near, verb, unit, foc, prim, quote in scored
    ]


def _primary_label(question: ParsedQuestion) -> str:
    return {
        QuestionKind.PERSON: "PERSON",
        QuestionKind.PLACE: "GPE",
        QuestionKind.DATE: "DATE",
        QuestionKind.FIGURE: "CARDINAL",
        QuestionKind.LIST: "PERSON",
    }.get(question.kind, "ORG")


QUESTION_FEATURES = (
    "best",  # the best candidate sentence's probability
    "second",  # the second best's
    "names_found",  # share of the question's names mentioned anywhere among the candidates
    "names_top",  # the best share of the question's names in (or just before) one of the top sentences
    "terms_top",  # the best term coverage among the top sentences
    "rare_terms_top",  # the best rarity-weighted term coverage among the top sentences
    "head_top",  # the noun asked about is in one of the top sentences
    "slot_top",  # a span of the asked kind is in one of the top sentences (1 for kinds without a slot)
    "unit_top",  # a figure of the asked unit is in one of the top sentences (1 unless a figure is asked)
    "qualifier_top",  # the best coverage of the question's dates and ordinals among the top sentences
    "similarity_top",  # the highest similarity of any candidate to the question
    "aligned",  # one top sentence has all at once: the names, the terms, the slot, the unit, the qualifiers
)
TOP_SENTENCES = 3


def question_features(question: ParsedQuestion, names: ResolvedNames, scored) -> tuple[float, ...]:
    """What the best candidates, together, have of what the question asks; `scored` are (probability,
    Candidate) pairs, best first."""
    if not scored:
        return (0.0,) * len(QUESTION_FEATURES)
    top = [dict(zip(SENTENCE_FEATURES, c.features, strict=True)) for _p, c in scored[:TOP_SENTENCES]]
    every = [dict(zip(SENTENCE_FEATURES, c.features, strict=True)) for _p, c in scored]
    found = sum(1 for n in question.names if names.found(n)) / len(question.names) if question.names else 1.0
    return (
        scored[0][0],
        scored[1][0] if len(scored) > 1 else 0.0,
        found,
        max(t["names_near"] for t in top),
        max(t["terms"] for t in top),
        max(t["rare_terms"] for t in top),
        max(t["head"] for t in top),
        max(t["slot"] for t in top) if question.kind.wants_span else 1.0,
        max(t["unit"] for t in top) if question.kind == QuestionKind.FIGURE else 1.0,
        max(t["qualifier"] for t in top),
        max(t["similarity"] for t in every),
        max(_alignment(question, t) for t in top),
    )


def _alignment(question: ParsedQuestion, f: dict[str, float]) -> float:
    """How fully one sentence matches what the question asks: the product of its shares."""
    value = f["names_near"] * f["rare_terms"] * f["qualifier"] * f["head"]
    if question.kind.wants_span:
        value *= f["slot_near"]
    if question.kind == QuestionKind.FIGURE:
        value *= f["unit"]
    return value
