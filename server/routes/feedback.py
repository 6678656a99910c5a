"""POST /v1/feedback: a reader's verdict on an answer, saved as a candidate eval item."""

from __future__ import annotations

from fastapi import APIRouter

from server.deps import ServiceDep
from server.schemas import FeedbackRequest

router = APIRouter(prefix="/v1", tags=["feedback"])


@router.post("/feedback", status_code=201, summary="Save a thumbs-down (or up) as a candidate eval item")
def feedback(body: FeedbackRequest, service: ServiceDep) -> dict:
    item_id = service.save_feedback(
        body.question, body.answer, body.citations, body.comment, body.rating, body.history
    )
    return {"saved": True, "id": item_id}
