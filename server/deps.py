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


def require_write_access(request: Request, service: ServiceDep) -> None:
    """Uploads and deletes: allowed on loopback without a key, with the key when one is set, never when
    the server is exposed without a key."""
    from server.service import WriteDenied

    auth = request.headers.get("authorization", "")
    provided = auth[7:].strip() if auth.lower().startswith("bearer ") else request.headers.get("x-api-key")
    try:
        service.check_write_access(provided)
    except WriteDenied as exc:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        raise HTTPException(exc.status, str(exc), headers=headers) from None


WriteAccess = Depends(require_write_access)
