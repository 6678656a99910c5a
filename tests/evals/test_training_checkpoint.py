"""Training writes its weights and log after every epoch, so a run stopped in its third epoch keeps the
first two and `--resume` goes on from them; a resume with every epoch already run writes them out again
unchanged (ready to export). A real run on a few questions of one desk, as CI's smoke run trains."""

import json
from dataclasses import replace

import pytest

from evals.training import train as training
from evals.training.config import TrainConfig
from evals.training.corpus import load_corpus


def _tiny(epochs: int) -> TrainConfig:
    return replace(
        TrainConfig(), epochs=epochs, hard_negatives=1, random_negatives=0, other_article_negatives=0
    )


def test_every_epoch_leaves_a_checkpoint_and_a_resume_goes_on_from_the_last(tmp_path, monkeypatch):
    corpus = load_corpus(desks=["afpol"])
    saved = []
    real_checkpoint = training._checkpoint

    def recording_checkpoint(model, history, out_dir):
        real_checkpoint(model, history, out_dir)
        saved.append([e["epoch"] for e in json.loads((out_dir / "history.json").read_text())["epochs"]])

    monkeypatch.setattr(training, "_checkpoint", recording_checkpoint)
    first = tmp_path / "first"
    first.mkdir()
    training.train(_tiny(2), first, corpus, max_items=2)
    assert saved == [[1], [1, 2]]
    assert (first / "reader.pt").stat().st_size > 1_000_000

    saved.clear()
    again = tmp_path / "again"
    again.mkdir()
    history = training.train(_tiny(2), again, corpus, max_items=2, resume=first)
    assert saved == [[1, 2]]  # nothing left to run: the resumed weights and log, written out
    assert [e["epoch"] for e in history["epochs"]] == [1, 2]

    saved.clear()
    history = training.train(_tiny(3), again, corpus, max_items=2, resume=first)
    assert saved == [[1, 2, 3]]  # only the epoch not run yet


def test_a_resumed_run_keeps_the_configuration_and_seen_desks_it_started_with(tmp_path):
    """A warm-started run with a replay share, stopped after its first epoch and resumed, must go on reading
    as it began: the log keeps its configuration (which `briefing train --resume` reads back) and the desks
    its model had seen, so the resumed epoch reads the seen desk's questions at the same share."""
    corpus = load_corpus(desks=["afpol"])
    config = replace(_tiny(1), replay_share=0.5, learning_rate=3e-5)
    first = tmp_path / "first"
    training.train(config, first, corpus, max_items=12, seen_desks=frozenset({"afpol"}))
    logged = json.loads((first / "history.json").read_text())
    assert logged["seen_desks"] == ["afpol"]
    assert TrainConfig.from_dict(logged["config"]) == config
    assert TrainConfig.from_dict({"epochs": 3, "retired_knob": 1}) == replace(TrainConfig(), epochs=3)

    again = tmp_path / "again"
    resumed = replace(TrainConfig.from_dict(logged["config"]), epochs=2)
    history = training.train(resumed, again, corpus, max_items=12, resume=first)  # no seen desks given
    assert history["seen_desks"] == ["afpol"]
    assert [e["epoch"] for e in history["epochs"]] == [1, 2]
    assert 0 < history["epochs"][1]["questions"] < 12  # replayed at 0.5, not all twelve


def test_briefing_train_resume_refuses_what_it_cannot_go_on_with(tmp_path, capsys):
    from server.cli import main

    assert main(["train", "--resume", str(tmp_path), "--out", str(tmp_path / "out")]) == 2
    assert "holds no run to resume" in capsys.readouterr().err
    (tmp_path / "history.json").write_text(json.dumps({"config": TrainConfig().as_dict(), "epochs": []}))
    assert main(["train", "--resume", str(tmp_path), "--layers", "3", "--out", str(tmp_path / "out")]) == 2
    assert "a run of 6 layers, not 3" in capsys.readouterr().err
    assert main(["train", "--resume", str(tmp_path), "--replay", "0.5", "--out", str(tmp_path / "out")]) == 2
    assert "goes with --warm-start" in capsys.readouterr().err


def test_a_run_stopped_inside_an_epoch_resumes_there_and_ends_as_if_never_stopped(tmp_path, monkeypatch):
    """An epoch is one to two hours here and a session can end inside it: every `checkpoint_steps` steps the
    run saves where it is, and `--resume` goes on from that step with the same optimiser, schedule, batch
    order and dropout, so the stopped-and-resumed run ends with the weights of a run never stopped."""
    import torch

    corpus = load_corpus(desks=["afpol"])
    config = replace(_tiny(1), batch_size=2, checkpoint_steps=2)
    whole = tmp_path / "whole"
    training.train(config, whole, corpus, max_items=8)
    assert not (whole / training.PARTIAL).exists()  # a finished epoch leaves no mid-epoch checkpoint

    real_save = training._save_partial
    positions = []

    def save_then_stop(model, optimiser, schedule, position, history, out_dir):
        real_save(model, optimiser, schedule, position, history, out_dir)
        positions.append(position["step"])
        if len(positions) == 2:
            raise KeyboardInterrupt  # the session ends at the second checkpoint

    monkeypatch.setattr(training, "_save_partial", save_then_stop)
    stopped = tmp_path / "stopped"
    with pytest.raises(KeyboardInterrupt):
        training.train(config, stopped, corpus, max_items=8)
    assert positions == [2, 4] and not (stopped / "reader.pt").exists()
    monkeypatch.setattr(training, "_save_partial", real_save)
    logged = TrainConfig.from_dict(json.loads((stopped / "history.json").read_text())["config"])
    assert logged == config  # what `briefing train --resume` reads back
    history = training.train(logged, stopped, corpus, max_items=8, resume=stopped)
    assert [e["epoch"] for e in history["epochs"]] == [1]
    assert not (stopped / training.PARTIAL).exists()
    expected = torch.load(whole / "reader.pt")
    got = torch.load(stopped / "reader.pt")
    assert expected.keys() == got.keys()
    assert all(torch.equal(expected[k], got[k]) for k in expected)
    whole_epoch = json.loads((whole / "history.json").read_text())["epochs"][0]
    assert history["epochs"][0]["loss"] == whole_epoch["loss"]
    # as logged (a figure of no questions, such as the near misses of eight, is NaN in both)
    assert json.dumps(history["epochs"][0]["dev"]) == json.dumps(whole_epoch["dev"])


def test_a_mid_epoch_checkpoint_is_never_exported_as_a_finished_epoch(tmp_path, monkeypatch):
    """A run stopped inside its second epoch and resumed asking for one epoch only goes on from its first
    epoch's weights: the half-trained ones of the checkpoint are for a resume that trains that epoch."""
    import torch

    corpus = load_corpus(desks=["afpol"])
    config = replace(_tiny(2), batch_size=2, checkpoint_steps=2)
    out = tmp_path / "run"
    real_save = training._save_partial

    def save_then_stop(model, optimiser, schedule, position, history, out_dir):
        real_save(model, optimiser, schedule, position, history, out_dir)
        if position["epoch"] == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(training, "_save_partial", save_then_stop)
    with pytest.raises(KeyboardInterrupt):
        training.train(config, out, corpus, max_items=8)
    monkeypatch.setattr(training, "_save_partial", real_save)
    first_epoch = torch.load(out / "reader.pt")
    assert torch.load(out / training.PARTIAL)["epoch"] == 2
    history = training.train(replace(config, epochs=1), out, corpus, max_items=8, resume=out)
    assert [e["epoch"] for e in history["epochs"]] == [1]
    kept = torch.load(out / "reader.pt")
    assert all(torch.equal(first_epoch[k], kept[k]) for k in first_epoch)
