"""MCP, driven by the SDK's own client: over stdio (a `briefing mcp` subprocess) and over Streamable HTTP
(`/mcp` of a real `briefing serve`). Tools and their schemas, cited answers whose quotes are the documents'
text at their offsets, refusals, bad arguments, the API key for add_document and the rate limit."""

from __future__ import annotations

import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
import httpx
import pytest

from tests.conftest import SEED_DIR, free_port
from tests.server.conftest import served_data_dir, start_briefing_server

KEY = "mcp-test-key"
READ_TOOLS = {"ask", "search", "get_document", "list_documents", "brief"}
WRITE_TOOLS = {"add_document", "add_document_from_url"}
NOOR_QUESTION = "What did Atta Mohammad Noor say about those who promote war?"
UNANSWERABLE = "What is the population of Kabul?"
ARTICLE = (
    "Saffron growers form a cooperative in Ghoryan\n\n"
    "GHORYAN, 9 April 2031 — The Ghoryan Saffron Cooperative, a fictional body created for this test, is "
    "chaired by Nargis Habibi. The cooperative said on Monday that it would open a drying house for forty "
    "farming families before the autumn harvest.\n"
)
ARTICLE_QUESTION = "Who chairs the Ghoryan Saffron Cooperative?"
BRIEFING = str(Path(sys.executable).parent / "briefing")

Session = Any  # mcp.ClientSession; imported inside the helpers, like the rest of the SDK
Check = Callable[[Session], Awaitable[None]]


# ---- clients -------------------------------------------------------------------------------------------
@asynccontextmanager
async def http_session(
    url: str, headers: dict[str, str] | None = None, path: str = "/mcp"
) -> AsyncIterator[Session]:
    """An initialised MCP session over Streamable HTTP, with the SDK's recommended timeouts."""
    import httpx2
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    timeout = httpx2.Timeout(30.0, read=300.0)
    async with (
        httpx2.AsyncClient(headers=headers or {}, timeout=timeout) as http,
        streamable_http_client(url + path, http_client=http) as (read, write),
        ClientSession(read, write) as session,
    ):
        await session.initialize()
        yield session


@asynccontextmanager
async def stdio_session(data_dir: Path, log: Path, **env: str) -> AsyncIterator[Session]:
    """An initialised MCP session with a `briefing mcp` subprocess over its stdin and stdout."""
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    params = StdioServerParameters(
        command=BRIEFING,
        args=["mcp"],
        env={
            "BRIEFING_DATA_DIR": str(data_dir),
            "BRIEFING_ARTICLES_DIR": str(SEED_DIR),
            "BRIEFING_LOG_FORMAT": "text",
            **{k: v for k, v in os.environ.items() if k.startswith(("HF_", "TRANSFORMERS_", "ANONYMIZED"))},
            **env,
        },
    )
    with log.open("a") as errlog:
        async with (
            stdio_client(params, errlog=errlog) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
            yield session


def run_http(url: str, check: Check, headers: dict[str, str] | None = None, path: str = "/mcp") -> None:
    async def main() -> None:
        async with http_session(url, headers, path) as session:
            await check(session)

    anyio.run(main)


def run_stdio(data_dir: Path, log: Path, check: Check, **env: str) -> None:
    async def main() -> None:
        async with stdio_session(data_dir, log, **env) as session:
            await check(session)

    try:
        anyio.run(main)
    except BaseException:
        print(log.read_text()[-3000:])  # the server's stderr, for the failure report
        raise


# ---- what every transport must do -------------------------------------------------------------------------
async def tool_names(session: Session) -> set[str]:
    return {tool.name for tool in (await session.list_tools()).tools}


async def check_tools_have_schemas(session: Session) -> None:
    tools = {tool.name: tool for tool in (await session.list_tools()).tools}
    assert set(tools) >= READ_TOOLS
    for tool in tools.values():
        assert tool.description and len(tool.description) > 40, tool.name
        assert tool.input_schema["type"] == "object"
        assert tool.output_schema is not None, tool.name
    ask = tools["ask"]
    assert ask.input_schema["required"] == ["question"]
    assert {"question", "history", "top_k"} <= set(ask.input_schema["properties"])
    assert {"refused", "direct_answer", "citations"} <= set(ask.output_schema["properties"])
    assert tools["get_document"].input_schema["required"] == ["doc_id"]
    assert "query" in tools["search"].input_schema["properties"]


async def check_cited_answer(session: Session) -> None:
    result = await session.call_tool("ask", {"question": NOOR_QUESTION})
    assert not result.is_error, result.content
    answer = result.structured_content
    assert answer["refused"] is False and "direct_answer" in answer
    assert "You and your children should take up arms on the front lines." in answer["answer"]
    assert answer["citations"]
    text = result.content[0].text
    assert text.startswith(answer["answer"]) and "[1]" in text
    documents: dict[str, str] = {}
    for citation in answer["citations"]:
        assert {"doc_id", "title", "outlet", "published", "quote", "start", "end"} <= set(citation)
        if citation["doc_id"] not in documents:
            fetched = await session.call_tool("get_document", {"doc_id": citation["doc_id"]})
            assert not fetched.is_error, fetched.content
            assert fetched.structured_content["title"] == citation["title"]
            documents[citation["doc_id"]] = fetched.structured_content["text"]
        assert documents[citation["doc_id"]][citation["start"] : citation["end"]] == citation["quote"]
    # The same text as a resource.
    doc_id, text = next(iter(documents.items()))
    resource = await session.read_resource(f"briefing://documents/{doc_id}")
    assert resource.contents[0].text == text


async def check_refusal(session: Session) -> None:
    result = await session.call_tool("ask", {"question": UNANSWERABLE})
    assert not result.is_error
    assert result.structured_content["refused"] is True
    assert result.structured_content["citations"] == []


async def check_bad_arguments_are_errors(session: Session) -> None:
    bad = [
        ("ask", {"question": ""}, "question"),
        ("ask", {"question": "   "}, "question"),
        ("ask", {}, "question"),
        ("ask", {"question": 42}, "question"),
        ("ask", {"question": "Who is Atta Mohammad Noor?", "top_k": "three"}, "top_k"),
        ("ask", {"question": "Who is Atta Mohammad Noor?", "top_k": 0}, "top_k"),
        ("ask", {"question": "Who?", "history": [{"role": "narrator", "content": "x"}]}, "role"),
        ("search", {"query": "x" * 2001}, "query"),
        ("get_document", {"doc_id": "no-such-document"}, "no document with id 'no-such-document'"),
        ("get_document", {"doc_id": 7}, "doc_id"),
    ]
    for name, arguments, expected in bad:
        result = await session.call_tool(name, arguments)
        assert result.is_error, (name, arguments)
        assert expected in result.content[0].text, (name, arguments, result.content[0].text)
    from mcp.shared.exceptions import MCPError

    with pytest.raises(MCPError, match="no document with id"):
        await session.read_resource("briefing://documents/no-such-document")
    # The server is still there, and still answers.
    assert not (await session.call_tool("list_documents", {})).is_error


async def check_add_document(session: Session) -> None:
    tools = {tool.name: tool for tool in (await session.list_tools()).tools}
    assert "add_document" in tools
    assert tools["add_document"].input_schema["required"] == ["text"]
    added = await session.call_tool(
        "add_document", {"text": ARTICLE, "outlet": "Test Wire", "published": "2031-04-09"}
    )
    assert not added.is_error, added.content
    document = added.structured_content["document"]
    assert added.structured_content["status"] == "added" and document["outlet"] == "Test Wire"
    found = await session.call_tool("search", {"query": "Ghoryan Saffron Cooperative chair", "top_k": 3})
    assert found.structured_content["passages"][0]["doc_id"] == document["id"]
    answer = (await session.call_tool("ask", {"question": ARTICLE_QUESTION})).structured_content
    assert "Nargis Habibi" in answer["answer"]
    assert any(c["doc_id"] == document["id"] for c in answer["citations"])
    again = await session.call_tool("add_document", {"text": ARTICLE})
    assert again.structured_content["status"] == "unchanged"
    blank = await session.call_tool("add_document", {"text": " \n "})
    assert blank.is_error and "text" in blank.content[0].text


# ---- over HTTP, against a real `briefing serve` -----------------------------------------------------------
@pytest.fixture(scope="module")
def served(tmp_path_factory, embedder):
    """A real `briefing serve` with an API key and a rate limit loose enough for every test but the last:
    its URL and its log."""
    data_dir = served_data_dir(tmp_path_factory.mktemp("mcp-http"), embedder)
    port = free_port()
    process = start_briefing_server(
        data_dir,
        port,
        data_dir / "server.log",
        briefing_api_key=KEY,
        # 40 calls at once, then one every 10 s: the module makes about 20 before the rate-limit test.
        briefing_rate_limit_per_minute=6,
        briefing_rate_limit_burst=40,
        # the loopback news site of test_http_adds_an_article_from_its_page
        briefing_fetch_allow_private="true",
    )
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{port}", log=data_dir / "server.log")
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.mark.slow
def test_http_lists_the_read_tools_with_schemas_and_add_document_only_with_the_key(served):
    run_http(served.url, check_tools_have_schemas)

    async def without_key(session: Session) -> None:
        assert await tool_names(session) == READ_TOOLS

    async def with_key(session: Session) -> None:
        assert await tool_names(session) == READ_TOOLS | WRITE_TOOLS

    run_http(served.url, without_key)
    run_http(served.url, without_key, {"Authorization": "Bearer wrong-key"})
    run_http(served.url, with_key, {"Authorization": f"Bearer {KEY}"})
    run_http(served.url, with_key, {"X-API-Key": KEY})
    run_http(served.url, without_key, path="/mcp/")  # the trailing slash is redirected to /mcp


@pytest.mark.slow
def test_http_answers_with_citations_that_match_the_documents(served):
    run_http(served.url, check_cited_answer)


@pytest.mark.slow
def test_http_refuses_what_the_library_does_not_answer(served):
    run_http(served.url, check_refusal)


@pytest.mark.slow
def test_http_bad_arguments_are_mcp_errors(served):
    run_http(served.url, check_bad_arguments_are_errors)


@pytest.mark.slow
def test_http_search_returns_what_the_rest_api_retrieves(served):
    query = "Iran's role in the talks between the factions"

    async def check(session: Session) -> None:
        result = await session.call_tool("search", {"query": query, "top_k": 4})
        passages = result.structured_content["passages"]
        rest = httpx.post(f"{served.url}/v1/retrieve", json={"query": query, "top_k": 4}, timeout=30).json()
        assert [(p["doc_id"], p["chunk_id"]) for p in passages] == [
            (p["doc_id"], p["chunk_id"]) for p in rest
        ]
        listed = (await session.call_tool("list_documents", {})).structured_content["documents"]
        resources = (await session.list_resources()).resources
        assert {str(r.uri) for r in resources} == {f"briefing://documents/{d['id']}" for d in listed}

    run_http(served.url, check)


@pytest.mark.slow
def test_http_writes_need_the_key(served):
    from mcp.shared.exceptions import MCPError

    async def refused(session: Session) -> None:
        with pytest.raises(MCPError, match="need the API key"):
            await session.call_tool("add_document", {"text": ARTICLE})
        with pytest.raises(MCPError, match="need the API key"):
            await session.call_tool("add_document_from_url", {"url": "http://127.0.0.1:9/none"})

    run_http(served.url, refused)
    run_http(served.url, refused, {"Authorization": "Bearer wrong-key"})
    run_http(served.url, check_add_document, {"Authorization": f"Bearer {KEY}"})
    assert KEY not in served.log.read_text()


@pytest.mark.slow
def test_http_adds_an_article_from_its_page(served):
    from tests.news_site import NewsSite

    with NewsSite() as site:
        url = site.page("/border-clash", "wire_border_clash.html", content_type="text/html")
        missing = site.url("/gone")

        async def check(session: Session) -> None:
            before = (await session.call_tool("list_documents", {})).structured_content["documents"]
            failed = await session.call_tool("add_document_from_url", {"url": missing})
            assert failed.is_error and "404" in failed.content[0].text
            after = (await session.call_tool("list_documents", {})).structured_content["documents"]
            assert after == before, "a page that cannot be fetched adds nothing"
            added = await session.call_tool("add_document_from_url", {"url": url})
            assert not added.is_error, added.content
            document = added.structured_content["document"]
            assert added.structured_content["status"] == "added"
            assert document["outlet"] == "Frontier Wire" and document["published"] == "2026-11-20"
            text = (await session.call_tool("get_document", {"doc_id": document["id"]})).structured_content
            assert "Hairatan border crossing" in text["text"] and "Skip to main content" not in text["text"]
            again = await session.call_tool("add_document_from_url", {"url": url})
            assert again.structured_content["status"] == "unchanged"

        run_http(served.url, check, {"Authorization": f"Bearer {KEY}"})


@pytest.mark.slow
def test_mcp_is_not_in_the_openapi_document(served):
    paths = httpx.get(f"{served.url}/openapi.json", timeout=10).json()["paths"]
    assert not [p for p in paths if p.startswith("/mcp")]


# ---- over stdio, a `briefing mcp` subprocess --------------------------------------------------------------
@pytest.fixture(scope="module")
def stdio_data(tmp_path_factory, embedder) -> Path:
    """A data dir for `briefing mcp`: the first process ingests the seed articles, later ones reuse them."""
    return served_data_dir(tmp_path_factory.mktemp("mcp-stdio"), embedder)


@pytest.mark.slow
def test_stdio_serves_the_tools_with_cited_answers_refusals_and_errors(stdio_data):
    async def check(session: Session) -> None:
        assert await tool_names(session) == READ_TOOLS  # no key: no add_document
        await check_tools_have_schemas(session)
        await check_cited_answer(session)
        await check_refusal(session)
        await check_bad_arguments_are_errors(session)
        unknown = await session.call_tool("add_document", {"text": ARTICLE})
        assert unknown.is_error

    run_stdio(stdio_data, stdio_data / "mcp.log", check)


@pytest.mark.slow
def test_stdio_offers_add_document_when_started_with_the_key(stdio_data):
    run_stdio(stdio_data, stdio_data / "mcp.log", check_add_document, BRIEFING_API_KEY=KEY)


def test_the_readme_mcp_configurations_are_json():
    import json
    import re

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    section = readme[readme.index("**From an MCP client**") : readme.index("## Architecture")]
    blocks = [
        json.loads(b)["mcpServers"]["afghan-briefing"]
        for b in re.findall(r"```json\n(.*?)```", section, re.S)
    ]
    assert blocks[0]["args"] == ["mcp"] and blocks[0]["command"].endswith("/.venv/bin/briefing")
    assert blocks[1]["url"] == "http://127.0.0.1:8000/mcp"


# ---- the parts, without a server ------------------------------------------------------------------------------
def test_tool_calls_are_read_from_a_json_rpc_body():
    from server.mcp_http import tool_calls

    call = b'{"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "ask", "arguments": {}}}'
    assert tool_calls(call) == [(3, "ask")]
    assert tool_calls(b'{"jsonrpc": "2.0", "id": 1, "method": "tools/list"}') == []
    assert tool_calls(b"[" + call + b"]") == [(3, "ask")]
    assert tool_calls(b"not json") == [] and tool_calls(b'{"method": "tools/call", "params": 1}') == []


def test_the_api_key_is_read_from_either_header():
    from server.deps import api_key_from_headers

    assert api_key_from_headers({"Authorization": "Bearer abc "}) == "abc"
    assert api_key_from_headers({"x-api-key": "abc"}) == "abc"
    assert api_key_from_headers({"authorization": "Basic abc"}) is None
    assert api_key_from_headers({}) is None


def test_added_texts_get_a_stable_name_of_their_own():
    from server.mcp_server import upload_name

    assert upload_name("one", None) == upload_name("one", None) != upload_name("two", None)
    assert upload_name("one", None).endswith(".txt")
    assert upload_name("x", "notes") == "notes.txt" and upload_name("x", "notes.md") == "notes.md"


async def check_filters(session: Session) -> None:
    """since, until and outlets narrow ask and search as they narrow the REST API; bad ones are tool errors."""
    found = await session.call_tool(
        "search", {"query": NOOR_QUESTION, "top_k": 6, "outlets": ["nationpress"]}
    )
    assert not found.is_error, found.content
    assert {p["outlet"] for p in found.structured_content["passages"]} == {"NationPress"}
    nothing = await session.call_tool("ask", {"question": NOOR_QUESTION, "until": "2001-01-01"})
    assert nothing.structured_content["refused"] is True
    assert "No article in the library matches the filters" in nothing.structured_content["refusal_reason"]
    for arguments, expected in (
        ({"since": "2025-12-31", "until": "2025-01-01"}, "is after until"),
        ({"since": "someday"}, "is not a date"),
    ):
        result = await session.call_tool("ask", {"question": NOOR_QUESTION, **arguments})
        assert result.is_error and expected in result.content[0].text, result.content


@pytest.mark.slow
def test_http_tools_take_the_filters(served):
    run_http(served.url, check_filters)


async def check_brief(session: Session) -> None:
    """The brief tool returns the briefing JSON, under the citation contract; bad arguments are tool errors."""
    result = await session.call_tool(
        "brief", {"topic": "Iran's role in the talks", "outlets": ["NationPress"]}
    )
    assert not result.is_error, result.content
    briefing = result.structured_content
    assert briefing["covered"] is True and briefing["citations"]
    assert {c["outlet"] for c in briefing["citations"]} == {"NationPress"}
    text = (
        await session.call_tool("get_document", {"doc_id": briefing["citations"][0]["doc_id"]})
    ).structured_content
    for citation in briefing["citations"]:
        if citation["doc_id"] == text["id"]:
            assert text["text"][citation["start"] : citation["end"]] == citation["quote"]
    uncovered = (
        await session.call_tool("brief", {"topic": "the football world cup final"})
    ).structured_content
    assert uncovered["covered"] is False and uncovered["citations"] == []
    for arguments, expected in (
        ({"topic": "  "}, "topic"),
        ({"topic": "Iran", "since": "2026-01-02", "until": "2026-01-01"}, "is after until"),
        ({"topic": "x" * 301}, "topic"),
    ):
        bad = await session.call_tool("brief", arguments)
        assert bad.is_error and expected in bad.content[0].text, bad.content


@pytest.mark.slow
def test_http_brief_tool_returns_the_briefing(served):
    run_http(served.url, check_brief)


@pytest.mark.slow
def test_http_rate_limit_applies_to_tools_and_is_shared_with_the_rest_api(served):
    """Last in the module: it empties this client's allowance."""
    from mcp.shared.exceptions import MCPError

    async def check(session: Session) -> None:
        with pytest.raises(MCPError, match=r"too many requests; retry in \d+ s"):
            for _ in range(100):
                await session.call_tool("search", {"query": "Tehran"})
        async with httpx.AsyncClient() as rest:  # the same allowance: the REST API refuses this client too
            limited = await rest.post(f"{served.url}/v1/retrieve", json={"query": "Tehran"}, timeout=10)
        assert limited.status_code == 429 and limited.headers["retry-after"]
        assert not (await session.call_tool("list_documents", {})).is_error  # reads are not limited

    run_http(served.url, check)
