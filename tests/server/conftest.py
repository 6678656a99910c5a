"""A real uvicorn server on loopback, serving the app over a temp copy of the seed index."""

from __future__ import annotations

import re
import threading
import time

import httpx
import pytest

from tests.conftest import SEED_DIR, free_port


class LiveServer:
    def __init__(self, app, port: int):
        import uvicorn

        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                if httpx.get(f"{self.url}/readyz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not become ready")

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(timeout=30)


def served_data_dir(data_dir, embedder):
    """A data dir for a `briefing serve` process, with the session's ONNX export already in place (so the
    process does not export the model again)."""
    import shutil

    models = data_dir / "models"
    models.mkdir(parents=True, exist_ok=True)
    shutil.copy(embedder.model_path, models / embedder.model_path.name)
    return data_dir


def start_briefing_server(data_dir, port: int, log_path, **env):
    """A real `briefing serve` process on loopback (JSON logs to `log_path`), ready when this returns."""
    import os
    import sys
    from pathlib import Path

    from tests.conftest import start_and_wait

    briefing = str(Path(sys.executable).parent / "briefing")
    environment = {
        **os.environ,
        "BRIEFING_DATA_DIR": str(data_dir),
        "BRIEFING_ARTICLES_DIR": str(SEED_DIR),
        **{k.upper(): str(v) for k, v in env.items()},
    }
    return start_and_wait(
        [briefing, "serve", "--port", str(port)],
        f"http://127.0.0.1:{port}/readyz",
        log_path,
        env=environment,
    )


def make_settings(data_dir, **llm):
    from server.settings import IndexSettings, LLMSettings, ServerSettings, Settings

    return Settings(
        index=IndexSettings(data_dir=data_dir, articles_dir=SEED_DIR),
        server=ServerSettings(),
        llm=LLMSettings(**llm),
    )


@pytest.fixture(scope="session")
def api_service(tmp_path_factory, embedder):
    """(base URL, service) of a live server with the two seed articles ingested at start-up."""
    from server.app import create_app
    from server.service import build_service

    settings = make_settings(tmp_path_factory.mktemp("api-data"))
    service = build_service(settings, embedder=embedder)
    with LiveServer(create_app(settings, service=service, mount_ui=False), free_port()) as live:
        yield live.url, service


@pytest.fixture(scope="session")
def api(api_service):
    return api_service[0]


def assert_citation_contract(answer: dict, base_url: str) -> None:
    """text[start:end] == quote for every citation; every [n] resolves; every citation is used."""
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", answer["answer"])}
    cited = {c["n"] for c in answer["citations"]}
    assert numbers == cited, (numbers, cited)
    assert sorted(cited) == list(range(1, len(cited) + 1))
    for s in answer["sentences"]:
        assert set(s["citations"]) <= cited
    for c in answer["citations"]:
        doc = httpx.get(f"{base_url}/v1/documents/{c['doc_id']}", timeout=10).json()
        assert doc["text"][c["start"] : c["end"]] == c["quote"]
        assert c["title"] == doc["title"] and c["outlet"] == doc["outlet"]
    first_use = [int(n) for n in re.findall(r"\[(\d+)\]", answer["answer"])]
    assert list(dict.fromkeys(first_use)) == sorted(set(first_use)), "numbered by first use"
