"""Preparing many files for ingest: in a second process when there are enough of them, so that the parser
(which holds the GIL for most of its work) runs on one core while the encoder and the store's writes run on
the other. Results come back in the files' order, and only a bounded number are asked for ahead.

The worker is a plain `python -m ingest.bulk` subprocess that reads paths and writes prepared documents
as pickles over its pipes: it imports nothing of its caller's (multiprocessing's spawn would import the
caller's main module again, and a fork would copy the encoder's and the store's threads mid-flight)."""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
from collections.abc import Generator
from pathlib import Path
from typing import IO

from ingest.models import IngestError, PreparedDocument
from ingest.prepare import prepare_file

# Below this many files the second process is not worth starting (it loads the parser again, ~2 s).
MIN_FILES_FOR_PROCESS = 64
# Files asked of the worker ahead of the writer at most (bounds the memory its prepared documents hold).
PREPARE_AHEAD = 32

Result = PreparedDocument | IngestError


def prepare_one(path: Path, max_chunk_words: int) -> Result:
    """One file prepared, or the IngestError that says why it cannot be."""
    try:
        if not path.exists():
            raise IngestError(path.name, "no such file")
        return prepare_file(path, max_chunk_words)
    except IngestError as exc:
        return exc


def prepare_files(files: list[Path], max_chunk_words: int) -> Generator[Result, None, None]:
    """Each file prepared (or its IngestError), in order."""
    if len(files) < MIN_FILES_FOR_PROCESS or (os.cpu_count() or 1) < 2:
        for path in files:
            yield prepare_one(path, max_chunk_words)
        return
    worker = subprocess.Popen(
        [sys.executable, "-m", "ingest.bulk", str(max_chunk_words)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={**os.environ, "TOKENIZERS_PARALLELISM": "false"},
    )
    assert worker.stdin is not None and worker.stdout is not None
    # Replies are read as they come, by a thread, so that the worker never waits on a full pipe while the
    # caller is busy writing a batch.
    replies: queue.Queue[Result | RuntimeError] = queue.Queue()
    reader = threading.Thread(target=_read_replies, args=(worker.stdout, files, replies), daemon=True)
    reader.start()
    try:
        asked = 0
        for position in range(len(files)):
            while asked < min(len(files), position + 1 + PREPARE_AHEAD):
                _send(worker.stdin, str(files[asked]))
                asked += 1
            reply = replies.get()
            if isinstance(reply, RuntimeError):
                raise reply
            yield reply
    finally:
        worker.stdin.close()  # the worker stops at the end of its input (or when it cannot reply)
        worker.stdout.close()
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _send(pipe: IO[bytes], path: str) -> None:
    pickle.dump(path, pipe)
    pipe.flush()


def _read_replies(pipe: IO[bytes], files: list[Path], replies: queue.Queue) -> None:
    for path in files:
        try:
            result = pickle.load(pipe)
        except (EOFError, OSError, ValueError):  # the worker died, or the caller closed the pipe
            replies.put(RuntimeError(f"the preparing process stopped before {path.name}"))
            return
        # An IngestError comes as (source, reason): its two-argument constructor does not survive pickling.
        replies.put(IngestError(*result) if isinstance(result, tuple) else result)


def _serve(max_chunk_words: int) -> None:
    """The worker: a path in, its prepared document (or (source, reason)) out, until stdin closes."""
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # anything a library prints must not corrupt the replies
    while True:
        try:
            path = pickle.load(requests)
        except EOFError:
            return
        result = prepare_one(Path(path), max_chunk_words)
        try:
            pickle.dump(
                (result.source, result.reason) if isinstance(result, IngestError) else result, replies
            )
            replies.flush()
        except BrokenPipeError:  # the caller stopped reading: it has given up on the rest
            return


if __name__ == "__main__":
    _serve(int(sys.argv[1]))
