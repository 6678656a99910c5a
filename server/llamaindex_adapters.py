"""llama-index adapters: the library's hybrid retrieval as a `BaseRetriever`, its cited answers as a query
engine, in process or against a running server.

    engine = BriefingQueryEngine.from_url("http://127.0.0.1:8000")   # or BriefingQueryEngine.in_process()
    response = engine.query("What role did Iran play?")
    response.source_nodes      # exactly the answer's citations: quote, offsets, title, outlet, date

The server never imports this module, so llama-index stays out of `briefing serve`'s start.
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.base.response.schema import Response
from llama_index.core.query_engine import CustomQueryEngine
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from server.answer.models import Answer, Citation, RetrievedPassage
from server.settings import Settings

DEFAULT_TIMEOUT_S = 60.0


class Backend(Protocol):
    """Where answers and passages come from: this process's service, or a server's API."""

    def ask(self, question: str, top_k: int | None) -> Answer: ...

    def retrieve(self, query: str, top_k: int | None) -> list[RetrievedPassage]: ...


class InProcessBackend:
    """The answer engine and library of this process (built from settings, or a service already built)."""

    def __init__(self, service=None, settings: Settings | None = None):
        if service is None:
            from server.service import build_service

            service = build_service(settings or Settings())
        self.service = service

    def ask(self, question: str, top_k: int | None) -> Answer:
        return self.service.ask(question, top_k=top_k)

    def retrieve(self, query: str, top_k: int | None) -> list[RetrievedPassage]:
        return self.service.retrieve(query, top_k)


class BriefingAPIError(RuntimeError):
    """The server answered with an error; the message is the API's own."""

    def __init__(self, status: int, message: str):
        super().__init__(f"{status}: {message}")
        self.status = status


class HttpBackend:
    """A thin client of a running server: POST /v1/ask and POST /v1/retrieve."""

    def __init__(self, url: str, api_key: str | None = None, timeout: float = DEFAULT_TIMEOUT_S):
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._http = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout)

    def _post(self, path: str, body: dict) -> Any:
        response = self._http.post(path, json={k: v for k, v in body.items() if v is not None})
        if response.status_code != 200:
            try:
                message = response.json()["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = response.text[:500]
            raise BriefingAPIError(response.status_code, message)
        return response.json()

    def ask(self, question: str, top_k: int | None) -> Answer:
        return Answer.model_validate(self._post("/v1/ask", {"question": question, "top_k": top_k}))

    def retrieve(self, query: str, top_k: int | None) -> list[RetrievedPassage]:
        found = self._post("/v1/retrieve", {"query": query, "top_k": top_k})
        return [RetrievedPassage.model_validate(p) for p in found]


def _node(node_id: str, text: str, score: float, **metadata) -> NodeWithScore:
    return NodeWithScore(node=TextNode(id_=node_id, text=text, metadata=metadata), score=score)


def passage_node(p: RetrievedPassage) -> NodeWithScore:
    """A retrieved chunk as a llama-index node: its text, with the article and the chunk's offsets."""
    return _node(
        p.chunk_id, p.text, p.score, doc_id=p.doc_id, title=p.title, outlet=p.outlet, published=p.published,
        start=p.start, end=p.end,
    )  # fmt: skip


def citation_node(c: Citation) -> NodeWithScore:
    """A citation as a llama-index node: the verbatim quote, its [n], the article and the offsets."""
    return _node(
        f"{c.doc_id}:{c.start}-{c.end}", c.quote, c.score, n=c.n, doc_id=c.doc_id, title=c.title,
        outlet=c.outlet, published=c.published, url=c.url, quote=c.quote, start=c.start, end=c.end,
    )  # fmt: skip


def answer_response(answer: Answer) -> Response:
    """The cited answer as a llama-index Response: `source_nodes` are its citations, in [n] order."""
    return Response(
        response=answer.answer,
        source_nodes=[citation_node(c) for c in sorted(answer.citations, key=lambda c: c.n)],
        metadata={
            "refused": answer.refused,
            "refusal_reason": answer.refusal_reason,
            "direct_answer": answer.direct_answer.model_dump() if answer.direct_answer else None,
            "mode": answer.mode,
            "conflicts": [c.model_dump() for c in answer.conflicts],
        },
    )


def _backend(url: str | None, api_key: str | None, service, settings: Settings | None) -> Backend:
    if url:
        return HttpBackend(url, api_key)
    return InProcessBackend(service, settings)


class BriefingRetriever(BaseRetriever):
    """The library's hybrid retrieval (vector and keyword rankings, fused) as a llama-index retriever."""

    def __init__(self, backend: Backend, top_k: int | None = None, **kwargs):
        super().__init__(**kwargs)
        self.backend = backend
        self.top_k = top_k

    @classmethod
    def in_process(cls, service=None, settings: Settings | None = None, top_k: int | None = None):
        return cls(_backend(None, None, service, settings), top_k)

    @classmethod
    def from_url(cls, url: str, api_key: str | None = None, top_k: int | None = None):
        return cls(_backend(url, api_key, None, None), top_k)

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return [passage_node(p) for p in self.backend.retrieve(query_bundle.query_str, self.top_k)]


class BriefingQueryEngine(CustomQueryEngine):
    """The answer engine as a llama-index query engine: the Response's text is the cited answer, its
    `source_nodes` the citations, and a refusal says so in its metadata (`refused`, `refusal_reason`)."""

    backend: Any
    top_k: int | None = None

    @classmethod
    def in_process(cls, service=None, settings: Settings | None = None, top_k: int | None = None):
        return cls(backend=_backend(None, None, service, settings), top_k=top_k)

    @classmethod
    def from_url(cls, url: str, api_key: str | None = None, top_k: int | None = None):
        return cls(backend=_backend(url, api_key, None, None), top_k=top_k)

    def custom_query(self, query_str: str) -> Response:
        return answer_response(self.backend.ask(query_str, self.top_k))
