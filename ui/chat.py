"""The Gradio web UI: a chat whose every [n] opens its source, and a library tab.

It talks to the product only through BriefingService, the interface the HTTP routes use.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from html import escape
from pathlib import Path

import gradio as gr

from server.answer.models import Answer, ChatTurn
from server.filters import SourceFilter
from server.service import SUPPORTED_SUFFIXES, BriefingService, IngestError, WriteDenied
from ui.briefing_tab import build_briefing_tab
from ui.briefing_view import BRIEFING_CSS
from ui.news import also_carried_by, build_news_controls
from ui.render import (
    CITATION_JS,
    CSS,
    answer_message,
    article_view,
    library_list,
    sources_history,
    sources_panel,
)

EXAMPLES = [
    "What did Atta Mohammad Noor say about those who promote war?",
    "What role did Iran play in bringing the factions together?",
    "Which group does Ahmad Massoud belong to?",
    "What happened at the Vienna Conference?",
    "What is the Taliban's annual budget?",
]
INTRO = (
    "# Afghan Briefing\n"
    "Answers about Afghanistan's anti-Taliban movements, drawn only from the articles in the library. "
    "**Every sentence is sourced**: click a [n] to see the passage highlighted in its article. "
    "When the articles do not say, neither does the assistant."
)
LIBRARY_HEADERS = ["title", "outlet", "published", "chunks", "id"]

ServiceGetter = Callable[[], BriefingService | None]


def message_text(content) -> str:
    """A chat message's text, the UI's HTML stripped. Gradio 6 hands a handler each message's content as a
    list of parts ([{"type": "text", "text": ...}]); older versions as a string."""
    import html
    import re

    if isinstance(content, list):
        content = " ".join(
            str(p.get("text", "")) if isinstance(p, dict) else str(p) for p in content if p is not None
        )
    elif isinstance(content, dict):
        content = str(content.get("text", ""))
    if not isinstance(content, str):
        return ""
    return html.unescape(re.sub(r"<[^>]+>", "", content))


def _history_turns(messages: list[dict]) -> list[ChatTurn]:
    """Chat history as plain question/answer text."""
    turns = []
    for m in messages[-20:]:
        plain = message_text(m.get("content"))
        if plain.strip() and m.get("role") in ("user", "assistant"):
            turns.append(ChatTurn(role=m["role"], content=plain[:20_000]))
    return turns


def filter_from_inputs(
    since: str | None, until: str | None, outlets: list[str] | None
) -> SourceFilter | None:
    """The filter row's values as a filter (None when they do not narrow); ValueError says what is wrong."""
    from pydantic import ValidationError

    from server.filters import FilterFields

    try:
        fields = FilterFields.model_validate(
            {
                "since": (since or "").strip() or None,
                "until": (until or "").strip() or None,
                "outlets": outlets or [],
            }
        )
    except ValidationError as exc:
        raise ValueError("; ".join(e["msg"].removeprefix("Value error, ") for e in exc.errors())) from exc
    return fields.source_filter()


def filter_row(prefix: str) -> tuple[gr.Textbox, gr.Textbox, gr.Dropdown]:
    """Since, until and outlets, side by side (the chat's and the Briefing tab's)."""
    with gr.Row(elem_id=f"{prefix}-filters"):
        since = gr.Textbox(
            label="Since", placeholder="YYYY-MM-DD", max_lines=1, elem_id=f"{prefix}-since", scale=1
        )
        until = gr.Textbox(
            label="Until", placeholder="YYYY-MM-DD", max_lines=1, elem_id=f"{prefix}-until", scale=1
        )
        outlets = gr.Dropdown(
            label="Outlets (none: all)",
            choices=[],
            multiselect=True,
            allow_custom_value=True,
            elem_id=f"{prefix}-outlets",
            scale=2,
        )
    return since, until, outlets


def build_blocks(get_service: ServiceGetter, passages: int) -> gr.Blocks:
    """The UI; `passages` is where its "Passages to retrieve" setting starts (the engine's own number)."""

    def service() -> BriefingService:
        svc = get_service()
        if svc is None:
            raise gr.Error("The library is still loading; try again in a moment.")
        return svc

    def article_text(doc_id: str) -> str | None:
        stored = service().document(doc_id)
        return stored.text if stored else None

    def respond(
        question: str,
        messages: list[dict],
        top_k: int,
        mode: str,
        earlier: str | None = None,
        since: str | None = None,
        until: str | None = None,
        outlets: list[str] | None = None,
    ):
        typed = question or ""
        question = typed.strip()
        problem = (
            "Type a question first."
            if not question
            else "Questions are limited to 2,000 characters; shorten it and ask again."
            if len(question) > 2000
            else None
        )
        source_filter = None
        if problem is None:
            try:
                source_filter = filter_from_inputs(since, until, outlets)
            except ValueError as exc:
                problem = f"Check the filters: {exc}."
        if problem:
            # A toast that goes away; the conversation, the sources and what was typed stay as they are.
            gr.Warning(problem)
            yield gr.update(), typed, gr.update(), gr.update()
            return
        svc = service()
        history = _history_turns(messages)
        turn = len([m for m in messages if m.get("role") == "user"]) + 1
        # What the reader typed is shown as text: markup in it is escaped, never rendered or fetched.
        shown = {"role": "user", "content": escape(question)}
        messages = [*messages, shown, {"role": "assistant", "content": "…"}]
        yield messages, "", gr.update(), None
        answer: Answer | None = None
        text = ""
        chosen_mode = mode if mode == "generative" and svc.generative_available else "extractive"
        events = svc.ask_stream(
            question,
            history,
            int(top_k),
            chosen_mode,  # type: ignore[arg-type]
            source_filter=source_filter,
        )
        for event, data in events:
            if event == "delta":
                text += data["text"]
                messages[-1] = {"role": "assistant", "content": escape(text)}
                yield messages, "", gr.update(), None
            elif event == "done":
                answer = Answer.model_validate(data)
        assert answer is not None
        messages[-1] = {"role": "assistant", "content": answer_message(answer, turn)}
        panel = sources_history(sources_panel(answer, turn, article_text), turn, earlier)
        yield messages, "", panel, answer.model_dump()

    def start_over():
        return [], "", sources_panel(None, 0, lambda _d: None), None

    def library_views():
        """Everything that shows the library, from one read of it: the table, its phone list, both
        pickers and the count on the Ask tab."""
        docs = service().documents()
        rows = [[d.title, d.outlet, d.published, d.chunks, d.id] for d in docs]
        choices = [(f"{d.title} ({d.source})", d.id) for d in docs]
        count = f"**{len(docs):,} article{'' if len(docs) == 1 else 's'}** in the library"
        picker = gr.update(choices=choices, value=None)
        return rows, library_list(docs), picker, picker, count

    def read_article(doc_id: str | None) -> str:
        if not doc_id:
            return ""
        stored = service().document(doc_id)
        if stored is None:
            return "<p>That article is no longer in the library.</p>"
        info = stored.info
        view = article_view(info.title, info.outlet, info.published, info.url, stored.text)
        return also_carried_by(service(), doc_id) + view

    def ask_to_delete(doc_id: str | None):
        """The first click on Delete only asks: the article is named and the reader confirms or cancels."""
        if not doc_id:
            gr.Warning("Pick an article to delete first.")
            return gr.update(), gr.update()
        title = next((d.title for d in service().documents() if d.id == doc_id), doc_id)
        prompt = f"Delete **{escape(title)}** from the library? Its passages stop being used at once."
        return gr.update(value=prompt), gr.update(visible=True)

    def write_denied(key: str | None) -> str | None:
        """The reason this reader may not change the library, or None when they may."""
        try:
            service().check_write_access(key or None)
        except WriteDenied as exc:
            return f"⚠ {exc}."
        return None

    def upload(path: str | None, key: str, progress=gr.Progress()):  # noqa: B008 - Gradio's progress injection
        if not path:
            gr.Warning("Choose a file to upload first.")
            return (gr.update(),) * 7
        if denied := write_denied(key):
            return denied, *library_views(), None
        name = Path(path).name
        if Path(name).suffix.lower() not in SUPPORTED_SUFFIXES:
            return (
                f"⚠ **{escape(name)}** was not added: unsupported file type; use {', '.join(SUPPORTED_SUFFIXES)}.",
                *library_views(),
                None,
            )
        svc = service()
        size = os.path.getsize(path)
        if size > svc.settings.server.max_upload_bytes:
            return (
                (
                    f"⚠ **{escape(name)}** was not added: it is {size:,} bytes, over the "
                    f"{svc.settings.server.max_upload_bytes:,}-byte limit."
                ),
                *library_views(),
                None,
            )
        progress(0.1, desc="Reading")
        data = Path(path).read_bytes()
        progress(0.3, desc="Parsing, splitting and embedding")
        try:
            outcome = svc.upload(data, name)
        except IngestError as exc:
            return f"⚠ **{escape(name)}** was not added: {escape(exc.reason)}.", *library_views(), None
        progress(1.0, desc="Indexed")
        d = outcome.document
        verb = {"added": "Added", "replaced": "Replaced the earlier version of", "unchanged": "Already had"}
        return (
            (
                f"✓ {verb.get(outcome.status, outcome.status)} **{escape(d.title)}** ({d.chunks} passages). "
                "You can ask about it now."
            ),
            *library_views(),
            None,
        )

    def delete(doc_id: str | None, key: str):
        hidden = gr.update(visible=False)
        if not doc_id:
            gr.Warning("Pick an article to delete first.")
            return *(gr.update(),) * 6, hidden
        if denied := write_denied(key):
            return denied, *library_views(), hidden
        title = next((d.title for d in service().documents() if d.id == doc_id), doc_id)
        ok = service().delete(doc_id)
        status = f"🗑 Deleted **{escape(title)}**." if ok else "That article was already gone."
        return status, *library_views(), hidden

    def on_feedback(messages: list[dict], comment: str, data: gr.LikeData):
        """A thumbs-down (or up) on an answer becomes a candidate eval item for a human to review."""
        index = data.index[0] if isinstance(data.index, (list, tuple)) else data.index
        if not isinstance(index, int) or index >= len(messages) or messages[index].get("role") != "assistant":
            return comment
        question = next(
            (message_text(m.get("content")) for m in reversed(messages[:index]) if m.get("role") == "user"),
            "",
        )
        if not question.strip():
            return comment
        answer_text = message_text(messages[index].get("content"))
        service().save_feedback(
            question,
            answer_text,
            [],
            comment or "",
            "up" if data.liked else "down",
            _history_turns(messages[: max(0, index - 1)]),
        )
        gr.Info("Thank you: saved for review" + ("" if data.liked else " as a candidate test question") + ".")
        return ""

    def ask_api(question: str, top_k: int | None = None, mode: str = "extractive") -> dict:
        """The answer as JSON, for gradio_client users (no top_k: the engine's own number of passages)."""
        if not (question or "").strip():
            raise gr.Error("Type a question first.")
        k = int(top_k) if top_k else None
        return service().ask(question, None, k, mode).model_dump()  # type: ignore[arg-type]

    with gr.Blocks(title="Afghan Briefing — sourced answers", fill_width=True) as blocks:
        gr.Markdown(INTRO, elem_id="briefing-intro")
        with gr.Tabs():
            with gr.Tab("Ask", id="ask"):
                with gr.Row(equal_height=False):
                    with gr.Column(scale=3, min_width=320):
                        chatbot = gr.Chatbot(
                            label="Conversation",
                            elem_id="briefing-chat",
                            height=460,
                            feedback_options=("Like", "Dislike"),
                            buttons=["copy"],
                            placeholder="Ask about the anti-Taliban movements, or pick an example.",
                        )
                        with gr.Row():
                            question = gr.Textbox(
                                label="Question",
                                placeholder="Ask a question…",
                                scale=5,
                                elem_id="briefing-question",
                                max_lines=4,
                                autofocus=True,
                            )
                            send = gr.Button(
                                "Ask", variant="primary", scale=1, min_width=80, elem_id="briefing-ask"
                            )
                        with gr.Row():
                            clear = gr.Button(
                                "Start over", variant="secondary", size="sm", elem_id="briefing-clear"
                            )
                        chat_since, chat_until, chat_outlets = filter_row("briefing-chat")
                        gr.Examples(EXAMPLES, inputs=[question], label="Try one of these")
                        feedback_comment = gr.Textbox(
                            label="Wrong answer? Say what was wrong, then press 👎 on it",
                            max_lines=2,
                            elem_id="briefing-feedback-comment",
                        )
                        with gr.Accordion("Settings", open=False):
                            top_k = gr.Slider(
                                1,
                                20,
                                value=passages,
                                step=1,
                                label="Passages to retrieve",
                                elem_id="briefing-topk",
                            )
                            mode = gr.Radio(
                                ["extractive", "generative"],
                                value="extractive",
                                label="Answer mode",
                                elem_id="briefing-mode",
                                info="Generative mode writes the answer with a language model, when the site "
                                "has one set up; every sentence it writes is checked against its sources.",
                            )
                    with gr.Column(scale=2, min_width=300):
                        count = gr.Markdown(elem_id="briefing-count")
                        gr.Markdown("### Sources")
                        sources = gr.HTML(sources_panel(None, 0, lambda _d: None), elem_id="briefing-sources")
                last_answer = gr.JSON(visible=False)
            with gr.Tab("Briefing", id="briefing"):
                brief_outlets = build_briefing_tab(service, filter_row, filter_from_inputs)
            with gr.Tab("Library", id="library"):
                table = gr.Dataframe(
                    headers=LIBRARY_HEADERS,
                    label="Indexed articles",
                    interactive=False,
                    elem_id="briefing-library",
                    wrap=True,
                )
                table_list = gr.HTML(elem_id="briefing-library-list")
                with gr.Row():
                    with gr.Column():
                        file = gr.File(
                            label="Add an article (.txt .md .html .pdf)",
                            file_types=list(SUPPORTED_SUFFIXES),
                            type="filepath",
                            elem_id="briefing-upload",
                        )
                        add = gr.Button("Add to library", variant="primary", elem_id="briefing-add")
                    with gr.Column():
                        victim = gr.Dropdown(
                            label="Article to delete", choices=[], elem_id="briefing-delete-pick"
                        )
                        remove = gr.Button("Delete article", variant="stop", elem_id="briefing-delete")
                        with gr.Group(visible=False, elem_id="briefing-delete-confirm-box") as confirm_box:
                            confirm_text = gr.Markdown(elem_id="briefing-delete-question")
                            with gr.Row():
                                confirm = gr.Button(
                                    "Yes, delete it",
                                    variant="stop",
                                    size="sm",
                                    elem_id="briefing-delete-confirm",
                                )
                                cancel = gr.Button("Cancel", size="sm", elem_id="briefing-delete-cancel")
                api_key = gr.Textbox(
                    label="API key (only if the server sets BRIEFING_API_KEY)",
                    type="password",
                    max_lines=1,
                    elem_id="briefing-api-key",
                )
                status = gr.Markdown(elem_id="briefing-status")
                reading = gr.Dropdown(label="Read an article", choices=[], elem_id="briefing-read-pick")
                reader = gr.HTML(elem_id="briefing-reader")
                feed_views, feed_outputs = build_news_controls(
                    service,
                    write_denied,
                    api_key,
                    status,
                    [table, table_list, victim, reading, count],
                    library_views,
                )

        outputs = [chatbot, question, sources, last_answer]
        asked = [question, chatbot, top_k, mode, sources, chat_since, chat_until, chat_outlets]
        send.click(respond, asked, outputs, api_visibility="private")
        question.submit(respond, asked, outputs, api_visibility="private")
        clear.click(start_over, None, outputs, api_visibility="private")
        chatbot.like(on_feedback, [chatbot, feedback_comment], feedback_comment, api_visibility="private")
        views = [table, table_list, victim, reading, count]
        add.click(upload, [file, api_key], [status, *views, file], api_visibility="private")
        remove.click(ask_to_delete, [victim], [confirm_text, confirm_box], api_visibility="private")
        confirm.click(delete, [victim, api_key], [status, *views, confirm_box], api_visibility="private")
        cancel.click(lambda: gr.update(visible=False), None, confirm_box, api_visibility="private")
        reading.change(read_article, [reading], reader, api_visibility="private")
        blocks.load(library_views, None, views, api_visibility="private")
        blocks.load(feed_views, None, feed_outputs, api_visibility="private")

        def outlet_choices():
            names = sorted({d.outlet for d in service().documents() if d.outlet}, key=str.casefold)
            return gr.update(choices=names), gr.update(choices=names)

        blocks.load(outlet_choices, None, [chat_outlets, brief_outlets], api_visibility="private")
        blocks.load(
            lambda: gr.update(interactive=bool((svc := get_service()) and svc.generative_available)),
            None,
            mode,
            api_visibility="private",
        )
        gr.api(ask_api, api_name="ask")
    return blocks


def theme() -> gr.themes.Base:
    """The default look with system fonts only: nothing is fetched from a font CDN."""
    system = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
    return gr.themes.Default(font=system, font_mono=["ui-monospace", "SFMono-Regular", "Menlo", "monospace"])


def mount_ui(app, get_service: ServiceGetter, max_upload_bytes: int, passages: int) -> None:
    """Serve the UI at / inside the FastAPI app (the API routes, registered first, keep precedence)."""
    gr.mount_gradio_app(
        app,
        build_blocks(get_service, passages),
        path="/",
        theme=theme(),
        css=CSS + BRIEFING_CSS,
        js=CITATION_JS,
        max_file_size=max_upload_bytes,
        show_error=True,
        ssr_mode=False,
        footer_links=["api"],
    )
