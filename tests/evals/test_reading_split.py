"""The reading corpus's test and dev splits as golden items: each kind of corpus item becomes the right
golden item, and each split holds its own articles' items alone; the dev one runs only by name."""

import json

import pytest

from evals.golden import DEFAULT_SPLITS, LEAD_SHAPES, SPLITS
from evals.metrics import _contains
from evals.reading_split import (
    SPLITS_PATH,
    article_files,
    reading_items,
    split_article_names,
    to_golden,
)
from evals.training.corpus import Item, load_corpus

EVIDENCE = ["The raid had been led by Ghulam Sakhi Rezayar, the front's commander for Andarab."]


def corpus_item(**kw) -> Item:
    base = dict(
        id="afpol-9001",
        desk="afpol",
        articles=("afpol-raid.txt",),
        question="Who led the raid?",
        answerable=True,
        kind="who",
        answers=("Ghulam Sakhi Rezayar", "Rezayar"),
        yes_no=None,
        evidence=(("afpol-raid.txt", 3),),
        note="paraphrase",
    )
    return Item(**{**base, **kw})


def test_an_answerable_item_wants_its_span_or_an_alternative():
    g = to_golden(corpus_item(), EVIDENCE)
    assert (g.split, g.kind, g.answerable, g.shape) == ("reading_test", "factual", True, "factoid")
    assert g.key_facts == ["Ghulam Sakhi Rezayar|Rezayar"]
    assert g.verdict is None and g.direct == [] and g.article == "afpol-raid.txt"
    assert g.reference_contexts == EVIDENCE and g.id == "afpol-9001"
    assert g.variant.startswith("who")
    # Either alternative is the key fact, as the metrics read it.
    assert _contains("It was led by Rezayar.", g.key_facts[0])
    assert "Rezayar" in g.relevance_markers()


@pytest.mark.parametrize(
    ("kind", "shape"),
    [
        ("how_many", "factoid"),
        ("when", "factoid"),
        ("who_is", "factoid"),
        ("definition", "factoid"),
        ("multi_sentence", "factoid"),
        ("why", "explanation"),
        ("how", "explanation"),
        ("quote", "quote"),
        ("list", "list"),
    ],
)
def test_each_kind_gets_a_shape(kind, shape):
    g = to_golden(corpus_item(kind=kind), EVIDENCE)
    assert g.shape == shape and g.kind == "factual"
    assert (g.shape in LEAD_SHAPES) == (kind != "list")


def test_a_near_miss_is_to_be_refused():
    g = to_golden(corpus_item(kind="near_miss", answerable=False, answers=()), EVIDENCE)
    assert (g.kind, g.answerable, g.shape) == ("near_miss", False, None)
    assert g.key_facts == [] and g.verdict is None
    # Its evidence is the sentence a careless reader would answer from, kept as in the dev split.
    assert g.reference_contexts == EVIDENCE


@pytest.mark.parametrize(
    ("verdict", "word"), [("yes", "Yes"), ("no", "No"), ("disagree", "The articles disagree")]
)
def test_a_yes_no_item_wants_its_verdict_first(verdict, word):
    g = to_golden(corpus_item(kind="yes_no", answers=(), yes_no=verdict), EVIDENCE)
    assert (g.verdict, g.shape, g.answerable) == (verdict, "yes_no", True)
    assert g.key_facts == [] and g.direct == [word]
    assert g.reference.startswith(word)


def test_a_conflict_item_wants_both_sides():
    g = to_golden(
        corpus_item(kind="conflict", answers=("187 delegates", "about 170"), question="How many came?"),
        EVIDENCE,
    )
    assert (g.kind, g.shape) == ("conflict", "factoid")
    assert g.key_facts == ["187 delegates", "about 170"]


def test_an_item_on_two_articles_names_both():
    g = to_golden(corpus_item(articles=("a.txt", "b.txt")), EVIDENCE)
    assert g.kind == "multi_doc" and g.article == ["a.txt", "b.txt"]


def test_bad_items_are_caught():
    with pytest.raises(ValueError):
        to_golden(corpus_item(answers=()), EVIDENCE)
    with pytest.raises(ValueError):
        to_golden(corpus_item(kind="yes_no", answers=(), yes_no=None), EVIDENCE)
    with pytest.raises(ValueError):
        to_golden(corpus_item(answers=("a|b",)), EVIDENCE)


def test_the_split_is_the_test_list_of_splits_json():
    stated = json.loads(SPLITS_PATH.read_text())
    names = split_article_names()
    assert names == sorted(stated["test"]) and names
    assert not set(names) & (set(stated["train"]) | set(stated["dev"]))
    assert [p.name for p in article_files()] == names
    assert all(p.with_name(p.stem + ".meta.json").exists() for p in article_files())
    assert "reading_test" in SPLITS


def test_the_split_holds_the_items_of_test_articles_only():
    corpus = load_corpus(desks=["afpol"])
    names = split_article_names()
    items = reading_items(corpus)
    assert items and all(i.split == "reading_test" for i in items)
    expected = [it.id for it in corpus.items if set(it.articles) <= set(names)]
    assert [i.id for i in items] == expected
    assert len({i.id for i in items}) == len(items)
    for item in items:
        assert set(item.articles) <= set(names)
    # Nearly every item's evidence is found among the sentences ingest keeps (not one a summary box that
    # cleaning strips, as afpol-0093's).
    with_evidence = [i for i in items if i.reference_contexts]
    assert len(with_evidence) >= 0.95 * len(items)


def test_the_dev_split_holds_the_items_of_dev_articles_only_and_runs_only_by_name():
    stated = json.loads(SPLITS_PATH.read_text())
    names = split_article_names(split="reading_dev")
    assert names == sorted(stated["dev"]) and names
    assert [p.name for p in article_files(split="reading_dev")] == names
    corpus = load_corpus(desks=["afpol"])
    items = reading_items(corpus, split="reading_dev")
    assert items and all(i.split == "reading_dev" for i in items)
    assert [i.id for i in items] == [it.id for it in corpus.items if set(it.articles) <= set(names)]
    assert not {i.id for i in items} & {i.id for i in reading_items(corpus)}
    assert "reading_dev" in SPLITS and "reading_dev" not in DEFAULT_SPLITS
    assert set(SPLITS) - set(DEFAULT_SPLITS) == {"reading_dev"}


def test_an_unknown_split_is_refused_before_anything_runs(tmp_path):
    from evals.cli import run_eval
    from tests.server.conftest import make_settings

    with pytest.raises(ValueError, match="reading_tset"):
        run_eval(make_settings(tmp_path / "data"), splits=["reading_tset"])


def test_the_golden_splits_are_refused_when_the_seed_articles_are_not_there(tmp_path):
    """Run from another folder, the relative seed path finds nothing; the golden splits would then be scored
    on the test articles alone. The run stops, before anything is built, with what to do."""
    from evals.cli import run_eval
    from server.settings import IndexSettings
    from tests.server.conftest import make_settings

    settings = make_settings(tmp_path / "data")
    settings = settings.model_copy(
        update={"index": IndexSettings(data_dir=tmp_path / "data", articles_dir=tmp_path / "nowhere")}
    )
    with pytest.raises(ValueError, match="nowhere is not there.*BRIEFING_ARTICLES_DIR"):
        run_eval(settings, splits=["core"])
