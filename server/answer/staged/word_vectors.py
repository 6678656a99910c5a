"""Word meanings from the bundled encoder: the input (word-piece) embeddings of all-MiniLM-L6-v2, looked up
for single words. No encoder run: a word's vector is the mean of its pieces' rows, so "troops" is near
"soldiers" and "force", "presided" near "chaired", and unrelated words are near zero. Used to match the
words a question uses to the words an article uses for the same thing."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

# Words looked up through the tokenizer (those not one piece of the vocabulary), remembered per process.
SPLIT_WORDS_CACHE = 8192


class WordVectors:
    """Unit vectors of words, from the embedding matrix of the bundled model (float16, about 23 MB)."""

    def __init__(self, model_dir: Path):
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        matrix = load_file(str(model_dir / "model.safetensors"))["embeddings.word_embeddings.weight"]
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        self._matrix = (matrix / np.where(norms == 0, 1.0, norms)).astype(np.float16)
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()
        self._tokenizer.no_truncation()
        self._vocab = self._tokenizer.get_vocab()
        self._pieces = lru_cache(maxsize=SPLIT_WORDS_CACHE)(self._split)

    def _split(self, word: str) -> tuple[int, ...]:
        return tuple(self._tokenizer.encode(word, add_special_tokens=False).ids)

    def vectors(self, words: list[str]) -> np.ndarray:
        """One unit row per word."""
        out = np.zeros((len(words), self._matrix.shape[1]), dtype=np.float32)
        for i, word in enumerate(words):
            piece = self._vocab.get(word)
            ids = (piece,) if piece is not None else self._pieces(word)
            if ids:
                v = self._matrix[list(ids)].astype(np.float32).mean(axis=0)
                out[i] = v / (np.linalg.norm(v) or 1.0)
        return out


def bundled_word_vectors() -> WordVectors:
    from index.embedding import bundled_model_path

    return WordVectors(bundled_model_path())
