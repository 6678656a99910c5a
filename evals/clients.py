"""Two ways to reach the pipeline: in this process, or a running server by URL. Both use the same
public interface (ask, read a document)."""

from __future__ import annotations

from typing import Protocol

from server.answer.models import ChatTurn


class AnswerClient(Protocol):
    def ask(self, question: str, history: list[ChatTurn]) -> dict: ...

    def document_text(self, doc_id: str) -> str | None: ...


class InProcessClient:
    def __init__(self, service):
        self.service = service

    def ask(self, question: str, history: list[ChatTurn]) -> dict:
        return self.service.ask(question, history).model_dump()

    def document_text(self, doc_id: str) -> str | None:
        stored = self.service.document(doc_id)
        return stored.text if stored else None


class HttpClient:
    def __init__(self, base_url: str, timeout: float = 120.0):
        import httpx

        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout)

    def ask(self, question: str, history: list[ChatTurn]) -> dict:
        response = self.http.post(
            "/v1/ask", json={"question": question, "history": [t.model_dump() for t in history]}
        )
        response.raise_for_status()
        return response.json()

    def document_text(self, doc_id: str) -> str | None:
        response = self.http.get(f"/v1/documents/{doc_id}")
        return response.json()["text"] if response.status_code == 200 else None
