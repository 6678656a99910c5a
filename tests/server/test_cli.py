"""The `briefing` console script, run as a user would."""

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import SEED_DIR

BRIEFING = str(Path(sys.executable).parent / "briefing")


def run(args, data_dir):
    env = {**os.environ, "BRIEFING_DATA_DIR": str(data_dir), "BRIEFING_ARTICLES_DIR": str(SEED_DIR)}
    return subprocess.run([BRIEFING, *args], capture_output=True, text=True, env=env, timeout=300)


def test_ingest_search_and_delete_from_the_command_line(tmp_path):
    data = tmp_path / "data"
    first = run(["ingest"], data)
    assert first.returncode == 0, first.stderr
    assert "2 added" in first.stdout
    again = run(["ingest", str(SEED_DIR)], data)
    assert "2 unchanged" in again.stdout
    found = run(["search", "What role did Iran play?", "-k", "3"], data)
    assert found.returncode == 0
    assert "NationPress, 2025-12-11" in found.stdout
    assert "Tehran" in found.stdout
    bad = tmp_path / "broken.pdf"
    bad.write_bytes(b"%PDF-1.4 nonsense")
    failed = run(["ingest", str(bad)], data)
    assert failed.returncode == 1
    assert "broken.pdf" in failed.stderr and "PDF" in failed.stderr
    gone = run(["ingest", "--delete", "003_5457fee9bd57a84c.txt"], data)
    assert gone.returncode == 0 and "deleted" in gone.stdout
    assert "Tehran" not in run(["search", "Tehran Iran", "-k", "5"], data).stdout
