"""`briefing train`: train the reader (`make train`), or a tiny slice of it (`--smoke`, what CI runs)."""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from server.answer.reader.model import default_model_dir

if TYPE_CHECKING:
    from evals.training.scoring import OperatingCurve

log = logging.getLogger(__name__)


def better_than_committed(new: OperatingCurve, old: OperatingCurve | None) -> tuple[bool, str]:
    """A new model is better when it answers at least as many dev questions right as the committed one at
    both models' operating points (the share of near misses each refuses at its calibrated threshold), and
    more at one of them; and when it gives at least as many right bold spans and right Yes or No answers at
    its calibrated thresholds. Comparing each at its own answer threshold would not do: calibration may spend
    a better model's gain on refusing more near misses, and two points on two curves do not rank the curves.
    Bold answers are compared as counts given right because calibration holds each model's to one precision:
    a model whose confident verdicts are a little less often right gives far fewer of them."""
    if old is None:
        return True, "no committed model to compare with"
    gains, parts = [], []
    for name, refusal in (("committed", old.refused(old.threshold)), ("new", new.refused(new.threshold))):
        old_right = old.answered_right(old.threshold_refusing(refusal))
        new_right = new.answered_right(new.threshold_refusing(refusal))
        gains.append(new_right - old_right)
        parts.append(
            f"refusing {refusal:.3f} of near misses (the {name} model's point): answered_right"
            f" {old_right:.3f} -> {new_right:.3f}"
        )
    parts.append(
        f"questions given a right bold span, Yes or No: {old.bold_right:.3f} -> {new.bold_right:.3f}"
    )
    better = all(g >= 0 for g in gains) and any(g > 0 for g in gains) and new.bold_right >= old.bold_right
    return better, "; ".join(parts)


def committed_on_dev(corpus, shortlist, max_items: int) -> OperatingCurve | None:
    """The committed model's operating curve on today's dev split (its card's figures may be of a smaller
    one), at the threshold calibrated for it on that split."""
    from evals.training.export import curve_on_dev
    from server.answer.reader.model import ReaderUnavailable

    try:
        return curve_on_dev(default_model_dir(), corpus, shortlist, max_items or None)
    except ReaderUnavailable as exc:  # missing or corrupt: any new model replaces it
        log.warning("no committed model to compare with: %s", exc)
        return None


def cmd_train(settings, args) -> int:
    from evals.training.config import TrainConfig
    from evals.training.export import dev_shortlist, export
    from evals.training.train import learning_curve, train

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("onnxruntime").setLevel(logging.ERROR)
    config = TrainConfig()
    if args.resume is not None:  # go on with the configuration the run started with
        try:
            config = TrainConfig.from_dict(json.loads((args.resume / "history.json").read_text())["config"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            print(f"{args.resume} holds no run to resume: {exc}", file=sys.stderr)
            return 2
        if args.layers and args.layers != config.layers:
            print(f"{args.resume} is a run of {config.layers} layers, not {args.layers}", file=sys.stderr)
            return 2
    if args.epochs:
        config = replace(config, epochs=args.epochs)
    if args.layers:
        config = replace(config, layers=args.layers)
    if args.replay:
        if not 0.0 < args.replay <= 1.0 or args.warm_start is None:
            print("--replay takes a share in (0, 1] and goes with --warm-start", file=sys.stderr)
            return 2
        config = replace(config, replay_share=args.replay)
    out: Path = args.out
    if args.curve:
        rows = learning_curve(config, out / "curve")
        print(json.dumps(rows, indent=1))
        return 0
    corpus = None
    if args.smoke:
        from evals.training.corpus import load_corpus

        config = replace(config, epochs=1, hard_negatives=2, random_negatives=0, other_article_negatives=0)
        corpus = load_corpus(desks=[args.smoke_desk])
    elif args.desks:  # a model of fewer desks: trained, calibrated and reported on theirs alone
        from evals.training.corpus import load_corpus

        corpus = load_corpus(desks=args.desks.split(","))
    else:
        from evals.training.corpus import corpus_dir, load_corpus, write_splits

        corpus = load_corpus()
        write_splits(corpus, corpus_dir().parent / "splits.json")
    resume = args.resume
    if args.warm_start is not None:
        from evals.training.warm_start import epochs_run, write_resume_folder

        had = epochs_run(args.warm_start)
        config = replace(config, epochs=args.epochs or had + 1)  # by default, one epoch more
        if config.epochs <= had:
            print(f"{args.warm_start} has had {had} epochs already: --epochs must be more", file=sys.stderr)
            return 2
        try:
            resume = write_resume_folder(args.warm_start, config, out / "warm-start")
        except ValueError as exc:  # a student cannot have more layers than its model
            print(str(exc), file=sys.stderr)
            return 2
    # a warm start's folder records the desks its model has seen, which train() replays from
    history = train(config, out, corpus, max_items=args.smoke or None, resume=resume)
    shortlist = dev_shortlist(corpus, config, out)
    card, curve = export(out, config, out / "model", history, corpus, args.smoke or None, shortlist)
    better, summary = better_than_committed(curve, committed_on_dev(corpus, shortlist, args.smoke))
    print(f"dev at the calibrated threshold: {json.dumps(card['metrics']['dev'])}")
    print(f"against the committed model: {summary} ({'better' if better else 'not better'})")
    if args.install:
        if not better:
            print("not installed: the committed model is as good or better")
            return 1
        target = default_model_dir()
        for old in target.glob("reader-*.onnx"):
            old.unlink()
        for f in (out / "model").iterdir():
            shutil.copyfile(f, target / f.name)
        print(f"installed in {target}")
        # the bold thresholds it is served with are chosen through the engine, as the committed reader's were
        return _calibrate_through_engine(settings, target, "installed by briefing train", args.smoke or None)
    return 0


def cmd_calibrate(settings, args) -> int:
    from evals.training.config import TrainConfig
    from evals.training.corpus import load_corpus
    from evals.training.export import dev_shortlist, recalibrate
    from server.answer.reader.model import CARD_NAME

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    folder: Path = args.model or default_model_dir()
    try:
        desks = json.loads((folder / CARD_NAME).read_text())["data"]["desks"]
    except (OSError, ValueError, KeyError) as exc:
        print(f"cannot read the card in {folder}: {exc}", file=sys.stderr)
        return 2
    if args.through_engine:
        return _calibrate_through_engine(settings, folder, args.why, args.smoke or None)
    if args.desks:
        desks = [d for d in args.desks.split(",") if d in desks]
    corpus = load_corpus(desks=desks)  # the dev split the card was calibrated on
    shortlist = dev_shortlist(corpus, TrainConfig(), args.work)
    card = recalibrate(folder, corpus, shortlist, args.why, args.smoke or None)
    print(f"thresholds: {json.dumps(card['thresholds'])}")
    print(f"calibration on dev: {json.dumps(card['calibration'])}")
    print(f"test at them: {json.dumps(card['metrics']['test'])} {json.dumps(card['metrics']['test_bold'])}")
    return 0


def _calibrate_through_engine(settings, folder: Path, why: str, limit: int | None) -> int:
    """`briefing calibrate --through-engine`: the answer decision fitted, and the bold thresholds chosen, on
    what the reader engine gives for reading_dev, asked of a fresh library of the seed and dev's articles
    (evals/training/engine_calibration.py)."""
    import tempfile

    from evals.eval_articles import require_seed
    from evals.training.engine_calibration import calibrate_through_engine, write_engine_calibration
    from server.service import build_service
    from server.wiring import build_embedder

    try:
        require_seed(settings)  # the library starts from the seed, as the eval's do
    except ValueError as exc:
        print(f"briefing calibrate: {exc}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="engine-calibration-") as tmp:
        # a library of its own (embedded, in a folder removed after), whatever the settings' library is
        index = settings.index.model_copy(update={"data_dir": Path(tmp), "chroma_url": None})
        answer = settings.answer.model_copy(update={"engine": "reader", "reader_dir": folder})
        server = settings.server.model_copy(update={"ingest_seed_on_start": True})
        # the embedder of the settings' data folder, where its exported file is kept from run to run
        embedder = build_embedder(settings)
        service = build_service(
            settings.model_copy(update={"index": index, "answer": answer, "server": server}), embedder
        )
        result = calibrate_through_engine(service, limit=limit)
    card = write_engine_calibration(folder, result, why)
    print(f"thresholds: {json.dumps(card['thresholds'])}")
    print(f"through the engine on {result['split']}: {json.dumps(result)}")
    return 0


def register(sub: argparse._SubParsersAction) -> None:
    c = sub.add_parser(
        "calibrate",
        help="choose a trained reader's thresholds again on dev by today's code, without retraining",
    )
    c.add_argument("--model", type=Path, default=None, help="model folder (default: the committed reader)")
    c.add_argument("--why", required=True, help="what changed, kept in the card")
    c.add_argument(
        "--work", type=Path, default=Path("data/training/latest"), help="where the encoder is cached"
    )
    c.add_argument("--smoke", type=int, default=0, metavar="N", help="on N dev and test questions only")
    c.add_argument(
        "--through-engine",
        action="store_true",
        help="fit the answer decision and choose the bold thresholds (span, yes, no) on what the reader"
        " engine gives for reading_dev, asked of a library of its articles, instead of on each question's own"
        " article",
    )
    c.add_argument(
        "--desks", default="", metavar="A,B,...", help="only these of the card's desks (default: all)"
    )
    c.set_defaults(func=cmd_calibrate)

    p = sub.add_parser("train", help="fine-tune the reader on the reading corpus and export it (make train)")
    p.add_argument("--out", type=Path, default=Path("data/training/latest"), help="work and output folder")
    p.add_argument("--epochs", type=int, default=0, help="passes over the training pairs (default: config)")
    p.add_argument(
        "--layers",
        type=int,
        default=0,
        help="encoder layers kept (default: config); with --warm-start, fewer than the model's distil it into a"
        " student of that many",
    )
    p.add_argument(
        "--curve", action="store_true", help="the learning curve: a quarter, half and all articles"
    )
    p.add_argument("--smoke", type=int, default=0, metavar="N", help="train and score on N questions only")
    p.add_argument(
        "--replay",
        type=float,
        default=0.0,
        metavar="SHARE",
        help="with --warm-start: the share of the questions of desks the model has trained on that an epoch"
        " reads again (default: config, all; a resumed run keeps its own); every question of the others is read",
    )
    start = p.add_mutually_exclusive_group()
    start.add_argument(
        "--resume",
        type=Path,
        default=None,
        help="go on from the weights, log and configuration an earlier run left in DIR",
    )
    start.add_argument(
        "--warm-start",
        type=Path,
        default=None,
        metavar="MODEL_DIR",
        help="go on from an exported model and its card (server/answer/reader/model): one more epoch, or up to --epochs"
        " counting its own",
    )
    p.add_argument(
        "--desks",
        default="",
        metavar="A,B,...",
        help="only these desks (default: all), e.g. to export a run resumed after desks were added",
    )
    p.add_argument("--smoke-desk", default="afpol", help="the one desk a smoke run reads")
    p.add_argument(
        "--install",
        action="store_true",
        help="copy the model into server/answer/reader/model if it is better",
    )
    p.set_defaults(func=cmd_train)
