"""Calibration through the engine (evals/training/engine_calibration.py): each bold threshold is the least at
which what the planner lets through is right BOLD_PRECISION of the times, scored as the eval scores it, with
the other two closed. On hand-made plan contexts (the planner is the real one); that replanning the engine's
own contexts gives the bold answer `ask` gives is tested with the real engine in tests/server/test_reader_engine.py."""

from __future__ import annotations

import json
import math
import shutil

from evals.golden import GoldenItem
from evals.training.engine_calibration import Asked, bold_given, choose, write_engine_calibration
from evals.training.scoring import NEVER
from server.answer.staged.parse import QuestionKind
from tests.server.test_staged_stages import THRESHOLDS, context, question, read, sentence


def item(n: int, **kw) -> GoldenItem:
    base = dict(
        id=f"i{n}",
        kind="factual",
        question="Who chaired it?",
        answerable=True,
        reference="r",
        reference_contexts=["The meeting was chaired by Omar Safi."],
        key_facts=["Omar Safi"],
    )
    return GoldenItem(**{**base, **kw})


def span_question(n: int, span: str, span_p: float, **kw) -> Asked:
    s = sentence(f"s{n}", f"The meeting was chaired by {span}.")
    return Asked(item(n, **kw), (context(question(QuestionKind.PERSON), [read(s, 0.9, span, span_p)]),))


def yes_no_question(n: int, verdict: str, says: tuple[float, float, float]) -> Asked:
    s = sentence(f"s{n}", "The talks went ahead in March.")
    return Asked(
        item(n, question="Did the talks go ahead?", key_facts=[], direct=[verdict.title()], verdict=verdict),
        (context(question(QuestionKind.YES_NO), [read(s, 0.95, verdict=says)]),),
    )


def test_the_span_threshold_is_the_least_at_which_the_bold_spans_are_right_often_enough():
    right = [span_question(i, "Omar Safi", 0.91 + 0.004 * i) for i in range(19)]
    wrong_high = span_question(19, "Omar Said", 0.95)  # 19 right of 20 from 0.91 up: 0.95
    wrong_low = span_question(20, "Omar Said", 0.905)  # 19 of 21 from 0.905: too few
    chosen = choose([*right, wrong_high, wrong_low], "span", THRESHOLDS)
    assert math.isclose(chosen.threshold, 0.91)
    assert (chosen.given, chosen.right) == (20, 19)
    # the card's threshold (0.6) let all 21 through
    assert (chosen.card_threshold, chosen.card_given, chosen.card_right) == (0.6, 21, 19)


def test_a_bold_span_given_for_a_near_miss_counts_as_wrong():
    asked = [
        span_question(0, "Omar Safi", 0.99, answerable=False, kind="near_miss", key_facts=[]),
        span_question(1, "Omar Safi", 0.9),
    ]
    chosen = choose(asked, "span", THRESHOLDS)
    assert chosen.threshold == NEVER and chosen.given == 0  # the surest bold answer is wrong: none is given


def test_each_side_of_a_verdict_is_chosen_on_its_own_verdicts():
    yes_right = [yes_no_question(i, "yes", (0.9 + 0.001 * i, 0.05, 0.05)) for i in range(20)]
    no_wrong = [yes_no_question(20 + i, "yes", (0.02, 0.97, 0.01)) for i in range(5)]  # sure, and wrong
    asked = [*yes_right, *no_wrong]
    yes = choose(asked, "verdict_yes", THRESHOLDS)
    no = choose(asked, "verdict_no", THRESHOLDS)
    assert yes.given == 20 and yes.right == 20 and yes.threshold < 0.9 * 0.95 + 1e-9
    assert no.threshold == NEVER and no.card_given == 5 and no.card_right == 0


def test_a_refused_question_gives_no_bold_answer():
    assert bold_given((), THRESHOLDS) is None


def test_the_card_serves_the_thresholds_chosen_and_says_so(tmp_path):
    from server.answer.reader.model import CARD_NAME, default_model_dir

    shutil.copyfile(default_model_dir() / CARD_NAME, tmp_path / CARD_NAME)
    result = {"split": "reading_dev", "questions": 3, "answered": 2, "bold_precision": 0.95}
    for n, field in enumerate(("span", "verdict_yes", "verdict_no")):
        result[field] = {
            "threshold": 0.9 + n / 100,
            "given": 10,
            "right": 10,
            "precision": 1.0,
            "card_threshold": 0.5,
            "card_given": 20,
            "card_right": 15,
            "card_precision": 0.75,
        }
    write_engine_calibration(tmp_path, result, "a test")
    card = json.loads((tmp_path / CARD_NAME).read_text())
    assert (
        card["thresholds"]["span"],
        card["thresholds"]["verdict_yes"],
        card["thresholds"]["verdict_no"],
    ) == (
        0.9,
        0.91,
        0.92,
    )
    assert card["recalibrated"][-1]["why"] == "a test"
    written = (tmp_path / "MODEL_CARD.md").read_text()
    assert "Bold thresholds served (through the engine" in written and "a Yes at 0.9100" in written


def test_briefing_calibrate_through_engine_rewrites_the_card_s_bold_thresholds(
    tmp_path, monkeypatch, embedder
):
    """The command end to end on the first dev questions (a library of their articles and the seed, the real
    engine and reader): the card's span and verdict thresholds are those it chose, the model file untouched."""
    from server.answer.reader.model import CARD_NAME, default_model_dir, sha256_of
    from server.cli import main

    model = tmp_path / "model"
    shutil.copytree(default_model_dir(), model)
    data = embedder.model_path.parent.parent  # the session's data folder, whose exported encoder is reused
    before = sorted(p.name for p in data.iterdir())
    monkeypatch.setenv("BRIEFING_DATA_DIR", str(data))
    assert (
        main(["calibrate", "--through-engine", "--smoke", "6", "--model", str(model), "--why", "smoke"]) == 0
    )
    card = json.loads((model / CARD_NAME).read_text())
    chosen = card["engine_calibration"]
    assert chosen["split"] == "reading_dev" and chosen["questions"] == 6
    for field in ("span", "verdict_yes", "verdict_no"):
        assert card["thresholds"][field] == chosen[field]["threshold"]
        assert chosen[field]["right"] <= chosen[field]["given"]
    assert sha256_of(model / card["model_file"]) == card["sha256"]
    assert sorted(p.name for p in data.iterdir()) == before  # its library is its own, removed after


# ---- the learned answer decision (evals/training/decision_fit.py) -----------------------------------
def test_the_decision_threshold_is_where_answering_costs_least():
    """Answering a wrong one costs three refusals: with scores 5 (right), 4 (right), 3 (wrong), 2 (right),
    1 (wrong), answering the top two costs 1 (the right one at 2 refused); the top four, 3; all, 6."""
    import numpy as np

    from evals.training.decision_fit import _least_cost

    scores = np.array([3.0, 5.0, 1.0, 4.0, 2.0])
    good = np.array([False, True, False, True, True])
    answerable = np.array([True, True, False, True, True])
    assert _least_cost(scores, good, answerable) == 4.0
    # ties are answered or refused together: two rows at 5, one right and one wrong, cost less refused
    assert _least_cost(np.array([5.0, 5.0]), np.array([True, False]), np.array([True, True])) == 6.0


def test_the_decision_is_fitted_on_what_tells_right_answers_from_wrong_ones():
    """Rows where only the shortlisting score tells a right answer (the reader is as sure of both): the
    weights lean on it, the threshold falls between the two, and the figures held out beat the answer
    threshold's on the same rows; too few articles, or one label only, fit nothing."""
    import random

    from evals.training.decision_fit import Row, fit_decision
    from server.answer.staged.decision_model import FEATURES, DecisionModel

    rng = random.Random(7)
    rows = []
    for n in range(400):
        good = n % 2 == 0
        features = {name: rng.gauss(0, 1) for name in FEATURES}
        features["answers"] = 4.0 + rng.gauss(0, 0.3)  # p about 0.98 for both
        features["shortlisted"] = (0.7 if good else 0.3) + rng.gauss(0, 0.05)
        rows.append(Row(features, answerable=n % 4 != 1, good=good, group=f"article-{n % 20}"))
    fitted = fit_decision(rows, answer_threshold=0.9577)
    assert fitted is not None and fitted["rows"] == 400
    model = DecisionModel.of_card(fitted)
    assert max(model.weights, key=lambda k: abs(model.weights[k])) == "shortlisted"
    assert model.weights["shortlisted"] > 0
    held_out, card = fitted["held_out"], fitted["card_answer_threshold"]
    # every right one answered (two in three of the answerable: the others are answerable but answered wrong)
    assert held_out["wrong_answers"] < 10 and held_out["answered_right"] > 0.65
    # the answer threshold answers (nearly) every row, as sure of the wrong ones as of the right ones
    assert card["wrong_answers"] >= 195 and abs(card["precision"] - 0.5) < 0.01
    assert fit_decision(rows[:40], 0.9577) is not None
    assert fit_decision([replace_group(r, "one") for r in rows], 0.9577) is None
    assert fit_decision([r for r in rows if r.good], 0.9577) is None


def replace_group(row, group: str):
    from dataclasses import replace

    return replace(row, group=group)


def test_the_card_serves_the_decision_chosen_and_says_so(tmp_path):
    from server.answer.reader.model import CARD_NAME, default_model_dir
    from server.answer.staged.decision_model import FEATURES, DecisionModel

    shutil.copyfile(default_model_dir() / CARD_NAME, tmp_path / CARD_NAME)
    bold = {"threshold": NEVER, "given": 0, "right": 0, "precision": None, "card_threshold": 0.9}
    bold |= {"card_given": 0, "card_right": 0, "card_precision": None}
    said = {"answered_right": 0.5, "near_misses_refused": 0.9, "wrong_answers": 12, "precision": 0.9}
    decision = {"weights": dict.fromkeys(FEATURES, 0.25), "bias": -2.0, "threshold": 1.5, "rows": 100}
    decision |= {"held_out": said, "card_answer_threshold": {**said, "wrong_answers": 30}}
    result = {"split": "reading_dev", "questions": 100, "answered": 50, "bold_precision": 0.95}
    result |= {f: bold for f in ("span", "verdict_yes", "verdict_no")} | {"decision": decision}
    write_engine_calibration(tmp_path, result, "a test")
    card = json.loads((tmp_path / CARD_NAME).read_text())
    assert DecisionModel.of_card(card["decision"]) == DecisionModel(dict.fromkeys(FEATURES, 0.25), -2.0, 1.5)
    written = (tmp_path / "MODEL_CARD.md").read_text()
    assert "Answer decision served (through the engine" in written and "reaches 1.5000" in written
    assert "12 wrong answers" in written and "30 wrong answers" in written
    # a run with too few questions to fit one (a smoke run) chooses the bold thresholds again and leaves the
    # card's decision, and what the card says of it, as they were
    write_engine_calibration(tmp_path, {**result, "decision": None}, "a smoke run")
    again = json.loads((tmp_path / CARD_NAME).read_text())
    assert again["decision"] == card["decision"] and "decision" not in again["engine_calibration"]
    assert "Answer decision served" in (tmp_path / "MODEL_CARD.md").read_text()
