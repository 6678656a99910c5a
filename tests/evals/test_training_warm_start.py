"""A session on a fresh machine goes on training from the committed reader: the exported file's weights come
back into the torch model (fp32 as they were, int8 within a rounding step), the heads stay fp32 in an int8
file, a file of another shape is refused, and the added epochs are numbered after the card's."""

import json
import subprocess
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import onnxruntime as ort
import pytest
import torch

from evals.training import train as training
from evals.training.config import TrainConfig
from evals.training.corpus import load_corpus
from evals.training.export import PRECISIONS, export_onnx
from evals.training.model import ReaderModel, ServingReader
from evals.training.warm_start import desks_seen, load_exported, weights_from_onnx, write_resume_folder
from index.embedding import bundled_model_path
from server.answer.reader.model import CARD_NAME, default_model_dir
from tests.server.test_cli import BRIEFING

LAYERS = 1  # one encoder layer keeps the export quick; the names and shapes are those of six


def _trained_like(tmp_path) -> tuple[ReaderModel, TrainConfig]:
    torch.manual_seed(5)
    model = ReaderModel(bundled_model_path(), LAYERS)
    with torch.no_grad():  # heads unlike a fresh model's, so a load that skipped them would show
        for head in (model.answers, model.verdict, model.span):
            head.weight.normal_(0.0, 0.05)
            head.bias.normal_(0.0, 0.5)
    torch.save(model.state_dict(), tmp_path / "reader.pt")
    return model, replace(TrainConfig(), layers=LAYERS)


@pytest.mark.parametrize("precision", PRECISIONS, ids=lambda p: p.name)
def test_an_exported_reader_loads_back_into_the_torch_model(tmp_path, precision):
    model, config = _trained_like(tmp_path)
    path = export_onnx(tmp_path / "reader.pt", config, tmp_path / precision.file_name, precision)
    torch.manual_seed(99)
    loaded = ReaderModel(bundled_model_path(), LAYERS)
    load_exported(loaded, path)
    original, back = model.state_dict(), loaded.state_dict()
    for key, value in original.items():
        if ".pooler." in key or "position_ids" in key:
            continue
        step = float(value.abs().max()) / 100 if precision.quantize else 1e-6
        assert torch.allclose(back[key], value, atol=step), key

    ids = np.array([[101, 2040, 5260, 2009, 102, 1, 23764, 5260, 2009, 1012, 2, 102]])
    types = np.array([[0] * 5 + [1] * 7])
    span = np.array([[0.0] * 6 + [1.0] * 4 + [0.0] * 2], dtype=np.float32)
    onnx_out = ort.InferenceSession(str(path)).run(None, {"ids": ids, "types": types, "span_mask": span})
    with torch.no_grad():
        torch_out = ServingReader(loaded.eval())(torch.tensor(ids), torch.tensor(types), torch.tensor(span))
    tolerance = 0.15 if precision.quantize else 1e-3
    assert np.allclose(onnx_out[0], torch_out[0].numpy(), atol=tolerance)  # the answer logit
    assert np.allclose(onnx_out[1], torch_out[1].numpy(), atol=tolerance)  # yes / no / neither


@pytest.mark.parametrize("precision", [p for p in PRECISIONS if p.quantize], ids=lambda p: p.name)
def test_an_int8_file_keeps_the_heads_at_full_precision(tmp_path, precision):
    model, config = _trained_like(tmp_path)
    path = export_onnx(tmp_path / "reader.pt", config, tmp_path / precision.file_name, precision)
    weights = weights_from_onnx(path)
    assert not np.allclose(
        weights["bert.encoder.layer.0.attention.self.query.weight"],
        model.bert.encoder.layer[0].attention.self.query.weight.detach().numpy(),
        atol=1e-7,
    )
    for head in ("answers", "verdict", "span"):  # span's weight is an anonymous MatMul initializer
        assert np.array_equal(weights[f"{head}.weight"], getattr(model, head).weight.detach().numpy()), head


def test_a_file_of_another_shape_is_refused(tmp_path):
    _, config = _trained_like(tmp_path)
    path = export_onnx(tmp_path / "reader.pt", config, tmp_path / "reader-fp32.onnx", PRECISIONS[-1])
    with pytest.raises(ValueError, match="does not fit the reader"):
        load_exported(ReaderModel(bundled_model_path(), 2), path)


def one_more_epoch_of_the_committed_model(layers: int | None = None) -> tuple:
    """The committed model's folder, its card, its epochs and a tiny configuration for one epoch more (of
    the card's layers unless `layers` says otherwise)."""
    committed = default_model_dir()
    card = json.loads((committed / CARD_NAME).read_text())
    done = len(card["training"]["epochs"])
    config = replace(
        TrainConfig(),
        epochs=done + 1,
        layers=layers or card["layers"],
        hard_negatives=1,
        random_negatives=0,
        other_article_negatives=0,
    )
    return committed, card, done, config


@pytest.mark.slow
def test_training_goes_on_from_the_committed_model_after_its_epochs(tmp_path):
    committed, card, done, config = one_more_epoch_of_the_committed_model()
    folder = write_resume_folder(committed, config, tmp_path / "warm-start")
    # the desks its model has trained on travel with the folder, so a resume replays as the warm start did
    assert json.loads((folder / "history.json").read_text())["seen_desks"] == sorted(desks_seen(committed))
    history = training.train(config, tmp_path, load_corpus(desks=["afpol"]), max_items=2, resume=folder)
    assert [e["epoch"] for e in history["epochs"]] == list(range(1, done + 2))
    assert history["warm_starts"][-1] == {
        "from": card["model_file"],
        "sha256": card["sha256"],
        "epochs": done,
    }


def test_a_warm_started_epoch_reads_every_new_desk_and_a_share_of_the_seen_ones():
    items = [SimpleNamespace(desk=d, n=n) for d in ("old", "new") for n in range(400)]
    first = training.replayed(items, frozenset({"old"}), 0.5, seed=13)
    again = training.replayed(items, frozenset({"old"}), 0.5, seed=13)
    other = training.replayed(items, frozenset({"old"}), 0.5, seed=14)
    assert [i for i in first if i.desk == "new"] == items[400:]
    old = [i.n for i in first if i.desk == "old"]
    assert 160 <= len(old) <= 240  # about half, by a seeded draw
    assert old == [i.n for i in again if i.desk == "old"]  # the same seed, the same sample
    assert old != [i.n for i in other if i.desk == "old"]  # a new sample each epoch
    assert training.replayed(items, frozenset({"old"}), 1.0, seed=13) == items
    assert training.replayed(items, frozenset(), 0.5, seed=13) == items


def test_the_desks_a_model_has_seen_come_from_its_card(tmp_path):
    (tmp_path / CARD_NAME).write_text(json.dumps({"data": {"desks": ["afpol", "afhum"]}}))
    assert desks_seen(tmp_path) == {"afpol", "afhum"}


@pytest.mark.parametrize(
    "extra", [["--replay", "1.5", "--warm-start", "server/answer/reader/model"], ["--replay", "0.5"]]
)
def test_a_replay_share_out_of_range_or_without_a_warm_start_is_refused(tmp_path, extra):
    done = subprocess.run(
        [BRIEFING, "train", "--out", str(tmp_path), *extra], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert "--replay takes a share in (0, 1] and goes with --warm-start" in done.stderr
    assert not any(tmp_path.iterdir())  # refused before anything was written
