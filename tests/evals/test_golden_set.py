"""The golden set itself: big enough, varied enough, and every reference passage verbatim."""

from collections import Counter

from evals.golden import load_golden
from ingest.prepare import prepare_file
from tests.conftest import NATIONPRESS_ARTICLE, NOOR_ARTICLE


def test_size_and_mix():
    items = load_golden()
    kinds = Counter(i.kind for i in items)
    assert len(items) >= 40
    assert kinds["unanswerable"] >= 6 and kinds["multi_doc"] >= 4 and kinds["conflict"] >= 2
    assert kinds["follow_up"] >= 4 and kinds["override"] >= 3 and kinds["false_premise"] >= 3
    assert all(i.history for i in items if i.kind == "follow_up")
    assert len({i.question for i in items}) == len(items), "questions key the run records"
    assert len({i.id for i in items}) == len(items)


def test_covers_noor_and_iran():
    questions = " ".join(i.question for i in load_golden())
    assert "Atta Mohammad Noor say about those who promote war" in questions
    assert "What role did Iran play in bringing the factions together?" in questions


def test_every_reference_passage_is_verbatim():
    raw = [p.read_text(encoding="utf-8") for p in (NOOR_ARTICLE, NATIONPRESS_ARTICLE)]
    cleaned = [prepare_file(p).document.text for p in (NOOR_ARTICLE, NATIONPRESS_ARTICLE)]
    for item in load_golden():
        for passage in item.reference_contexts:
            assert any(passage in text for text in raw), (item.id, passage[:60])
            assert any(passage in text for text in cleaned), (item.id, passage[:60])
        if item.answerable is False:
            assert not item.key_facts
        else:
            assert item.key_facts and item.reference_contexts, item.id
