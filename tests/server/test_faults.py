"""Faults, for real: SIGKILL in the middle of an ingest or an upload, SIGTERM while a request is in
flight, and a `chroma run` server that goes away and comes back."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import SEED_DIR, chroma_executable, free_port, start_and_wait
from tests.server.conftest import LiveServer, make_settings, served_data_dir, start_briefing_server

BIG_ARTICLE_SENTENCES = 900


def big_article() -> bytes:
    """A long article (about 900 distinct sentences) whose ingest takes a few seconds."""
    lines = ["District councils report on water and roads", ""]
    for i in range(0, BIG_ARTICLE_SENTENCES, 6):
        lines.append(
            " ".join(
                f"On day {j} the council of district {j % 41} reviewed project {j * 7 + 3} on canal "
                f"number {j % 13} and road section {j % 29}."
                for j in range(i, i + 6)
            )
        )
        lines.append("")
    return "\n".join(lines).encode()


def open_library(data_dir: Path, embedder):
    from server.settings import IndexSettings, Settings
    from server.wiring import build_library

    return build_library(Settings(index=IndexSettings(data_dir=data_dir)), embedder=embedder)


def local_documents_as_left(data_dir: Path) -> dict[str, tuple[int, int]]:
    """The local index on disk, read without syncing it: (chunks, sentences) per document."""
    from index.local_index import LocalIndex
    from server.settings import IndexSettings, Settings
    from server.wiring import local_dir

    return LocalIndex(local_dir(Settings(index=IndexSettings(data_dir=data_dir)))).part_counts()


def upload_in_background(url: str, data: bytes, headers: dict | None = None) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def run():
        try:
            outcome["response"] = httpx.post(
                f"{url}/v1/documents",
                files={"file": ("district-councils.txt", data)},
                headers=headers or {},
                timeout=120,
            )
        except httpx.HTTPError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def test_sigkill_mid_ingest_leaves_whole_documents_and_ingest_completes(tmp_path, embedder):
    from evals.synthetic_corpus import generate_corpus

    corpus = tmp_path / "corpus"
    files = generate_corpus(SEED_DIR, corpus, 60)
    data_dir = served_data_dir(tmp_path / "data", embedder)
    env = {**os.environ, "BRIEFING_DATA_DIR": str(data_dir)}
    briefing = str(Path(sys.executable).parent / "briefing")
    log = tmp_path / "ingest.log"
    proc = subprocess.Popen([briefing, "ingest", str(corpus)], stderr=log.open("wb"), env=env)
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        # tqdm reports each file as it is read; a batch of 16 is written when the 17th is read.
        if any(f"| {n}/{len(files)}" in log.read_text(errors="replace") for n in range(20, 40)):
            break
        time.sleep(0.05)
    assert proc.poll() is None, "ingest finished before it could be killed: " + log.read_text()[-500:]
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)

    local_left = local_documents_as_left(data_dir)
    library = open_library(data_dir, embedder)  # opening sweeps what the interrupted write left
    audit = library.audit()
    assert audit.ok, audit  # the local index caught up with the store: the same documents, whole
    assert 0 < audit.documents < len(files), audit
    records = {d.id: (d.chunks, d.sentences) for d in library.documents()}
    # As the kill left it, the local index held only whole documents that the store holds.
    assert all(records.get(doc_id) == n for doc_id, n in local_left.items()), local_left
    del library

    rerun = subprocess.run([briefing, "ingest", str(corpus)], capture_output=True, text=True, env=env)
    assert rerun.returncode == 0, rerun.stderr[-2000:]
    audit = open_library(data_dir, embedder).audit()
    assert audit.ok and audit.documents == len(files), audit


def test_sigkill_mid_upload_then_restart(tmp_path, embedder):
    data_dir = served_data_dir(tmp_path / "data", embedder)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_briefing_server(data_dir, port, tmp_path / "first.log")
    documents_before = {d["id"] for d in httpx.get(f"{url}/v1/documents").json()}
    thread, outcome = upload_in_background(url, big_article())
    time.sleep(2.0)
    server.send_signal(signal.SIGKILL)
    server.wait(timeout=10)
    thread.join(timeout=30)
    assert "error" in outcome, "the upload had finished before the kill; make the article longer"
    assert set(local_documents_as_left(data_dir)) <= documents_before

    server = start_briefing_server(data_dir, port, tmp_path / "second.log")
    try:
        after = {d["id"] for d in httpx.get(f"{url}/v1/documents").json()}
        assert after == documents_before, "the interrupted upload must not be visible"
        thread, outcome = upload_in_background(url, big_article())
        thread.join(timeout=120)
        assert outcome["response"].status_code == 201, outcome
        document = outcome["response"].json()["document"]
        assert document["sentences"] >= BIG_ARTICLE_SENTENCES
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    audit = open_library(data_dir, embedder).audit()
    assert audit.ok and audit.documents == len(documents_before) + 1, audit


def test_sigterm_lets_the_in_flight_upload_finish(tmp_path, embedder):
    """Graceful shutdown, with JSON logs, the request id in them, and the API key never in them."""
    data_dir = served_data_dir(tmp_path / "data", embedder)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "server.log"
    key = "k3y-that-must-not-be-logged"
    server = start_briefing_server(data_dir, port, log_path, briefing_api_key=key)
    asked = httpx.post(
        f"{url}/v1/ask",
        json={"question": "What role did Iran play?"},
        headers={"X-Request-ID": "trace-me-123"},
        timeout=60,
    )
    assert asked.status_code == 200 and asked.headers["x-request-id"] == "trace-me-123"
    thread, outcome = upload_in_background(url, big_article(), {"Authorization": f"Bearer {key}"})
    time.sleep(1.0)
    assert thread.is_alive(), "the upload finished before SIGTERM; make the article longer"
    server.send_signal(signal.SIGTERM)
    thread.join(timeout=60)
    assert outcome.get("response") is not None, outcome
    assert outcome["response"].status_code == 201
    # uvicorn shuts down gracefully, then re-raises the signal so that supervisors see why it stopped.
    assert server.wait(timeout=30) in (0, -signal.SIGTERM)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/healthz", timeout=2)

    lines = [line for line in log_path.read_text().splitlines() if line.startswith("{")]
    entries = [json.loads(line) for line in lines]
    assert entries and all({"time", "level", "logger", "request_id", "message"} <= e.keys() for e in entries)
    access = [e for e in entries if e["logger"] == "uvicorn.access" and e["request_id"] == "trace-me-123"]
    assert access and access[0]["path"] == "/v1/ask" and access[0]["status"] == 200
    assert key not in log_path.read_text()
    audit = open_library(data_dir, embedder).audit()
    assert audit.ok and audit.documents == 3, audit


def start_chroma(path: Path, port: int, log: Path) -> subprocess.Popen:
    return start_and_wait(
        [chroma_executable(), "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
        f"http://127.0.0.1:{port}/api/v2/heartbeat",
        log,
        env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )


def _service_on_chroma_server(tmp_path, embedder):
    """A real `chroma run` server and a service built on it: (process, path, port, settings, service)."""
    from server.service import build_service

    port = free_port()
    path = tmp_path / "chroma-server"
    chroma = start_chroma(path, port, tmp_path / "chroma1.log")
    settings = make_settings(tmp_path / "data")
    settings.index.chroma_url = f"http://127.0.0.1:{port}"
    return chroma, path, port, settings, build_service(settings, embedder=embedder)


def test_chroma_server_down_gives_503_then_recovers_without_restart(tmp_path, embedder):
    from server.app import create_app

    chroma, chroma_path, chroma_port, settings, service = _service_on_chroma_server(tmp_path, embedder)
    question = {"question": "What role did Iran play?"}
    try:
        with LiveServer(create_app(settings, service=service, mount_ui=False), free_port()) as live:
            assert httpx.post(f"{live.url}/v1/ask", json=question, timeout=60).status_code == 200
            chroma.send_signal(signal.SIGKILL)
            chroma.wait(timeout=10)

            ready = httpx.get(f"{live.url}/readyz", timeout=30)
            assert ready.status_code == 503 and ready.json()["status"] == "unavailable"
            for method, path, kwargs in [
                ("POST", "/v1/ask", {"json": question}),
                ("POST", "/v1/ask/stream", {"json": question}),
                ("GET", "/v1/documents", {}),
                ("POST", "/v1/documents", {"files": {"file": ("x.txt", b"Kabul news on 2 May 2025.\n")}}),
            ]:
                down = httpx.request(method, f"{live.url}{path}", timeout=60, **kwargs)
                assert down.status_code == 503, (path, down.text)
                assert "Chroma is not reachable" in down.json()["error"]["message"]

            chroma = start_chroma(chroma_path, chroma_port, tmp_path / "chroma2.log")
            assert httpx.get(f"{live.url}/readyz", timeout=30).status_code == 200
            again = httpx.post(f"{live.url}/v1/ask", json=question, timeout=60)
            assert again.status_code == 200 and "Tehran" in again.json()["answer"]
            assert service.library.audit().ok
    finally:
        chroma.terminate()
        chroma.wait(timeout=20)


def test_the_server_warms_the_answer_path_before_it_is_ready_and_starts_with_the_store_down(
    tmp_path, embedder
):
    """Ready means the first question is answered as the next: the pipelines, the store's indexes and the
    articles' details are loaded before /readyz says so. A store that is down at start makes the warm-up
    fail and /readyz say 503; the server still starts and recovers."""
    from server.app import create_app

    chroma, chroma_path, chroma_port, settings, service = _service_on_chroma_server(tmp_path, embedder)
    question = {"question": "What role did Iran play?"}
    try:
        assert service.engine._docs_cache is None
        with LiveServer(create_app(settings, service=service, mount_ui=False), free_port()):
            assert service.engine._docs_cache is not None and len(service.engine._docs_cache[1]) == 2
        service.engine.invalidate()
        chroma.send_signal(signal.SIGKILL)
        chroma.wait(timeout=10)
        live = LiveServer(create_app(settings, service=service, mount_ui=False), free_port())
        live.thread.start()
        try:
            assert _status_once_up(f"{live.url}/readyz") == 503
            assert service.engine._docs_cache is None
            chroma = start_chroma(chroma_path, chroma_port, tmp_path / "chroma2.log")
            assert httpx.get(f"{live.url}/readyz", timeout=30).status_code == 200
            assert httpx.post(f"{live.url}/v1/ask", json=question, timeout=60).status_code == 200
        finally:
            live.__exit__(None, None, None)
    finally:
        chroma.terminate()
        chroma.wait(timeout=20)


def _status_once_up(url: str, seconds: float = 120) -> int:
    """The first status the server answers with, once it listens."""
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            return httpx.get(url, timeout=30).status_code
        except httpx.TransportError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} never answered")
