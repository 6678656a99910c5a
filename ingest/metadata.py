"""Article metadata: a sidecar file when there is one, otherwise only what the text itself states."""

from __future__ import annotations

import json
import re
from dataclasses import fields, replace
from pathlib import Path

from ingest.models import DocumentMetadata, IngestError

SIDECAR_SUFFIX = ".meta.json"
_FIELDS = tuple(f.name for f in fields(DocumentMetadata))
# "New Delhi, December 10 (NationPress) In a noteworthy ..." states the outlet in the dateline.
_DATELINE_OUTLET = re.compile(
    r"^[A-Z][A-Za-z .'-]{1,40}, [A-Z][a-z]+ \d{1,2}(?:, \d{4})? \(([A-Z][A-Za-z .&'-]{1,40})\)", re.MULTILINE
)


def sidecar_path(article: Path) -> Path:
    return article.with_name(article.stem + SIDECAR_SUFFIX)


def read_sidecar(article: Path) -> DocumentMetadata | None:
    """Read `NAME.meta.json` beside an article, if present."""
    path = sidecar_path(article)
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise IngestError(path.name, f"the metadata sidecar is not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise IngestError(path.name, "the metadata sidecar must be a JSON object")
    return DocumentMetadata(**{k: str(data.get(k) or "").strip() for k in _FIELDS})


def infer_metadata(raw_text: str, stated: DocumentMetadata) -> DocumentMetadata:
    """Fill empty fields only from what the text states; never guess."""
    title = stated.title
    if not title:
        first = next((line.strip() for line in raw_text.splitlines() if line.strip()), "")
        title = first if len(first) <= 200 else ""
    outlet = stated.outlet
    if not outlet:
        match = _DATELINE_OUTLET.search(raw_text)
        outlet = match.group(1).strip() if match else ""
    return replace(stated, title=title, outlet=outlet)


def merge_metadata(primary: DocumentMetadata | None, fallback: DocumentMetadata) -> DocumentMetadata:
    """Sidecar fields win; the file's own metadata fills the gaps."""
    if primary is None:
        return fallback
    return DocumentMetadata(**{k: getattr(primary, k) or getattr(fallback, k) for k in _FIELDS})
