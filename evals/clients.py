"""Two ways to reach the pipeline: in this process, or a running server by URL. Both use the same
public interface (ask, read, upload and delete a document)."""

from __future__ import annotations

import os
from dataclasses import asdict
from typing import Protocol

from ingest.models import DocumentMetadata
from server.answer.models import ChatTurn


class AnswerClient(Protocol):
    def ask(self, question: str, history: list[ChatTurn], debug: bool = False) -> dict:
        """The answer as JSON; with `debug`, its `trace` holds every stage's output (the retrieved chunks,
        the candidate sentences the reader read for each part of the question, the decision)."""
        ...

    def document_text(self, doc_id: str) -> str | None: ...

    def upload(self, filename: str, data: bytes, metadata: DocumentMetadata) -> tuple[str, str]:
        """Returns (status, document id); status is added, replaced or unchanged."""
        ...

    def delete(self, doc_id: str) -> None: ...


class InProcessClient:
    def __init__(self, service):
        self.service = service

    def ask(self, question: str, history: list[ChatTurn], debug: bool = False) -> dict:
        return self.service.ask(question, history, debug=debug).model_dump()

    def document_text(self, doc_id: str) -> str | None:
        stored = self.service.document(doc_id)
        return stored.text if stored else None

    def upload(self, filename: str, data: bytes, metadata: DocumentMetadata) -> tuple[str, str]:
        outcome = self.service.upload(data, filename, metadata)
        return outcome.status, outcome.document.id

    def delete(self, doc_id: str) -> None:
        self.service.delete(doc_id)


class HttpClient:
    """A running server. Uploads and deletes send BRIEFING_API_KEY when it is set."""

    def __init__(self, base_url: str, timeout: float = 120.0):
        import httpx

        key = os.environ.get("BRIEFING_API_KEY")
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout, headers=headers)

    def ask(self, question: str, history: list[ChatTurn], debug: bool = False) -> dict:
        body: dict = {"question": question, "history": [t.model_dump() for t in history]}
        if debug:
            body["debug"] = True
        response = self.http.post("/v1/ask", json=body)
        response.raise_for_status()
        return response.json()

    def document_text(self, doc_id: str) -> str | None:
        response = self.http.get(f"/v1/documents/{doc_id}")
        return response.json()["text"] if response.status_code == 200 else None

    def upload(self, filename: str, data: bytes, metadata: DocumentMetadata) -> tuple[str, str]:
        response = self.http.post("/v1/documents", files={"file": (filename, data)}, data=asdict(metadata))
        response.raise_for_status()
        body = response.json()
        return body["status"], body["document"]["id"]

    def delete(self, doc_id: str) -> None:
        response = self.http.delete(f"/v1/documents/{doc_id}")
        if response.status_code != 404:
            response.raise_for_status()
