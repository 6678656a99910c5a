"""The briefing's citations, numbered by first use, under the answers' contract: each is a verbatim
sentence of its article (text[start:end] == quote), and only what the briefing cites is listed."""

from __future__ import annotations

from index.types import DocumentInfo
from server.answer.models import Citation


class CitationBook:
    """Hands out [n] numbers; the same passage cited twice keeps its number."""

    def __init__(self) -> None:
        self._numbers: dict[tuple[str, int, int], int] = {}
        self.citations: list[Citation] = []

    def cite(self, document: DocumentInfo, start: int, end: int, quote: str, score: float = 0.0) -> int:
        key = (document.id, start, end)
        if key not in self._numbers:
            n = len(self.citations) + 1
            self._numbers[key] = n
            self.citations.append(
                Citation(
                    n=n,
                    doc_id=document.id,
                    title=document.title,
                    outlet=document.outlet,
                    published=document.published,
                    url=document.url,
                    quote=quote,
                    start=start,
                    end=end,
                    score=round(score, 4),
                )
            )
        return self._numbers[key]

    def used_documents(self) -> set[str]:
        return {c.doc_id for c in self.citations}
