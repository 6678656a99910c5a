"""Pick the sentences that answer a question from the sentences of the retrieved chunks."""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field

import numpy as np

from index.types import RetrievedChunk, StoredSentence
from server.answer.matching import definite_mention, group_found, sentence_keys, term_found
from server.answer.question_analysis import QuestionProfile
from server.answer.speech import is_heading_like, reports_speech

W_SIMILARITY = 0.5
CONTEXT_NAME_CREDIT = 0.75
CONTEXT_TERM_CREDIT = 0.5
W_COVERAGE = 0.4
W_CHUNK = 0.1
# "What did X say" is answered by what X said: quotes and reported speech.
SPEECH_BONUS = 0.1
# A statement question looks for reported speech among this many of the best sentences.
SPEECH_POOL = 8
# A sentence far below the best one is padding, not evidence.
RELATIVE_CUTOFF = 0.75
# Another article's best sentence joins the answer if it comes this close to the best one.
OTHER_SOURCE_CUTOFF = 0.65


@dataclass
class ScoredSentence:
    sentence: StoredSentence
    vector: np.ndarray
    similarity: float
    coverage: float
    score: float
    keys: AbstractSet[str]
    context_keys: AbstractSet[str]  # the sentence just before, which "This Council" or "he" refers back to
    article_keys: AbstractSet[str] = field(
        default_factory=set
    )  # every retrieved sentence of the same article
    context_text: str = ""  # the sentence just before, as written

    def mentions(self, group, with_context: bool = True) -> bool:
        """The sentence names the group; or, with context, the sentence before does, or one of them says
        "the council" in an article that names the council in full."""
        if group_found(group, self.keys):
            return True
        return with_context and (
            group_found(group, self.context_keys)
            or _definite(group, self.sentence.text, self.context_text, self.article_keys)
        )

    def names_present(self, profile: QuestionProfile, with_context: bool = True) -> bool:
        return all(self.mentions(g, with_context) for g in profile.names)

    def terms_present(self, profile: QuestionProfile) -> set[str]:
        return {t for t in profile.terms if term_found(t, self.keys)}


def _definite(group, text: str, context_text: str, article: AbstractSet[str] | None) -> bool:
    """ "the council" in the sentence, or in the one before it ("The council ... Its treasurer")."""
    if not article:
        return False
    return definite_mention(group, text, article) or definite_mention(group, context_text, article)


def term_coverage(
    profile: QuestionProfile,
    keys: AbstractSet[str],
    context: AbstractSet[str] | None = None,
    asked: AbstractSet[str] | None = None,
    article: AbstractSet[str] | None = None,
    texts: tuple[str, str] = ("", ""),
) -> float:
    """How much of the question a sentence holds: half for its names (a name found only in the sentence
    before, which "she" or "the group" refers back to, counts three quarters), half for its other key
    terms (a term found only in the interviewer's question before it, `asked`, counts half). A sentence
    that only names the subject does not outrank one that says what is asked."""
    name_part = term_part = None
    if profile.names:
        credit = 0.0
        for group in profile.names:
            if group_found(group, keys):
                credit += 1.0
            elif (context and group_found(group, context)) or _definite(group, *texts, article):
                credit += CONTEXT_NAME_CREDIT
        name_part = credit / len(profile.names)
    # "Which groups ...": a sentence about groups holds what is asked for.
    terms = profile.terms | ({profile.focus_noun} if profile.focus_noun else set())
    if terms:
        # A term in the question just before (`asked`: an interviewer's) counts half.
        found = sum(
            1.0 if term_found(t, keys) else CONTEXT_TERM_CREDIT if asked and term_found(t, asked) else 0.0
            for t in terms
        )
        term_part = found / len(terms)
    if name_part is None and term_part is None:
        return 0.0
    if name_part is None or term_part is None:
        return name_part if term_part is None else term_part  # type: ignore[return-value]
    return 0.5 * name_part + 0.5 * term_part


def score_sentences(
    profile: QuestionProfile,
    query_vector: np.ndarray,
    chunks: list[RetrievedChunk],
    sentences: list[StoredSentence],
    matrix: np.ndarray,
) -> list[ScoredSentence]:
    """Score every candidate sentence by meaning, key-term coverage and the rank of its chunk."""
    if not sentences:
        return []
    top = max(c.score for c in chunks) or 1.0
    chunk_prior: dict[str, float] = {}
    for chunk in chunks:
        for sid in chunk.sentence_ids:
            chunk_prior[sid] = max(chunk_prior.get(sid, 0.0), chunk.score / top)
    sims = matrix @ query_vector
    previous = _previous_sentences(sentences)
    keys_of = {sentence.id: sentence_keys(sentence) for sentence in sentences}
    by_article: dict[str, set[str]] = {}
    for sentence in sentences:
        by_article.setdefault(sentence.doc_id, set()).update(keys_of[sentence.id])
    scored = []
    for sentence, vector, sim in zip(sentences, matrix, sims, strict=True):
        if is_heading_like(sentence.text) or len(sentence.text.split()) < 4:
            continue
        keys = keys_of[sentence.id]
        before = previous.get(sentence.id)
        context = keys_of[before.id] if before else set()
        # An interviewer's question gives the topic of the answer after it.
        asked = context if before is not None and _answers_question(before.text, sentence.text) else None
        article = by_article[sentence.doc_id]
        before_text = before.text if before is not None else ""
        coverage = term_coverage(profile, keys, context, asked, article, (sentence.text, before_text))
        score = (
            W_SIMILARITY * float(sim) + W_COVERAGE * coverage + W_CHUNK * chunk_prior.get(sentence.id, 0.0)
        )
        if (profile.wants == "statement" or profile.about_saying) and reports_speech(sentence.text):
            score += SPEECH_BONUS
        scored.append(
            ScoredSentence(sentence, vector, float(sim), coverage, score, keys, context, article, before_text)
        )
    scored.sort(key=lambda s: s.score, reverse=True)
    return scored


_SPOKEN_ANSWER = re.compile(r"^(?:[^:“”\"]{2,40}:\s*)?[“\"]")


def _answers_question(before: str, text: str) -> bool:
    """An interview's answer ('Soraya Hakimi: "..."' or a bare quotation) right after a question."""
    return before.rstrip().endswith("?") and bool(_SPOKEN_ANSWER.match(text))


def _previous_sentences(sentences: list[StoredSentence]) -> dict[str, StoredSentence]:
    by_doc: dict[str, list[StoredSentence]] = {}
    for s in sentences:
        by_doc.setdefault(s.doc_id, []).append(s)
    previous = {}
    for group in by_doc.values():
        group.sort(key=lambda s: s.start)
        for before, after in zip(group, group[1:], strict=False):
            previous[after.id] = before
    return previous


def _near_duplicate(a: ScoredSentence, b: ScoredSentence) -> bool:
    if float(a.vector @ b.vector) >= 0.9:
        return True
    small = min(len(a.keys), len(b.keys)) or 1
    return len(a.keys & b.keys) / small >= 0.8


def _eligible(candidate: ScoredSentence, chosen: list[ScoredSentence]) -> bool:
    if candidate.coverage == 0 and candidate.similarity < 0.5:
        return False
    return not any(_near_duplicate(candidate, c) for c in chosen)


def select_evidence(scored: list[ScoredSentence], max_sentences: int) -> list[ScoredSentence]:
    """The best sentences that are relevant enough and not near-copies of each other, with the best
    sentence of every other article that is nearly as relevant, so that no source is left out."""
    if not scored:
        return []
    best = scored[0].score
    chosen: list[ScoredSentence] = []
    for candidate in scored:
        if len(chosen) >= max_sentences or candidate.score < RELATIVE_CUTOFF * best:
            break
        if _eligible(candidate, chosen):
            chosen.append(candidate)
    represented = {c.sentence.doc_id for c in chosen}
    for candidate in scored:
        if candidate.score < OTHER_SOURCE_CUTOFF * best:
            break
        if candidate.sentence.doc_id not in represented and _eligible(candidate, chosen):
            if len(chosen) >= max_sentences:
                chosen.pop()
            chosen.append(candidate)
            represented.add(candidate.sentence.doc_id)
    return chosen


# '..., " Payman said.': a quotation closed by its speaker's name and a verb of saying.
_NAMED_SPEAKER = re.compile(r"[”\"]\s*,?\s*[A-Z][\w’'-]+(?: [A-Z][\w’'-]+)* (?:said|says|added|told)\b")
_PRONOUN_SUBJECT = re.compile(
    r"\b(he|she|they)\s+(said|says|expressed|stated|remarked|added|told|noted|argued|"
    r"warned|declared)\b",
    re.IGNORECASE,
)


def _spoken_by(profile: QuestionProfile, c: ScoredSentence) -> bool:
    """The sentence names the speaker (the question's first person, else its first name), or refers back
    to the one named just before ("he expressed", "Payman said" after "spokesman Nasrullah Payman")."""
    people = [g for g in profile.names if g.label == "PERSON"] or profile.names[:1]
    if not people or all(group_found(g, c.keys) for g in people[:1]):
        return True
    return all(group_found(g, c.context_keys) for g in people[:1]) and bool(
        _PRONOUN_SUBJECT.search(c.sentence.text) or _NAMED_SPEAKER.search(c.sentence.text)
    )


def keep_reported_speech(
    profile: QuestionProfile, chosen: list[ScoredSentence], scored: list[ScoredSentence]
) -> list[ScoredSentence]:
    """For "what did X say": keep the sentences that report what X said, and add the sentence right after
    one of them when it carries the words themselves ("..., he expressed, “...”")."""
    if profile.wants != "statement":
        return chosen
    # The best few sentences, not only those chosen: a short quotation scores below a long report.
    pool = chosen + [s for s in scored[:SPEECH_POOL] if s not in chosen]
    about = [c for c in pool if c.names_present(profile) and _spoken_by(profile, c)]
    speech = [c for c in about if reports_speech(c.sentence.text)] or list(chosen)
    ids = {c.sentence.id for c in speech}
    for c in list(speech):
        nxt = next(
            (
                s
                for s in scored
                if s.sentence.doc_id == c.sentence.doc_id and 0 < s.sentence.start - c.sentence.end <= 2
            ),
            None,
        )
        if nxt and nxt.sentence.id not in ids and _PRONOUN_SUBJECT.search(nxt.sentence.text):
            speech.append(nxt)
            ids.add(nxt.sentence.id)
    return speech


def evidence_keys(chosen: list[ScoredSentence]) -> set[str]:
    out: set[str] = set()
    for c in chosen:
        out |= c.keys
    return out
