"""`briefing stress`: a soak test of a real server on loopback. Concurrent clients mix answers, streamed
answers, OpenAI-style chat and document listing while a writer uploads and deletes articles. Passes when
there is no 5xx, the index ends holding exactly the expected documents, whole, and RSS grew < 10%."""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import signal
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx

from evals.bench import _free_port, memory_mb, start_server
from evals.report import REPORTS_DIR

MAX_REQUESTS = 200_000  # a hard bound besides the duration
MAX_RSS_GROWTH = 0.10
WARMUP_S = 4.0


@dataclass
class StressResult:
    duration_s: float
    clients: int
    requests: int = 0
    requests_per_s: float = 0.0
    by_endpoint: dict[str, dict[str, int]] = field(default_factory=dict)
    server_errors: int = 0
    transport_errors: int = 0
    uploads: int = 0
    deletes: int = 0
    expected_documents: int = 0
    documents_match: bool = False
    chunk_counts_match: bool = False
    audit_ok: bool = False
    audit: dict = field(default_factory=dict)
    rss_start_mb: float = 0.0
    rss_end_mb: float = 0.0
    rss_peak_mb: float = 0.0
    rss_growth: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def rss_mb(pid: int) -> float:
    return memory_mb(pid, "VmRSS")


def soak_article(n: int) -> tuple[str, bytes]:
    """A small, unique, deterministic article for the writer to upload."""
    rng = random.Random(n)
    province = rng.choice(["Badakhshan", "Takhar", "Baghlan", "Panjshir", "Balkh", "Bamyan"])
    topic = rng.choice(["water rights", "mining licences", "school reopening", "road repairs"])
    body = " ".join(
        f"Elders in {province} district {n}-{i} met on {1 + i} March 2025 to discuss {topic} and agreed "
        f"on step {rng.randint(1, 99)} of the plan."
        for i in range(rng.randint(6, 14))
    )
    return f"soak-{n:05d}.txt", f"Soak article {n}: {province} {topic}\n\n{body}\n".encode()


def expected_chunks(name: str, data: bytes) -> int:
    from ingest.prepare import prepare_bytes

    return len(prepare_bytes(data, name).chunks)


async def _reader(client: httpx.AsyncClient, questions: list[str], deadline: float, result, rng) -> None:
    while time.monotonic() < deadline and result.requests < MAX_REQUESTS:
        pick = rng.random()
        question = rng.choice(questions)
        try:
            if pick < 0.4:
                endpoint = "POST /v1/ask"
                response = await client.post("/v1/ask", json={"question": question})
            elif pick < 0.6:
                endpoint = "POST /v1/ask/stream"
                response = await client.post("/v1/ask/stream", json={"question": question})
            elif pick < 0.8:
                endpoint = "POST /v1/chat/completions"
                response = await client.post(
                    "/v1/chat/completions",
                    json={"model": "afghan-briefing", "messages": [{"role": "user", "content": question}]},
                )
            else:
                endpoint = "GET /v1/documents"
                response = await client.get("/v1/documents")
        except httpx.HTTPError:
            result.transport_errors += 1
            continue
        _count(result, endpoint, response.status_code)


def _count(result: StressResult, endpoint: str, status: int) -> None:
    result.requests += 1
    counts = result.by_endpoint.setdefault(endpoint, {})
    counts[str(status)] = counts.get(str(status), 0) + 1
    if status >= 500:
        result.server_errors += 1


async def _writer(client, deadline: float, result, uploaded: dict[str, tuple[str, int]], start: int) -> None:
    """An upload every 2 s, a delete of the oldest upload every 3 s."""
    n, next_upload, next_delete = start, time.monotonic(), time.monotonic() + 3.0
    while time.monotonic() < deadline:
        now = time.monotonic()
        if now >= next_upload:
            name, data = soak_article(n)
            n += 1
            response = await client.post("/v1/documents", files={"file": (name, data)})
            _count(result, "POST /v1/documents", response.status_code)
            if response.status_code == 201:
                result.uploads += 1
                uploaded[response.json()["document"]["id"]] = (name, expected_chunks(name, data))
            else:
                result.failures.append(f"upload {name}: {response.status_code} {response.text[:200]}")
            next_upload = now + 2.0
        if now >= next_delete and uploaded:
            doc_id = next(iter(uploaded))
            response = await client.delete(f"/v1/documents/{doc_id}")
            _count(result, "DELETE /v1/documents/{id}", response.status_code)
            if response.status_code == 204:
                result.deletes += 1
                del uploaded[doc_id]
            else:
                result.failures.append(f"delete {doc_id}: {response.status_code}")
            next_delete = now + 3.0
        await asyncio.sleep(0.1)


async def _sample_rss(pid: int, deadline: float, samples: list[float]) -> None:
    while time.monotonic() < deadline:
        samples.append(rss_mb(pid))
        await asyncio.sleep(0.5)


async def _phase(url: str, pid: int, seconds: float, clients: int, questions, result, uploaded, start):
    deadline = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients + 4, max_keepalive_connections=clients + 4)
    rss: list[float] = []
    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as client:
        rngs = [random.Random(1000 + i) for i in range(clients)]
        await asyncio.gather(
            *(_reader(client, questions, deadline, result, rng) for rng in rngs),
            _writer(client, deadline, result, uploaded, start),
            _sample_rss(pid, deadline, rss),
        )
    return rss


def run_stress(
    duration_s: float = 60.0,
    clients: int = 32,
    out_dir: Path | None = REPORTS_DIR,
    models_from: Path | None = None,
) -> StressResult:
    """Start a server on a fresh data dir, warm it up, soak it, then check the index and the memory.
    `models_from`: a folder holding the ONNX export already (default: the configured data dir's)."""
    from evals.golden import load_golden
    from server.settings import IndexSettings, Settings
    from server.wiring import build_embedder, build_library

    questions = [item.question for item in load_golden() if not item.history]
    result = StressResult(duration_s=duration_s, clients=clients)
    work = Path(tempfile.mkdtemp(prefix="briefing-stress-"))
    data_dir = work / "data"
    models = models_from or Settings().index.data_dir / "models"
    if models.is_dir():  # reuse an ONNX export made earlier instead of exporting again
        shutil.copytree(models, data_dir / "models")
    # Export here if needed, so that the server under test never loads torch for it.
    settings = Settings(index=IndexSettings(data_dir=data_dir))
    embedder = build_embedder(settings)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc, _ = start_server(data_dir, port, ingest_seed=True)
    try:
        seeds = {d["id"] for d in httpx.get(f"{url}/v1/documents", timeout=30).json()}
        uploaded: dict[str, tuple[str, int]] = {}
        warmup = StressResult(duration_s=WARMUP_S, clients=clients)
        asyncio.run(_phase(url, proc.pid, WARMUP_S, clients, questions, warmup, uploaded, 90_000))
        result.rss_start_mb = rss_mb(proc.pid)
        started = time.monotonic()
        samples = asyncio.run(_phase(url, proc.pid, duration_s, clients, questions, result, uploaded, 0))
        elapsed = time.monotonic() - started
        result.rss_end_mb = rss_mb(proc.pid)
        result.rss_peak_mb = max([result.rss_end_mb, *samples])
        result.requests_per_s = round(result.requests / elapsed, 1)
        result.server_errors += warmup.server_errors
        result.failures += warmup.failures

        listed = {d["id"]: d for d in httpx.get(f"{url}/v1/documents", timeout=30).json()}
        expected = seeds | set(uploaded)
        result.expected_documents = len(expected)
        result.documents_match = set(listed) == expected
        result.chunk_counts_match = all(
            listed.get(i, {}).get("chunks") == c for i, (_, c) in uploaded.items()
        )
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    audit = build_library(settings, embedder=embedder).audit()
    result.audit = {**asdict(audit), "ok": audit.ok}
    result.audit_ok = audit.ok and audit.documents == result.expected_documents
    shutil.rmtree(work, ignore_errors=True)

    result.rss_growth = round((result.rss_end_mb - result.rss_start_mb) / result.rss_start_mb, 4)
    if result.server_errors:
        result.failures.append(f"{result.server_errors} responses were 5xx")
    if result.transport_errors:
        result.failures.append(f"{result.transport_errors} requests failed in transport")
    if not result.documents_match:
        result.failures.append("the server lists other documents than were uploaded and not deleted")
    if not result.chunk_counts_match:
        result.failures.append("a document's chunk count differs from its text's")
    if not result.audit_ok:
        result.failures.append(f"the index audit failed: {result.audit}")
    if result.rss_growth >= MAX_RSS_GROWTH:
        result.failures.append(f"RSS grew {result.rss_growth:.1%} (limit {MAX_RSS_GROWTH:.0%})")
    for name in ("rss_start_mb", "rss_end_mb", "rss_peak_mb"):
        setattr(result, name, round(getattr(result, name), 1))
    if out_dir is not None:
        write_report(result, out_dir)
    return result


def write_report(result: StressResult, out_dir: Path) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    data = {**asdict(result), "passed": result.passed}
    (out_dir / "stress.json").write_text(json.dumps(data, indent=1) + "\n")
    rows = "\n".join(
        f"| {endpoint} | {sum(counts.values())} | "
        + ", ".join(f"{s}: {n}" for s, n in sorted(counts.items()))
        + " |"
        for endpoint, counts in sorted(result.by_endpoint.items())
    )
    (out_dir / "stress.md").write_text(
        f"# Soak test: {'PASSED' if result.passed else 'FAILED'}\n\n"
        f"{result.clients} concurrent clients for {result.duration_s:g} s on loopback (after a "
        f"{WARMUP_S:g} s warm-up): {result.requests} requests, {result.requests_per_s} req/s, "
        f"{result.server_errors} 5xx, {result.transport_errors} transport errors; "
        f"{result.uploads} uploads and {result.deletes} deletes.\n\n"
        f"Index afterwards: {result.expected_documents} documents expected; listed documents match: "
        f"{result.documents_match}; chunk counts match: {result.chunk_counts_match}; audit (whole "
        f"documents, no orphans, no duplicates): {result.audit_ok}.\n\n"
        f"RSS: {result.rss_start_mb} MB after warm-up, {result.rss_end_mb} MB at the end "
        f"({result.rss_growth:+.1%}), peak {result.rss_peak_mb} MB.\n\n"
        "| endpoint | requests | statuses |\n|---|---|---|\n"
        + rows
        + "\n"
        + ("".join(f"\n- {f}" for f in result.failures) + "\n" if result.failures else "")
    )


def register(sub) -> None:
    p = sub.add_parser("stress", help="soak a loopback server: mixed load, uploads and deletes, RSS")
    p.add_argument("--duration", type=float, default=60.0, help="seconds of load (after a short warm-up)")
    p.add_argument("--clients", type=int, default=32)
    p.add_argument("--out", default=None, help=f"report folder (default {REPORTS_DIR})")

    def run(settings, args) -> int:
        out = Path(args.out) if args.out else REPORTS_DIR
        result = run_stress(args.duration, args.clients, out)
        print((out / "stress.md").read_text())
        return 0 if result.passed else 1

    p.set_defaults(func=run)
