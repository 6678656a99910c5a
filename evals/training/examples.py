"""Labelled (question, candidate sentence) pairs from the reading corpus.

For each question: its evidence sentences are positives (for a near miss there are none); the sentences
most like the question by the bundled encoder that are not evidence are hard negatives, with a near miss's
distractors first among them; a few random sentences of its article and of another article of its desk are
easy ones. A sentence that is not evidence but holds the answer's words is left out rather than called a
negative. Each pair carries the answer's character span inside the candidate when the candidate holds it,
and, for a yes/no question, whether the candidate says yes, no or neither."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

from evals.training.corpus import Corpus, Item

VERDICTS = ("yes", "no", "not_stated")
IGNORE = -1


@dataclass(frozen=True)
class Pair:
    item_id: str
    question: str
    before: str
    candidate: str
    after: str
    answers: float  # 1.0 if the candidate answers the question
    span: tuple[int, int] | None  # character span of the answer inside the candidate
    verdict: int  # index into VERDICTS, or IGNORE


def neighbours(corpus: Corpus, article: str, i: int) -> tuple[str, str]:
    a = corpus.articles[article]
    before = a.sentence(i - 1) if i > 0 else ""
    after = a.sentence(i + 1) if i + 1 < len(a.sentences) else ""
    return before, after


def answer_span(item: Item, sentence: str) -> tuple[int, int] | None:
    """Where the item's answer (or one of its alternatives, shortest listed first) lies in the sentence."""
    for ans in item.answers:
        at = sentence.find(ans)
        if at < 0:
            at = sentence.lower().find(ans.lower())
        if at >= 0:
            return at, at + len(ans)
    return None


def _holds_answer(item: Item, sentence: str) -> bool:
    return item.answerable and any(len(a) >= 4 and a.lower() in sentence.lower() for a in item.answers)


def _verdict(item: Item, is_evidence: bool) -> int:
    if item.kind != "yes_no":
        return IGNORE
    if not is_evidence:
        return VERDICTS.index("not_stated")
    return VERDICTS.index(item.yes_no) if item.yes_no in ("yes", "no") else IGNORE


class SentenceSimilarity:
    """Cosine similarity of questions to the corpus's sentences by the bundled encoder (ONNX, int8)."""

    def __init__(self, corpus: Corpus, embedder):
        self.keys: list[tuple[str, int]] = [
            (name, i) for name, a in corpus.articles.items() for i in range(len(a.sentences))
        ]
        texts = [corpus.articles[n].sentence(i) for n, i in self.keys]
        self.matrix = embedder.embed_texts(texts)
        self.row = {k: r for r, k in enumerate(self.keys)}
        self.embedder = embedder

    def ranked(self, question: str, candidates: list[tuple[str, int]]) -> list[tuple[str, int]]:
        q = self.embedder.embed_query(question)
        sims = self.matrix[[self.row[c] for c in candidates]] @ q
        return [candidates[j] for j in np.argsort(-sims, kind="stable")]


def item_pairs(
    item: Item, corpus: Corpus, similarity: SentenceSimilarity, config, rng: random.Random
) -> list[Pair]:
    candidates = [(a, i) for a in item.articles for i in range(len(corpus.articles[a].sentences))]
    evidence = set(item.evidence)
    chosen: list[tuple[str, int]] = []
    if item.answerable:
        chosen += [c for c in item.evidence]
    else:
        chosen += [c for c in item.evidence]  # the distractors: hard negatives
    others = [
        c
        for c in similarity.ranked(item.question, candidates)
        if c not in evidence and not _holds_answer(item, corpus.articles[c[0]].sentence(c[1]))
    ]
    chosen += others[: config.hard_negatives]
    rest = others[config.hard_negatives :]
    chosen += rng.sample(rest, min(config.random_negatives, len(rest)))
    desk_others = [n for n, a in corpus.articles.items() if a.desk == item.desk and n not in item.articles]
    desk_others = [n for n in desk_others if corpus.split_of[n] == corpus.split_of[item.articles[0]]]
    for _ in range(config.other_article_negatives):
        if desk_others:
            name = rng.choice(desk_others)
            chosen.append((name, rng.randrange(len(corpus.articles[name].sentences))))
    pairs = []
    for article, i in dict.fromkeys(chosen):
        sentence = corpus.articles[article].sentence(i)
        positive = item.answerable and (article, i) in evidence
        before, after = neighbours(corpus, article, i)
        if rng.random() < config.drop_neighbour_share:
            before = ""
        if rng.random() < config.drop_neighbour_share:
            after = ""
        pairs.append(
            Pair(
                item_id=item.id,
                question=corpus.asked(item),
                before=before,
                candidate=sentence,
                after=after,
                answers=1.0 if positive else 0.0,
                span=answer_span(item, sentence) if positive and item.kind != "yes_no" else None,
                verdict=_verdict(item, positive),
            )
        )
    return pairs


def training_pairs(
    items: list[Item], corpus: Corpus, similarity: SentenceSimilarity, config, seed: int
) -> list[Pair]:
    rng = random.Random(seed)
    out: list[Pair] = []
    for item in items:
        out += item_pairs(item, corpus, similarity, config, rng)
    return out
