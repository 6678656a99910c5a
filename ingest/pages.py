"""A page by URL: fetched under the guards of ingest/fetching.py, then the same path as an uploaded file."""

from __future__ import annotations

from ingest.fetching import FetchLimits, fetch
from ingest.models import DocumentMetadata, PreparedDocument
from ingest.prepare import prepare_bytes


def prepare_url(
    url: str,
    limits: FetchLimits,
    metadata: DocumentMetadata | None = None,
    max_chunk_words: int = 140,
    fallback: DocumentMetadata | None = None,
) -> PreparedDocument:
    """Fetch one page and prepare it; its source is the URL it was finally read from (after redirects),
    so that fetching it again replaces the older version. Raises FetchError or IngestError; nothing is
    stored either way, since nothing is stored here at all."""
    fetched = fetch(url, limits)
    return prepare_bytes(
        fetched.content,
        fetched.url,
        metadata,
        max_chunk_words,
        charset=fetched.charset,
        url=fetched.url,
        suffix=fetched.suffix,
        fallback=fallback,
    )
