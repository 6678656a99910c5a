"""Refuse request bodies over the size limit before reading them whole."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from server.errors import send_json_error


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """413 for bodies larger than `limit` bytes (uploads get `upload_limit`), by header or by counting."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int, upload_path: str = "/v1/documents"):
        self.app = app
        self.limit = limit
        self.upload_limit = upload_limit
        self.upload_path = upload_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS", "DELETE"):
            await self.app(scope, receive, send)
            return
        is_upload = scope["path"].rstrip("/") == self.upload_path
        limit = self.upload_limit + 64_000 if is_upload else self.limit
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await self._reject(send, limit, is_upload)
            return
        received = 0
        response_started = False

        async def counting_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge
            return message

        async def tracking_send(message):
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if not response_started:
                await self._reject(send, limit, is_upload)

    @staticmethod
    async def _reject(send: Send, limit: int, is_upload: bool) -> None:
        what = "upload" if is_upload else "request body"
        await send_json_error(send, 413, f"the {what} is too large (limit {limit:,} bytes)")
