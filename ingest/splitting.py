"""Split cleaned text into sentences and overlapping chunks, keeping exact character offsets."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

from ingest.models import Chunk, Sentence

_WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=1)
def _punkt():
    """English Punkt, from the NLTK data that llama-index bundles (nothing is downloaded)."""
    import importlib.util
    from pathlib import Path

    import nltk
    from nltk.tokenize.punkt import PunktSentenceTokenizer, PunktTokenizer

    # Found without importing llama-index, whose import alone takes about 2 s.
    spec = importlib.util.find_spec("llama_index.core")
    if spec is not None and spec.origin is not None:
        nltk_dir = str(Path(spec.origin).parent / "_static" / "nltk_cache")
        if nltk_dir not in nltk.data.path:
            nltk.data.path.append(nltk_dir)
    try:
        return PunktTokenizer("english")
    except LookupError:  # pragma: no cover - only if the bundled data goes missing
        return PunktSentenceTokenizer()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence boundaries; a line break always ends a sentence (headings stand alone)."""
    tokenizer = _punkt()
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        base = line.start()
        for start, end in tokenizer.span_tokenize(line.group()):
            piece = text[base + start : base + end]
            lead = len(piece) - len(piece.lstrip())
            trail = len(piece) - len(piece.rstrip())
            if piece.strip():
                spans.append((base + start + lead, base + end - trail))
    return spans


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def span_id(doc_id: str, kind: str, start: int, end: int) -> str:
    """Ids derive from the document's content hash and the offsets, so they are stable across re-ingest."""
    digest = hashlib.sha256(f"{doc_id}:{kind}:{start}:{end}".encode()).hexdigest()[:16]
    return f"{doc_id}-{kind}{digest}"


def span_doc_id(span: str) -> str:
    """The document id inside a chunk's or a sentence's id (see `span_id`)."""
    return span.rsplit("-", 1)[0]


def split_sentences(doc_id: str, text: str) -> list[Sentence]:
    return [Sentence(span_id(doc_id, "s", s, e), doc_id, s, e, text[s:e]) for s, e in sentence_spans(text)]


def chunk_sentences(
    doc_id: str, text: str, sentences: list[Sentence], max_words: int = 140, overlap_sentences: int = 1
) -> list[Chunk]:
    """Group whole sentences into chunks of about `max_words`, each overlapping the last by a sentence."""
    chunks: list[Chunk] = []
    i = 0
    while i < len(sentences):
        j = i
        words = 0
        while j < len(sentences) and (j == i or words + word_count(sentences[j].text) <= max_words):
            words += word_count(sentences[j].text)
            j += 1
        start, end = sentences[i].start, sentences[j - 1].end
        chunks.append(Chunk(span_id(doc_id, "c", start, end), doc_id, start, end, text[start:end]))
        if j >= len(sentences):
            break
        i = max(j - overlap_sentences, i + 1)
    return chunks
