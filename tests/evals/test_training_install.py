"""What `briefing train --install` counts as better: more dev questions answered right without fewer near
misses refused, or the reverse, each model at its own threshold on the same dev split."""

from evals.training.cli import better_than_committed

OLD = {"answered_right": 0.58, "near_misses_refused": 0.86}


def test_more_answered_right_with_as_many_near_misses_refused_is_better():
    better, summary = better_than_committed({"answered_right": 0.62, "near_misses_refused": 0.86}, OLD)
    assert better and "answered_right 0.580 -> 0.620" in summary


def test_a_gain_paid_for_with_more_confident_wrong_answers_is_not_better():
    better, _ = better_than_committed({"answered_right": 0.70, "near_misses_refused": 0.85}, OLD)
    assert not better


def test_the_same_figures_are_not_better():
    assert not better_than_committed(dict(OLD), OLD)[0]


def test_any_model_replaces_a_missing_one():
    assert better_than_committed(dict(OLD), None) == (True, "no committed model to compare with")
