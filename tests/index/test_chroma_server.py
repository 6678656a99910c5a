"""Server mode: a real `chroma run` on loopback, started by the test."""

import subprocess
import time

import pytest

from tests.conftest import SEED_DIR, chroma_executable, free_port


@pytest.fixture()
def chroma_server(tmp_path):
    port = free_port()
    log = (tmp_path / "chroma.log").open("wb")
    proc = subprocess.Popen(
        [
            chroma_executable(),
            "run",
            "--path",
            str(tmp_path / "chroma-server"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
    )
    import httpx

    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("chroma run did not start: " + (tmp_path / "chroma.log").read_text())
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=20)


def test_library_works_against_a_chroma_server(make_library, chroma_server, tmp_path):
    library = make_library(chroma_url=chroma_server)
    assert not (tmp_path / "data" / "chroma").exists(), "server mode must not create an embedded store"
    report = library.ingest_paths([SEED_DIR])
    assert report.count("added") == 2
    hits = library.retrieve("What role did Iran play?", k=3)
    assert any("initiated at the request of Tehran" in h.text for h in hits)
    # A second client (another server process would do the same) sees the same documents.
    other = make_library(chroma_url=chroma_server)
    assert {d.id for d in other.documents()} == {d.id for d in library.documents()}
    assert other.ingest_paths([SEED_DIR]).count("unchanged") == 2
