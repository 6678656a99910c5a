"""The Briefing tab and the chat's filter row, in Debian's Chromium: a briefing made, its [n] opened on
the passage in its article, each file downloaded and opened (python-docx reads the Word file, pypdf the
PDF's text); an answer narrowed by the filter row."""

from __future__ import annotations

import io

import httpx

from tests.ui.conftest import SCREENSHOTS

TOPIC = "Iran's role in bringing the factions together"


def make_briefing(page, topic: str = TOPIC, outlet: str | None = None) -> None:
    page.get_by_role("tab", name="Briefing").click()
    page.locator("#briefing-topic textarea").fill(topic)
    if outlet:
        picker = page.locator("#briefing-brief-outlets input")
        picker.fill(outlet)
        picker.press("Enter")
    page.locator("#briefing-make").click()


def test_a_briefing_is_made_its_citation_opens_and_each_file_downloads(page, ui_server, tmp_path):
    import docx
    import pypdf

    make_briefing(page)
    preview = page.locator("#briefing-preview .briefing-brief")
    preview.wait_for(timeout=90_000)
    assert preview.locator("h2").inner_text().startswith(f"Briefing: {TOPIC}")
    assert "Tehran" in preview.inner_text()
    first = preview.locator("a.briefing-cite").first
    n = first.inner_text().strip("[]")
    first.click()
    card = preview.locator(f"details.briefing-source[data-n='{n}']")
    page.wait_for_function(
        "n => document.querySelector(`#briefing-preview details.briefing-source[data-n='${n}']`).open", arg=n
    )
    mark = card.locator("mark.briefing-quote")
    assert mark.is_visible()
    # The highlighted passage is the citation's quote, as the document's text holds it.
    doc_id = httpx.post(f"{ui_server}/v1/briefings", json={"topic": TOPIC}, timeout=120).json()["citations"][
        int(n) - 1
    ]
    text = httpx.get(f"{ui_server}/v1/documents/{doc_id['doc_id']}", timeout=30).json()["text"]
    assert " ".join(mark.inner_text().split()) == " ".join(text[doc_id["start"] : doc_id["end"]].split())
    page.screenshot(path=str(SCREENSHOTS / "briefing-tab.png"), full_page=True)

    saved = {}
    for suffix in ("md", "docx", "pdf"):
        with page.expect_download(timeout=60_000) as download:
            page.locator(f"#briefing-download-{suffix}").click()
        path = tmp_path / f"briefing.{suffix}"
        download.value.save_as(path)
        assert download.value.suggested_filename.startswith("briefing-iran-s-role-in-bringing")
        assert download.value.suggested_filename.endswith(f".{suffix}")
        saved[suffix] = path
    markdown = saved["md"].read_text()
    assert markdown.startswith(f"# Briefing: {TOPIC}") and "## Sources" in markdown and "[1]" in markdown
    headings = [
        p.text
        for p in docx.Document(str(saved["docx"])).paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings[0] == f"Briefing: {TOPIC}" and {"Scope", "Sources"} <= set(headings)
    pdf_text = " ".join(
        " ".join(p.extract_text().split())
        for p in pypdf.PdfReader(io.BytesIO(saved["pdf"].read_bytes())).pages
    )
    for expected in (f"Briefing: {TOPIC}", "Scope", "Sources", "[1]", "Quoted passage", "NationPress"):
        assert expected in pdf_text, expected
    assert not page.external_requests


def test_a_topic_the_library_does_not_cover_and_a_bad_filter(page):
    make_briefing(page, "the football world cup final")
    uncovered = page.locator("#briefing-preview .briefing-uncovered")
    uncovered.wait_for(timeout=90_000)
    assert "holds nothing on" in uncovered.inner_text()
    page.locator("#briefing-brief-since input, #briefing-brief-since textarea").first.fill("2025-12-31")
    page.locator("#briefing-brief-until input, #briefing-brief-until textarea").first.fill("2025-01-01")
    page.locator("#briefing-make").click()
    page.get_by_text("is after until").first.wait_for(timeout=30_000)
    assert page.locator("#briefing-preview .briefing-uncovered").count() == 1, "the preview stays as it was"


def test_the_chat_filter_row_narrows_the_answer(page):
    page.locator("#briefing-chat-until input, #briefing-chat-until textarea").first.fill("2001-01-01")
    box = page.locator("#briefing-question textarea")
    box.fill("What role did Iran play in bringing the factions together?")
    box.press("Enter")
    refusal = page.locator("#briefing-chat .briefing-refusal")
    refusal.wait_for(timeout=60_000)
    assert "No article in the library matches the filters" in refusal.inner_text()
    page.locator("#briefing-chat-until input, #briefing-chat-until textarea").first.fill("")
    box.fill("What role did Iran play in bringing the factions together?")
    box.press("Enter")
    page.wait_for_function(
        "document.querySelectorAll('#briefing-chat .briefing-answer').length >= 1", timeout=60_000
    )
    assert "Tehran" in page.locator("#briefing-chat .briefing-answer").last.inner_text()
