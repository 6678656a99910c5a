"""Stage 1, gather: the topic's passages from the library (hybrid retrieval, inside the filters) and their
sentences, each with its article, its similarity to the topic and whether it is on the topic."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from index.library import Library
from index.local_index import new_stemmer, tokenize
from index.types import DocumentInfo, SourceFilter, StoredSentence
from server.settings import BriefingSettings


@dataclass(frozen=True)
class TopicSentence:
    """A sentence of a passage retrieved for the topic."""

    sentence: StoredSentence
    document: DocumentInfo
    similarity: float  # cosine similarity of the sentence and the topic, by the bundled encoder
    shares_a_word: bool  # one of the topic's words (stemmed, stop words left out) is in it

    @property
    def as_of(self) -> str:
        return self.document.published[:10]


@dataclass(frozen=True)
class TopicEvidence:
    topic: str
    on_topic: tuple[TopicSentence, ...]  # best first
    documents_matching: int  # articles the filters let through
    # Every retrieved sentence of the articles that have one on the topic, best first (figures are often
    # in sentences that do not repeat the topic's words).
    related: tuple[TopicSentence, ...] = ()

    @property
    def covered(self) -> bool:
        return bool(self.on_topic)


def gather_topic_evidence(
    library: Library, topic: str, source_filter: SourceFilter | None, settings: BriefingSettings
) -> TopicEvidence:
    """The topic's sentences, best first. A sentence is on the topic when the encoder finds it close
    (`settings.min_similarity`), or when it shares one of the topic's words and is not far
    (`settings.min_similarity_with_word`). Fewer than `settings.min_on_topic_sentences`: not covered."""
    matching = library.matching_documents(source_filter)
    if not matching:
        return TopicEvidence(topic, (), 0)
    docs = {d.id: d for d in matching}
    vector = library.embedder.embed_query(topic)
    chunks = library.retrieve(topic, k=settings.passages, query_vector=vector, source_filter=source_filter)
    sentences, matrix = library.sentences(chunks)
    if not sentences:
        return TopicEvidence(topic, (), len(matching))
    similarities = matrix @ np.asarray(vector, dtype=np.float32)
    stemmer = new_stemmer()
    topic_words = set(tokenize([topic], stemmer)[0])
    sentence_words = tokenize([s.text for s in sentences], stemmer)
    found, everything = [], []
    for sentence, similarity, words in zip(sentences, similarities, sentence_words, strict=True):
        if sentence.doc_id not in docs or len(sentence.text.split()) < settings.min_sentence_words:
            continue
        shares = bool(topic_words & set(words))
        close = similarity >= settings.min_similarity or (
            shares and similarity >= settings.min_similarity_with_word
        )
        ts = TopicSentence(sentence, docs[sentence.doc_id], float(similarity), shares)
        everything.append(ts)
        if close:
            found.append(ts)
    found.sort(key=lambda s: -s.similarity)
    if len(found) < settings.min_on_topic_sentences:
        return TopicEvidence(topic, (), len(matching))
    articles = {s.sentence.doc_id for s in found}
    related = sorted((s for s in everything if s.sentence.doc_id in articles), key=lambda s: -s.similarity)
    return TopicEvidence(topic, tuple(found), len(matching), tuple(related))
