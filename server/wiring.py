"""Build the heavy objects once, from settings: embedder, Chroma store, library."""

from __future__ import annotations

from collections.abc import Callable

from index.bm25_cache import cache_file
from index.chroma_store import ChromaStore, connect_chroma
from index.embedding import Embedder, MiniLMEmbedder, set_offline_environment
from index.library import Library
from server.settings import IndexSettings, Settings


def _onnx_int8(settings: IndexSettings) -> Embedder:
    from index.onnx_embedding import OnnxMiniLMEmbedder

    return OnnxMiniLMEmbedder(settings.data_dir / "models", quantize=True)


EMBEDDERS: dict[str, Callable[[IndexSettings], Embedder]] = {
    "onnx-int8": _onnx_int8,
    "torch": lambda _settings: MiniLMEmbedder(),
}


def build_embedder(settings: Settings) -> Embedder:
    set_offline_environment()
    return EMBEDDERS[settings.index.embedding_backend](settings.index)


def build_library(settings: Settings, embedder: Embedder | None = None) -> Library:
    """Open the configured Chroma store (embedded or server) with the configured embedder."""
    set_offline_environment()
    embedder = embedder or build_embedder(settings)
    client = connect_chroma(settings.index.data_dir, settings.index.chroma_url)
    store = ChromaStore(
        client,
        settings.index.collection_prefix,
        embedder_name=embedder.name,
        shared=settings.index.chroma_url is not None,
    )
    bm25_cache = cache_file(
        settings.index.data_dir, settings.index.collection_prefix, settings.index.chroma_url
    )
    return Library(store, embedder, settings.index.max_chunk_words, bm25_cache=bm25_cache)
