"""Bytes to text: the encoding a file or page states (a byte-order mark, an HTTP charset, an HTML
declaration), else UTF-8, else Windows-1252; binary data is refused with a reason."""

from __future__ import annotations

import codecs
import re

from ingest.models import IngestError

# Byte-order marks, longest first (UTF-32's LE mark begins with UTF-16's).
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# `<meta charset="...">` or `<meta http-equiv="Content-Type" content="text/html; charset=...">`, and an
# XML declaration's `encoding="..."`, within the first bytes of a page (where HTML requires it).
_DECLARED = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""",
    re.IGNORECASE,
)
DECLARATION_WINDOW = 4096
# Browsers read these labels as Windows-1252 (WHATWG Encoding), and so do pages that declare them.
_WINDOWS_1252_LABELS = {"iso-8859-1", "latin1", "latin-1", "iso8859-1", "us-ascii", "ascii", "l1", "cp819"}
FALLBACK_ENCODING = "windows-1252"


def _codec(label: str) -> str | None:
    """A Python codec for an encoding label, or None for a label Python does not know."""
    name = label.strip().strip("\"'").lower()
    if name in _WINDOWS_1252_LABELS:
        return FALLBACK_ENCODING
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def declared_encoding(data: bytes) -> str | None:
    """The charset an HTML or XML document declares near its start, if Python knows it."""
    match = _DECLARED.search(data[:DECLARATION_WINDOW])
    if not match:
        return None
    label = (match.group(1) or match.group(2)).decode("ascii", "ignore")
    codec = _codec(label)
    # A page read as bytes cannot really be UTF-16 if its declaration was found as ASCII.
    return None if codec is None or codec.startswith("utf-16") or codec.startswith("utf-32") else codec


def _refuse_binary(text: str, source: str) -> str:
    control = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
    if "\x00" in text or control > max(8, len(text) // 100):
        raise IngestError(source, "the file holds binary data, not text")
    return text


def decode_text(data: bytes, source: str, charset: str | None = None, markup: bool = False) -> str:
    """Decode a file's bytes. The order: a byte-order mark, then `charset` (an HTTP Content-Type's), then
    for markup the document's own declaration, then UTF-8, then Windows-1252 (what most legacy Western
    pages are in). Raises IngestError for empty or binary data."""
    if not data.strip():
        raise IngestError(source, "the file is empty")
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _refuse_binary(data[len(bom) :].decode(codec), source)
            except UnicodeDecodeError as exc:
                raise IngestError(source, f"the file is not valid {codec} text (byte {exc.start})") from None
    if b"\x00" in data:
        raise IngestError(source, "the file holds binary data, not text")
    candidates = [_codec(charset) if charset else None]
    if markup:
        candidates.append(declared_encoding(data))
    candidates += ["utf-8", FALLBACK_ENCODING]
    first_error: UnicodeDecodeError | None = None
    for codec in dict.fromkeys(c for c in candidates if c):
        try:
            return _refuse_binary(data.decode(codec), source)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
    # Windows-1252 leaves five bytes undefined: text that holds them is in no encoding this can tell.
    at = f" (byte {first_error.start})" if first_error else ""
    raise IngestError(
        source,
        f"the file is not valid UTF-8 text{at}, nor Windows-1252; save it as UTF-8 or declare its charset",
    )
