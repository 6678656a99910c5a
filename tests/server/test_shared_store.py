"""Two `briefing serve` processes on one real `chroma run` server agree: what one adds or deletes, the
other finds (or stops finding) within 5 s, in its keyword index and its vector search, without a restart."""

from __future__ import annotations

import signal
import time

import httpx

from tests.conftest import free_port
from tests.server.conftest import served_data_dir, start_briefing_server
from tests.server.test_faults import start_chroma

ARTICLE = (
    "Water council opens canal office in the Pamirs\n\n"
    "ISHKASHIM, 4 March 2031 — The Pamir Water Council, a fictional civic body created for this test, is led "
    "by Gulnaz Sherzad. The council opened a canal office in Ishkashim on Tuesday and said it would repair "
    "eleven irrigation channels before the spring thaw.\n"
).encode()
QUESTION = {"question": "Who leads the Pamir Water Council?"}
AGREE_WITHIN_S = 5.0


def wait_for(check, seconds: float) -> float:
    """Seconds until `check()` held; fails if it never did within `seconds`."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if check():
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"not within {seconds} s")


def cites(url: str, doc_id: str) -> bool:
    answer = httpx.post(f"{url}/v1/ask", json=QUESTION, timeout=30).json()
    return any(c["doc_id"] == doc_id for c in answer["citations"])


def test_two_servers_on_one_chroma_server_agree_within_five_seconds(tmp_path, embedder):
    chroma_port = free_port()
    chroma = start_chroma(tmp_path / "chroma-server", chroma_port, tmp_path / "chroma.log")
    shared = {"briefing_chroma_url": f"http://127.0.0.1:{chroma_port}", "briefing_sync_seconds": "1"}
    first_port, second_port = free_port(), free_port()
    first_url, second_url = f"http://127.0.0.1:{first_port}", f"http://127.0.0.1:{second_port}"
    servers = []
    try:
        servers.append(
            start_briefing_server(
                served_data_dir(tmp_path / "one", embedder), first_port, tmp_path / "one.log", **shared
            )
        )
        servers.append(
            start_briefing_server(
                served_data_dir(tmp_path / "two", embedder), second_port, tmp_path / "two.log", **shared
            )
        )
        before = httpx.get(f"{second_url}/readyz").json()
        assert before["documents"] == 2, before  # the seed articles the first server ingested

        upload = httpx.post(f"{first_url}/v1/documents", files={"file": ("pamir.txt", ARTICLE)}, timeout=60)
        assert upload.status_code == 201, upload.text
        document = upload.json()["document"]
        assert cites(first_url, document["id"])

        def second_has_it() -> bool:
            ready = httpx.get(f"{second_url}/readyz").json()
            return ready["chunks"] == before["chunks"] + document["chunks"] and ready["documents"] == 3

        wait_for(second_has_it, AGREE_WITHIN_S)
        assert cites(second_url, document["id"])
        assert (
            "Gulnaz Sherzad" in httpx.post(f"{second_url}/v1/ask", json=QUESTION, timeout=30).json()["answer"]
        )

        deleted = httpx.delete(f"{first_url}/v1/documents/{document['id']}", timeout=60)
        assert deleted.status_code in (200, 204), deleted.text
        wait_for(lambda: httpx.get(f"{second_url}/readyz").json() == before, AGREE_WITHIN_S)
        assert not cites(second_url, document["id"])
    finally:
        for server in servers:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=30)
        chroma.terminate()
        chroma.wait(timeout=20)
