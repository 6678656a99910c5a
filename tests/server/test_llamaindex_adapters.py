"""The llama-index adapters, in process and against a live server: the README's example as written, source
nodes that are exactly the citations, retriever nodes that point at the source, and a serve path that never
imports llama-index."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from llama_index.core.base.base_query_engine import BaseQueryEngine
from llama_index.core.base.base_retriever import BaseRetriever

from server.llamaindex_adapters import BriefingAPIError, BriefingQueryEngine, BriefingRetriever, HttpBackend
from tests.conftest import SEED_DIR, free_port
from tests.server.conftest import served_data_dir, start_briefing_server

REPO = Path(__file__).resolve().parents[2]
QUESTION = "What role did Iran play in bringing the factions together?"


def readme_example() -> str:
    readme = (REPO / "README.md").read_text()
    found = re.search(r"<!-- llama-index-example -->\s*```python\n(.*?)```", readme, re.DOTALL)
    assert found, "the README's llama-index example is missing"
    return found.group(1)


def run_example(env: dict) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", readme_example()],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout.splitlines()


def check_example_output(lines: list[str]) -> None:
    assert "Tehran" in lines[0], lines[0]  # the answer
    sources = [line for line in lines if re.match(r"\[\d+\] ", line)]
    assert sources and all(re.search(r"chars \d+-\d+$", line) for line in sources), lines
    assert "Have Afghanistan's anti-Taliban movements" in "\n".join(sources)
    refusal = [line for line in lines if line.startswith("refused:")]
    assert refusal and refusal[0].startswith("refused: True - "), lines
    hits = [line for line in lines if re.match(r"0\.\d{4} ", line)]
    assert hits and all("chars" in line for line in hits), lines


def test_the_readme_example_runs_in_process_and_against_a_server(tmp_path, embedder):
    env = {
        **os.environ,
        "BRIEFING_DATA_DIR": str(served_data_dir(tmp_path / "in-process", embedder)),
        "BRIEFING_ARTICLES_DIR": str(SEED_DIR),
    }
    env.pop("BRIEFING_URL", None)
    in_process = run_example(env)
    check_example_output(in_process)

    port = free_port()
    server = start_briefing_server(
        served_data_dir(tmp_path / "served", embedder), port, tmp_path / "serve.log"
    )
    try:
        over_http = run_example({**env, "BRIEFING_URL": f"http://127.0.0.1:{port}"})
    finally:
        server.terminate()
        server.wait(timeout=30)
    check_example_output(over_http)
    assert over_http == in_process  # the same articles give the same answer, sources and passages


@pytest.fixture(scope="module")
def engines(api_service):
    url, service = api_service
    return BriefingQueryEngine.in_process(service), BriefingQueryEngine.from_url(url)


def test_source_nodes_are_exactly_the_citations(api_service, engines):
    _, service = api_service
    answer = service.ask(QUESTION)
    for engine in engines:
        assert isinstance(engine, BaseQueryEngine)
        response = engine.query(QUESTION)
        assert response.response == answer.answer and response.metadata["refused"] is False
        assert [n.node.metadata["n"] for n in response.source_nodes] == sorted(c.n for c in answer.citations)
        for node, citation in zip(
            response.source_nodes, sorted(answer.citations, key=lambda c: c.n), strict=True
        ):
            meta = node.node.metadata
            assert node.node.text == meta["quote"] == citation.quote
            document = service.library.document(meta["doc_id"])
            assert document.text[meta["start"] : meta["end"]] == meta["quote"]
            assert meta["title"] == document.info.title and meta["outlet"] == document.info.outlet
            assert node.score == citation.score


def test_a_refusal_is_a_response_that_says_so(engines):
    for engine in engines:
        response = engine.query("Who won the 2030 football world cup?")
        assert response.metadata["refused"] is True
        assert response.metadata["refusal_reason"]
        assert response.source_nodes == []
        assert response.response.startswith("The sources in the library do not say.")


def test_retriever_nodes_point_at_their_source(api_service):
    url, service = api_service
    local, remote = BriefingRetriever.in_process(service, top_k=4), BriefingRetriever.from_url(url, top_k=4)
    assert isinstance(local, BaseRetriever)
    hits = local.retrieve("Atta Mohammad Noor on those who call for war")
    assert len(hits) == 4
    for hit in hits:
        meta = hit.node.metadata
        document = service.library.document(meta["doc_id"])
        assert document.text[meta["start"] : meta["end"]] == hit.node.text
        assert meta["title"] == document.info.title and meta["published"] == document.info.published
    assert any("war" in hit.node.text for hit in hits)
    remote_hits = remote.retrieve("Atta Mohammad Noor on those who call for war")
    assert [(h.node.node_id, h.score, h.node.metadata) for h in remote_hits] == [
        (h.node.node_id, h.score, h.node.metadata) for h in hits
    ]


def test_the_servers_errors_reach_the_caller(api):
    with pytest.raises(BriefingAPIError) as raised:
        HttpBackend(api).retrieve("   ", None)
    assert raised.value.status == 422 and "whitespace" in str(raised.value)


def test_serving_never_imports_llama_index(tmp_path, embedder):
    """The adapters are opt-in: building the service (library, engine, seed ingest) and the app with its UI
    imports no llama-index module. (The bare `llama_index` namespace package, which is empty, is loaded when
    the sentence splitter locates the NLTK data that llama-index bundles.)"""
    code = (
        "import sys\n"
        "from server.app import create_app\n"
        "from server.cli import build_parser\n"
        "from server.service import build_service\n"
        "from server.settings import Settings\n"
        "settings = Settings()\n"
        "create_app(settings, service=build_service(settings))\n"
        "build_parser()\n"
        "print(sorted(m for m in sys.modules if m.startswith('llama_index.')))\n"
    )
    env = {
        **os.environ,
        "BRIEFING_DATA_DIR": str(served_data_dir(tmp_path / "data", embedder)),
        "BRIEFING_ARTICLES_DIR": str(SEED_DIR),
    }
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
