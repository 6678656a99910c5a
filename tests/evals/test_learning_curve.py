"""`briefing train --curve`: one row per share of the training articles, each trained from the start, with
the training set's size and the dev figures kept apart (dev's own "questions" must not hide the training
questions' count). Training itself is replaced here: a real run is two cores' hours; CI's smoke run trains."""

import json

from evals.training import train as training
from evals.training.config import TrainConfig


def test_each_share_is_trained_from_the_start_and_reported_with_its_own_sizes(tmp_path, monkeypatch):
    calls = []

    def fake_train(config, out_dir, corpus):
        calls.append((config.article_share, out_dir))
        n = int(400 * config.article_share)
        return {
            "train_questions": n,
            "train_articles": n // 40,
            "epochs": [{"epoch": 1, "dev": {"questions": 99, "top1": config.article_share}}],
        }

    monkeypatch.setattr(training, "train", fake_train)
    monkeypatch.setattr(training, "load_corpus", lambda: object())
    rows = training.learning_curve(TrainConfig(epochs=1), tmp_path)
    assert [share for share, _ in calls] == [0.25, 0.5, 1.0]
    assert len({out for _, out in calls}) == 3  # each share in a folder of its own
    assert [r["train_questions"] for r in rows] == [100, 200, 400]
    assert [r["dev"]["questions"] for r in rows] == [99, 99, 99]
    assert json.loads((tmp_path / "learning_curve.json").read_text()) == rows
