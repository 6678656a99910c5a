"""Who may change the library: anyone on loopback, key holders when a key is set, nobody when the server
is exposed without a key. CORS stays off unless configured."""

import logging

import httpx
import pytest
from pydantic import SecretStr

from tests.conftest import free_port
from tests.server.conftest import LiveServer, make_settings

ARTICLE = b"Access test\n\nThe Badakhshan council met in Faizabad on 2 May 2025 to discuss mining rights.\n"


@pytest.fixture(scope="module")
def keyed(tmp_path_factory, embedder):
    from server.app import create_app
    from server.service import build_service

    settings = make_settings(tmp_path_factory.mktemp("keyed"))
    settings.server.api_key = SecretStr("s3cret-key")
    settings.server.cors_origins = ["https://newsroom.example"]
    service = build_service(settings, embedder=embedder)
    with LiveServer(create_app(settings, service=service, mount_ui=False), free_port()) as live:
        yield live.url


def test_writes_need_the_key_when_one_is_set(keyed):
    files = {"file": ("badakhshan.txt", ARTICLE)}
    denied = httpx.post(f"{keyed}/v1/documents", files=files)
    assert denied.status_code == 401 and "API key" in denied.json()["error"]["message"]
    assert denied.headers["www-authenticate"] == "Bearer"
    wrong = httpx.post(f"{keyed}/v1/documents", files=files, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    ok = httpx.post(f"{keyed}/v1/documents", files=files, headers={"Authorization": "Bearer s3cret-key"})
    assert ok.status_code == 201
    doc_id = ok.json()["document"]["id"]
    assert httpx.delete(f"{keyed}/v1/documents/{doc_id}").status_code == 401
    assert (
        httpx.delete(f"{keyed}/v1/documents/{doc_id}", headers={"X-API-Key": "s3cret-key"}).status_code == 204
    )
    # Reads never need it.
    assert httpx.get(f"{keyed}/v1/documents").status_code == 200
    assert httpx.post(f"{keyed}/v1/ask", json={"question": "What role did Iran play?"}).status_code == 200


def test_cors_only_for_configured_origins(keyed, api):
    preflight = {"Origin": "https://newsroom.example", "Access-Control-Request-Method": "POST"}
    allowed = httpx.options(f"{keyed}/v1/ask", headers=preflight)
    assert allowed.headers.get("access-control-allow-origin") == "https://newsroom.example"
    other = httpx.options(f"{keyed}/v1/ask", headers={**preflight, "Origin": "https://evil.example"})
    assert other.headers.get("access-control-allow-origin") is None
    default = httpx.get(f"{api}/healthz", headers={"Origin": "https://newsroom.example"})
    assert "access-control-allow-origin" not in default.headers


def test_exposed_without_a_key_disables_writes_and_says_so(tmp_path, embedder, caplog):
    from server.service import WriteDenied, build_service

    settings = make_settings(tmp_path / "data")
    settings.server.host = "0.0.0.0"
    with caplog.at_level(logging.WARNING):
        service = build_service(settings, embedder=embedder)
    assert any("DISABLED" in r.getMessage() and "BRIEFING_API_KEY" in r.getMessage() for r in caplog.records)
    with pytest.raises(WriteDenied) as denied:
        service.check_write_access("anything")
    assert denied.value.status == 403
    settings.server.host = "127.0.0.1"
    service.check_write_access(None)  # loopback without a key: open


def test_the_key_never_reaches_the_logs_or_repr(caplog):
    from server.settings import ServerSettings

    settings = ServerSettings(api_key=SecretStr("s3cret-key"))
    assert "s3cret-key" not in repr(settings) and "s3cret-key" not in str(settings.model_dump())


def test_rate_limit_answers_429_with_retry_after(tmp_path, embedder):
    from server.app import create_app
    from server.service import build_service

    settings = make_settings(tmp_path / "data")
    settings.server.rate_limit_per_minute = 30
    settings.server.rate_limit_burst = 3
    service = build_service(settings, embedder=embedder)
    with LiveServer(create_app(settings, service=service, mount_ui=False), free_port()) as live:
        statuses = [httpx.post(f"{live.url}/v1/ask", json={"question": "Why?"}, timeout=30) for _ in range(5)]
        assert [r.status_code for r in statuses[:3]] == [200, 200, 200]
        limited = statuses[3]
        assert limited.status_code == 429
        assert int(limited.headers["retry-after"]) >= 1
        assert "too many requests" in limited.json()["error"]["message"]
        assert httpx.get(f"{live.url}/v1/documents").status_code == 200  # reads are not limited
