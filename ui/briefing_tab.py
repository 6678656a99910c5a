"""The Briefing tab: a topic and the filters, a preview whose [n] open their sources as in the chat, and
the briefing as Markdown, Word and PDF files to download."""

from __future__ import annotations

import itertools
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import gradio as gr

from ui.briefing_view import briefing_html, write_downloads

# Files of briefings made more than this long ago are removed when the next one is made.
KEEP_FILES_S = 3600


def build_briefing_tab(service: Callable, filter_row: Callable, filter_from_inputs: Callable) -> gr.Dropdown:
    """The tab's components and events, inside the current Blocks; returns its outlet picker (the page
    fills its choices on load)."""
    from pydantic import ValidationError

    from server.briefing.request import MAX_TOPIC_CHARS, BriefingRequest

    runs = itertools.count(1)
    files_root = Path(tempfile.gettempdir()) / "afghan-briefing-files"

    def make_briefing(topic: str, since: str, until: str, outlets: list[str] | None):
        unchanged = (gr.update(),) * 5
        topic = (topic or "").strip()
        if not topic:
            gr.Warning("Type a topic first.")
            return unchanged
        if len(topic) > MAX_TOPIC_CHARS:
            gr.Warning(f"Topics are limited to {MAX_TOPIC_CHARS} characters; shorten it.")
            return unchanged
        try:
            source_filter = filter_from_inputs(since, until, outlets)
            request = BriefingRequest.model_validate(
                {
                    "topic": topic,
                    "since": source_filter.since if source_filter else None,
                    "until": source_filter.until if source_filter else None,
                    "outlets": list(source_filter.outlets) if source_filter else [],
                }
            )
        except (ValueError, ValidationError) as exc:
            gr.Warning(f"Check the filters: {exc}.")
            return unchanged
        svc = service()
        briefing = svc.brief(request)
        run = next(runs)

        def article_text(doc_id: str) -> str | None:
            stored = svc.document(doc_id)
            return stored.text if stored else None

        _remove_old(files_root)
        files = write_downloads(briefing, files_root / f"{int(time.time())}-{run}")
        status = (
            f"{len(briefing.citations)} citations from {briefing.scope.articles_used} articles."
            if briefing.covered
            else "The library does not cover this topic under these filters; the files say so too."
        )
        return (
            briefing_html(briefing, run, article_text),
            status,
            gr.update(value=str(files["markdown"]), visible=True),
            gr.update(value=str(files["docx"]), visible=True),
            gr.update(value=str(files["pdf"]), visible=True),
        )

    gr.Markdown(
        "Write a **cited briefing** on a topic from the library: sections chosen from what the articles say, "
        "a dated timeline, people and organisations, disagreements and gaps. Every sentence is a source's own "
        "words with its [n]; open one to see it in its article."
    )
    with gr.Row():
        topic = gr.Textbox(
            label="Topic",
            placeholder="e.g. Iran's role in the talks between the factions",
            max_lines=2,
            scale=5,
            elem_id="briefing-topic",
        )
        make = gr.Button("Make briefing", variant="primary", scale=1, min_width=120, elem_id="briefing-make")
    since, until, outlets = filter_row("briefing-brief")
    status = gr.Markdown(elem_id="briefing-brief-status")
    with gr.Row():
        markdown_file = gr.DownloadButton("Markdown (.md)", visible=False, elem_id="briefing-download-md")
        word_file = gr.DownloadButton("Word (.docx)", visible=False, elem_id="briefing-download-docx")
        pdf_file = gr.DownloadButton("PDF", visible=False, elem_id="briefing-download-pdf")
    preview = gr.HTML(elem_id="briefing-preview")
    outputs = [preview, status, markdown_file, word_file, pdf_file]
    inputs = [topic, since, until, outlets]
    make.click(make_briefing, inputs, outputs, api_visibility="private")
    topic.submit(make_briefing, inputs, outputs, api_visibility="private")
    return outlets


def _remove_old(root: Path) -> None:
    if not root.exists():
        return
    cutoff = time.time() - KEEP_FILES_S
    for folder in root.iterdir():
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except OSError:
            continue
