"""ragas's LLM-judged metrics with an OpenAI-compatible judge, passed explicitly (never a hidden default)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Judge:
    metrics: list
    llm: object
    embeddings: object


class _BundledEmbeddings:
    """The bundled MiniLM behind langchain's Embeddings interface, for ResponseRelevancy."""

    def __init__(self):
        from index.embedding import MiniLMEmbedder

        self._model = MiniLMEmbedder()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._model.embed_texts(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._model.embed_query(text).tolist()

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_documents(texts)

    async def aembed_query(self, text: str) -> list[float]:
        return self.embed_query(text)


def build_judge(url: str, model: str, api_key: str = "not-needed") -> Judge:
    from langchain_openai import ChatOpenAI
    from pydantic import SecretStr
    from ragas.embeddings import LangchainEmbeddingsWrapper
    from ragas.llms import LangchainLLMWrapper
    from ragas.metrics import FactualCorrectness, Faithfulness, LLMContextRecall, ResponseRelevancy

    llm = LangchainLLMWrapper(
        ChatOpenAI(
            base_url=url, api_key=SecretStr(api_key), model=model, temperature=0, timeout=300, max_retries=0
        )
    )
    embeddings = LangchainEmbeddingsWrapper(_BundledEmbeddings())
    metrics = [
        Faithfulness(llm=llm),
        ResponseRelevancy(llm=llm, embeddings=embeddings),
        FactualCorrectness(llm=llm),
        LLMContextRecall(llm=llm),
    ]
    return Judge(metrics, llm, embeddings)
