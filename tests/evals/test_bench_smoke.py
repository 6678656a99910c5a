"""A short benchmark run: every figure is produced. Timings are reported, never asserted here."""

import json

from evals.bench import run_bench


def test_bench_smoke_produces_every_figure(tmp_path, monkeypatch):
    # The reader engine, so that the reader's own pass (its floor) is measured too.
    monkeypatch.setenv("BRIEFING_ANSWER_ENGINE", "reader")
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
    for key in (
        "p50_ms",
        "p95_ms",
        "p99_ms",
        "floor_p50_ms",
        "reader_floor_p50_ms",
        "p50_over_floor",
        "p50_over_floors",
    ):
        assert answers[key] > 0
    briefings = seed["briefings"]
    assert briefings["briefings"] == 2 and briefings["citations_p50"] > 0
    assert all(briefings[k] > 0 for k in ("p50_s", "p95_s", "max_s"))
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
    assert "| seed | 2 |" in md and "HTTP load" in md and "## Briefings" in md
    assert "## Writes through the API" in md and "| 100k | 12 |" in md


def test_a_scale_run_alone_keeps_the_reports_other_scales(tmp_path):
    from evals.bench import write_bench

    def local_only(scale: str, articles: int, measured: str) -> dict:
        local = {
            "articles": articles,
            "chunks": articles * 5,
            "build_s": 1.0,
            "add_p50_ms": 1.0,
            "add_p95_ms": 1.0,
            "delete_p50_ms": 1.0,
            "delete_p95_ms": 1.0,
            "search_p50_ms": 1.0,
        }
        return {"scale": scale, "local_index": local, "measured": measured}

    write_bench([local_only("1k", 1000, "day 1"), local_only("100k", 100_000, "day 1")], tmp_path)
    write_bench([local_only("seed", 2, "day 2"), local_only("1k", 1000, "day 2")], tmp_path)
    scales = json.loads((tmp_path / "bench.json").read_text())["scales"]
    assert [(s["scale"], s["measured"]) for s in scales] == [
        ("seed", "day 2"),
        ("1k", "day 2"),
        ("100k", "day 1"),
    ]
    write_bench([local_only("seed", 2, "day 3")], tmp_path, keep_other_scales=False)
    assert [s["scale"] for s in json.loads((tmp_path / "bench.json").read_text())["scales"]] == ["seed"]
