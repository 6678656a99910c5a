"""`briefing train`: fine-tune the bundled MiniLM into the reader on the reading corpus's train split,
score the dev split after every epoch, calibrate the thresholds on dev, and export the model to ONNX
(int8 when it keeps quality) with its model card. Seeded; the test split is only reported, never used to
choose anything; the golden set's blind split is not part of the corpus at all."""

from __future__ import annotations

import json
import logging
import math
import random
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from evals.training.config import TrainConfig
from evals.training.corpus import Corpus, load_corpus
from evals.training.distil import distil_loss, load_teacher
from evals.training.examples import IGNORE, Pair, SentenceSimilarity, training_pairs
from evals.training.scoring import metrics, read_items
from server.answer.reader.decoding import decode
from server.answer.reader.encoding import ReaderInput, encode_pair, load_tokenizer

log = logging.getLogger(__name__)


def _span_tokens(pair: ReaderInput, span: tuple[int, int] | None) -> tuple[int, int] | None:
    """The [start, end] tokens of a character span inside the candidate; None if it was cut off."""
    if span is None:
        return None
    first, _last = pair.candidate_tokens
    starts = [k for k, (s, e) in enumerate(pair.offsets) if e > span[0]]
    ends = [k for k, (s, e) in enumerate(pair.offsets) if s < span[1]]
    if not starts or not ends or starts[0] > ends[-1]:
        return None
    return first + starts[0], first + ends[-1]


def _tensors(batch: list[tuple[ReaderInput, Pair]]):
    import torch

    width = max(len(x.ids) for x, _ in batch)
    n = len(batch)
    ids = torch.zeros((n, width), dtype=torch.long)
    types = torch.zeros((n, width), dtype=torch.long)
    mask = torch.zeros((n, width), dtype=torch.long)
    span_mask = torch.zeros((n, width))
    answers = torch.zeros(n)
    starts = torch.full((n,), IGNORE, dtype=torch.long)
    ends = torch.full((n,), IGNORE, dtype=torch.long)
    verdicts = torch.full((n,), IGNORE, dtype=torch.long)
    for row, (x, p) in enumerate(batch):
        k = len(x.ids)
        ids[row, :k] = torch.from_numpy(x.ids)
        types[row, :k] = torch.from_numpy(x.types)
        mask[row, :k] = 1
        span_mask[row, 0] = 1
        span_mask[row, x.candidate_tokens[0] : x.candidate_tokens[1]] = 1
        answers[row] = p.answers
        verdicts[row] = p.verdict
        if p.answers == 0.0:
            starts[row] = ends[row] = 0  # no span in a sentence that does not answer
        else:
            tokens = _span_tokens(x, p.span)
            if tokens is not None:
                starts[row], ends[row] = tokens
    return ids, types, mask, span_mask, answers, starts, ends, verdicts


def _batches(encoded: list[tuple[ReaderInput, Pair]], size: int, rng: random.Random):
    """Batches of pairs of similar length (less padding), in random order."""
    order = list(range(len(encoded)))
    rng.shuffle(order)
    pool = size * 50
    batches = []
    for at in range(0, len(order), pool):
        chunk = sorted(order[at : at + pool], key=lambda i: len(encoded[i][0].ids))
        batches += [chunk[j : j + size] for j in range(0, len(chunk), size)]
    rng.shuffle(batches)
    return [[encoded[i] for i in b] for b in batches]


def _precision(config: TrainConfig):
    """bfloat16 matrix products where the config asks for them (see TrainConfig.bf16)."""
    import torch

    return torch.autocast("cpu", dtype=torch.bfloat16, enabled=config.bf16)


def _heads(model, ids, types, mask, span_mask, config: TrainConfig) -> tuple:
    """A batch's (answers, verdict, start, end) logits in float32, the span logits pushed down outside the
    candidate sentence (and [CLS]) as serving's export does (evals/training/model.py)."""
    from evals.training.model import NEG

    with _precision(config):
        logits = model(ids, types, mask)
    answers, verdict, start, end = (x.float() for x in logits)
    return answers, verdict, start + (1 - span_mask) * NEG, end + (1 - span_mask) * NEG


def torch_reader(model, tokenizer, config: TrainConfig):
    """A ReadFn over the torch model (dev scoring during training)."""
    import torch

    def read(question: str, triples: list[tuple[str, str, str]]):
        pairs = [encode_pair(tokenizer, question, c, b, a, config.budget) for b, c, a in triples]
        out = []
        model.eval()
        with torch.no_grad(), _precision(config):
            for at in range(0, len(pairs), 64):
                chunk = pairs[at : at + 64]
                fake = [(p, Pair("", "", "", "", "", 0.0, None, IGNORE)) for p in chunk]
                ids, types, mask, _sm, *_ = _tensors(fake)
                answers, verdict, start, end = (x.float() for x in model(ids, types, mask))
                for k, p in enumerate(chunk):
                    r = decode(p, float(answers[k]), verdict[k].numpy(), start[k].numpy(), end[k].numpy())
                    out.append((r.answers, r.verdict, r.span, r.span_probability))
        return out

    return read


def _train_articles(corpus: Corpus, share: float, seed: int) -> set[str]:
    names = corpus.articles_in("train")
    if share >= 1.0:
        return set(names)
    rng = random.Random(seed)
    by_desk: dict[str, list[str]] = {}
    for n in names:
        by_desk.setdefault(corpus.articles[n].desk, []).append(n)
    keep: set[str] = set()
    for desk_names in by_desk.values():
        rng.shuffle(desk_names)
        keep |= set(desk_names[: max(1, round(share * len(desk_names)))])
    return keep


def replayed(items: list, seen_desks: frozenset[str], share: float, seed: int) -> list:
    """The questions an epoch trains on: all of those of desks the model has not trained on, and a seeded
    `share` of the others' (TrainConfig.replay_share)."""
    if share >= 1.0 or not seen_desks:
        return items
    rng = random.Random(seed)
    return [item for item in items if item.desk not in seen_desks or rng.random() < share]


def train(
    config: TrainConfig,
    out_dir: Path,
    corpus: Corpus | None = None,
    max_items: int | None = None,
    resume: Path | None = None,
    seen_desks: frozenset[str] = frozenset(),
) -> dict:
    """Train one model; returns its log (per-epoch loss and dev metrics) and leaves the weights and the log
    in out_dir (reader.pt, history.json) after every epoch. `max_items` trains and scores on a few questions
    only (CI's smoke run). `resume` (a folder an earlier run of the same configuration left) goes on from its
    weights and log with the epochs it had not run, or from the middle of an epoch where the run stopped in
    one (`_save_partial` every `config.checkpoint_steps` steps: weights, optimiser, schedule and the order
    of the epoch's batches, so the resumed epoch reads the pairs it had not read). Each epoch warms the
    learning rate up and lets it fall to 0 again, so an epoch run after a resume is scheduled as in a run
    from the start. `seen_desks` are the desks
    a warm-started model has trained on (of which an epoch reads `config.replay_share`)."""
    import torch
    from transformers import get_linear_schedule_with_warmup

    from evals.training.model import ReaderModel
    from index.embedding import bundled_model_path
    from index.onnx_embedding import OnnxMiniLMEmbedder

    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = corpus or load_corpus()
    articles = _train_articles(corpus, config.article_share, config.seed)
    items = corpus.items_in("train", articles)
    dev_items = corpus.items_in("dev")
    if max_items:
        items, dev_items = items[:max_items], dev_items[: max(4, max_items // 4)]
    tokenizer = load_tokenizer(bundled_model_path())
    similarity = SentenceSimilarity(corpus, OnnxMiniLMEmbedder(out_dir / "encoder"))
    model = ReaderModel(bundled_model_path(), config.layers)

    def shortlist(item, keys):
        return similarity.ranked(item.question, keys)[: config.dev_candidates]

    decay = [p for n, p in model.named_parameters() if "bias" not in n and "LayerNorm" not in n]
    rest = [p for n, p in model.named_parameters() if "bias" in n or "LayerNorm" in n]
    optimiser = torch.optim.AdamW(
        [{"params": decay, "weight_decay": config.weight_decay}, {"params": rest, "weight_decay": 0.0}],
        lr=config.learning_rate,
    )
    history: dict = {
        "config": config.as_dict(),
        "train_articles": len(articles),
        "train_questions": len(items),
        "dev_questions": len(dev_items),
        "epochs": [],
    }
    first_epoch = 1
    partial = None
    teacher = None
    if resume is not None:
        resumed = json.loads((resume / "history.json").read_text())
        # a mid-epoch checkpoint only for an epoch this run goes on to train (never exported as finished)
        if len(resumed["epochs"]) < config.epochs:
            partial = _load_partial(resume, len(resumed["epochs"]) + 1)
        weights = partial["model"] if partial else torch.load(resume / "reader.pt", map_location="cpu")
        model.load_state_dict(weights)
        history["epochs"] = resumed["epochs"]
        if "warm_starts" in resumed:  # went on from exported models (evals/training/warm_start.py)
            history["warm_starts"] = resumed["warm_starts"]
        if "teacher" in resumed:  # a student of fewer layers, distilled (evals/training/distil.py)
            history["teacher"] = resumed["teacher"]
            teacher = load_teacher(resumed["teacher"])
        seen_desks = seen_desks or frozenset(resumed.get("seen_desks", []))
        first_epoch = len(history["epochs"]) + 1
    if seen_desks:  # kept in the log, so a resumed warm-started run replays as it began
        history["seen_desks"] = sorted(seen_desks)
    rng = random.Random(config.seed + first_epoch - 1)
    bce = torch.nn.BCEWithLogitsLoss()
    ce = torch.nn.CrossEntropyLoss(ignore_index=IGNORE)
    log.info("training on %d questions of %d articles", len(items), len(articles))
    for epoch in range(first_epoch, config.epochs + 1):
        # New negatives each epoch (a seed per epoch, so the run is reproducible).
        epoch_items = replayed(items, seen_desks, config.replay_share, config.seed + epoch - 1)
        if len(epoch_items) < len(items):
            log.info("epoch %d reads %d of the %d questions (replay)", epoch, len(epoch_items), len(items))
        pairs = training_pairs(epoch_items, corpus, similarity, config, config.seed + epoch - 1)
        steps = math.ceil(len(pairs) / config.batch_size)
        schedule = get_linear_schedule_with_warmup(optimiser, int(config.warmup_share * steps), steps)
        model.train()
        started, total, seen, done = time.time(), 0.0, 0, 0
        if partial is not None and partial["epoch"] == epoch:  # go on where the stopped run left this epoch
            rng.setstate(partial["batch_order"])
            optimiser.load_state_dict(partial["optimiser"])
            schedule.load_state_dict(partial["schedule"])
            torch.set_rng_state(partial["dropout"])
            done, total, seen = partial["step"], partial["total"], partial["seen"]
            started -= partial["seconds"]
            log.info("epoch %d goes on after step %d of %d", epoch, done, steps)
        batch_order = rng.getstate()
        encoded = [
            (encode_pair(tokenizer, p.question, p.candidate, p.before, p.after, config.budget), p)
            for p in pairs
        ]
        for step, batch in enumerate(_batches(encoded, config.batch_size, rng), 1):
            if step <= done:
                continue
            ids, types, mask, span_mask, answers, starts, ends, verdicts = _tensors(batch)
            a_logit, v_logit, s_logit, e_logit = _heads(model, ids, types, mask, span_mask, config)
            loss = config.answer_loss * bce(a_logit, answers)
            if (starts != IGNORE).any():
                loss = loss + config.span_loss * (ce(s_logit, starts) + ce(e_logit, ends)) / 2
            if (verdicts != IGNORE).any():
                loss = loss + config.verdict_loss * ce(v_logit, verdicts)
            if teacher is not None:
                with torch.no_grad():
                    taught = _heads(teacher, ids, types, mask, span_mask, config)
                soft = distil_loss((a_logit, v_logit, s_logit, e_logit), taught, verdicts, config)
                loss = (1 - config.distil_weight) * loss + config.distil_weight * soft
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            optimiser.zero_grad()
            total += float(loss.detach()) * len(batch)
            seen += len(batch)
            if step % config.checkpoint_steps == 0 and step < steps:
                position: dict = {"epoch": epoch, "step": step, "total": total, "seen": seen}
                position |= {"seconds": time.time() - started, "batch_order": batch_order}
                _save_partial(model, optimiser, schedule, position, history, out_dir)
            if step % 100 == 0:
                log.info(
                    "epoch %d step %d loss %.4f (%.0f pairs/s)",
                    epoch,
                    step,
                    total / seen,
                    seen / (time.time() - started),
                )
        reads = read_items(dev_items, corpus, torch_reader(model, tokenizer, config), shortlist)
        scores = metrics(dev_items, corpus, reads)
        entry = {
            "epoch": epoch,
            "loss": total / max(1, seen),
            "questions": len(epoch_items),
            "pairs": len(pairs),
            "seconds": round(time.time() - started),
            "dev": scores,
        }
        history["epochs"].append(entry)
        log.info("epoch %d: %s", epoch, json.dumps(entry))
        _checkpoint(model, history, out_dir)
        (out_dir / PARTIAL).unlink(missing_ok=True)
        partial = None
    if first_epoch > config.epochs:  # resumed with every epoch already run: export what was left
        _checkpoint(model, history, out_dir)
    return history


def _checkpoint(model, history: dict, out_dir: Path) -> None:
    """The weights and the log after an epoch, so an interrupted run can `--resume` from its last one."""
    import torch

    torch.save(model.state_dict(), out_dir / "reader.pt")
    _write_log(history, out_dir)


def _write_log(history: dict, out_dir: Path) -> None:
    """history.json, written whole or not at all (a run stopped while writing keeps the log before)."""
    temporary = out_dir / "history.json.tmp"
    temporary.write_text(json.dumps(history, indent=1))
    temporary.replace(out_dir / "history.json")


PARTIAL = "partial.pt"


def _save_partial(model, optimiser, schedule, position: dict, history: dict, out_dir: Path) -> None:
    """Where a run is inside an epoch (`position`: epoch, step, running loss, seconds, the batch order's
    seed state), with the weights, the optimiser's and the schedule's states and the dropout's random state,
    and the log of the epochs before it, so a run stopped mid-epoch can `--resume` from here. Written to a
    temporary name first: a run stopped while saving keeps the checkpoint before."""
    import torch

    state = {
        **position,
        "model": model.state_dict(),
        "optimiser": optimiser.state_dict(),
        "schedule": schedule.state_dict(),
        "dropout": torch.get_rng_state(),
    }
    torch.save(state, out_dir / (PARTIAL + ".tmp"))
    (out_dir / (PARTIAL + ".tmp")).replace(out_dir / PARTIAL)
    _write_log(history, out_dir)


def _load_partial(folder: Path, epoch: int) -> dict | None:
    """The mid-epoch checkpoint of `epoch` a stopped run left in `folder`, if any (one of an epoch the
    log already holds as finished is stale, and ignored)."""
    import torch

    path = folder / PARTIAL
    if not path.exists():
        return None
    state = torch.load(path, map_location="cpu", weights_only=False)
    return state if state["epoch"] == epoch else None


def learning_curve(config: TrainConfig, out_dir: Path, shares=(0.25, 0.5, 1.0)) -> list[dict]:
    """Dev metrics after training on a quarter, half and all of the training articles."""
    corpus = load_corpus()
    rows = []
    for share in shares:
        h = train(replace(config, article_share=share), out_dir / f"share-{share}", corpus)
        rows.append(
            {
                "share": share,
                "train_questions": h["train_questions"],
                "train_articles": h["train_articles"],
                "dev": h["epochs"][-1]["dev"],
            }
        )
        log.info("learning curve: %s", json.dumps(rows[-1]))
    (out_dir / "learning_curve.json").write_text(json.dumps(rows, indent=1))
    return rows
