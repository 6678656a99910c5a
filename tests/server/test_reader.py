"""The trained reader as the server loads it: the committed model whole and described by its card, real
readings from it, a start stopped with a clear message when the model is missing or corrupt, serving
without torch, and `briefing train` on a tiny slice (the training itself runs with `make train`)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from server.answer.reader.model import (
    CARD_NAME,
    OnnxReader,
    ReaderUnavailable,
    default_model_dir,
    load_card,
    sha256_of,
)
from tests.server.test_cli import BRIEFING, SEED_DIR

ROOT = Path(__file__).resolve().parents[2]


def test_the_committed_model_is_whole_and_its_card_says_what_it_saw():
    card = load_card()
    assert sha256_of(card.model_file) == card.sha256
    raw = card.card
    assert 0.0 < card.thresholds.answer < 1.0 and 0.0 < card.thresholds.span <= 1.0
    data = raw["data"]
    assert (
        data["train"]["questions"] > 1000
        and data["dev"]["questions"] > 100
        and data["test"]["questions"] > 100
    )
    splits = json.loads((ROOT / data["splits_file"]).read_text())
    assert not set(splits["train"]) & (set(splits["dev"]) | set(splits["test"]))
    for split in ("dev", "test"):
        assert raw["metrics"][split]["threshold"] == card.thresholds.answer
    assert raw["training"]["epochs"] and all("loss" in e and "dev" in e for e in raw["training"]["epochs"])
    assert (default_model_dir() / "MODEL_CARD.md").exists()


def test_the_reader_prefers_the_sentence_that_answers_and_marks_the_span():
    reader = OnnxReader()
    question = "Who chaired the meeting of the Karez council?"
    answering = (
        "The Karez council met in Sarband on Monday.",
        "The meeting was chaired by Laila Durrani.",
        "",
    )
    other = ("", "Heavy snow closed the road to Sarband for three days.", "")
    right, wrong = reader.read(question, [answering, other])
    assert right.answers > wrong.answers
    assert right.span is not None and "Laila Durrani" in answering[1][right.span[0] : right.span[1]]


def _copy_model(tmp_path: Path) -> Path:
    folder = tmp_path / "model"
    shutil.copytree(default_model_dir(), folder)
    return folder


def test_a_missing_or_corrupt_model_is_refused_with_how_to_restore_it(tmp_path):
    folder = _copy_model(tmp_path)
    model = folder / json.loads((folder / CARD_NAME).read_text())["model_file"]
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.write_bytes(bytes(data))
    with pytest.raises(ReaderUnavailable, match="sha256.*git checkout"):
        OnnxReader(folder)
    model.unlink()
    with pytest.raises(ReaderUnavailable, match="missing.*git checkout"):
        OnnxReader(folder)
    (folder / CARD_NAME).unlink()
    with pytest.raises(ReaderUnavailable, match="card.*missing"):
        OnnxReader(folder)


def test_a_card_whose_verdict_threshold_is_for_another_score_is_refused_with_how_to_recalibrate(tmp_path):
    folder = _copy_model(tmp_path)
    card = json.loads((folder / CARD_NAME).read_text())
    card["thresholds"]["verdict_score"] = "some earlier score"
    (folder / CARD_NAME).write_text(json.dumps(card))
    with pytest.raises(ReaderUnavailable, match="some earlier score.*briefing calibrate"):
        OnnxReader(folder)
    del card["thresholds"]["verdict_score"]  # cards made before the score was named
    (folder / CARD_NAME).write_text(json.dumps(card))
    with pytest.raises(ReaderUnavailable, match="briefing calibrate"):
        OnnxReader(folder)


def test_a_card_s_decision_is_loaded_and_one_of_other_features_is_refused(tmp_path):
    from server.answer.staged.decision_model import FEATURES, DecisionModel

    folder = _copy_model(tmp_path)
    card = json.loads((folder / CARD_NAME).read_text())
    card["decision"] = {"weights": dict.fromkeys(FEATURES, 0.5), "bias": -1.0, "threshold": 0.25}
    (folder / CARD_NAME).write_text(json.dumps(card))
    assert OnnxReader(folder).decision == DecisionModel(dict.fromkeys(FEATURES, 0.5), -1.0, 0.25)
    card["decision"]["weights"]["a feature retired"] = 1.0
    (folder / CARD_NAME).write_text(json.dumps(card))
    with pytest.raises(ReaderUnavailable, match="decision's features.*calibrate --through-engine"):
        OnnxReader(folder)


def test_a_card_with_one_verdict_threshold_gives_it_to_both_sides():
    from server.answer.reader.model import Thresholds

    earlier = Thresholds.of_card({"answer": 0.9, "span": 0.95, "verdict": 0.99, "verdict_score": "s"})
    assert (earlier.verdict("yes"), earlier.verdict("no")) == (0.99, 0.99)
    sided = Thresholds.of_card({"answer": 0.9, "span": 0.95, "verdict_yes": 0.98, "verdict_no": 0.99})
    assert (sided.verdict("yes"), sided.verdict("no")) == (0.98, 0.99)


def test_the_server_does_not_start_on_a_corrupt_model(tmp_path):
    folder = _copy_model(tmp_path)
    card = json.loads((folder / CARD_NAME).read_text())
    (folder / card["model_file"]).write_bytes(b"not a model")
    env = {
        **os.environ,
        "BRIEFING_DATA_DIR": str(tmp_path / "data"),
        "BRIEFING_ARTICLES_DIR": str(SEED_DIR),
        "BRIEFING_ANSWER_READER_DIR": str(folder),
        "BRIEFING_ANSWER_ENGINE": "reader",
    }
    for args in (["ask", "Who leads the front?"], ["serve", "--port", "8799"]):
        done = subprocess.run([BRIEFING, *args], capture_output=True, text=True, env=env, timeout=120)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "sha256" in done.stderr and "git checkout" in done.stderr and "Traceback" not in done.stderr


def test_answering_imports_no_torch(tmp_path):
    """The encoder's one-off export into a new data dir needs torch (the first start); answering, from the
    second start on, does not."""
    code = (
        "import sys\n"
        "from server.service import build_service\n"
        "from server.settings import Settings\n"
        "s = build_service(Settings())\n"
        "a = s.ask('What role did Iran play in bringing the factions together?')\n"
        "assert a.citations or a.refused\n"
        "print('torch' in sys.modules)\n"
    )
    env = {
        **os.environ,
        "BRIEFING_DATA_DIR": str(tmp_path / "data"),
        "BRIEFING_ARTICLES_DIR": str(SEED_DIR),
        "BRIEFING_ANSWER_ENGINE": "reader",
    }
    for _start in ("first", "second"):
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
        )
        assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.slow
def test_briefing_train_runs_on_a_tiny_slice_and_writes_a_model_with_its_card(tmp_path):
    out = tmp_path / "train"
    done = subprocess.run(
        [BRIEFING, "train", "--smoke", "6", "--out", str(out)], capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    card = json.loads((out / "model" / CARD_NAME).read_text())
    model = out / "model" / card["model_file"]
    assert sha256_of(model) == card["sha256"]
    (epoch,) = card["training"]["epochs"]
    assert epoch["loss"] > 0 and {"top1", "answerable_vs_near_miss_auc"} <= set(epoch["dev"])
    assert OnnxReader(out / "model").read("Who leads it?", [("", "Zia leads it.", "")])[0].answers >= 0.0
    assert "against the committed model" in done.stdout


@pytest.mark.slow
def test_briefing_calibrate_chooses_the_thresholds_again_and_leaves_the_model_file_alone(tmp_path):
    folder = _copy_model(tmp_path)
    before = json.loads((folder / CARD_NAME).read_text())
    # the committed card's bold thresholds and its decision were chosen through the engine
    assert "engine_calibration" in before and "decision" in before
    before["thresholds"]["verdict_score"] = "some earlier score"
    (folder / CARD_NAME).write_text(json.dumps(before))
    done = subprocess.run(
        [BRIEFING, "calibrate", "--model", str(folder), "--smoke", "8", "--desks", "afpol"]
        + ["--why", "a test", "--work", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    card = load_card(folder)  # the verdict threshold is for today's score again, the file whole
    assert card.sha256 == before["sha256"] and card.card["recalibrated"][-1]["why"] == "a test"
    assert card.card["metrics"]["dev"]["questions"] == 8 and card.card["metrics"]["test"]["questions"] == 8
    assert 0.0 <= card.card["metrics"]["test_bold"]["bold_right_share"] <= 1.0
    assert "Thresholds recalibrated" in (folder / "MODEL_CARD.md").read_text()
    # the bold thresholds chosen through the engine are replaced too: the card no longer claims them
    assert (
        "engine_calibration" not in card.card
        and "served (through the engine" not in (folder / "MODEL_CARD.md").read_text()
    )
    assert "decision" not in card.card and card.decision is None
