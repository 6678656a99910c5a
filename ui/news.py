"""The Library tab's news controls: add a page by its URL, follow and unfollow feeds."""

from __future__ import annotations

import time
from collections.abc import Callable
from html import escape

import gradio as gr

from server.feeds import FeedRefused, FetchError
from server.service import IngestError

FEED_HEADERS = ["Feed", "URL", "Last poll", "Last error", "Articles", "Failed entries"]


def _when(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(at)) if at else "not yet"


def also_carried_by(service, doc_id: str) -> str:
    """A line naming the other outlets that carried the same story, or nothing."""
    copies = service.same_story_as(doc_id)
    if not copies:
        return ""
    names = ", ".join(escape(d.outlet or d.title) for d in copies)
    return f'<p class="briefing-also-carried">Also carried by {names} (the same story).</p>'


def build_news_controls(
    get_service: Callable,
    write_denied: Callable[[str | None], str | None],
    api_key: gr.Textbox,
    status: gr.Markdown,
    views: list,
    library_views: Callable,
) -> tuple[Callable, list]:
    """Inside the Library tab: a URL field, the feeds followed, and their add / remove controls. Returns
    the function that reads the feeds and the components it fills, for the page's load event."""

    def feed_views():
        feeds = get_service().feeds.feeds()
        rows = [
            [f.title or "(untitled)", f.url, _when(f.last_poll_at), f.last_error, c.ingested, c.failed]
            for f, c in feeds
        ]
        picker = gr.update(choices=[(f"{f.title or f.url}", f.id) for f, _ in feeds], value=None)
        return rows, picker

    def add_url(url: str, key: str):
        url = (url or "").strip()
        if not url:
            gr.Warning("Paste the address of a page first.")
            return gr.update(), *(gr.update(),) * len(views), gr.update()
        if denied := write_denied(key):
            return denied, *library_views(), gr.update()
        try:
            outcome = get_service().ingest_url(url)
        except (FetchError, IngestError) as exc:
            return f"⚠ **{escape(url)}** was not added: {escape(exc.reason)}.", *library_views(), gr.update()
        d = outcome.document
        copies = f" The same story is already here from {len(d.same_story_as)} other source(s)." * bool(
            d.same_story_as
        )
        verb = {"added": "Added", "replaced": "Replaced the earlier version of", "unchanged": "Already had"}
        message = (
            f"✓ {verb.get(outcome.status, outcome.status)} **{escape(d.title)}** "
            f"({escape(d.outlet or 'outlet not stated')}, {d.chunks} passages).{copies}"
        )
        return message, *library_views(), ""

    def follow(url: str, key: str):
        url = (url or "").strip()
        if not url:
            gr.Warning("Paste the address of an RSS or Atom feed first.")
            return gr.update(), *feed_views(), gr.update()
        if denied := write_denied(key):
            return denied, *feed_views(), gr.update()
        try:
            feed, created = get_service().feeds.subscribe(url)
        except FeedRefused as exc:
            return f"⚠ Could not follow **{escape(url)}**: {escape(str(exc))}.", *feed_views(), gr.update()
        message = (
            f"✓ Following **{escape(feed.title or feed.url)}**; its new articles come in within a minute."
            if created
            else f"Already following **{escape(feed.title or feed.url)}**."
        )
        return message, *feed_views(), ""

    def unfollow(feed_id: str | None, key: str):
        if not feed_id:
            gr.Warning("Pick a feed to stop following first.")
            return gr.update(), *feed_views()
        if denied := write_denied(key):
            return denied, *feed_views()
        gone = get_service().feeds.unsubscribe(feed_id)
        return (
            "Stopped following it; its articles stay." if gone else "That feed was already gone."
        ), *feed_views()

    with gr.Row():
        with gr.Column():
            page_url = gr.Textbox(
                label="Add a page by its address (https://...)", max_lines=1, elem_id="briefing-url"
            )
            fetch_page = gr.Button("Fetch and add", elem_id="briefing-url-add")
        with gr.Column():
            feed_url = gr.Textbox(
                label="Follow an outlet's RSS or Atom feed", max_lines=1, elem_id="briefing-feed-url"
            )
            follow_feed = gr.Button("Follow feed", elem_id="briefing-feed-add")
    feeds_table = gr.Dataframe(
        headers=FEED_HEADERS, label="Feeds followed", interactive=False, wrap=True, elem_id="briefing-feeds"
    )
    with gr.Row():
        feed_pick = gr.Dropdown(label="Feed to stop following", choices=[], elem_id="briefing-feed-pick")
        unfollow_feed = gr.Button("Stop following", variant="stop", elem_id="briefing-feed-remove")

    fetch_page.click(add_url, [page_url, api_key], [status, *views, page_url], api_visibility="private")
    follow_feed.click(
        follow, [feed_url, api_key], [status, feeds_table, feed_pick, feed_url], api_visibility="private"
    )
    unfollow_feed.click(
        unfollow, [feed_pick, api_key], [status, feeds_table, feed_pick], api_visibility="private"
    )
    return feed_views, [feeds_table, feed_pick]
