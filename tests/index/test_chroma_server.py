"""Server mode: a real `chroma run` on loopback, started by the test."""

import pytest

from tests.conftest import SEED_DIR, chroma_executable, free_port, start_and_wait


@pytest.fixture()
def chroma_server(tmp_path):
    port = free_port()
    proc = start_and_wait(
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
        f"http://127.0.0.1:{port}/api/v2/heartbeat",
        tmp_path / "chroma.log",
        env={"ANONYMIZED_TELEMETRY": "False", "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
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
