"""The reading corpus's test and dev splits (evals/reading) as splits of the golden set, `reading_test` and
`reading_dev`: a split's articles are added to the library for its run, and each of its labelled items
becomes a golden item.

The splits are the ones `evals/reading/splits.json` states (its "test" and "dev" lists; never train): an
item belongs to one when every article it asks about is in it. reading_test is reported and never tuned to;
reading_dev is where the engine's misses on the corpus may be looked into."""

from __future__ import annotations

import json
from pathlib import Path

from evals.golden import CORPUS_SPLIT_OF, GoldenItem, Shape
from evals.training.corpus import Corpus, Item, corpus_dir, load_corpus

READING_SPLIT = "reading_test"
SPLITS_PATH = corpus_dir().parent / "splits.json"

# The golden shape of each corpus kind (what `shape` decides: answer_lead_recall scores the factoid,
# quote, explanation and yes/no shapes).
SHAPE_OF_KIND: dict[str, Shape] = {
    "who": "factoid",
    "what": "factoid",
    "when": "factoid",
    "where": "factoid",
    "which": "factoid",
    "how_many": "factoid",
    "how_much": "factoid",
    "how_long": "factoid",
    "who_is": "factoid",
    "definition": "factoid",
    "conflict": "factoid",
    "multi_sentence": "factoid",
    "why": "explanation",
    "how": "explanation",
    "quote": "quote",
    "list": "list",
    "yes_no": "yes_no",
}
# What the bold direct answer of a yes/no item must say (as the dev and blind splits write it).
VERDICT_WORDS = {"yes": "Yes", "no": "No", "disagree": "The articles disagree"}


def split_article_names(path: Path = SPLITS_PATH, split: str = READING_SPLIT) -> list[str]:
    """The names of the articles of a golden split of the reading corpus (default: the test articles)."""
    return sorted(json.loads(path.read_text())[CORPUS_SPLIT_OF[split]])


def article_files(
    names: list[str] | None = None, root: Path | None = None, split: str = READING_SPLIT
) -> list[Path]:
    """The files of the named articles (default: the split's articles), found in their desks."""
    wanted = set(split_article_names(split=split) if names is None else names)
    found = sorted(
        (p for p in (root or corpus_dir()).glob("*/articles/*.txt") if p.name in wanted), key=lambda p: p.name
    )
    missing = wanted - {p.name for p in found}
    if missing:
        raise FileNotFoundError(f"reading corpus articles not found: {', '.join(sorted(missing))}")
    return found


def to_golden(item: Item, evidence: list[str], split: str = READING_SPLIT) -> GoldenItem:
    """One labelled reading item as a golden item.

    - a near miss: not answerable, kind near_miss, no shape; its evidence (the sentences a careless reader
      would answer from) are its reference passages, as in the dev and blind splits;
    - a yes/no item: its verdict, which the answer must open with (and the bold answer hold);
    - a conflict item (one figure or claim per side): each side is a key fact, so a right answer gives both;
    - any other item: one key fact, the answer span with its alternatives ('a|b' accepts either).
    The corpus kind and the writer's note are kept in `variant`."""
    articles: str | list[str] = item.articles[0] if len(item.articles) == 1 else list(item.articles)
    variant = f"{item.kind}: {item.note}" if item.note else item.kind
    base = {
        "id": item.id,
        "question": item.question,
        "reference_contexts": evidence,
        "split": split,
        "variant": variant,
        "article": articles,
    }
    if not item.answerable:
        return GoldenItem.model_validate(
            {
                **base,
                "kind": "near_miss",
                "answerable": False,
                "reference": "The articles do not say.",
                "shape": None,
            }
        )
    if item.kind == "yes_no":
        if item.yes_no not in VERDICT_WORDS:
            raise ValueError(f"{item.id}: a yes/no item needs yes, no or disagree, not {item.yes_no!r}")
        verdict = item.yes_no
        key_facts: list[str] = []
        direct = [VERDICT_WORDS[verdict]]
        reference = " ".join([VERDICT_WORDS[verdict] + ".", *evidence])
    else:
        verdict = None
        if not item.answers:
            raise ValueError(f"{item.id}: an answerable item needs an answer span")
        # '|' separates alternatives, so an answer that holds one could not be written as a key fact.
        if any("|" in a for a in item.answers):
            raise ValueError(f"{item.id}: an answer span holds '|'")
        key_facts = list(item.answers) if item.kind == "conflict" else ["|".join(item.answers)]
        direct = []
        reference = " ".join(evidence) or item.answers[0]
    if item.kind == "conflict":
        kind = "conflict"
    elif len(item.articles) > 1:
        kind = "multi_doc"
    else:
        kind = "factual"
    return GoldenItem.model_validate(
        {
            **base,
            "kind": kind,
            "answerable": True,
            "reference": reference,
            "key_facts": key_facts,
            "direct": direct,
            "verdict": verdict,
            "shape": SHAPE_OF_KIND.get(item.kind, "factoid"),
            # An answer sentence bears on the question when it holds a key fact or an evidence sentence.
            "relevant": evidence,
        }
    )


def evidence_texts(corpus: Corpus, item: Item) -> list[str]:
    """The item's evidence sentences, as ingest splits its articles."""
    return [corpus.articles[name].sentence(i) for name, i in item.evidence]


def reading_items(
    corpus: Corpus | None = None, names: list[str] | None = None, split: str = READING_SPLIT
) -> list[GoldenItem]:
    """The golden items of a reading split (default: the test split): the items whose articles are all
    in it."""
    corpus = corpus if corpus is not None else load_corpus()
    wanted = set(split_article_names(split=split) if names is None else names)
    return [
        to_golden(it, evidence_texts(corpus, it), split) for it in corpus.items if set(it.articles) <= wanted
    ]
