"""Shared fixtures: the real bundled embedding model and real Chroma stores in temporary folders."""

from __future__ import annotations

import os
import shutil
import socket
from pathlib import Path

import pytest

from index.embedding import set_offline_environment

set_offline_environment()

REPO = Path(__file__).resolve().parent.parent
SEED_DIR = REPO / "data" / "articles"
NOOR_ARTICLE = SEED_DIR / "000_0ae9bf6d82840a13.txt"
NATIONPRESS_ARTICLE = SEED_DIR / "003_5457fee9bd57a84c.txt"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def embedder(tmp_path_factory):
    """The default embedder (ONNX int8, exported once from the bundled model for the session)."""
    from server.settings import IndexSettings, Settings
    from server.wiring import build_embedder

    return build_embedder(Settings(index=IndexSettings(data_dir=tmp_path_factory.mktemp("models"))))


@pytest.fixture()
def make_library(tmp_path, embedder):
    """Build a Library over a fresh embedded Chroma store in a temp dir (or a given one)."""
    from server.settings import IndexSettings, Settings
    from server.wiring import build_library

    def make(data_dir: Path | None = None, chroma_url: str | None = None):
        settings = Settings(
            index=IndexSettings(data_dir=data_dir or tmp_path / "data", chroma_url=chroma_url)
        )
        return build_library(settings, embedder=embedder)

    return make


@pytest.fixture(scope="session")
def seed_library(tmp_path_factory, embedder):
    """One library with the two seed articles, shared by read-only tests."""
    from server.settings import IndexSettings, Settings
    from server.wiring import build_library

    data_dir = tmp_path_factory.mktemp("seed-data")
    library = build_library(Settings(index=IndexSettings(data_dir=data_dir)), embedder=embedder)
    report = library.ingest_paths([SEED_DIR])
    assert not report.failures, report.failures
    return library


@pytest.fixture()
def seed_copy(tmp_path) -> Path:
    """A private copy of the seed articles (with sidecars) that a test may change."""
    target = tmp_path / "articles"
    shutil.copytree(SEED_DIR, target)
    return target


def start_and_wait(args: list[str], ready_url: str, log_path: Path, env: dict, timeout: float = 120.0):
    """Start a real server process and wait until `ready_url` answers 200; fail with its log if it never does."""
    import subprocess
    import time

    import httpx

    proc = subprocess.Popen(args, stdout=log_path.open("wb"), stderr=subprocess.STDOUT, env=env)
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if httpx.get(ready_url, timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.3)
    proc.kill()
    pytest.fail(f"{args[0]} did not start: " + log_path.read_text()[-2000:])


def chroma_executable() -> str:
    found = shutil.which("chroma") or str(Path(os.sys.executable).parent / "chroma")
    return found
