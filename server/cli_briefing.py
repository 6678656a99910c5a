"""`briefing brief "TOPIC" [--since --until --outlet] [-o FILE.md|.docx|.pdf|.json]`: a briefing from the
command line, the same as POST /v1/briefings makes."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server.settings import Settings

FORMATS_BY_SUFFIX = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".docx": "docx",
    ".pdf": "pdf",
    ".json": "json",
}


def _request(args: argparse.Namespace, fmt: str):
    """The request the arguments make, or a message saying what is wrong with them."""
    from pydantic import ValidationError

    from server.briefing.request import BriefingRequest

    body = {"topic": args.topic, "format": fmt, "outlets": args.outlet or []}
    body.update({k: v for k, v in (("since", args.since), ("until", args.until)) if v is not None})
    try:
        return BriefingRequest.model_validate(body), None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'arguments'}: {e['msg'].removeprefix('Value error, ')}"
            for e in exc.errors()
        )
        return None, problems


def cmd_brief(settings: Settings, args: argparse.Namespace) -> int:
    output = Path(args.output) if args.output else None
    fmt = "markdown"
    if output is not None:
        fmt = FORMATS_BY_SUFFIX.get(output.suffix.lower(), "")
        if not fmt:
            print(
                f"error: {output.name}: the file name must end in .md, .docx, .pdf or .json", file=sys.stderr
            )
            return 2
        if not output.parent.is_dir():
            print(f"error: {output.parent} is not a folder", file=sys.stderr)
            return 2
    request, problem = _request(args, fmt)
    if request is None:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    from server.briefing.exports import export_briefing
    from server.service import build_service

    briefing = build_service(settings).brief(request)
    if fmt == "json":
        content = briefing.model_dump_json(indent=2).encode("utf-8")
    else:
        content = export_briefing(briefing, fmt).content
    if output is None:
        sys.stdout.write(content.decode("utf-8"))
        return 0
    # Written beside the target and renamed into place: a failure leaves no half-written file.
    partial = output.with_name(f".{output.name}.partial")
    partial.write_bytes(content)
    partial.replace(output)
    covered = "" if briefing.covered else " (the library does not cover this topic: the file says so)"
    print(
        f"wrote {output} ({len(briefing.citations)} citations, {briefing.scope.articles_used} articles){covered}"
    )
    return 0


def register(sub) -> None:
    p = sub.add_parser("brief", help="write a cited briefing on a topic (Markdown, Word, PDF or JSON)")
    p.add_argument("topic", help="what the briefing is about, in a few words")
    p.add_argument("--since", help="only articles published on or after this day (YYYY-MM-DD)")
    p.add_argument("--until", help="only articles published on or before this day (YYYY-MM-DD)")
    p.add_argument("--outlet", action="append", help="only articles from this outlet (repeat for several)")
    p.add_argument(
        "-o", "--output", help="the file to write: .md, .docx, .pdf or .json (default: Markdown on stdout)"
    )
    p.set_defaults(func=cmd_brief)
