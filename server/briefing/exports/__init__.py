"""A briefing as a file: Markdown, Word (DOCX) or PDF, each written from one outline (outline.py)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from server.briefing.models import Briefing

MEDIA_TYPES = {
    "markdown": ("text/markdown; charset=utf-8", "md"),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx"),
    "pdf": ("application/pdf", "pdf"),
}


@dataclass(frozen=True)
class ExportedFile:
    content: bytes
    media_type: str
    filename: str


def file_name(briefing: Briefing, extension: str) -> str:
    """briefing-<topic in ASCII words>-<day made>.<ext>: safe in a header and on any file system."""
    ascii_topic = unicodedata.normalize("NFKD", briefing.scope.topic).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_topic.lower()).strip("-")[:60].strip("-") or "topic"
    day = briefing.scope.generated_at[:10].replace("-", "")
    return f"briefing-{slug}-{day}.{extension}"


def export_briefing(briefing: Briefing, fmt: str) -> ExportedFile:
    """The briefing written as `fmt` (markdown, docx or pdf)."""
    from server.briefing.exports.outline import outline_of

    blocks = outline_of(briefing)
    if fmt == "markdown":
        from server.briefing.exports.markdown_file import write_markdown

        content = write_markdown(blocks)
    elif fmt == "docx":
        from server.briefing.exports.word_file import write_docx

        content = write_docx(blocks, briefing.title, briefing.scope.generated_at)
    elif fmt == "pdf":
        from server.briefing.exports.pdf_file import write_pdf

        content = write_pdf(blocks, briefing.title)
    else:
        raise ValueError(f"unknown briefing format {fmt!r}: use markdown, docx or pdf")
    media_type, extension = MEDIA_TYPES[fmt]
    return ExportedFile(content, media_type, file_name(briefing, extension))
