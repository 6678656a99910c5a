"""`briefing mcp`: the library as an MCP server over stdio, for an assistant that starts it as a subprocess."""

from __future__ import annotations

import argparse
import contextlib
import sys

from server.settings import Settings


def cmd_mcp(settings: Settings, args: argparse.Namespace) -> int:
    """Build the service (ingesting the seed articles if the index is empty), then serve MCP on
    stdin/stdout until the client closes stdin. Logs go to stderr; stdout carries only the protocol."""
    from server.log_setup import configure_logging
    from server.mcp_server import build_mcp_server
    from server.service import build_service

    configure_logging(settings.server.log_format)
    with contextlib.redirect_stdout(sys.stderr):  # nothing printed while loading may reach the protocol
        service = build_service(settings)
    # Over stdio the process holds the key itself: the write tools are offered when BRIEFING_API_KEY is set.
    writes = settings.server.write_policy() == "key"
    build_mcp_server(service, writes=writes).run("stdio")
    return 0


def register(sub) -> None:
    p = sub.add_parser(
        "mcp",
        help="serve MCP over stdio (tools ask, search, get_document, list_documents; add_document and "
        "add_document_from_url with BRIEFING_API_KEY set)",
    )
    p.set_defaults(func=cmd_mcp)
