"""Preparing many files in the second process (a real `python -m ingest.bulk` worker with the real parser):
the same documents as preparing them here, in the files' order, with bad files reported, not fatal."""

import os
from pathlib import Path

from ingest.bulk import MIN_FILES_FOR_PROCESS, prepare_files, prepare_one
from ingest.models import IngestError
from tests.conftest import NOOR_ARTICLE


def _many_files(folder: Path) -> list[Path]:
    """Distinct short articles, a file the loader refuses and a missing file among them."""
    sentences = [s.strip() + "." for s in NOOR_ARTICLE.read_text(encoding="utf-8").split(".") if len(s) > 40]
    files = []
    for i in range(MIN_FILES_FOR_PROCESS + 6):
        path = folder / f"article_{i:03d}.txt"
        path.write_text(f"Report {i}\n\n" + " ".join(sentences[i % len(sentences) :][:3]), encoding="utf-8")
        files.append(path)
    empty = folder / "article_empty.txt"
    empty.write_text("   \n", encoding="utf-8")
    files.insert(10, empty)
    files.insert(20, folder / "article_missing.txt")
    return files


def test_the_worker_prepares_what_this_process_would_in_order(tmp_path):
    files = _many_files(tmp_path)
    results = list(prepare_files(files, 140))
    assert len(results) == len(files)
    for path, result in zip(files, results, strict=True):
        here = prepare_one(path, 140)
        if isinstance(here, IngestError):
            assert isinstance(result, IngestError)
            assert (result.source, result.reason) == (here.source, here.reason)
        else:
            assert not isinstance(result, IngestError)
            assert result.document.id == here.document.id
            assert result.document.source == path.name
            assert [c.text for c in result.chunks] == [c.text for c in here.chunks]
            assert result.annotations == here.annotations
    failed = [r for r in results if isinstance(r, IngestError)]
    assert [f.source for f in failed] == ["article_empty.txt", "article_missing.txt"]
    assert "no such file" in failed[1].reason


def _workers_of_this_process() -> list[int]:
    """Live children of this process running the worker (from /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line)
            cmdline = (status.parent / "cmdline").read_bytes()
        except OSError:
            continue
        alive = not fields.get("State", "").startswith("Z")
        if int(fields.get("PPid", "0")) == os.getpid() and b"ingest.bulk" in cmdline and alive:
            found.append(int(status.parent.name))
    return found


def test_stopping_early_ends_the_worker(tmp_path):
    files = _many_files(tmp_path)
    results = prepare_files(files, 140)
    first = next(results)
    assert not isinstance(first, IngestError)
    assert len(_workers_of_this_process()) == 1
    results.close()  # the caller gives up (say, the store failed): the worker must not linger
    assert _workers_of_this_process() == []
