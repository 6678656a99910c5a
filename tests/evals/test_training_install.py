"""What `briefing train --install` counts as better: more dev questions answered right at the same share of
near misses refused, at both models' calibrated operating points, and no fewer given a right bold answer."""

from dataclasses import replace

from evals.training.cli import better_than_committed
from evals.training.scoring import OperatingCurve


def curve(answerable, near_misses, threshold, bold_right=0.2):
    return OperatingCurve(tuple(answerable), tuple(near_misses), threshold, bold_right)


# Ten answerable questions (eight read from the right sentence) and ten near misses.
OLD = curve(
    [(0.95, True), (0.92, True), (0.90, True), (0.88, True), (0.85, True), (0.80, True), (0.70, True)]
    + [(0.60, True), (0.91, False), (0.50, False)],
    [0.10, 0.20, 0.30, 0.40, 0.50, 0.60, 0.70, 0.75, 0.89, 0.93],
    0.87,
)


def test_the_curve_counts_answered_right_and_near_misses_refused_at_a_threshold():
    assert OLD.answered_right(0.87) == 0.4  # 0.95, 0.92, 0.90 and 0.88 from the right sentence
    assert OLD.refused(0.87) == 0.8
    assert OLD.threshold_refusing(0.8) == OLD.threshold_refusing(0.75)
    assert 0.75 < OLD.threshold_refusing(0.8) < 0.76
    assert OLD.threshold_refusing(0.0) == 0.0
    assert OLD.threshold_refusing(1.0) > 0.93


def test_a_model_that_scores_every_answer_higher_is_better_though_its_threshold_refuses_more():
    # Calibration put its threshold higher: at its own point it answers as many right and refuses more,
    # which two figures at two thresholds could not rank; at both points it answers more right.
    new = curve([(min(1.0, p + 0.04), good) for p, good in OLD.answerable], OLD.near_misses, 0.91)
    assert new.answered_right(new.threshold) == OLD.answered_right(OLD.threshold)
    better, summary = better_than_committed(new, OLD)
    assert better
    assert "(the committed model's point): answered_right 0.600 -> 0.600" in summary
    assert "refusing 0.900 of near misses (the new model's point): answered_right 0.300 -> 0.400" in summary


def test_more_answers_bought_with_confident_answers_to_near_misses_is_not_better():
    # Every near miss scored higher: at the committed model's refusal it must refuse as many, and answers less.
    new = curve(OLD.answerable, [min(1.0, p + 0.08) for p in OLD.near_misses], 0.80)
    assert new.answered_right(new.threshold) > OLD.answered_right(OLD.threshold)
    assert not better_than_committed(new, OLD)[0]


def test_a_model_better_at_one_point_and_worse_at_the_other_is_not_better():
    new = curve(
        [(0.99 - k / 100, True) for k in range(7)] + [(0.20, True), (0.91, False), (0.50, False)],
        OLD.near_misses,
        0.87,
    )
    high, low = OLD.threshold_refusing(0.8), OLD.threshold_refusing(0.4)
    assert new.answered_right(high) > OLD.answered_right(high)
    assert new.answered_right(low) < OLD.answered_right(low)
    assert not better_than_committed(new, curve(OLD.answerable, OLD.near_misses, 0.45))[0]


def test_the_same_curve_is_not_better():
    assert not better_than_committed(OLD, OLD)[0]


def test_any_model_replaces_a_missing_one():
    assert better_than_committed(OLD, None) == (True, "no committed model to compare with")


def test_a_model_that_answers_more_but_gives_fewer_right_bold_answers_is_not_better():
    # What the five-epoch reader did: its sure verdicts fell just short of the precision, so calibration
    # gave almost none, and yes/no questions lost their Yes or No.
    new = curve([(min(1.0, p + 0.04), good) for p, good in OLD.answerable], OLD.near_misses, 0.91)
    assert better_than_committed(new, OLD)[0]
    better, summary = better_than_committed(replace(new, bold_right=0.15), OLD)
    assert not better
    assert "questions given a right bold span, Yes or No: 0.200 -> 0.150" in summary
