"""A briefing as a Word document (python-docx): headings, bullets, and the citations as numbered endnotes
under "Sources"."""

from __future__ import annotations

import contextlib
import datetime
import io

from server.briefing.exports.outline import Block


def _safe(text: str) -> str:
    """XML 1.0 refuses control characters; an article's text could hold one."""
    return "".join(ch for ch in text if ch in "\t\n" or ord(ch) >= 32)


def write_docx(blocks: list[Block], title: str, made_at: str) -> bytes:
    import docx

    document = docx.Document()
    document.core_properties.title = _safe(title)[:250]
    document.core_properties.author = "afghan-briefing"
    with contextlib.suppress(ValueError):
        document.core_properties.created = datetime.datetime.fromisoformat(made_at)
    for block in blocks:
        text = _safe(block.text)
        if block.kind == "title":
            document.add_heading(text, level=0)
        elif block.kind == "heading":
            document.add_heading(text, level=1)
        elif block.kind == "subheading":
            document.add_heading(text, level=2)
        elif block.kind == "paragraph":
            document.add_paragraph(text)
        elif block.kind == "bullet":
            document.add_paragraph(text, style="List Bullet")
        elif block.kind == "note":
            document.add_paragraph(f"[{block.number}] {text}")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
