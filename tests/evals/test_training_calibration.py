"""The thresholds chosen on dev count a bold as a reader would: a span or a Yes/No given for a near miss is
wrong, and a yes or a no is given only where the reader is sure enough of it to be right BOLD_PRECISION of the
times; when nothing reaches that precision, nothing is given."""

from evals.training.corpus import Article, Corpus, Item
from evals.training.scoring import BOLD_PRECISION, NEVER, Read, bold_shown, calibrate

TEXT = "Zia leads the council. It met in May."
CORPUS = Corpus({"a": Article("a", "desk", "", "", "", TEXT, ((0, 22), (23, 37)))})


def _item(n: int, kind: str, answerable: bool = True, answers=(), yes_no=None) -> Item:
    return Item(f"i{n}", "desk", ("a",), "q?", answerable, kind, tuple(answers), yes_no, (("a", 0),))


def _read(answers: float, span_p: float = 0.0, verdict=(0.1, 0.1, 0.8), span=(0, 3)) -> Read:
    return Read("a", 0, answers, verdict, span, span_p)


def _spans_with_near_misses(near_misses: int):
    items, reads = [], []
    for n in range(19):  # right spans ("Zia"), from 0.80 up
        items.append(_item(n, "who", answers=("Zia",)))
        reads.append([_read(0.99, 0.80 + n / 100)])
    for n in range(near_misses):  # answered near misses with a span in the middle of the right ones
        items.append(_item(100 + n, "near_miss", answerable=False))
        reads.append([_read(0.99, 0.855 + n / 1000)])
    for n in range(200, 260):  # near misses refused: never shown
        items.append(_item(n, "near_miss", answerable=False))
        reads.append([_read(0.01, 0.99)])
    return items, reads


def test_a_span_given_for_a_near_miss_counts_as_wrong():
    items, reads = _spans_with_near_misses(0)
    alone = calibrate(items, CORPUS, reads, shown=lambda q: "span")
    assert alone["answer_threshold"] == 0.99 and alone["span_threshold"] == 0.80
    items, reads = _spans_with_near_misses(2)
    counted = calibrate(items, CORPUS, reads, shown=lambda q: "span")
    assert counted["span_threshold"] > 0.856  # above both near misses' spans
    assert counted["span_precision"] >= BOLD_PRECISION and counted["span_given_share"] < 1.0


def test_the_verdict_threshold_keeps_only_the_yes_and_no_the_reader_is_sure_of():
    items, reads = [], []
    for n in range(10):  # sure and right
        items.append(_item(n, "yes_no", yes_no="yes"))
        reads.append([_read(0.99, verdict=(0.97, 0.01, 0.02))])
    for n in range(10, 14):  # unsure, half of them wrong
        items.append(_item(n, "yes_no", yes_no="no" if n % 2 else "yes"))
        reads.append([_read(0.99, verdict=(0.55, 0.40, 0.05))])
    calibration = calibrate(items, CORPUS, reads, shown=lambda q: "verdict")
    assert 0.99 * 0.55 < calibration["verdict_yes_threshold"] <= 0.99 * 0.97
    assert calibration["verdict_precision"] == 1.0
    assert calibration["verdict_given_share"] == 10 / 14
    assert calibration["bold_right_share"] == 10 / 14  # questions given a right Yes or No


def test_a_verdict_from_a_sentence_the_reader_doubts_answers_counts_for_less():
    # The side's share of yes + no would rank the doubted sentences' verdicts (0.97 / 0.98) above the sure
    # sentences' (0.95 / 0.97); the score weighs each side by whether the sentence answers at all.
    items, reads = [], []
    for n in range(10):  # the sentence surely answers; a right yes
        items.append(_item(n, "yes_no", yes_no="yes"))
        reads.append([_read(0.999, verdict=(0.95, 0.02, 0.03))])
    for n in range(10, 20):  # the sentence barely answers; a wrong yes
        items.append(_item(n, "yes_no", yes_no="no"))
        reads.append([_read(0.96, verdict=(0.97, 0.01, 0.02))])
    calibration = calibrate(items, CORPUS, reads, shown=lambda q: "verdict")
    assert (
        calibration["answer_threshold"] <= 0.96
    )  # both kinds answered: the verdict score must tell them apart
    assert calibration["verdict_precision"] == 1.0 and calibration["verdict_given_share"] == 0.5


def test_a_yes_and_a_no_each_have_the_threshold_at_which_they_are_right_often_enough():
    # The reader is surer of its no's: a no it is unsure of (0.97) is as often wrong as right, while its
    # yes's at 0.96 are right. One threshold for both would give no yes at all.
    items, reads = [], []
    for n in range(20):  # a right yes at 0.96
        items.append(_item(n, "yes_no", yes_no="yes"))
        reads.append([_read(0.99, verdict=(0.97, 0.02, 0.01))])
    for n in range(20, 40):  # a right no at 0.98
        items.append(_item(n, "yes_no", yes_no="no"))
        reads.append([_read(0.99, verdict=(0.005, 0.99, 0.005))])
    for n in range(40, 50):  # a no at 0.9702, half of them wrong
        items.append(_item(n, "yes_no", yes_no="no" if n % 2 else "yes"))
        reads.append([_read(0.99, verdict=(0.01, 0.98, 0.01))])
    calibration = calibrate(items, CORPUS, reads, shown=lambda q: "verdict")
    assert calibration["verdict_yes_threshold"] <= 0.99 * 0.97 < calibration["verdict_no_threshold"]
    assert (calibration["yes_given"], calibration["no_given"]) == (20, 20)
    assert calibration["verdict_precision"] == 1.0 and calibration["bold_right_share"] == 40 / 50


def test_the_right_bold_share_counts_spans_and_verdicts_given_right_over_every_question():
    items, reads = _spans_with_near_misses(2)  # 19 right spans, 2 answered near misses, 60 refused
    calibration = calibrate(items, CORPUS, reads, shown=lambda q: "span")
    given_right = sum(0.80 + n / 100 >= calibration["span_threshold"] for n in range(19))
    assert 0 < given_right < 19
    assert calibration["bold_right_share"] == given_right / len(items)


def test_when_nothing_reaches_the_precision_nothing_is_given():
    items = [_item(n, "yes_no", yes_no="no") for n in range(4)]
    reads = [[_read(0.99, verdict=(1.0, 0.0, 0.0))] for _ in items]  # sure, and wrong
    calibration = calibrate(items, CORPUS, reads, shown=lambda q: "verdict")
    assert calibration["verdict_no_threshold"] == NEVER > 1.0
    assert calibration["verdict_given_share"] == 0.0
    assert calibration["bold_right_share"] == 0.0


def test_what_the_engine_opens_with_comes_from_its_parse_of_the_question():
    assert bold_shown("Did the council meet in May?") == "verdict"
    assert bold_shown("When did the council meet?") == "span"
    assert bold_shown("Who is Zia?") is None
