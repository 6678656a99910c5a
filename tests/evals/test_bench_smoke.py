"""A short benchmark run: every figure is produced. Timings are reported, never asserted here."""

import json

from evals.bench import run_bench


def test_bench_smoke_produces_every_figure(tmp_path):
    results = run_bench(["seed", "100k"], out_dir=tmp_path, smoke=True)
    saved = json.loads((tmp_path / "bench.json").read_text())
    assert saved["scales"] == results
    seed = results[0]
    ingest = seed["ingest"]
    for key in (
        "pipeline_s",
        "raw_encoder_s",
        "ratio_to_raw_encoder",
        "chunks_per_s",
        "encoder_s",
        "encoder_speedup",
    ):
        assert ingest[key] > 0
    assert ingest["articles"] == 2 and ingest["chunks"] > 5
    answers = seed["answers"]
    for key in ("p50_ms", "p95_ms", "p99_ms", "floor_p50_ms", "p50_over_floor"):
        assert answers[key] > 0
    assert [h["clients"] for h in seed["http"]] == [1, 8]
    assert all(h["requests"] > 0 and h["errors"] == 0 for h in seed["http"])
    assert seed["cold_start_s"] > 0 and seed["peak_rss_mb"] > 100
    assert seed["retrieval_quality"]["non_llm_context_recall"] >= 0.9
    writes = seed["writes"]
    assert writes["operations"] == 3
    assert all(writes[k] > 0 for k in ("upload_p50_s", "upload_p95_s", "delete_p50_s", "delete_p95_s"))
    simulated = results[1]
    assert simulated["scale"] == "100k" and "ingest" not in simulated  # the local index alone
    for scale in results:
        local = scale["local_index"]
        assert local["chunks"] > local["articles"] > 0
        assert all(local[k] > 0 for k in ("add_p50_ms", "delete_p50_ms", "search_p50_ms"))
    md = (tmp_path / "bench.md").read_text()
    assert "| seed | 2 |" in md and "HTTP load" in md
    assert "## Writes through the API" in md and "| 100k | 12 |" in md
