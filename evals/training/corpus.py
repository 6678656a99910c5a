"""The reading corpus (evals/reading/desks): its articles as ingest splits them, its labelled items, and
its split by article into train, dev and test.

Each desk is split on its own, so adding a desk never moves another desk's articles. Articles that a
question needs together (a story told by two outlets) form one group and stay on one side. Groups are
ordered by a hash of their names and dealt to test first, then dev, then train, until each holds its
share of the desk's articles."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ingest.prepare import split_document

SPLITS = ("train", "dev", "test")
# Shares of each desk's articles (the rest is train).
TEST_SHARE = 0.15
DEV_SHARE = 0.15

_SPACE = re.compile(r"\s+")


def corpus_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "reading" / "desks"


@dataclass(frozen=True)
class Article:
    """An article as the library would hold it: its cleaned text and its sentences' offsets."""

    name: str
    desk: str
    title: str
    outlet: str
    published: str
    text: str
    sentences: tuple[tuple[int, int], ...]

    def sentence(self, i: int) -> str:
        start, end = self.sentences[i]
        return self.text[start:end]


@dataclass(frozen=True)
class Item:
    """One labelled question. `evidence` holds (article name, sentence index) pairs; for a near miss they
    are the distractors a careless reader would answer from."""

    id: str
    desk: str
    articles: tuple[str, ...]
    question: str
    answerable: bool
    kind: str
    answers: tuple[str, ...]  # the shortest answer first, then the alternatives
    yes_no: str | None
    evidence: tuple[tuple[str, int], ...]
    note: str = ""


@dataclass
class Corpus:
    articles: dict[str, Article] = field(default_factory=dict)
    items: list[Item] = field(default_factory=list)
    split_of: dict[str, str] = field(default_factory=dict)  # article name -> split
    _asked: dict[str, str] = field(default_factory=dict, repr=False)

    def asked(self, item: Item) -> str:
        """The words of an item's question that the reader reads, as serving gives them to it: without a
        request around the question (server/answer/question_analysis.py)."""
        if item.id not in self._asked:
            from server.answer.question_analysis import analyse_question

            self._asked[item.id] = analyse_question(item.question).asked or item.question
        return self._asked[item.id]

    def items_in(self, split: str, articles: set[str] | None = None) -> list[Item]:
        return [
            it
            for it in self.items
            if all(self.split_of[a] == split for a in it.articles)
            and (articles is None or set(it.articles) <= articles)
        ]

    def articles_in(self, split: str) -> list[str]:
        return sorted(a for a, s in self.split_of.items() if s == split)


def _normalised(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _evidence_sentences(article: Article, quote: str) -> list[int]:
    """The article's sentences that an evidence quote covers (ingest's sentence boundaries and the
    writer's may differ)."""
    flat, index = [], []  # the text with runs of white space made one space, and where each char came from
    previous_space = False
    for i, ch in enumerate(article.text):
        space = ch.isspace()
        if space and previous_space:
            continue
        flat.append(" " if space else ch)
        index.append(i)
        previous_space = space
    at = "".join(flat).find(_normalised(quote))
    if at < 0:
        return []
    start, end = index[at], index[at + len(_normalised(quote)) - 1] + 1
    return [i for i, (s, e) in enumerate(article.sentences) if s < end and start < e]


def load_article(path: Path, desk: str) -> Article:
    document, _chunks, sentences = split_document(path)
    meta = document.metadata
    return Article(
        name=path.name,
        desk=desk,
        title=meta.title or "",
        outlet=meta.outlet or "",
        published=meta.published or "",
        text=document.text,
        sentences=tuple((s.start, s.end) for s in sentences),
    )


def _groups(names: list[str], items: list[dict]) -> list[list[str]]:
    parent = {n: n for n in names}

    def root(n: str) -> str:
        while parent[n] != n:
            n = parent[n]
        return n

    for it in items:
        arts = it["article"] if isinstance(it["article"], list) else [it["article"]]
        for other in arts[1:]:
            parent[root(other)] = root(arts[0])
    out: dict[str, list[str]] = {}
    for n in names:
        out.setdefault(root(n), []).append(n)
    return [sorted(g) for g in out.values()]


def split_desk(desk: str, names: list[str], items: list[dict]) -> dict[str, str]:
    groups = sorted(
        _groups(names, items), key=lambda g: hashlib.sha256(f"{desk}:{'|'.join(g)}".encode()).hexdigest()
    )
    targets = {"test": round(TEST_SHARE * len(names)), "dev": round(DEV_SHARE * len(names))}
    counts = {"test": 0, "dev": 0}
    out = {}
    for g in groups:
        split = next((s for s in ("test", "dev") if counts[s] < targets[s]), "train")
        if split != "train":
            counts[split] += len(g)
        for n in g:
            out[n] = split
    return out


def load_corpus(root: Path | None = None, desks: list[str] | None = None) -> Corpus:
    """Every desk under `root` (default evals/reading/desks), split by article."""
    root = root or corpus_dir()
    corpus = Corpus()
    for desk_dir in sorted(p for p in root.iterdir() if (p / "items.jsonl").exists()):
        desk = desk_dir.name
        if desks and desk not in desks:
            continue
        paths = sorted((desk_dir / "articles").glob("*.txt"))
        for p in paths:
            corpus.articles[p.name] = load_article(p, desk)
        raw = [
            json.loads(line) for line in (desk_dir / "items.jsonl").read_text().splitlines() if line.strip()
        ]
        corpus.split_of.update(split_desk(desk, [p.name for p in paths], raw))
        for it in raw:
            arts = tuple(it["article"] if isinstance(it["article"], list) else [it["article"]])
            if not all(a in corpus.articles for a in arts):
                continue
            evidence: list[tuple[str, int]] = []
            for quote in it.get("evidence") or []:
                for a in arts:
                    found = _evidence_sentences(corpus.articles[a], quote)
                    if found:
                        evidence += [(a, i) for i in found if (a, i) not in evidence]
                        break
            answers = [it.get("answer")] + list(it.get("answer_alternatives") or [])
            corpus.items.append(
                Item(
                    id=it["id"],
                    desk=desk,
                    articles=arts,
                    question=it["question"],
                    answerable=bool(it["answerable"]),
                    kind=it["kind"],
                    answers=tuple(a for a in answers if a),
                    yes_no=it.get("yes_no"),
                    evidence=tuple(evidence),
                    note=it.get("note") or "",
                )
            )
    return corpus


def write_splits(corpus: Corpus, target: Path) -> None:
    """The split of every article, for the model card and for anyone checking what the model saw."""
    out = {s: corpus.articles_in(s) for s in SPLITS}
    target.write_text(json.dumps(out, indent=1) + "\n")
