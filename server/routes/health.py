"""Liveness, readiness and metrics."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

router = APIRouter(tags=["health"])


class Readiness(BaseModel):
    status: Literal["ready", "loading", "unavailable"]
    ready: bool
    documents: int
    chunks: int


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict:
    return {"status": "ok"}


@router.get(
    "/metrics",
    summary="Prometheus metrics: requests and latency per route, refusals, dropped sentences",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(request: Request) -> Response:
    service = getattr(request.app.state, "service", None)
    if service is None:
        raise HTTPException(503, "the index is still loading; try again shortly")
    return Response(service.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


@router.get(
    "/readyz",
    summary="The index is loaded and its store reachable; document and chunk counts",
    response_model=Readiness,
    responses={503: {"model": Readiness, "description": "loading, or the store is unreachable"}},
)
def readyz(request: Request):
    service = getattr(request.app.state, "service", None)
    if service is None:
        return JSONResponse(
            Readiness(status="loading", ready=False, documents=0, chunks=0).model_dump(), status_code=503
        )
    state = service.readiness()
    if not state["ready"]:
        return JSONResponse(Readiness(status="unavailable", **state).model_dump(), status_code=503)
    return Readiness(status="ready", **state)
