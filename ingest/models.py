"""Plain data types produced by ingestion. They know nothing about storage."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.language import SentenceAnnotation


@dataclass(frozen=True)
class DocumentMetadata:
    """What the article states about itself; empty strings where it states nothing."""

    title: str = ""
    outlet: str = ""
    published: str = ""
    url: str = ""
    author: str = ""


@dataclass(frozen=True)
class Document:
    """A cleaned article. `text` is what every offset points into."""

    id: str
    source: str
    text: str
    metadata: DocumentMetadata = field(default_factory=DocumentMetadata)

    @property
    def title(self) -> str:
        return self.metadata.title or self.source


@dataclass(frozen=True)
class Span:
    """A stretch of a document's cleaned text: `text == document.text[start:end]`."""

    id: str
    doc_id: str
    start: int
    end: int
    text: str


Chunk = Span
Sentence = Span


@dataclass(frozen=True)
class PreparedDocument:
    """A document split and ready to embed, with chunks and sentences in reading order, and each
    sentence's entities and lemmas (`annotations[i]` belongs to `sentences[i]`)."""

    document: Document
    chunks: list[Chunk]
    sentences: list[Sentence]
    annotations: list[SentenceAnnotation] = field(default_factory=list)


class IngestError(Exception):
    """A file that cannot be ingested, with a reason a person can act on."""

    def __init__(self, source: str, reason: str):
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason
