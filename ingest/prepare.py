"""From a file (or uploaded bytes) to a PreparedDocument: load, clean, identify, split."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ingest.cleaning import clean_text
from ingest.language import annotate_sentences
from ingest.loaders import SUPPORTED_SUFFIXES, load_bytes
from ingest.metadata import infer_metadata, merge_metadata, read_sidecar
from ingest.models import Chunk, Document, DocumentMetadata, IngestError, PreparedDocument, Sentence
from ingest.splitting import chunk_sentences, split_sentences

MIN_WORDS = 3


def document_id(text: str) -> str:
    """A document's id is the hash of its cleaned text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _split_bytes(
    data: bytes,
    filename: str,
    metadata: DocumentMetadata | None,
    max_chunk_words: int,
    charset: str | None = None,
    url: str = "",
    suffix: str | None = None,
    fallback: DocumentMetadata | None = None,
) -> tuple[Document, list[Chunk], list[Sentence]]:
    """Load, clean, identify and split (everything `prepare_bytes` does but the language analysis)."""
    loaded = load_bytes(data, filename, charset=charset, url=url, suffix=suffix)
    stated = merge_metadata(metadata, loaded.metadata)
    if fallback is not None:
        stated = merge_metadata(stated, fallback)
    stated = infer_metadata(loaded.text, stated)
    text = clean_text(loaded.text, stated, strip_furniture=not loaded.extracted)
    if len(text.split()) < MIN_WORDS:
        raise IngestError(filename, "the file holds no article text after cleaning")
    doc_id = document_id(text)
    sentences = split_sentences(doc_id, text)
    chunks = chunk_sentences(doc_id, text, sentences, max_words=max_chunk_words)
    return Document(doc_id, filename, text, stated), chunks, sentences


def prepare_bytes(
    data: bytes,
    filename: str,
    metadata: DocumentMetadata | None = None,
    max_chunk_words: int = 140,
    charset: str | None = None,
    url: str = "",
    suffix: str | None = None,
    fallback: DocumentMetadata | None = None,
) -> PreparedDocument:
    """Parse, clean and split one file's content. Raises IngestError with a reason on bad input.
    A fetched page passes its HTTP charset, the URL it came from and the suffix its content type means.
    `metadata` wins over what the file states; `fallback` (a feed entry's date) only fills what it does not."""
    document, chunks, sentences = _split_bytes(
        data, filename, metadata, max_chunk_words, charset, url, suffix, fallback
    )
    annotations = annotate_sentences([s.text for s in sentences])
    return PreparedDocument(document, chunks, sentences, annotations)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise IngestError(path.name, f"cannot read the file ({exc.strerror})") from None


def prepare_file(path: Path, max_chunk_words: int = 140) -> PreparedDocument:
    """Prepare a file on disk, reading its metadata sidecar if it has one."""
    return prepare_bytes(_read(path), path.name, read_sidecar(path), max_chunk_words)


def split_document(path: Path, max_chunk_words: int = 140) -> tuple[Document, list[Chunk], list[Sentence]]:
    """A file as ingest cleans and splits it (its document, chunks and sentences), without the language
    analysis (for training the reader on exactly the sentences the library would hold)."""
    return _split_bytes(_read(path), path.name, read_sidecar(path), max_chunk_words)


def split_file(path: Path, max_chunk_words: int = 140) -> tuple[list[str], list[str]]:
    """The texts of a file's chunks and of its sentences, as `prepare_file` splits them, without the
    language analysis (for measuring an encoder on them)."""
    _document, chunks, sentences = split_document(path, max_chunk_words)
    return [c.text for c in chunks], [s.text for s in sentences]


def discover_files(paths: list[Path]) -> list[Path]:
    """Expand folders into the supported article files they hold, sorted; files are kept as given. A file
    named twice (itself and by its folder, or a folder and one inside it) is read once, where first named."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES and not p.name.startswith(".")
            )
        else:
            found.append(path)
    first: dict[Path, Path] = {}
    for path in found:
        first.setdefault(path.resolve(), path)
    return list(first.values())
