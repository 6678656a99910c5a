"""The ONNX int8 encoder agrees with the stock torch model, and an index refuses the wrong encoder."""

import numpy as np
import pytest

from index.types import IndexMismatchError
from ingest.prepare import prepare_file
from tests.conftest import NATIONPRESS_ARTICLE, NOOR_ARTICLE


def test_onnx_int8_agrees_with_torch(embedder):
    from index.embedding import MiniLMEmbedder

    assert embedder.name.endswith("onnx-int8")
    torch_model = MiniLMEmbedder()
    texts = [s.text for p in (NOOR_ARTICLE, NATIONPRESS_ARTICLE) for s in prepare_file(p).sentences]
    a, b = embedder.embed_texts(texts), torch_model.embed_texts(texts)
    assert a.shape == b.shape == (len(texts), 384)
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    cosine = (a * b).sum(axis=1)
    assert cosine.min() > 0.85 and cosine.mean() > 0.93
    # int8 shifts scores slightly: torch's nearest sentence stays among the ONNX encoder's nearest three.
    for question in (
        "What role did Iran play?",
        "Who leads the National Resistance Front?",
        "What did Atta Mohammad Noor say about those who promote war?",
    ):
        onnx_top3 = np.argsort(-(a @ embedder.embed_query(question)))[:3]
        assert int(np.argmax(b @ torch_model.embed_query(question))) in onnx_top3


def test_index_refuses_a_different_embedder(make_library, tmp_path):
    from index.embedding import MiniLMEmbedder
    from server.settings import IndexSettings, Settings
    from server.wiring import build_library

    make_library()  # creates the index with the default ONNX encoder
    with pytest.raises(IndexMismatchError, match="BRIEFING_EMBEDDING_BACKEND"):
        build_library(Settings(index=IndexSettings(data_dir=tmp_path / "data")), embedder=MiniLMEmbedder())
