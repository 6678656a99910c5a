"""Per-client rate limiting of the expensive endpoints: a token bucket per client address; 429 with
Retry-After when it is empty. Off unless BRIEFING_RATE_LIMIT_PER_MINUTE is set."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict

from starlette.types import ASGIApp, Receive, Scope, Send

from server.errors import send_json_error

LIMITED_PREFIXES = (
    "/v1/ask",
    "/v1/retrieve",
    "/v1/briefings",
    "/v1/chat/completions",
    "/v1/documents",
    "/v1/feedback",
    "/v1/feeds",
)
MAX_CLIENTS = 10_000


class TokenBuckets:
    """A token bucket per client address, shared by every endpoint that the limit covers (the REST routes
    and the MCP tools), so that one client gets one allowance whichever way it calls."""

    def __init__(self, per_minute: int, burst: int):
        self.rate = per_minute / 60.0
        self.burst = float(max(1, burst))
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # client -> (tokens, updated)
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 when a request may go ahead, else the seconds until one may."""
        now = time.monotonic()
        with self._lock:
            tokens, updated = self._buckets.pop(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - updated) * self.rate)
            wait = 0.0
            if tokens >= 1:
                tokens -= 1
            else:
                wait = (1 - tokens) / self.rate
            self._buckets[client] = (tokens, now)
            while len(self._buckets) > MAX_CLIENTS:
                self._buckets.popitem(last=False)
        return wait


def retry_after(wait: float) -> str:
    """The Retry-After value (whole seconds, at least 1) for a wait from `TokenBuckets.take`."""
    return str(max(1, math.ceil(wait)))


class RateLimit:
    def __init__(self, app: ASGIApp, per_minute: int, burst: int, buckets: TokenBuckets | None = None):
        self.app = app
        self.buckets = buckets or TokenBuckets(per_minute, burst)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] == "GET"
            or not scope["path"].startswith(LIMITED_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self.buckets.take(client)
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        retry = retry_after(wait)
        await send_json_error(
            send, 429, f"too many requests; retry in {retry} s", [(b"retry-after", retry.encode())]
        )
