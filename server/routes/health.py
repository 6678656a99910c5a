"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict:
    return {"status": "ok"}


@router.get(
    "/metrics", summary="Prometheus metrics: requests and latency per route, refusals, dropped sentences"
)
def metrics(request: Request) -> Response:
    service = getattr(request.app.state, "service", None)
    if service is None:
        return JSONResponse({"status": "loading"}, status_code=503)
    return Response(service.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


@router.get("/readyz", summary="The index is loaded and its store reachable; document and chunk counts")
def readyz(request: Request):
    service = getattr(request.app.state, "service", None)
    if service is None:
        return JSONResponse({"status": "loading"}, status_code=503)
    state = service.readiness()
    if not state["ready"]:
        return JSONResponse({"status": "unavailable", **state}, status_code=503)
    return {"status": "ready", **state}
