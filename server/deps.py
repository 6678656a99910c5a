"""Dependency aliases so that routes read `def ask(service: ServiceDep, ...)`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from server.service import BriefingService


def get_service(request: Request) -> BriefingService:
    service = getattr(request.app.state, "service", None)
    if service is None:
        raise HTTPException(503, "the index is still loading; try again shortly")
    return service


ServiceDep = Annotated[BriefingService, Depends(get_service)]
