"""all-MiniLM-L6-v2 on ONNX Runtime: the bundled weights, exported once with torch, quantised to int8
and cached; afterwards neither torch nor transformers is imported. 2.4-2.9x faster than torch here (make bench).

Texts are encoded one per run (see `embed_texts`), so the exported graph takes only token ids: without
padding the attention mask is all ones and the token types all zeros, and leaving both out of the graph
drops the ops that would compute on them (about 8% of a run). Mean pooling and L2 normalisation, as
sentence-transformers does them, are inside the graph too.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from index.embedding import DIMENSION, bundled_model_path

log = logging.getLogger(__name__)
MAX_TOKENS = 256  # all-MiniLM-L6-v2's max_seq_length
EXPORT_VERSION = "v2"  # v2: token ids only, pooled and normalised in the graph


def export_onnx(model_dir: Path, target: Path, quantize: bool = True) -> Path:
    """Export the bundled transformer for one unpadded text per run (ids in, unit vector out),
    optionally int8-quantised."""
    import torch
    from transformers import AutoModel

    target.parent.mkdir(parents=True, exist_ok=True)
    fp32 = target.with_suffix(".fp32.onnx.tmp")

    class Encoder(torch.nn.Module):
        def __init__(self):
            super().__init__()
            # Eager attention exports to fewer ops than SDPA's decomposition when there is no mask.
            self.bert = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()

        def forward(self, input_ids):
            pooled = self.bert(input_ids=input_ids).last_hidden_state.mean(dim=1)
            return torch.nn.functional.normalize(pooled, p=2.0, dim=1, eps=1e-12)

    model = Encoder().eval()
    with torch.no_grad():
        torch.onnx.export(
            model,
            (torch.ones((1, 8), dtype=torch.long),),
            str(fp32),
            input_names=["input_ids"],
            output_names=["embedding"],
            dynamic_axes={"input_ids": {1: "tokens"}},
            opset_version=17,
            dynamo=False,
        )
    tmp = target.with_suffix(".onnx.tmp")
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(fp32), str(tmp), weight_type=QuantType.QInt8)
        fp32.unlink()
    else:
        fp32.replace(tmp)
    tmp.replace(target)  # atomic: a half-written model is never picked up
    return target


class OnnxMiniLMEmbedder:
    """Same interface as MiniLMEmbedder; mean pooling and L2 normalisation as sentence-transformers does."""

    dimension = DIMENSION

    def __init__(self, cache_dir: Path, quantize: bool = True):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_dir = bundled_model_path()
        name = f"minilm-l6-{EXPORT_VERSION}-{'int8' if quantize else 'fp32'}.onnx"
        path = cache_dir / name
        self.model_path = path
        if not path.exists():
            log.info("exporting the bundled MiniLM to %s (once)", path)
            export_onnx(model_dir, path, quantize)
            for stale in cache_dir.glob("minilm-l6-v*.onnx"):  # earlier export versions are never read
                if not stale.name.startswith(f"minilm-l6-{EXPORT_VERSION}-"):
                    stale.unlink(missing_ok=True)
        # One thread per run: texts are encoded one at a time (see embed_texts), and several runs in
        # parallel keep every core busy, where one run split across cores mostly waits.
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self._workers = os.cpu_count() or 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()  # tokenizer.json pads to 128; one text per run needs none
        self.name = f"all-MiniLM-L6-v2/onnx-{'int8' if quantize else 'fp32'}"

    def _encode_one(self, text: str) -> np.ndarray:
        ids = np.array([self._tokenizer.encode(text).ids], dtype=np.int64)
        return self._session.run(None, {"input_ids": ids})[0][0]

    def embed_texts(self, texts: list[str]) -> np.ndarray:
        """One text per run, runs in parallel across the cores (ONNX Runtime releases the GIL). Dynamic
        int8 quantisation scales activations per batch, so a batched text's vector would depend on its
        neighbours (cosine 0.98 to itself alone); alone, it depends only on itself, matches its query
        embedding exactly, and costs no padding."""
        from concurrent.futures import ThreadPoolExecutor

        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        if len(texts) < 2 or self._workers < 2:
            for i, text in enumerate(texts):
                out[i] = self._encode_one(text)
            return out
        with ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="encode") as pool:
            for i, vector in enumerate(pool.map(self._encode_one, texts)):
                out[i] = vector
        return out

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode_one(text).astype(np.float32)
