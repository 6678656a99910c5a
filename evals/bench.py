"""`briefing bench`: speed, cost and scale, measured honestly. Every figure is a median over repeated runs,
taken in the same run as its reference (raw encoder for ingest, embedding + Chroma query for answers)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from evals.report import REPORTS_DIR

SCALES = {"seed": 2, "1k": 1000, "10k": 10_000, "100k": 100_000}
# Scales simulated with the local index alone (no embedding, no Chroma): what a write costs there.
KEYWORD_ONLY = {"100k"}
WRITES = 12  # uploads, then deletes, timed one by one at each scale
# Above this many articles the encoders' reference times are measured on a random sample of the articles
# (this many) and scaled by the corpus's chunk and sentence counts: at 10,000 articles the raw encoder alone
# would take about half an hour, and its time per chunk does not depend on how many there are.
ENCODER_SAMPLE_ARTICLES = 1000
# Topics briefings are timed on: what the seed articles (and the scaled corpora recombined from them) report.
BRIEFING_TOPICS = [
    "Iran's role in the talks between the factions",
    "the National Resistance Council for the Salvation of Afghanistan",
    "negotiations with the Taliban",
    "Atta Mohammad Noor",
]


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_ingest(files: list[Path], data_dir: Path, repeats: int) -> dict:
    """Pipeline ingest (parse, split, embed chunks and sentences, write Chroma and the local index) against the raw
    encoder: SentenceTransformer.encode of the same chunk texts, in the same run (of a sample of them, scaled,
    above ENCODER_SAMPLE_ARTICLES articles)."""
    import random

    from sentence_transformers import SentenceTransformer

    from index.embedding import bundled_model_path
    from ingest.prepare import split_file
    from server.settings import IndexSettings, ServerSettings, Settings
    from server.wiring import build_embedder, build_library

    split = [split_file(f) for f in files]
    n_chunks = sum(len(chunks) for chunks, _ in split)
    n_sentences = sum(len(sentences) for _, sentences in split)
    sample = split
    if len(split) > ENCODER_SAMPLE_ARTICLES:
        sample = random.Random(11).sample(split, ENCODER_SAMPLE_ARTICLES)
    chunk_texts = [c for chunks, _ in sample for c in chunks]
    sentence_texts = [s for _, sentences in sample for s in sentences]
    encoder = SentenceTransformer(str(bundled_model_path()), device="cpu")
    raw, pipeline, ours = [], [], []
    # One encoder for every repeat (its one-off ONNX export is not ingest work).
    embedder = build_embedder(Settings(index=IndexSettings(data_dir=data_dir / "ingest-0")))
    for r in range(repeats):
        started = time.perf_counter()
        encoder.encode(chunk_texts, batch_size=32)
        raw.append((time.perf_counter() - started) * n_chunks / len(chunk_texts))
        # Our encoder alone: the vectors for the same chunks come from their sentences, each encoded once.
        started = time.perf_counter()
        embedder.embed_texts(sentence_texts)
        ours.append((time.perf_counter() - started) * n_sentences / len(sentence_texts))
        settings = Settings(index=IndexSettings(data_dir=data_dir / f"ingest-{r}"), server=ServerSettings())
        library = build_library(settings, embedder=embedder)
        started = time.perf_counter()
        report = library.ingest_paths(files)
        pipeline.append(time.perf_counter() - started)
        assert not report.failures, report.failures[:3]
    raw_s, pipe_s, ours_s = statistics.median(raw), statistics.median(pipeline), statistics.median(ours)
    return {
        "articles": len(files),
        "chunks": n_chunks,
        "encoder_sample_articles": len(sample),
        "pipeline_s": round(pipe_s, 3),
        "raw_encoder_s": round(raw_s, 3),
        "ratio_to_raw_encoder": round(pipe_s / raw_s, 3),
        "chunks_per_s": round(n_chunks / pipe_s, 2),
        "raw_chunks_per_s": round(n_chunks / raw_s, 2),
        "encoder_s": round(ours_s, 3),
        "encoder_speedup": round(raw_s / ours_s, 2),
        "data_dir": str(data_dir / "ingest-0"),
    }


def _reader_pass_ms(service, question: str) -> float:
    """The reader's own pass over the candidates an answer reads: as many of the retrieved chunks' sentences
    as it reads, each with its neighbours (retrieval done beforehand, outside the timing). They are taken by
    their cosine alone, not by the engine's shortlist score: the pass reads as many, though the engine's
    choice may hold sentences with more neighbours, so its inputs can run a little longer."""
    from server.answer.staged.read import adjacent, candidate_triples

    library, answer = service.library, service.settings.answer
    vector = library.embedder.embed_query(question)
    chunks = library.retrieve(question, k=answer.reader_passages, query_vector=vector)
    sentences, matrix = library.sentences(chunks)
    _chosen, triples = candidate_triples(
        sentences, adjacent(sentences), matrix @ vector, answer.reader_candidates
    )
    started = time.perf_counter()
    service.engine.reader.read(question, triples)
    return (time.perf_counter() - started) * 1000


def bench_answers(service, questions: list[str], rounds: int) -> dict:
    """In-process extractive answers against two floors: retrieval's (one query embedding plus one Chroma
    top-k query) and the reader's (its pass over the candidates it reads)."""
    latencies, floors, reader_floors = [], [], []
    library = service.library
    for _ in range(rounds):
        for q in questions:
            started = time.perf_counter()
            vector = library.embedder.embed_query(q)
            library.store.query_chunks(vector, service.settings.answer.passages())
            floors.append((time.perf_counter() - started) * 1000)
            if getattr(service.engine, "reader", None) is not None:
                reader_floors.append(_reader_pass_ms(service, q))
            started = time.perf_counter()
            service.ask(q)
            latencies.append((time.perf_counter() - started) * 1000)
    p50, floor = statistics.median(latencies), statistics.median(floors)
    reader_floor = statistics.median(reader_floors) if reader_floors else 0.0
    return {
        "requests": len(latencies),
        "p50_ms": round(p50, 2),
        "p95_ms": round(_percentile(latencies, 0.95), 2),
        "p99_ms": round(_percentile(latencies, 0.99), 2),
        "floor_p50_ms": round(floor, 2),
        "reader_floor_p50_ms": round(reader_floor, 2),
        "p50_over_floor": round(p50 / floor, 2),
        "p50_over_floors": round(p50 / (floor + reader_floor), 2),
    }


def bench_briefings(service, topics: list[str], rounds: int) -> dict:
    """In-process briefings (POST /v1/briefings' work, JSON): seconds per briefing, and what they held."""
    from server.briefing.request import BriefingRequest

    seconds, citations = [], []
    for _ in range(rounds):
        for topic in topics:
            started = time.perf_counter()
            briefing = service.brief(BriefingRequest(topic=topic))
            seconds.append(time.perf_counter() - started)
            citations.append(len(briefing.citations))
    return {
        "briefings": len(seconds),
        "p50_s": round(statistics.median(seconds), 3),
        "p95_s": round(_percentile(seconds, 0.95), 3),
        "max_s": round(max(seconds), 3),
        "citations_p50": statistics.median(citations),
    }


def bench_retrieval_quality(service) -> dict:
    from evals.clients import InProcessClient
    from evals.golden import load_golden
    from evals.runner import run_items, score

    # The core split asks about the seed articles, which every scale holds (the robustness split also asks
    # about evals/articles, which the benchmark's libraries do not).
    core = [i for i in load_golden() if i.split == "core"]
    result = score(run_items(core, InProcessClient(service)), thresholds={}, maximums={})
    keep = ("non_llm_context_recall", "key_fact_recall", "refusal_accuracy", "citation_validity")
    return {k: v for k, v in result.summary.items() if k in keep}


def start_server(data_dir: Path, port: int, ingest_seed: bool = False) -> tuple[subprocess.Popen, float]:
    """Start `briefing serve` on loopback; return it and the seconds until /readyz said 200."""
    env = {
        **os.environ,
        "BRIEFING_DATA_DIR": str(data_dir),
        "BRIEFING_HOST": "127.0.0.1",
        "BRIEFING_PORT": str(port),
        "BRIEFING_INGEST_SEED_ON_START": "true" if ingest_seed else "false",
    }
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = started + 180
    while time.perf_counter() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                return proc, time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    proc.kill()
    raise RuntimeError("the server did not become ready")


def memory_mb(pid: int, field: str = "VmHWM") -> float:
    """A process's memory from /proc: VmHWM (peak RSS) or VmRSS (current RSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def bench_http(url: str, questions: list[str], clients: int, seconds: float) -> dict:
    """Concurrent loopback clients posting /v1/ask for a bounded time."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def worker(offset: int) -> None:
        nonlocal errors
        with httpx.Client(base_url=url, timeout=30) as http:
            i = offset
            while time.perf_counter() < stop_at:
                started = time.perf_counter()
                try:
                    ok = (
                        http.post("/v1/ask", json={"question": questions[i % len(questions)]}).status_code
                        == 200
                    )
                except httpx.HTTPError:
                    ok = False
                with lock:
                    latencies.append((time.perf_counter() - started) * 1000)
                    errors += 0 if ok else 1
                i += 1

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    return {
        "clients": clients,
        "requests": len(latencies),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "p95_ms": round(_percentile(latencies, 0.95), 1) if latencies else None,
        "errors": errors,
    }


def run_scale(name: str, n_articles: int, work: Path, smoke: bool) -> dict:
    from evals.golden import load_golden
    from evals.synthetic_corpus import generate_corpus
    from server.service import build_service
    from server.settings import IndexSettings, ServerSettings, Settings

    seed_dir = Path("data/articles")
    files = generate_corpus(seed_dir, work / name / "articles", n_articles)
    ingest = bench_ingest(files, work / name, repeats=1 if smoke or n_articles > 100 else 3)
    data_dir = Path(ingest.pop("data_dir"))
    settings = Settings(
        index=IndexSettings(data_dir=data_dir), server=ServerSettings(ingest_seed_on_start=False)
    )
    service = build_service(settings)
    questions = [i.question for i in load_golden() if not i.history and i.split == "core"]
    answers = bench_answers(service, questions[:8] if smoke else questions, rounds=1 if smoke else 3)
    briefings = bench_briefings(service, BRIEFING_TOPICS[:2] if smoke else BRIEFING_TOPICS, 1 if smoke else 3)
    quality = bench_retrieval_quality(service)
    del service
    # Cold start: the median of three starts (the last one stays up for the load test).
    colds = []
    for attempt in range(1 if smoke else 3):
        port = _free_port()
        proc, cold = start_server(data_dir, port)
        colds.append(cold)
        if attempt < (0 if smoke else 2):
            proc.terminate()
            proc.wait(timeout=30)
    cold = statistics.median(colds)
    try:
        load = [
            bench_http(f"http://127.0.0.1:{port}", questions, c, 1.0 if smoke else 20.0)
            for c in ((1, 8) if smoke else (1, 8, 32))
        ]
        rss = round(memory_mb(proc.pid), 1)
        writes = bench_writes(f"http://127.0.0.1:{port}", 3 if smoke else WRITES)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {
        "scale": name,
        "ingest": ingest,
        "answers": answers,
        "briefings": briefings,
        "http": load,
        "cold_start_s": round(cold, 2),
        "peak_rss_mb": rss,
        "writes": writes,
        "local_index": bench_local_index(n_articles, work / name / "local-only", 3 if smoke else WRITES),
        "retrieval_quality": quality,
    }


def fresh_articles(n: int, offset: int) -> list[tuple[str, bytes]]:
    """Articles no scale's corpus holds (recombined seed sentences with other names), to upload."""
    import random

    from evals.synthetic_corpus import seed_sentences, synthetic_article

    rng = random.Random(1000 + offset)
    pool = seed_sentences(Path("data/articles"))
    return [
        (f"fresh_{offset + i:06d}.txt", synthetic_article(rng, pool, offset + i).encode()) for i in range(n)
    ]


def bench_writes(url: str, n: int) -> dict:
    """Upload n new articles one at a time through the API, then delete them one at a time."""
    uploads, deletes, ids = [], [], []
    with httpx.Client(base_url=url, timeout=120) as http:
        for name, data in fresh_articles(n, offset=900_000):
            started = time.perf_counter()
            response = http.post("/v1/documents", files={"file": (name, data)})
            uploads.append(time.perf_counter() - started)
            response.raise_for_status()
            ids.append(response.json()["document"]["id"])
        for doc_id in ids:
            started = time.perf_counter()
            http.delete(f"/v1/documents/{doc_id}").raise_for_status()
            deletes.append(time.perf_counter() - started)
    return {
        "operations": n,
        "upload_p50_s": round(statistics.median(uploads), 3),
        "upload_p95_s": round(_percentile(uploads, 0.95), 3),
        "delete_p50_s": round(statistics.median(deletes), 3),
        "delete_p95_s": round(_percentile(deletes, 0.95), 3),
    }


def bench_local_index(n_articles: int, work: Path, writes: int) -> dict:
    """The local index alone (keyword index and sentences) at a scale too big to embed here: built from
    recombined seed sentences with random unit vectors in place of embeddings, then `writes` documents added
    and deleted one commit at a time, and the golden questions searched."""
    import random

    import numpy as np

    from evals.golden import load_golden
    from evals.synthetic_corpus import seed_sentences, synthetic_article
    from index.local_index import LocalChunk, LocalDocument, LocalIndex
    from index.types import StoredSentence
    from ingest.splitting import chunk_sentences, split_sentences

    vectors = np.random.default_rng(7)

    def document(doc_id: str, text: str) -> LocalDocument:
        sentences = split_sentences(doc_id, text)
        chunks = chunk_sentences(doc_id, text, sentences, 140)
        matrix = vectors.standard_normal((len(sentences), 384)).astype(np.float32)
        return LocalDocument(
            doc_id,
            [
                LocalChunk(c.id, doc_id, c.text, {"doc_id": doc_id, "start": c.start, "end": c.end})
                for c in chunks
            ],
            [StoredSentence(s.id, doc_id, s.start, s.end, s.text) for s in sentences],
            matrix / np.linalg.norm(matrix, axis=1, keepdims=True),
        )

    rng = random.Random(7)
    pool = seed_sentences(Path("data/articles"))
    index = LocalIndex(work / "local")
    started = time.perf_counter()
    batch: list[LocalDocument] = []
    for i in range(n_articles):
        batch.append(document(f"doc{i:06d}", synthetic_article(rng, pool, i)))
        if len(batch) == 1000 or i == n_articles - 1:
            index.apply(batch)
            batch = []
    build = time.perf_counter() - started
    adds, removes = [], []
    fresh = [document(f"fresh{i}", synthetic_article(rng, pool, n_articles + i)) for i in range(writes)]
    for doc in fresh:
        started = time.perf_counter()
        index.apply([doc])
        adds.append(time.perf_counter() - started)
    for doc in fresh:
        started = time.perf_counter()
        index.apply([], [doc.doc_id])
        removes.append(time.perf_counter() - started)
    searches = []
    for item in load_golden():
        started = time.perf_counter()
        index.search(item.question, 24)
        searches.append(time.perf_counter() - started)
    return {
        "articles": n_articles,
        "chunks": index.size,
        "build_s": round(build, 1),
        "add_p50_ms": round(statistics.median(adds) * 1000, 1),
        "add_p95_ms": round(_percentile(adds, 0.95) * 1000, 1),
        "delete_p50_ms": round(statistics.median(removes) * 1000, 1),
        "delete_p95_ms": round(_percentile(removes, 0.95) * 1000, 1),
        "search_p50_ms": round(statistics.median(searches) * 1000, 2),
    }


def _kept_with(results: list[dict], path: Path) -> list[dict]:
    """The report's earlier results for the scales not run now, beside the new ones, in SCALES order."""
    try:
        earlier = json.loads(path.read_text())["scales"]
    except (OSError, ValueError, KeyError):
        earlier = []
    ran = {r["scale"] for r in results}
    merged = results + [r for r in earlier if r.get("scale") not in ran and r.get("scale") in SCALES]
    return sorted(merged, key=lambda r: list(SCALES).index(r["scale"]))


def write_bench(results: list[dict], out_dir: Path, keep_other_scales: bool = True) -> None:
    """bench.json and bench.md. With `keep_other_scales`, a scale not run now keeps the figures it had (each
    scale says when it was measured), so that `--scales 10k` adds to the report instead of replacing it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if keep_other_scales:
        results = _kept_with(results, out_dir / "bench.json")
    payload = {
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "cpus": os.cpu_count(),
        "scales": results,
    }
    (out_dir / "bench.json").write_text(json.dumps(payload, indent=1))
    md = [
        f"# Benchmark ({payload['created']}, {payload['cpus']} CPUs)",
        "",
        "| scale | articles | chunks | ingest s | raw encoder s | ratio | chunks/s | our encoder s | encoder "
        "speed-up | p50 ms | p95 ms | p99 ms | floor ms | reader floor ms | p50/(floor+reader floor) | cold start s "
        "| peak RSS MB | context recall | measured |",
        "|" + "---|" * 19,
    ]
    full = [r for r in results if "ingest" in r]
    for r in full:
        i, a = r["ingest"], r["answers"]
        md.append(
            f"| {r['scale']} | {i['articles']} | {i['chunks']} | {i['pipeline_s']} | {i['raw_encoder_s']} | "
            f"{i['ratio_to_raw_encoder']} | {i['chunks_per_s']} | {i['encoder_s']} | {i['encoder_speedup']} | "
            f"{a['p50_ms']} | {a['p95_ms']} | {a['p99_ms']} | "
            f"{a['floor_p50_ms']} | {a.get('reader_floor_p50_ms', '')} | {a.get('p50_over_floors', '')} | "
            f"{r['cold_start_s']} | {r['peak_rss_mb']} | "
            f"{r['retrieval_quality'].get('non_llm_context_recall')} | {r.get('measured', '')} |"
        )
    md += [
        "",
        "## HTTP load (/v1/ask over loopback)",
        "",
        "| scale | clients | requests | req/s | p50 ms | p95 ms | errors |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in full:
        for h in r["http"]:
            md.append(
                f"| {r['scale']} | {h['clients']} | {h['requests']} | {h['rps']} | {h['p50_ms']} | "
                f"{h['p95_ms']} | {h['errors']} |"
            )
    md += [
        "",
        "## Briefings (in process, JSON; the budget is 5 s at 1,000 articles)",
        "",
        "| scale | briefings | p50 s | p95 s | max s | citations p50 |",
        "|---|---|---|---|---|---|",
    ]
    for r in full:
        if "briefings" in r:  # scales measured before briefings existed have no row
            b = r["briefings"]
            md.append(
                f"| {r['scale']} | {b['briefings']} | {b['p50_s']} | {b['p95_s']} | {b['max_s']} | "
                f"{b['citations_p50']} |"
            )
    md += [
        "",
        "## Writes through the API (one article at a time, into the scale's library)",
        "",
        "| scale | operations | upload p50 s | upload p95 s | delete p50 s | delete p95 s |",
        "|---|---|---|---|---|---|",
    ]
    for r in full:
        w = r["writes"]
        md.append(
            f"| {r['scale']} | {w['operations']} | {w['upload_p50_s']} | {w['upload_p95_s']} | "
            f"{w['delete_p50_s']} | {w['delete_p95_s']} |"
        )
    md += [
        "",
        "## The local index alone (keyword index and sentences; recombined articles, random vectors in place of "
        "embeddings; one commit per write)",
        "",
        "| scale | articles | chunks | build s | add p50 ms | add p95 ms | delete p50 ms | delete p95 ms | "
        "search p50 ms |",
        "|" + "---|" * 9,
    ]
    for r in results:
        k = r["local_index"]
        md.append(
            f"| {r['scale']} | {k['articles']} | {k['chunks']} | {k['build_s']} | {k['add_p50_ms']} | "
            f"{k['add_p95_ms']} | {k['delete_p50_ms']} | {k['delete_p95_ms']} | {k['search_p50_ms']} |"
        )
    (out_dir / "bench.md").write_text("\n".join(md) + "\n")


def run_bench(scales: list[str], out_dir: Path = REPORTS_DIR, smoke: bool = False) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="briefing-bench-") as tmp:
        results = []
        for name in scales:
            n_articles = SCALES[name] if not smoke else min(SCALES[name], 12)
            if name in KEYWORD_ONLY:
                work = Path(tmp) / name
                writes = 3 if smoke else WRITES
                results.append({"scale": name, "local_index": bench_local_index(n_articles, work, writes)})
            else:
                results.append(run_scale(name, n_articles, Path(tmp), smoke))
            results[-1]["measured"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    write_bench(results, out_dir)
    return results


def register(sub) -> None:
    p = sub.add_parser(
        "bench", help="benchmark ingest, answers, briefings, HTTP load, cold start and quality"
    )
    p.add_argument("--large", action="store_true", help="also 10,000 articles")
    # --scales 100k simulates 100,000 articles with the local index alone (no embedding).
    p.add_argument("--smoke", action="store_true", help="tiny scales and short runs (checks figures appear)")
    p.add_argument("--scales", default=None, help=f"comma-separated, any of {', '.join(SCALES)}")
    p.add_argument("--out", default=None)

    def run(settings, args) -> int:
        scales = ["seed", "1k"] + (["10k"] if args.large else [])
        if args.scales:
            scales = [s.strip() for s in args.scales.split(",")]
            unknown = [s for s in scales if s not in SCALES]
            if unknown:
                print(
                    f"unknown scale(s): {', '.join(unknown)}; choose from {', '.join(SCALES)}",
                    file=sys.stderr,
                )
                return 2
        results = run_bench(scales, Path(args.out) if args.out else REPORTS_DIR, smoke=args.smoke)
        print((Path(args.out) if args.out else REPORTS_DIR) / "bench.md")
        print(json.dumps(results, indent=1))
        return 0

    p.set_defaults(func=run)
