from ingest.prepare import prepare_file
from tests.conftest import NATIONPRESS_ARTICLE, NOOR_ARTICLE


def test_nationpress_boilerplate_is_stripped():
    doc = prepare_file(NATIONPRESS_ARTICLE).document
    text = doc.text
    assert "Click to start listening" not in text
    assert "Key Takeaways" not in text
    assert "Iran is playing a role in facilitating discussions." not in text  # a takeaway bullet
    assert "Frequently Asked Questions" not in text
    assert "What role does Iran play in these discussions?" not in text  # an FAQ question
    assert "Nation Press" not in text and "11/12/2025" not in text
    title = "Have Afghanistan's anti-Taliban movements reached an agreement with rulers?"
    assert text.count(title) == 1
    # The body is all there.
    assert "New Delhi, December 10 (NationPress) In a noteworthy turn of events" in text
    assert "The discussions are believed to have been initiated at the request of Tehran" in text
    assert "a united “National Consensus” declaration may soon be issued." in text


def test_body_of_the_review_article_is_kept_whole():
    text = prepare_file(NOOR_ARTICLE).document.text
    assert text.startswith("Review of Afghanistan developments")
    assert "You and your children should take up arms on the front lines." in text
    assert text.rstrip().endswith("unlikely to engage in future meetings.")


def test_no_passage_appears_twice():
    for path in (NOOR_ARTICLE, NATIONPRESS_ARTICLE):
        lines = [line for line in prepare_file(path).document.text.split("\n") if len(line) > 12]
        assert len(lines) == len(set(lines)), path.name
