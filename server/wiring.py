"""Build the heavy objects once, from settings: embedder, Chroma store, library."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

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
    return Library(store, embedder, settings.index.max_chunk_words, local_dir=local_dir(settings))


def local_dir(settings: Settings) -> Path:
    """Where this process keeps its local index of one store: per collection prefix, and per Chroma server
    if there is one."""
    name = settings.index.collection_prefix
    if settings.index.chroma_url:
        name += "-" + hashlib.sha256(settings.index.chroma_url.encode()).hexdigest()[:10]
    return settings.index.data_dir / "local" / name
