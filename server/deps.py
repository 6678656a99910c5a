"""Dependency aliases so that routes read `def ask(service: ServiceDep, ...)`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, HTTPException, Request

from server.service import BriefingService


def get_service(request: Request) -> BriefingService:
    service = getattr(request.app.state, "service", None)
    if service is None:
        raise HTTPException(503, "the index is still loading; try again shortly")
    return service


ServiceDep = Annotated[BriefingService, Depends(get_service)]


def api_key_from_headers(headers: Mapping[str, str]) -> str | None:
    """The API key a caller sent: `Authorization: Bearer KEY`, else `X-API-Key` (header names are
    matched case-insensitively, as HTTP has them)."""
    lowered = {name.lower(): value for name, value in headers.items()}
    auth = lowered.get("authorization", "")
    return auth[7:].strip() if auth.lower().startswith("bearer ") else lowered.get("x-api-key")


def require_write_access(request: Request, service: ServiceDep) -> None:
    """Uploads and deletes: allowed on loopback without a key, with the key when one is set, never when
    the server is exposed without a key."""
    from server.service import WriteDenied

    try:
        service.check_write_access(api_key_from_headers(request.headers))
    except WriteDenied as exc:
        headers = {"WWW-Authenticate": "Bearer"} if exc.status == 401 else None
        raise HTTPException(exc.status, str(exc), headers=headers) from None


WriteAccess = Depends(require_write_access)
