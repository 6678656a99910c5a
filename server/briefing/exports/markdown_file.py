"""A briefing as Markdown: citations as [n] in the text and numbered endnotes under "Sources"."""

from __future__ import annotations

import re

from server.briefing.exports.outline import Block

# Characters that would turn a quoted passage into Markdown markup.
_MARKUP = re.compile(r"([\\`*_{}<>#|~]|^[-+](?= )|^\d+\.(?= ))", re.MULTILINE)


def escape(text: str) -> str:
    return _MARKUP.sub(r"\\\1", " ".join(text.split()))


def write_markdown(blocks: list[Block]) -> bytes:
    lines: list[str] = []
    for block in blocks:
        text = escape(block.text)
        if block.kind == "title":
            lines += [f"# {text}", ""]
        elif block.kind == "heading":
            lines += ["", f"## {text}", ""]
        elif block.kind == "subheading":
            lines += ["", f"### {text}", ""]
        elif block.kind == "paragraph":
            lines += [text, ""]
        elif block.kind == "bullet":
            lines.append(f"- {text}")
        elif block.kind == "note":
            lines.append(f"{block.number}. {text}")
    return ("\n".join(lines).strip() + "\n").encode("utf-8")
