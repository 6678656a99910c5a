"""Build the heavy objects once, from settings: embedder, Chroma store, library."""

from __future__ import annotations

from index.chroma_store import ChromaStore, connect_chroma
from index.embedding import MiniLMEmbedder, set_offline_environment
from index.library import Library
from server.settings import Settings


def build_library(settings: Settings, embedder=None) -> Library:
    """Open the configured Chroma store (embedded or server) with the bundled embedder."""
    set_offline_environment()
    client = connect_chroma(settings.index.data_dir, settings.index.chroma_url)
    store = ChromaStore(client, settings.index.collection_prefix)
    return Library(store, embedder or MiniLMEmbedder(), settings.index.max_chunk_words)
