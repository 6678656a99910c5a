"""The evaluation library: the seed articles plus the clearly fictional test articles in evals/articles/
(a wire report, an interview, a listicle, an analysis with publisher furniture). The golden set asks about
all of them, so the eval adds the test articles for its run and removes again the ones it added."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from evals.clients import AnswerClient
from ingest.metadata import read_sidecar
from ingest.models import DocumentMetadata

ARTICLES_DIR = Path(__file__).with_name("articles")


def article_files(folder: Path = ARTICLES_DIR) -> list[Path]:
    """The test articles: those of the original golden set, then those of the dev and blind splits."""
    return sorted(folder.glob("*.txt")) + sorted(folder.glob("*/*.txt"))


@contextmanager
def eval_articles(client: AnswerClient, folder: Path = ARTICLES_DIR) -> Iterator[list[str]]:
    """Upload the test articles; yields the ids of those this run added, and deletes them afterwards
    (an article the library already held is left as it was)."""
    added: list[str] = []
    try:
        for path in article_files(folder):
            metadata = read_sidecar(path) or DocumentMetadata()
            status, doc_id = client.upload(path.name, path.read_bytes(), metadata)
            if status == "added":
                added.append(doc_id)
        yield added
    finally:
        for doc_id in added:
            client.delete(doc_id)
