"""A real HTTP server on loopback that plays news sites in the tests: pages, feeds, a slow page, a 500,
redirects, huge bodies. Routes are set per test; every request is counted."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"


@dataclass
class Route:
    """What one path answers. `body_bytes` > 0 streams that many bytes of filler without a length;
    `delay_s` waits before answering; `etag` / `last_modified` make 304s for conditional GETs."""

    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    body_bytes: int = 0
    etag: str | None = None
    last_modified: str | None = None
    # Declare the whole body's length, send only this many bytes of it, and hang up.
    truncate_at: int | None = None


class NewsSite:
    """`with NewsSite() as site:` serves `site.routes` at `site.url(path)` until the block ends."""

    def __init__(self, host: str = "127.0.0.1"):
        self.host = host
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.conditional_hits: Counter[str] = Counter()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                path = self.path
                site.hits[path] += 1
                route = site.routes.get(path)
                if route is None:
                    self.send_error(404)
                    return
                if route.delay_s:
                    time.sleep(route.delay_s)
                conditional = (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                    route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified
                )
                if conditional:
                    site.conditional_hits[path] += 1
                    self.send_response(304)
                    self.end_headers()
                    return
                self.send_response(route.status)
                self.send_header("Content-Type", route.content_type)
                for key, value in route.headers.items():
                    self.send_header(key, value)
                if route.etag:
                    self.send_header("ETag", route.etag)
                if route.last_modified:
                    self.send_header("Last-Modified", route.last_modified)
                if route.body_bytes:
                    self.send_header("Connection", "close")
                    self.end_headers()
                    chunk = b"<p>" + b"filler " * 150_000 + b"</p>\n"
                    sent = 0
                    try:
                        while sent < route.body_bytes:
                            self.wfile.write(chunk)
                            sent += len(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    self.close_connection = True
                    return
                self.send_header("Content-Length", str(len(route.body)))
                self.end_headers()
                if route.truncate_at is not None:
                    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                        self.wfile.write(route.body[: route.truncate_at])
                        self.wfile.flush()
                    self.close_connection = True
                    return
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(route.body)

        self.server = ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def page(self, path: str, fixture: str, **kwargs) -> str:
        """Serve a fixture page from tests/fixtures/pages at `path`; returns its URL."""
        self.routes[path] = Route((PAGES / fixture).read_bytes(), **kwargs)
        return self.url(path)

    def __enter__(self) -> NewsSite:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
