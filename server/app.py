"""The FastAPI application: `create_app(settings)` builds it; heavy objects are built in the lifespan."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager

from fastapi import FastAPI

from server.errors import install_error_handlers
from server.limits import BodySizeLimit
from server.mcp_http import mount_mcp
from server.metrics import MetricsMiddleware
from server.openapi import install_openapi
from server.rate_limit import RateLimit, TokenBuckets
from server.request_ids import RequestIdMiddleware
from server.routes import ask, briefings, documents, feedback, health, openai_compat
from server.routes import feeds as feed_routes
from server.service import BriefingService, build_service
from server.settings import Settings

log = logging.getLogger(__name__)


def create_app(settings: Settings, service: BriefingService | None = None, mount_ui: bool = True) -> FastAPI:
    """The app. Pass `service` to reuse one already built (tests do, to load the model once)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.service = service or build_service(settings)
        app.state.service.warm_up()
        log.info("ready: %s", app.state.service.readiness())
        library = app.state.service.library
        if settings.index.chroma_url:
            # Other servers may write to the same Chroma server: follow their writes.
            library.start_polling(settings.index.sync_seconds)
        if settings.feeds.poll_in_background:
            app.state.service.feeds.start()
        yield
        app.state.service.feeds.stop()
        library.stop_polling()

    app = FastAPI(
        title="afghan-briefing",
        description="Source-grounded answers about Afghanistan's anti-Taliban movements. Every sentence cites "
        "the exact characters of its source.",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.state.service = None
    app.state.settings = settings
    install_error_handlers(app)
    install_openapi(app)
    for router in (
        ask.router,
        briefings.router,
        openai_compat.router,
        documents.router,
        feedback.router,
        health.router,
    ):
        app.include_router(router)
    app.include_router(feed_routes.router)
    app.add_middleware(
        BodySizeLimit, limit=settings.server.max_body_bytes, upload_limit=settings.server.max_upload_bytes
    )
    if settings.server.cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.server.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["*"],
        )
    # One allowance per client, shared by the REST routes and the MCP tools.
    limit = settings.server.rate_limit_per_minute
    buckets = TokenBuckets(limit, settings.server.rate_limit_burst) if limit else None
    if buckets is not None:
        app.add_middleware(
            RateLimit, per_minute=limit, burst=settings.server.rate_limit_burst, buckets=buckets
        )
    app.add_middleware(MetricsMiddleware)
    app.add_middleware(RequestIdMiddleware)  # outermost, so that even a 413 carries the id
    # MCP over Streamable HTTP at /mcp, running while the app does (its lifespan is wrapped around ours).
    mount_mcp(app, settings, buckets)
    if mount_ui:
        from ui.gradio_import import gradio_without_stub_writer

        with gradio_without_stub_writer():
            from ui.chat import mount_ui as mount

        # The UI looks the service up per call: it is built in the lifespan, after mounting.
        mount(app, lambda: app.state.service, settings.server.max_upload_bytes, settings.answer.passages())
    return app
