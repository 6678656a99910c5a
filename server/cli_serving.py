"""CLI commands that need the answer engine: `briefing ask` and `briefing serve`."""

from __future__ import annotations

import argparse

from server.settings import Settings


def _source(p, mark: str, text: str) -> list[str]:
    """A cited or retrieved passage's two lines: its article, outlet, date and place, then its words."""
    source = f"{p.title} — {p.outlet or 'outlet not stated'}, {p.published or 'date not stated'}"
    return [f"{mark} {source}  (chars {p.start}-{p.end})", f"    “{' '.join(text.split())}”"]


def format_answer(answer) -> str:
    lines = [answer.answer, ""]
    if answer.refused and answer.unsure:
        lines.append("(refused: not sure enough to cite; passages to check)")
        for r in answer.passages_to_check():
            lines += _source(r, "-", r.text)
    elif answer.refused:
        lines.append("(refused: the sources do not answer this)")
    for c in answer.citations:
        lines += _source(c, f"[{c.n}]", c.quote)
    if answer.fallback_reason:
        lines.append(f"(answered extractively: {answer.fallback_reason})")
    return "\n".join(lines)


def cmd_ask(settings: Settings, args: argparse.Namespace) -> int:
    from server.service import build_service

    service = build_service(settings)
    answer = service.ask(args.question, top_k=args.k, mode=args.mode, debug=args.explain)
    print(format_answer(answer))
    if args.explain:
        import json

        print("\ntrace:")
        print(json.dumps(answer.trace, indent=1, ensure_ascii=False))
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    import uvicorn

    from server.answer.reader.model import load_card
    from server.app import create_app

    # A missing or corrupt reader stops the start here, with its message, before uvicorn starts.
    if settings.answer.engine == "reader":
        load_card(settings.answer.reader_dir)
    if args.host:
        settings.server.host = args.host
    if args.port:
        settings.server.port = args.port
    from server.log_setup import configure_logging

    configure_logging(settings.server.log_format)
    # On SIGTERM/SIGINT uvicorn stops accepting connections and lets in-flight requests finish, up to
    # the grace period.
    uvicorn.run(
        create_app(settings),
        host=settings.server.host,
        port=settings.server.port,
        log_config=None,
        timeout_graceful_shutdown=settings.server.shutdown_grace_s,
    )
    return 0


def register(sub) -> None:
    p = sub.add_parser("ask", help="answer a question from the command line, with its sources")
    p.add_argument("question")
    p.add_argument("-k", type=int, default=None, help="passages to retrieve")
    p.add_argument("--mode", choices=["extractive", "generative"], default=None)
    p.add_argument(
        "--explain",
        action="store_true",
        help="print the trace: the parse, the names resolved, each candidate as the reader read it (its "
        "probability of answering, its span, its yes/no verdict), the decision and why, and the plan",
    )
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("serve", help="serve the API and the web UI (ingests the seed articles if empty)")
    p.add_argument("--host", default=None)
    p.add_argument("--port", type=int, default=None)
    p.set_defaults(func=cmd_serve)
