"""JSON errors with a clear message and the right status; never a 500 for a client's mistake."""

from __future__ import annotations

import json
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.types import StoreUnavailableError

log = logging.getLogger(__name__)


def error_body(status: int, message: str, details=None) -> dict:
    body = {"error": {"status": status, "message": message}}
    if details:
        body["error"]["details"] = details
    return body


async def send_json_error(
    send, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """Answer with a JSON error straight from ASGI middleware (before any route runs)."""
    await send_json(send, status, error_body(status, message), headers)


async def send_json(
    send, status: int, payload: dict, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    """A whole JSON response sent over ASGI."""
    body = json.dumps(payload).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _describe(errors) -> str:
    parts = []
    for e in errors[:5]:
        where = ".".join(str(p) for p in e.get("loc", ()) if p != "body")
        parts.append(f"{where or 'body'}: {e.get('msg', 'invalid')}")
    return "; ".join(parts)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError):
        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        return JSONResponse(error_body(422, f"invalid request: {_describe(errors)}", errors), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException):
        return JSONResponse(
            error_body(exc.status_code, str(exc.detail)),
            status_code=exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(StoreUnavailableError)
    async def _store(_request: Request, exc: StoreUnavailableError):
        return JSONResponse(error_body(503, f"the index is unavailable: {exc}"), status_code=503)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception):
        log.exception("unhandled error")
        return JSONResponse(
            error_body(500, "internal error; the server log has the details"), status_code=500
        )
