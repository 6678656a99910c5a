"""The 10-second version of `make stress`: a real server on loopback under 32 clients with uploads and
deletes; no 5xx, the index exactly as expected and whole, RSS growth under 10%."""

from evals.stress import run_stress


def test_ten_second_soak(tmp_path, embedder):
    result = run_stress(duration_s=10, clients=32, out_dir=tmp_path, models_from=embedder.model_path.parent)
    assert result.passed, result.failures
    assert result.requests > 100 and result.uploads >= 3 and result.deletes >= 2
    assert set(result.by_endpoint) >= {
        "POST /v1/ask",
        "POST /v1/ask/stream",
        "POST /v1/chat/completions",
        "GET /v1/documents",
        "POST /v1/documents",
        "DELETE /v1/documents/{id}",
    }
    assert (tmp_path / "stress.md").read_text().startswith("# Soak test: PASSED")
