"""An answer explains itself: `/v1/ask` with `"debug": true`, and `briefing ask --explain`."""

import json

import httpx

from tests.server.conftest import make_settings
from tests.server.test_cli import run


def test_the_api_returns_the_trace_only_when_asked(api):
    question = {"question": "What role did Iran play in bringing the factions together?"}
    plain = httpx.post(f"{api}/v1/ask", json=question, timeout=60).json()
    assert plain["trace"] is None
    traced = httpx.post(f"{api}/v1/ask", json={**question, "debug": True}, timeout=60).json()
    trace = traced["trace"]
    assert trace["parse"]["names"] == ["Iran"]
    assert trace["decision"]["answer"] is True
    assert {c["n"] for c in trace["cited"]} == {c["n"] for c in traced["citations"]}
    assert traced["answer"] == plain["answer"], "asking for the trace changes nothing else"


def test_the_staged_engine_traces_every_stage(tmp_path, embedder):
    from server.service import build_service

    settings = make_settings(tmp_path / "data")
    settings.answer.engine = "staged"
    service = build_service(settings, embedder=embedder)
    answer = service.ask("Who leads the Afghanistan Freedom Front?", debug=True)
    part = answer.trace["parts"][0]
    assert part["parse"]["kind"] == "person" and "Afghanistan Freedom Front" in part["parse"]["names"]
    assert part["names"]["Afghanistan Freedom Front"]["mentions"] >= 1
    best = part["candidates"][0]
    assert set(best["features"]) >= {"similarity", "names", "terms", "slot"}
    # the terms that weigh most: features, or products of two
    assert best["contributions"] and all(
        set(t.split("*")) <= set(best["features"]) for t in best["contributions"]
    )
    assert part["decision"]["probability"] >= part["decision"]["threshold"] and part["decision"]["answer"]
    assert "plan" in answer.trace
    refused = service.ask("Who won the 2030 football world cup?", debug=True)
    assert refused.refused and refused.trace["parts"][0]["decision"]["reason"] == refused.refusal_reason


def test_briefing_ask_explain_prints_the_trace(tmp_path):
    done = run(["ask", "Who leads the Afghanistan Freedom Front?", "--explain"], tmp_path / "data")
    assert done.returncode == 0, done.stderr
    trace = json.loads(done.stdout.split("\ntrace:\n", 1)[1])
    assert trace["decision"]["answer"] is True and "Afghanistan Freedom Front" in trace["parse"]["names"]
