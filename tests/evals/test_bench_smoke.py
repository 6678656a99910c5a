"""A short benchmark run: every figure is produced. Timings are reported, never asserted here."""

import json

from evals.bench import run_bench


def test_bench_smoke_produces_every_figure(tmp_path):
    results = run_bench(["seed"], out_dir=tmp_path, smoke=True)
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
    md = (tmp_path / "bench.md").read_text()
    assert "| seed | 2 |" in md and "HTTP load" in md
