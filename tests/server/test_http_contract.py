"""Endpoints, streaming, the OpenAI-compatible API, documents, and clear errors for bad input."""

import json

import httpx
import pytest

from tests.server.conftest import assert_citation_contract


def test_health_and_readiness(api):
    assert httpx.get(f"{api}/healthz").json() == {"status": "ok"}
    ready = httpx.get(f"{api}/readyz").json()
    assert ready["status"] == "ready" and ready["documents"] >= 2 and ready["chunks"] > 5
    assert httpx.get(f"{api}/docs").status_code == 200
    assert "/v1/ask" in httpx.get(f"{api}/openapi.json").json()["paths"]


def parse_sse(text):
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_stream_events_arrive_in_order(api):
    with httpx.stream(
        "POST", f"{api}/v1/ask/stream", json={"question": "What role did Iran play?"}, timeout=60
    ) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(response.read().decode())
    names = [e for e, _ in events]
    assert names[0] == "citations" and names[-1] == "done"
    assert set(names[1:-1]) == {"delta"} and len(names) > 3
    done = events[-1][1]
    assert "".join(d["text"] for e, d in events if e == "delta") == done["answer"]
    assert events[0][1]["citations"] == done["citations"]
    assert_citation_contract(done, api)


def test_openai_client_non_stream_and_stream(api):
    from openai import OpenAI

    client = OpenAI(base_url=f"{api}/v1", api_key="unused", max_retries=0)
    question = "What did Atta Mohammad Noor say about those who promote war?"
    completion = client.chat.completions.create(
        model="afghan-briefing", messages=[{"role": "user", "content": question}]
    )
    content = completion.choices[0].message.content
    assert "Those who promote war" in content and "[1]" in content
    citations = completion.model_extra["citations"]
    assert citations and citations[0]["n"] == 1
    pieces, extra = [], None
    for chunk in client.chat.completions.create(
        model="afghan-briefing", stream=True, messages=[{"role": "user", "content": question}]
    ):
        if chunk.choices and chunk.choices[0].delta.content:
            pieces.append(chunk.choices[0].delta.content)
        if chunk.model_extra.get("citations"):
            extra = chunk.model_extra["citations"]
    assert "".join(pieces) == content
    assert extra == citations
    models = client.models.list()
    assert "afghan-briefing" in [m.id for m in models.data]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"question": ""}, 422),
        ({"question": "   \n\t "}, 422),
        ({"question": "x" * 2001}, 422),
        ({"question": "Why?", "history": [{"role": "user", "content": "hi"}] * 21}, 422),
        ({"question": "Why?", "top_k": 0}, 422),
        ({"question": "Why?", "mode": "creative"}, 422),
        ({"question": 42}, 422),
        ({}, 422),
        ({"question": "Why?", "unexpected": True}, 422),
    ],
)
def test_bad_questions_get_clear_422s(api, body, status):
    response = httpx.post(f"{api}/v1/ask", json=body, timeout=30)
    assert response.status_code == status
    assert response.json()["error"]["message"].startswith("invalid request")


def test_malformed_json_and_oversized_bodies(api):
    bad = httpx.post(
        f"{api}/v1/ask", content=b'{"question": "unclosed', headers={"content-type": "application/json"}
    )
    assert bad.status_code == 422 and "error" in bad.json()
    huge = httpx.post(
        f"{api}/v1/ask",
        content=b'{"question": "' + b"a" * 1_100_000 + b'"}',
        headers={"content-type": "application/json"},
        timeout=30,
    )
    assert huge.status_code == 413 and "too large" in huge.json()["error"]["message"]
    empty_chat = httpx.post(f"{api}/v1/chat/completions", json={"model": "x", "messages": []})
    assert empty_chat.status_code == 422
    assistant_last = httpx.post(
        f"{api}/v1/chat/completions", json={"messages": [{"role": "assistant", "content": "hi"}]}
    )
    assert assistant_last.status_code == 422


def test_unknown_document_is_404(api):
    assert httpx.get(f"{api}/v1/documents/nope").status_code == 404
    assert httpx.delete(f"{api}/v1/documents/nope").status_code == 404
    assert httpx.get(f"{api}/v1/documents/nope").json()["error"]["message"]


def test_upload_ask_and_delete_an_article(api):
    before = httpx.get(f"{api}/v1/documents").json()
    article = (
        b"Kandahar water council\n\nThe Kandahar water council met in Spin Boldak on 3 March 2025 "
        b"to discuss irrigation canals. Its chairman, Gul Agha Sherzai, said the canals must be rebuilt "
        b"before summer.\n"
    )
    up = httpx.post(
        f"{api}/v1/documents",
        files={"file": ("kandahar.txt", article, "text/plain")},
        data={"outlet": "Test Wire", "published": "2025-03-04"},
        timeout=60,
    )
    assert up.status_code == 201, up.text
    doc = up.json()["document"]
    assert doc["outlet"] == "Test Wire" and doc["chunks"] >= 1
    answer = httpx.post(
        f"{api}/v1/ask", json={"question": "Where did the Kandahar water council meet?"}, timeout=60
    ).json()
    assert not answer["refused"] and "Spin Boldak" in answer["answer"]
    assert answer["citations"][0]["doc_id"] == doc["id"]
    assert_citation_contract(answer, api)
    again = httpx.post(
        f"{api}/v1/documents", files={"file": ("kandahar.txt", article, "text/plain")}, timeout=60
    )
    assert again.json()["status"] == "unchanged"
    assert httpx.delete(f"{api}/v1/documents/{doc['id']}").status_code == 204
    assert httpx.get(f"{api}/v1/documents/{doc['id']}").status_code == 404
    gone = httpx.post(
        f"{api}/v1/ask", json={"question": "Where did the Kandahar water council meet?"}, timeout=60
    ).json()
    assert gone["refused"]
    assert [d["id"] for d in httpx.get(f"{api}/v1/documents").json()] == [d["id"] for d in before]


@pytest.mark.parametrize(
    ("name", "data", "status", "phrase"),
    [
        ("malware.exe", b"MZ\x90\x00", 415, "unsupported file type"),
        ("noext", b"hello", 415, "unsupported file type"),
        ("broken.pdf", b"%PDF-1.4\n1 0 obj << /Broken", 422, "PDF"),
        ("empty.txt", b"", 422, "empty"),
        ("binary.txt", b"\x00\x01\x02\x03" * 100, 422, "binary"),
        # Neither UTF-8 nor Windows-1252 (Latin-1 and Windows-1252 text is decoded: tests/ingest).
        ("undecodable.txt", b"caf\xe9 \x81\x8d\x90 ol\xe9", 422, "UTF-8"),
    ],
)
def test_bad_uploads_are_refused_and_change_nothing(api, name, data, status, phrase):
    before = httpx.get(f"{api}/readyz").json()
    response = httpx.post(f"{api}/v1/documents", files={"file": (name, data)}, timeout=60)
    assert response.status_code == status, response.text
    assert phrase in response.json()["error"]["message"]
    assert httpx.get(f"{api}/readyz").json() == before


def test_upload_over_the_size_limit_is_413(api):
    big = b"word " * 4_100_000  # 20.5 MB
    response = httpx.post(f"{api}/v1/documents", files={"file": ("big.txt", big)}, timeout=120)
    assert response.status_code == 413


def test_feedback_is_saved_as_a_candidate_eval_item(api_service):
    api, service = api_service
    body = {
        "question": "Who funds the NRF?",
        "answer": "The sources in the library do not say.",
        "citations": [],
        "comment": "It should have said the sources are silent on funding.",
        "rating": "down",
    }
    response = httpx.post(f"{api}/v1/feedback", json=body)
    assert response.status_code == 201 and response.json()["saved"]
    saved = [r for r in service.feedback.read() if r["id"] == response.json()["id"]]
    assert saved and saved[0]["question"] == body["question"] and saved[0]["comment"] == body["comment"]
    assert saved[0]["status"] == "candidate" and "reference_contexts" in saved[0]
    assert httpx.post(f"{api}/v1/feedback", json={**body, "question": "  "}).status_code == 422
    assert httpx.post(f"{api}/v1/feedback", json={**body, "rating": "meh"}).status_code == 422


def test_every_response_carries_a_request_id(api):
    made_up = httpx.get(f"{api}/healthz").headers["x-request-id"]
    assert len(made_up) == 16
    echoed = httpx.get(f"{api}/healthz", headers={"X-Request-ID": "trace-123"}).headers["x-request-id"]
    assert echoed == "trace-123"
    refused = httpx.get(f"{api}/healthz", headers={"X-Request-ID": "bad id\twith junk"}).headers[
        "x-request-id"
    ]
    assert refused != "bad id\twith junk" and len(refused) == 16
    assert httpx.post(f"{api}/v1/ask", json={"question": ""}).headers["x-request-id"]


def test_prometheus_metrics_count_requests_refusals_and_latency(api):
    httpx.post(f"{api}/v1/ask", json={"question": "What is the Taliban's annual budget?"}, timeout=60)
    httpx.post(f"{api}/v1/ask", json={"question": ""})
    text = httpx.get(f"{api}/metrics").text
    assert 'briefing_http_requests_total{method="POST",route="/v1/ask",status="200"}' in text
    assert 'briefing_http_requests_total{method="POST",route="/v1/ask",status="422"}' in text
    assert 'briefing_http_request_seconds_bucket{le="0.05",method="POST",route="/v1/ask"}' in text
    refusals = [line for line in text.splitlines() if line.startswith("briefing_answer_refusals_total ")]
    assert refusals and float(refusals[0].split()[1]) >= 1
    assert "briefing_generated_sentences_dropped_total" in text
    # Unknown paths share one label value instead of one each.
    httpx.get(f"{api}/v1/nope-{'x' * 10}")
    assert "nope-" not in httpx.get(f"{api}/metrics").text
