"""MCP over Streamable HTTP at `/mcp`, inside the FastAPI app, under the REST API's rules.

Two MCP servers run side by side: one with the read tools for every caller, and, when BRIEFING_API_KEY is
set, one that adds `add_document`, which a request reaches only with the key (Authorization: Bearer KEY or
X-API-Key). Both are stateless (every POST stands alone), so several `briefing serve` processes behind a
load balancer serve MCP as they serve the REST API. Before a request reaches the SDK this endpoint applies
the rate limit to the tools that cost what the limited REST routes cost (ask, search, add_document) and
refuses add_document without the key, each with a JSON-RPC error the MCP client shows as it is.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from server.deps import api_key_from_headers
from server.errors import send_json, send_json_error
from server.rate_limit import TokenBuckets, retry_after
from server.service import BriefingService, WriteDenied
from server.settings import Settings

MCP_PATH = "/mcp"
RATE_LIMITED_TOOLS = frozenset({"ask", "search", "brief", "add_document", "add_document_from_url"})
WRITE_TOOLS = frozenset({"add_document", "add_document_from_url"})
JSONRPC_SERVER_ERROR = -32000  # JSON-RPC's range for implementation-defined server errors


class McpEndpoint:
    """The ASGI app at /mcp. Its servers are built and run by `running(service)` in the app's lifespan;
    before that (and after) it answers 503."""

    def __init__(self, settings: Settings, buckets: TokenBuckets | None):
        self.settings = settings
        self.buckets = buckets
        self.service: BriefingService | None = None
        self.reader: ASGIApp | None = None
        self.writer: ASGIApp | None = None

    @asynccontextmanager
    async def running(self, service: BriefingService) -> AsyncIterator[None]:
        """Build the MCP servers over `service` and run their session managers while the app runs."""
        from server.mcp_server import build_mcp_server

        # Stateless, every request opens and closes a transport, which the SDK logs at INFO each time.
        logging.getLogger("mcp.server.streamable_http").setLevel(logging.WARNING)
        servers = [build_mcp_server(service)]
        if self.settings.server.write_policy() == "key":
            servers.append(build_mcp_server(service, writes=True))
        apps = [
            s.streamable_http_app(
                streamable_http_path=MCP_PATH,
                stateless_http=True,
                json_response=True,
                max_request_body_size=self.settings.server.max_body_bytes,
                host=self.settings.server.host,
            )
            for s in servers
        ]
        async with AsyncExitStack() as stack:
            for s in servers:
                await stack.enter_async_context(s.session_manager.run())
            self.service, self.reader = service, apps[0]
            self.writer = apps[1] if len(apps) > 1 else None
            try:
                yield
            finally:
                self.service = self.reader = self.writer = None

    def may_write(self, headers: Headers) -> WriteDenied | None:
        """None when this request may call the write tools, else why not."""
        if self.service is None or self.writer is None:
            return WriteDenied(
                403,
                "add_document and add_document_from_url are offered only when the server has an API key "
                "(BRIEFING_API_KEY)",
            )
        try:
            self.service.check_write_access(api_key_from_headers(headers))
        except WriteDenied as exc:
            return WriteDenied(
                exc.status,
                "add_document and add_document_from_url need the API key (Authorization: Bearer KEY or "
                "X-API-Key)",
            )
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        reader, writer = self.reader, self.writer
        if reader is None:
            await send_json_error(send, 503, "the index is still loading; try again shortly")
            return
        headers = Headers(scope=scope)
        denied = self.may_write(headers)
        if scope["method"] != "POST":
            await (writer if writer is not None and denied is None else reader)(scope, receive, send)
            return
        body, receive = await read_body(receive)
        calls = tool_calls(body)
        if denied is not None:
            refused = next(((i, n) for i, n in calls if n in WRITE_TOOLS), None)
            if refused is not None:
                extra = [(b"www-authenticate", b"Bearer")] if denied.status == 401 else []
                await send_jsonrpc_error(send, denied.status, refused[0], str(denied), extra)
                return
        limited = [i for i, n in calls if n in RATE_LIMITED_TOOLS]
        if limited and self.buckets is not None:
            wait = self.buckets.take((scope.get("client") or ("unknown", 0))[0])
            if wait > 0:
                retry = retry_after(wait)
                message = f"too many requests; retry in {retry} s"
                await send_jsonrpc_error(send, 429, limited[0], message, [(b"retry-after", retry.encode())])
                return
        await (writer if writer is not None and denied is None else reader)(scope, receive, send)


async def read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body (the app's body-size limit bounds it), and a `receive` that replays it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return body, replay


def tool_calls(body: bytes) -> list[tuple[Any, str]]:
    """(JSON-RPC id, tool name) of each tools/call request in a POST body; a body that is not JSON-RPC
    yields none (the SDK answers it with its own error)."""
    try:
        parsed = json.loads(body)
    except ValueError:
        return []
    messages = parsed if isinstance(parsed, list) else [parsed]
    calls = []
    for m in messages:
        if isinstance(m, dict) and m.get("method") == "tools/call" and isinstance(m.get("params"), dict):
            name = m["params"].get("name")
            if isinstance(name, str):
                calls.append((m.get("id"), name))
    return calls


async def send_jsonrpc_error(
    send: Send, status: int, request_id: Any, message: str, headers: list[tuple[bytes, bytes]]
) -> None:
    """An HTTP error whose body is the JSON-RPC error for the request, which MCP clients surface as is."""
    payload = {
        "jsonrpc": "2.0",
        "id": request_id,
        "error": {"code": JSONRPC_SERVER_ERROR, "message": message},
    }
    await send_json(send, status, payload, headers)


def mount_mcp(app: FastAPI, settings: Settings, buckets: TokenBuckets | None) -> McpEndpoint:
    """Serve MCP at /mcp (kept out of the OpenAPI document). The app's lifespan is wrapped so that the MCP
    servers start once the service is built (inside it) and stop before the service is torn down."""
    endpoint = McpEndpoint(settings, buckets)
    # A Route serves an ASGI app as it is (Starlette's types only name request handlers). With the trailing
    # slash the SDK redirects to /mcp, which MCP clients follow.
    for path in (MCP_PATH, MCP_PATH + "/"):
        app.add_route(path, endpoint, include_in_schema=False)  # type: ignore[arg-type]
    app_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[Any]:
        async with app_lifespan(app) as state, endpoint.running(app.state.service):
            yield state

    app.router.lifespan_context = lifespan
    return endpoint
