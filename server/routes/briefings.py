"""POST /v1/briefings: a cited briefing on a topic, as JSON or as a Markdown, Word or PDF file."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from server.briefing.exports import export_briefing
from server.briefing.models import Briefing
from server.briefing.request import BriefingRequest
from server.deps import ServiceDep

router = APIRouter(prefix="/v1", tags=["briefings"])


@router.post(
    "/briefings",
    response_model=Briefing,
    summary="A cited briefing on a topic (JSON, or a Markdown, DOCX or PDF file)",
    responses={
        200: {
            "description": "The briefing as JSON, or the file `format` names (with its file name in "
            "Content-Disposition)",
            "content": {
                "application/json": {},
                "text/markdown": {},
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document": {},
                "application/pdf": {},
            },
        }
    },
)
def brief(body: BriefingRequest, service: ServiceDep):
    briefing = service.brief(body)
    if body.format == "json":
        return briefing
    exported = export_briefing(briefing, body.format)
    return Response(
        content=exported.content,
        media_type=exported.media_type,
        headers={"Content-Disposition": f'attachment; filename="{exported.filename}"'},
    )
