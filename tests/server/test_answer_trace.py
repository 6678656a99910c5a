"""An answer explains itself: `/v1/ask` with `"debug": true`, and `briefing ask --explain`. The reader
engine shows each candidate as the reader read it, the decision with its probability and threshold, and the
plan; the rule-based engine (the default) what it decided and cited."""

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


def test_the_trace_shows_every_candidate_s_reading_and_the_decision(tmp_path, embedder):
    from server.service import build_service

    settings = make_settings(tmp_path / "data")
    settings.answer.engine = "reader"
    service = build_service(settings, embedder=embedder)
    answer = service.ask("Who leads the Afghanistan Freedom Front?", debug=True)
    part = answer.trace["parts"][0]
    assert part["parse"]["kind"] == "person" and "Afghanistan Freedom Front" in part["parse"]["names"]
    candidates = part["candidates"]
    assert len(candidates) == service.settings.answer.reader_candidates
    assert [c["answers"] for c in candidates] == sorted((c["answers"] for c in candidates), reverse=True)
    for c in candidates:
        assert set(c) >= {"answers", "span", "span_probability", "verdict", "similarity", "text"}
        assert set(c["verdict"]) == {"yes", "no", "not_stated"}
    decision = part["decision"]
    assert decision["probability"] == candidates[0]["answers"]
    assert decision["answer"] == (decision["probability"] >= decision["threshold"]) != answer.refused
    assert "plan" in answer.trace or answer.refused
    refused = service.ask("Who won the 2030 football world cup?", debug=True)
    assert refused.refused and refused.trace["parts"][0]["decision"]["reason"] == refused.refusal_reason


def test_briefing_ask_explain_prints_the_trace(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFING_ANSWER_ENGINE", "reader")
    done = run(["ask", "Who leads the Afghanistan Freedom Front?", "--explain"], tmp_path / "data")
    assert done.returncode == 0, done.stderr
    trace = json.loads(done.stdout.split("\ntrace:\n", 1)[1])
    part = trace["parts"][0]
    assert "Afghanistan Freedom Front" in part["parse"]["names"] and part["candidates"]
    assert {"answer", "probability", "threshold", "reason"} <= set(part["decision"])
