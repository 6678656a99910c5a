"""Readers' thumbs-down, kept as candidate eval items for a human to review into the golden set."""

from __future__ import annotations

import json
import threading
import time
import uuid
from pathlib import Path


class FeedbackStore:
    """Appends one JSON line per piece of feedback to `path` (created on first use)."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()

    def save(
        self,
        *,
        question: str,
        answer: str,
        citations: list[dict],
        comment: str,
        rating: str,
        history: list[dict],
    ) -> str:
        item_id = f"fb-{time.strftime('%Y%m%d')}-{uuid.uuid4().hex[:8]}"
        record = {
            "id": item_id,
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "rating": rating,
            "comment": comment,
            "status": "candidate",
            # The golden-set fields a reviewer fills in before promoting it.
            "kind": "candidate",
            "question": question,
            "history": history,
            "answerable": None,
            "reference": "",
            "reference_contexts": [],
            "key_facts": [],
            "forbidden": [],
            "answer": answer,
            "citations": citations,
        }
        line = json.dumps(record, ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        return item_id

    def read(self) -> list[dict]:
        if not self.path.exists():
            return []
        return [
            json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line.strip()
        ]
