"""The UI's own API through gradio_client, and the layering rule."""

import ast
from pathlib import Path

from tests.conftest import REPO
from tests.server.conftest import make_settings


def test_gradio_client_calls_the_ui_api(ui_server):
    from gradio_client import Client

    client = Client(ui_server + "/", verbose=False)
    result = client.predict("What role did Iran play?", 4, "extractive", api_name="/ask")
    assert not result["refused"]
    assert "Tehran" in result["answer"]
    assert result["citations"] and len(result["retrieved"]) == 4


def test_without_a_number_of_passages_the_ui_uses_the_engine_s_own(ui_server, tmp_path):
    import httpx
    from gradio_client import Client

    passages = make_settings(tmp_path).answer.passages()  # the live server's settings, built alike
    config = httpx.get(ui_server + "/config", timeout=30).json()
    slider = next(c for c in config["components"] if c.get("props", {}).get("elem_id") == "briefing-topk")
    assert slider["props"]["value"] == passages
    client = Client(ui_server + "/", verbose=False)
    result = client.predict("What role did Iran play?", None, "extractive", api_name="/ask")
    assert len(result["retrieved"]) == passages


def test_ui_imports_no_index_internals():
    for path in Path(REPO / "ui").glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not name.startswith(
                    ("index", "ingest", "chromadb", "server.answer.engine", "server.wiring")
                ), f"{path.name} imports {name}"
