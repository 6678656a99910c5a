"""Prometheus metrics, in a registry of the service's own (no module-level globals)."""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "briefing_http_requests_total",
            "HTTP requests by route and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "briefing_http_request_seconds",
            "HTTP request latency by route",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.answers = Counter("briefing_answers_total", "Answers by mode", ["mode"], registry=self.registry)
        self.refusals = Counter(
            "briefing_answer_refusals_total", "Questions the sources do not answer", registry=self.registry
        )
        self.dropped = Counter(
            "briefing_generated_sentences_dropped_total",
            "Generated sentences dropped by the grounding check",
            registry=self.registry,
        )

    def observe_answer(self, mode: str, refused: bool, dropped: int) -> None:
        self.answers.labels(mode=mode).inc()
        if refused:
            self.refusals.inc()
        if dropped:
            self.dropped.inc(dropped)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware:
    """Counts and times every HTTP request under its route template (not its raw path)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def recording_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, recording_send)
        finally:
            app = scope.get("app")
            service = getattr(app.state, "service", None) if app is not None else None
            if service is not None:
                # The route template keeps label values bounded; the UI (mounted at /) and 404s share one.
                route = getattr(scope.get("route"), "path", "") or "/ (ui or unmatched)"
                method = scope["method"]
                service.metrics.requests.labels(method=method, route=route, status=str(status)).inc()
                service.metrics.latency.labels(method=method, route=route).observe(
                    time.perf_counter() - started
                )
