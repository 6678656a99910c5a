"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict:
    return {"status": "ok"}


@router.get("/readyz", summary="The index is loaded and its store reachable; document and chunk counts")
def readyz(request: Request):
    service = getattr(request.app.state, "service", None)
    if service is None:
        return JSONResponse({"status": "loading"}, status_code=503)
    state = service.readiness()
    if not state["ready"]:
        return JSONResponse({"status": "unavailable", **state}, status_code=503)
    return {"status": "ready", **state}
