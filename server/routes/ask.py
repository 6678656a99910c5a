"""POST /v1/ask, its Server-Sent Events twin, and POST /v1/retrieve (the passages alone)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from server.answer.models import Answer, RetrievedPassage
from server.deps import ServiceDep
from server.schemas import AskRequest, RetrieveRequest
from server.service import sse

router = APIRouter(prefix="/v1", tags=["answers"])


@router.post("/ask", response_model=Answer, summary="Answer a question with cited sources")
def ask(body: AskRequest, service: ServiceDep) -> Answer:
    return service.ask(
        body.question, body.history, body.top_k, body.mode, body.debug, source_filter=body.source_filter()
    )


@router.post(
    "/ask/stream",
    summary="The same answer as Server-Sent Events: citations, delta..., done",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
def ask_stream(body: AskRequest, service: ServiceDep) -> StreamingResponse:
    # The answer is computed before the response starts, so an error still gets a proper status.
    events = list(
        service.ask_stream(
            body.question, body.history, body.top_k, body.mode, source_filter=body.source_filter()
        )
    )
    return StreamingResponse(
        (sse(e, d) for e, d in events),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


@router.post(
    "/retrieve",
    response_model=list[RetrievedPassage],
    summary="The passages hybrid retrieval finds for a query, best first (no answer is composed)",
)
def retrieve(body: RetrieveRequest, service: ServiceDep) -> list[RetrievedPassage]:
    return service.retrieve(body.query, body.top_k, source_filter=body.source_filter())
