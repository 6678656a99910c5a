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


def original_article_files(folder: Path = ARTICLES_DIR) -> list[Path]:
    """The test articles the golden set's original splits (core, robustness) ask about."""
    return sorted(folder.glob("*.txt"))


def split_article_files(folder: Path = ARTICLES_DIR) -> list[Path]:
    """The articles of the dev and blind splits, in a folder each."""
    return sorted(folder.glob("*/*.txt"))


def article_files(folder: Path = ARTICLES_DIR) -> list[Path]:
    """Every test article: those of the original splits, then those of the dev and blind splits."""
    return original_article_files(folder) + split_article_files(folder)


def require_seed(settings) -> Path:
    """The seed articles folder the eval's libraries start from; a ValueError saying what to do when it is
    not there (its default is a relative path, read from the current folder)."""
    seed = settings.index.articles_dir
    if not seed.is_dir():
        raise ValueError(
            f"the seed articles folder {seed} is not there (a relative path is read from the current"
            " folder): run from the repository root or set BRIEFING_ARTICLES_DIR"
        )
    return seed


@contextmanager
def eval_articles(client: AnswerClient, files: list[Path] | None = None) -> Iterator[list[str]]:
    """Upload test articles (default: all of them); yields the ids of those this run added, and deletes
    them afterwards (an article the library already held is left as it was)."""
    added: list[str] = []
    try:
        for path in article_files() if files is None else files:
            metadata = read_sidecar(path) or DocumentMetadata()
            status, doc_id = client.upload(path.name, path.read_bytes(), metadata)
            if status == "added":
                added.append(doc_id)
        yield added
    finally:
        for doc_id in added:
            client.delete(doc_id)
