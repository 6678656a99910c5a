"""Go on training from a reader that was exported: its ONNX file's weights (dequantized when int8) back into
the torch model, and its card's training log, written as the folder `train(resume=...)` goes on from.

A fresh machine keeps no training run, only the committed model; this is how a later session adds epochs on
new desks to it instead of starting again from the bundled MiniLM. Int8 weights come back as the steps they
were rounded to (a scale per matrix or per column), not as the fp32 weights they were made from.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from server.answer.reader.model import CARD_NAME

PREFIX = "model."  # the exported module (ServingReader) holds the reader as .model
QUANTIZED = "_quantized"
TRANSPOSED = "_Transposed"
# How far a weight's product may travel through the graph (MatMulInteger, Cast, Mul) before its bias is added.
BIAS_SEARCH_DEPTH = 4


def _dequantized(arrays: dict[str, np.ndarray], base: str) -> np.ndarray:
    q = arrays[base + QUANTIZED].astype(np.float32)
    return (q - arrays[base + "_zero_point"].astype(np.float32)) * arrays[base + "_scale"].astype(np.float32)


def _bias_after(weight: str, consumers: dict[str, list], arrays: dict[str, np.ndarray]) -> str:
    """The named bias added to the product of an anonymous MatMul weight: which linear layer it belongs to."""
    frontier = list(consumers[weight])
    for _ in range(BIAS_SEARCH_DEPTH):
        following = []
        for node in frontier:
            if node.op_type == "Add":
                named = [
                    i for i in node.input if i in arrays and i.startswith(PREFIX) and i.endswith(".bias")
                ]
                if named:
                    return named[0]
            for out in node.output:
                following.extend(consumers[out])
        frontier = following
    raise ValueError(
        f"no bias follows the weight {weight}: not a reader exported by evals/training/export.py"
    )


def weights_from_onnx(path: Path) -> dict[str, np.ndarray]:
    """The reader's parameters by their torch names (ReaderModel.state_dict()), read from an exported file."""
    import onnx
    from onnx import numpy_helper

    graph = onnx.load(str(path)).graph
    arrays = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    consumers: dict[str, list] = defaultdict(list)
    for node in graph.node:
        for name in node.input:
            consumers[name].append(node)
    weights: dict[str, np.ndarray] = {}
    for name, array in arrays.items():
        if name.endswith(("_scale", "_zero_point")):
            continue
        base = name.removesuffix(QUANTIZED)
        value = _dequantized(arrays, base) if name.endswith(QUANTIZED) else array.astype(np.float32)
        if base.startswith(PREFIX):
            key = base.removeprefix(PREFIX)
            if key.endswith(TRANSPOSED):  # a head exported as Gemm, its weight stored transposed
                key, value = key.removesuffix(TRANSPOSED), value.T
        elif "MatMul" in base:  # x @ W.T exported with W.T as an anonymous initializer
            bias = _bias_after(name, consumers, arrays).removeprefix(PREFIX)
            key, value = bias.removesuffix("bias") + "weight", value.T
        else:
            continue
        if key in weights:
            raise ValueError(f"{path}: two initializers give {key}: not a reader exported by evals/training")
        weights[key] = value
    return weights


def load_exported(model, path: Path) -> None:
    """Put an exported file's weights into a ReaderModel of the same shape; only the encoder's pooler, which the
    reader never uses and so never exports, keeps the bundled model's weights."""
    import torch

    weights = weights_from_onnx(path)
    state = model.state_dict()
    unknown = sorted(set(weights) - set(state))
    missing = sorted(k for k in set(state) - set(weights) if ".pooler." not in k and "position_ids" not in k)
    if unknown or missing:
        raise ValueError(f"{path} does not fit the reader: unknown {unknown[:3]}, missing {missing[:3]}")
    for key, value in weights.items():
        if tuple(state[key].shape) != value.shape:
            raise ValueError(
                f"{path}: {key} has shape {value.shape}, the reader wants {tuple(state[key].shape)}"
            )
    model.load_state_dict(
        {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in weights.items()}, strict=False
    )


def epochs_run(model_dir: Path) -> int:
    """How many epochs an exported model's card says it was trained for."""
    return len(json.loads((model_dir / CARD_NAME).read_text())["training"]["epochs"])


def desks_seen(model_dir: Path) -> frozenset[str]:
    """The desks an exported model's card says it was trained on (its last run's corpus)."""
    return frozenset(json.loads((model_dir / CARD_NAME).read_text())["data"]["desks"])


def write_resume_folder(model_dir: Path, config, out: Path) -> Path:
    """From a model folder (the ONNX file and its card) to out/{reader.pt, history.json}, the folder
    `train(resume=out)` goes on from: the added epochs are numbered after the card's. When the configuration
    asks for fewer layers than the model has, the model becomes the teacher of a student of that many
    (evals/training/distil.py): reader.pt holds the student's start (the teacher's first layers and heads),
    teacher.pt the teacher, and the log says where the teacher is."""
    import torch

    from evals.training.distil import TEACHER_FILE, student_state
    from evals.training.model import ReaderModel
    from index.embedding import bundled_model_path

    card = json.loads((model_dir / CARD_NAME).read_text())
    layers = card.get("layers", config.layers)
    if layers < config.layers:
        raise ValueError(f"{model_dir} has {layers} layers; the configuration asks for {config.layers}")
    model = ReaderModel(bundled_model_path(), layers)
    load_exported(model, model_dir / card["model_file"])
    out.mkdir(parents=True, exist_ok=True)
    # a model that was itself distilled keeps its teacher in its card's log as a past one (without the file,
    # which stayed on the machine that trained it); only a warm start that distils again has a teacher
    had = {k: v for k, v in card["training"].items() if k != "teacher"}
    if "teacher" in card["training"]:
        past = {k: v for k, v in card["training"]["teacher"].items() if k != "path"}
        had["past_teachers"] = [*had.get("past_teachers", []), past]
    start = {"from": card["model_file"], "sha256": card["sha256"], "epochs": len(had["epochs"])}
    history = {
        **had,
        "warm_starts": [*had.get("warm_starts", []), start],
        "seen_desks": card["data"]["desks"],
    }
    if layers > config.layers:
        student = ReaderModel(bundled_model_path(), config.layers)
        torch.save(student_state(model.state_dict(), student.state_dict().keys()), out / "reader.pt")
        torch.save(model.state_dict(), out / TEACHER_FILE)
        history["teacher"] = {**start, "layers": layers, "path": str((out / TEACHER_FILE).resolve())}
    else:
        torch.save(model.state_dict(), out / "reader.pt")
    (out / "history.json").write_text(json.dumps(history, indent=1))
    return out
