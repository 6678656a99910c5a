"""The golden set itself: big enough, varied enough, and every reference passage verbatim."""

from collections import Counter

from evals.eval_articles import article_files
from evals.golden import LEAD_SHAPES, load_golden
from ingest.prepare import prepare_file
from tests.conftest import NATIONPRESS_ARTICLE, NOOR_ARTICLE


def test_size_and_mix():
    items = load_golden()
    kinds = Counter(i.kind for i in items)
    assert len(items) >= 40
    assert kinds["unanswerable"] >= 6 and kinds["multi_doc"] >= 4 and kinds["conflict"] >= 2
    assert kinds["follow_up"] >= 4 and kinds["override"] >= 3 and kinds["false_premise"] >= 3
    assert all(i.history for i in items if i.kind == "follow_up")
    assert len({i.id for i in items}) == len(items)


def test_repeated_questions_get_distinct_sample_keys():
    from evals.records import RunRecord
    from evals.runner import sample_keys

    records = [RunRecord(item, {}) for item in load_golden()]
    keys = sample_keys(records)
    assert len(set(keys)) == len(keys), "the sample keys find each question's run record"


def test_the_dev_and_blind_splits_are_big_and_full_of_near_misses():
    from pathlib import Path

    items = load_golden()
    for split in ("dev", "blind"):
        chosen = [i for i in items if i.split == split]
        near = [i for i in chosen if i.kind == "near_miss"]
        assert len(chosen) >= 60 and len(near) >= len(chosen) / 4, split
        assert all(i.answerable is False and not i.key_facts for i in near)
        assert all(i.verdict for i in chosen if i.shape == "yes_no")
    new_articles = [p for p in article_files() if p.parent.name in ("dev", "blind")]
    assert len(new_articles) >= 10
    assert len({Path(a).name for i in items if i.split in ("dev", "blind") for a in i.articles}) >= 10


def test_covers_noor_and_iran():
    questions = " ".join(i.question for i in load_golden())
    assert "Atta Mohammad Noor say about those who promote war" in questions
    assert "What role did Iran play in bringing the factions together?" in questions


def test_the_robustness_split_varies_the_questions_and_asks_about_the_test_articles():
    items = [i for i in load_golden() if i.split == "robustness"]
    assert len(items) >= 40
    variants = Counter(i.variant for i in items)
    for variant in (
        "paraphrase",
        "overview",
        "list",
        "multi_part",
        "multi_hop",
        "polite",
        "markup",
        "lower_case",
        "abbreviation",
        "misspelling",
        "long",
    ):
        assert variants[variant] >= 1, variant
    for style in ("wire", "interview", "listicle", "analysis"):
        assert variants[style] >= 1, style
    assert len(article_files()) >= 4


def test_answerable_items_say_what_kind_of_answer_they_want():
    items = load_golden()
    assert all(i.shape is not None for i in items if i.answerable is True)
    assert sum(1 for i in items if i.shape in LEAD_SHAPES) >= 40
    assert sum(1 for i in items if i.shape == "factoid") >= 25
    assert all(i.relevance_markers() for i in items if i.answerable is True)


def test_every_reference_passage_is_verbatim():
    sources = [NOOR_ARTICLE, NATIONPRESS_ARTICLE, *article_files()]
    raw = [p.read_text(encoding="utf-8") for p in sources]
    cleaned = [prepare_file(p).document.text for p in sources]
    for item in load_golden():
        for passage in item.reference_contexts:
            assert any(passage in text for text in raw), (item.id, passage[:60])
            assert any(passage in text for text in cleaned), (item.id, passage[:60])
        if item.answerable is False:
            assert not item.key_facts
        else:
            assert item.key_facts and item.reference_contexts, item.id
