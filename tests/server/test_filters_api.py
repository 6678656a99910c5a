"""`since`, `until` and `outlets` on /v1/ask, /v1/ask/stream, /v1/retrieve and /v1/chat/completions, over a
real uvicorn server with the two seed articles (one from NationPress, 2025-12-11; one with no outlet or
date)."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.server.conftest import assert_citation_contract

IRAN = "What role did Iran play in bringing the factions together?"
NOOR = "What did Atta Mohammad Noor say about those who promote war?"


def post(api, path, body, status=200):
    response = httpx.post(f"{api}{path}", json=body, timeout=60)
    assert response.status_code == status, response.text
    return response.json()


def test_retrieve_keeps_only_the_outlet_asked_for(api):
    everything = post(api, "/v1/retrieve", {"query": NOOR, "top_k": 8})
    assert {p["outlet"] for p in everything} == {"NationPress", ""}
    narrowed = post(api, "/v1/retrieve", {"query": NOOR, "top_k": 8, "outlets": ["nationpress"]})
    assert narrowed and {p["outlet"] for p in narrowed} == {"NationPress"}


def test_a_date_filter_leaves_out_the_undated_article(api):
    dated = post(
        api, "/v1/retrieve", {"query": NOOR, "top_k": 8, "since": "2025-12-01", "until": "2025-12-31"}
    )
    assert dated and {p["published"] for p in dated} == {"2025-12-11"}
    # The unambiguous written form reads the same.
    written = post(api, "/v1/retrieve", {"query": NOOR, "top_k": 8, "since": "1 December 2025"})
    assert [p["chunk_id"] for p in written] == [p["chunk_id"] for p in dated]


def test_an_answer_under_filters_draws_only_on_matching_articles(api):
    answer = post(api, "/v1/ask", {"question": IRAN, "outlets": ["NationPress"], "since": "2025-12-11"})
    assert not answer["refused"]
    assert {c["outlet"] for c in answer["citations"]} == {"NationPress"}
    assert_citation_contract(answer, api)


@pytest.mark.parametrize(
    "filters",
    [
        {"until": "2020-01-01"},
        {"outlets": ["The Kabul Times"]},
        {"since": "2025-12-12", "outlets": ["NationPress"]},
    ],
)
def test_filters_that_match_no_article_are_an_answer_that_says_so(api, filters):
    answer = post(api, "/v1/ask", {"question": IRAN, **filters})
    assert answer["refused"] and not answer["citations"]
    assert "No article in the library matches the filters" in answer["refusal_reason"]
    for value in filters.values():
        assert (value[0] if isinstance(value, list) else value) in answer["refusal_reason"]
    assert post(api, "/v1/retrieve", {"query": IRAN, **filters}) == []


def test_the_stream_and_chat_completions_take_the_same_filters(api):
    with httpx.stream(
        "POST", f"{api}/v1/ask/stream", json={"question": IRAN, "until": "2020-01-01"}, timeout=60
    ) as response:
        assert response.status_code == 200
        body = response.read().decode()
    done = json.loads(body.split("event: done\ndata: ")[1].split("\n")[0])
    assert done["refused"] and "No article" in done["refusal_reason"]
    chat = post(
        api,
        "/v1/chat/completions",
        {"messages": [{"role": "user", "content": IRAN}], "outlets": ["NationPress"]},
    )
    assert {c["outlet"] for c in chat["citations"]} == {"NationPress"}


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        ({"since": "2025-12-31", "until": "2025-01-01"}, "is after until"),
        ({"since": "next week"}, "is not a date"),
        ({"until": "03/04/2025"}, "is not a date"),
        ({"since": "2025-02-30"}, "is not a date"),
        ({"outlets": [""]}, "outlets"),
        ({"outlets": "NationPress"}, "outlets"),
    ],
)
def test_bad_filters_are_a_clear_422(api, filters, message):
    for path, body in (("/v1/ask", {"question": IRAN}), ("/v1/retrieve", {"query": IRAN})):
        error = post(api, path, {**body, **filters}, status=422)["error"]
        assert error["status"] == 422 and message in error["message"], error
