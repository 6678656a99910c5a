"""The UI's own API through gradio_client, and the layering rule."""

import ast
from pathlib import Path

from tests.conftest import REPO


def test_gradio_client_calls_the_ui_api(ui_server):
    from gradio_client import Client

    client = Client(ui_server + "/", verbose=False)
    result = client.predict("What role did Iran play?", 4, "extractive", api_name="/ask")
    assert not result["refused"]
    assert "Tehran" in result["answer"]
    assert result["citations"] and len(result["retrieved"]) == 4


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
