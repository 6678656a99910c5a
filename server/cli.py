"""The `briefing` command: ingest, search, ask, brief, serve, eval, bench."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server.answer.reader.model import ReaderUnavailable
from server.settings import Settings


def _progress_bar(total_hint: str):
    from tqdm import tqdm

    bar = None

    def update(done: int, total: int, name: str) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, desc=total_hint, unit="file", disable=total < 2, file=sys.stderr)
        bar.n = done
        bar.set_postfix_str(name[:40])
        bar.refresh()
        if done >= total:
            bar.close()

    return update


def cmd_ingest(settings: Settings, args: argparse.Namespace) -> int:
    from server.wiring import build_library

    library = build_library(settings)
    status = 0
    for target in args.delete or []:
        matches = [d for d in library.documents() if target in (d.id, d.source)]
        if not matches:
            print(f"not found: {target}", file=sys.stderr)
            status = 1
        for doc in matches:
            library.delete(doc.id)
            print(f"deleted {doc.id}  {doc.source}")
    urls = [p for p in args.paths if is_url(p)]
    if urls:
        status = max(status, ingest_urls(library, urls, settings))
    paths = [Path(p) for p in args.paths if not is_url(p)]
    paths = paths or ([] if args.delete or urls else [settings.index.articles_dir])
    if paths:
        report = library.ingest_paths(paths, on_progress=_progress_bar("ingesting"))
        for outcome in report.outcomes:
            d = outcome.document
            print(f"{outcome.status:<9} {d.id}  {d.source}  ({d.chunks} chunks)")
        for failure in report.failures:
            print(f"FAILED    {failure.source}: {failure.reason}", file=sys.stderr)
        docs, chunks = library.counts()
        print(f"{report.summary()}; the index holds {docs} documents, {chunks} chunks")
        if report.failures:
            status = 1
    return status


def is_url(target: str) -> bool:
    return target.lower().startswith(("http://", "https://"))


def ingest_urls(library, urls: list[str], settings: Settings) -> int:
    """Fetch and ingest pages by URL (guarded, as the API's); 1 if any failed."""
    from ingest.fetching import FetchError
    from ingest.models import IngestError

    status = 0
    for url in urls:
        try:
            outcome = library.ingest_url(url, settings.fetch.limits())
        except (FetchError, IngestError) as exc:
            print(f"FAILED    {exc}", file=sys.stderr)
            status = 1
            continue
        d = outcome.document
        print(f"{outcome.status:<9} {d.id}  {d.source}  ({d.chunks} chunks)")
    return status


def cmd_search(settings: Settings, args: argparse.Namespace) -> int:
    from server.wiring import build_library

    library = build_library(settings)
    titles = {d.id: d for d in library.documents()}
    hits = library.retrieve(args.question, k=args.k)
    if not hits:
        print("no passages found (is the index empty? run `briefing ingest`)")
        return 1
    for rank, hit in enumerate(hits, 1):
        doc = titles.get(hit.doc_id)
        source = (
            f"{doc.title} — {doc.outlet or 'outlet not stated'}, {doc.published or 'date not stated'}"
            if doc
            else hit.doc_id
        )
        print(f"[{rank}] score {hit.score:.4f}  {source}  chars {hit.start}-{hit.end}")
        print("    " + " ".join(hit.text.split())[:600])
        print()
    return 0


def cmd_check(settings: Settings, args: argparse.Namespace) -> int:
    from server.wiring import build_library

    library = build_library(settings)
    if args.repair:
        removed = library.store.remove_orphans()
        print(f"removed {removed} chunks and sentences that belonged to no document")
        synced = library.sync()
        print(f"local index: {synced.added} documents added, {synced.removed} removed to match the store")
    audit = library.audit()
    print(
        f"{audit.documents} documents, {audit.chunks} chunks, {audit.sentences} sentences; "
        f"orphans: {audit.orphan_chunks} chunks, {audit.orphan_sentences} sentences"
    )
    for doc_id in audit.incomplete:
        print(f"INCOMPLETE {doc_id}: its parts differ from its record; ingest it again", file=sys.stderr)
    for source in audit.duplicate_sources:
        print(f"DUPLICATE  {source}: held by more than one document; ingest it again", file=sys.stderr)
    for doc_id in audit.local_mismatch:
        print(
            f"LOCAL      {doc_id}: the local index differs from the store; open the library again",
            file=sys.stderr,
        )
    print(
        "ok" if audit.ok else "NOT OK" + ("" if args.repair else " (orphans: run `briefing check --repair`)")
    )
    return 0 if audit.ok else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefing", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "ingest", help="ingest article files, folders or page URLs (default: the seed articles)"
    )
    p.add_argument(
        "paths", nargs="*", help="files or folders (.txt .md .html .pdf), or http(s) URLs of pages"
    )
    p.add_argument("--delete", action="append", metavar="ID_OR_FILENAME", help="remove a document")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("search", help="print the top passages for a question")
    p.add_argument("question")
    p.add_argument("-k", type=int, default=5)
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("check", help="check the index: every document whole, no leftovers or duplicates")
    p.add_argument(
        "--repair",
        action="store_true",
        help="first delete every chunk and sentence without a document (stop other writers first)",
    )
    p.set_defaults(func=cmd_check)

    from evals import bench, stress
    from evals import cli as eval_cli
    from evals.training import cli as training_cli
    from server import cli_briefing, cli_mcp, cli_serving

    cli_serving.register(sub)
    cli_briefing.register(sub)
    cli_mcp.register(sub)
    eval_cli.register(sub)
    bench.register(sub)
    training_cli.register(sub)
    stress.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from index.embedding import set_offline_environment
    from index.local_index import limit_allocator_arenas

    set_offline_environment()
    limit_allocator_arenas()  # before any thread starts, so that every thread shares the capped arenas
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(Settings(), args) or 0)
    except ReaderUnavailable as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
