"""`briefing eval`: run the golden set, write the report, gate on the thresholds."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from server.settings import Settings


def run_eval(
    settings: Settings,
    url: str | None = None,
    out_dir: Path | None = None,
    service=None,
    splits: list[str] | None = None,
    limit: int | None = None,
):
    """Run the golden set's splits (default: `evals.golden.DEFAULT_SPLITS`, all but reading_dev), write the
    report and return the result. `limit` keeps the first items of each split (a quick look at the plumbing).

    Each split is scored on a library of its own, the same whether it runs alone or with the others: the
    original splits on the seed and the four original test articles; dev and blind on those and their own
    articles; reading_test and reading_dev each on the seed and the reading corpus's articles of that
    split."""
    from evals.clients import AnswerClient, HttpClient, InProcessClient
    from evals.eval_articles import eval_articles, original_article_files, require_seed, split_article_files
    from evals.golden import CORPUS_SPLIT_OF, DEFAULT_SPLITS, ORIGINAL_SPLITS, SPLITS, load_golden
    from evals.report import REPORTS_DIR, write_report
    from evals.runner import run_items, score

    chosen = splits if splits else list(DEFAULT_SPLITS)
    unknown = [s for s in chosen if s not in SPLITS]
    if unknown:
        raise ValueError(f"unknown split(s): {', '.join(unknown)} (the splits: {', '.join(SPLITS)})")
    asks_golden = any(s not in CORPUS_SPLIT_OF for s in chosen)  # the golden splits, not the corpus's
    if not url and service is None and asks_golden:
        # the golden splits are asked of the seed: without it every answer would be scored against the four
        # test articles alone, and the report would read as the engine's failure
        require_seed(settings)
    client: AnswerClient
    if url:
        client = HttpClient(url)
    else:
        if service is None:
            from server.service import build_service

            service = build_service(settings)
        client = InProcessClient(service)
    judge = None
    if settings.judge.url:
        from evals.judge import build_judge

        judge = build_judge(settings.judge.url, settings.judge.model, settings.judge.api_key)

    golden = load_golden() if asks_golden else []

    def of(split: str) -> list:
        if split in CORPUS_SPLIT_OF:
            from evals.reading_split import reading_items

            found = reading_items(split=split)
        else:
            found = [i for i in golden if i.split == split]
        return found[:limit] if limit is not None else found

    original = [i for s in ORIGINAL_SPLITS if s in chosen for i in of(s)]
    later = [
        i for s in SPLITS if s in chosen and s not in (*ORIGINAL_SPLITS, *CORPUS_SPLIT_OF) for i in of(s)
    ]
    records = []
    # The original splits are scored on the library they were written against (the seed and the four
    # original test articles), as their thresholds were set; the dev and blind splits then on that library
    # with their own articles added.
    if original or later:
        with eval_articles(client, original_article_files()):
            records += run_items(original, client)
            if later:
                with eval_articles(client, split_article_files()):
                    records += run_items(later, client)
    # The reading corpus's splits: each on its own articles only.
    for split in (s for s in CORPUS_SPLIT_OF if s in chosen):
        from evals.reading_split import article_files

        with eval_articles(client, article_files(split=split)):
            records += run_items(of(split), client)
    if not records:
        raise ValueError("the chosen splits hold no items")
    result = score(records, judge=judge)
    mode = f"server {url}" if url else "in-process"
    if splits:
        mode += f"; splits {', '.join(chosen)}"
    if limit is not None:
        mode += f"; first {limit} items of each"
    write_report(result, out_dir or REPORTS_DIR, mode=mode)
    return result


def cmd_eval(settings: Settings, args: argparse.Namespace) -> int:
    from evals.report import failure_table, stage_summary

    splits = [s.strip() for part in args.splits or [] for s in part.split(",") if s.strip()] or None
    try:
        result = run_eval(
            settings, args.url, Path(args.out) if args.out else None, splits=splits, limit=args.limit
        )
    except ValueError as exc:
        print(f"briefing eval: {exc}", file=sys.stderr)
        return 2
    names = [*result.summary, *(m for means in result.split_means.values() for m in means)]
    width = max((len(m) for m in names), default=20)
    for metric, value in result.summary.items():
        needed = result.thresholds.get(metric)
        mark = "" if needed is None else ("  ok" if value >= needed - 1e-9 else f"  BELOW {needed:.3f}")
        print(f"{metric:<{width}}  {value:.3f}{mark}")
    for split, split_means in result.split_means.items():
        needed_here = result.split_thresholds.get(split, {})
        for metric, value in split_means.items():
            needed = needed_here.get(metric)
            mark = "" if needed is None else ("  ok" if value >= needed - 1e-9 else f"  BELOW {needed:.3f}")
            print(f"{split + '.' + metric:<{width + 14}}  {value:.3f}{mark}")
    for split, stages in stage_summary(result.rows).items():
        print(
            f"{split}: {stages['placed']:.0f} answerable items placed; missed at retrieval "
            f"{stages['retrieval']:.0f}, at the candidates {stages['candidates']:.0f}, by the reader "
            f"{stages['reader']:.0f}"
        )
    print(f"report: {args.out or 'evals/reports'}/latest.md, latest.html, latest.json")
    if not result.passed:
        print("\nThe eval gate failed:\n" + failure_table(result), file=sys.stderr)
        return 1
    return 0


def register(sub) -> None:
    p = sub.add_parser("eval", help="run the golden set, write evals/reports/latest.*, fail below thresholds")
    p.add_argument("--url", default=None, help="evaluate a running server instead of in-process")
    p.add_argument("--out", default=None, help="report folder (default evals/reports)")
    p.add_argument(
        "--splits",
        action="append",
        default=None,
        metavar="SPLIT[,SPLIT]",
        help="run only these splits (core, robustness, dev, blind, reading_test, reading_dev; default all but"
        " reading_dev); the report then covers them alone",
    )
    p.add_argument("--limit", type=int, default=None, help="only the first N items of each split")
    p.set_defaults(func=cmd_eval)
