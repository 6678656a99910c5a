"""The real UI in headless Chromium: ask, stream, cite, open a citation, upload, ask, delete."""

import re

from tests.ui.conftest import SCREENSHOTS

NOOR = "What did Atta Mohammad Noor say about those who promote war?"


def ask(page, question):
    box = page.locator("#briefing-question textarea")
    box.wait_for(timeout=15_000)
    box.fill(question)
    before = page.locator("#briefing-chat .message-row, #briefing-chat [data-testid='bot']").count()
    page.locator("#briefing-ask").click()
    return before


def last_bot_message(page):
    return page.locator("#briefing-chat [data-testid='bot']").last


def test_ask_stream_cite_and_open_a_citation(page):
    assert "Afghan Briefing" in page.title()
    intro = page.locator("#briefing-intro").inner_text()
    assert "Every sentence is sourced" in intro
    # Example questions are offered on first load.
    page.get_by_text(NOOR, exact=True).locator("visible=true").first.wait_for(timeout=15_000)
    iran = "What role did Iran play in bringing the factions together?"
    page.get_by_text(iran, exact=True).locator("visible=true").first.wait_for(timeout=15_000)
    ask(page, NOOR)
    answer = page.locator("#briefing-chat .briefing-answer").last
    answer.wait_for(timeout=60_000)
    assert "Those who promote war" in answer.inner_text()
    markers = answer.locator("a.briefing-cite")
    assert markers.count() >= 1
    sources = page.locator("#briefing-sources details.briefing-source")
    assert sources.count() == len(set(re.findall(r"\[(\d+)\]", answer.inner_text())))
    first = sources.first
    assert "Review of Afghanistan developments" in first.inner_text()
    # One click on [n] opens the source: the quote is highlighted in its article.
    target = markers.first.get_attribute("href")
    markers.first.click()
    entry = page.locator(f"#briefing-sources {target}")
    mark = entry.locator("mark.briefing-quote")
    mark.wait_for(state="visible")
    snippet = entry.locator(".briefing-snippet").inner_text().strip()[1:-1]  # drop the wrapping “ ”
    assert " ".join(mark.inner_text().split()) == snippet
    context = entry.locator(".briefing-context").inner_text()
    assert len(context) > len(mark.inner_text()) + 100, "the passage is shown inside surrounding text"
    page.screenshot(path=str(SCREENSHOTS / "answer-with-open-citation.png"), full_page=True)
    assert page.external_requests == [], f"the UI fetched from outside: {page.external_requests[:5]}"


def test_refusal_looks_different_and_start_over_clears(page):
    ask(page, "What is the Taliban's annual budget?")
    refusal = page.locator("#briefing-chat .briefing-refusal").last
    refusal.wait_for(timeout=60_000)
    assert "Not in the sources" in refusal.inner_text()
    assert page.locator("#briefing-chat .briefing-answer").count() == 0
    colour = refusal.evaluate("e => getComputedStyle(e).borderLeftColor")
    assert colour != "rgba(0, 0, 0, 0)"
    page.screenshot(path=str(SCREENSHOTS / "refusal.png"), full_page=True)
    page.locator("#briefing-clear").click()
    page.wait_for_function("document.querySelectorAll('#briefing-chat .briefing-refusal').length === 0")


def test_disagreeing_sources_side_by_side(page):
    ask(page, "Which group does Ahmad Massoud belong to?")
    page.locator("#briefing-chat .briefing-answer").last.wait_for(timeout=60_000)
    sides = page.locator("#briefing-sources .briefing-conflict .briefing-side")
    sides.first.wait_for()
    assert sides.count() == 2
    boxes = [sides.nth(i).bounding_box() for i in range(2)]
    assert abs(boxes[0]["y"] - boxes[1]["y"]) < 5, "side by side at laptop width"
    page.screenshot(path=str(SCREENSHOTS / "conflict.png"), full_page=True)


def upload(page, path):
    page.get_by_role("tab", name="Library").click()
    page.locator("#briefing-upload input[type=file]").set_input_files(str(path))
    page.wait_for_timeout(500)
    page.locator("#briefing-add").click()


def test_upload_ask_and_delete(page, tmp_path):
    article = tmp_path / "helmand-shura.txt"
    article.write_text(
        "Helmand shura\n\nThe Helmand elders' shura met in Lashkar Gah to settle a dispute over the Kajaki "
        "dam. Its spokesman, Mirwais Noorzai, said the elders agreed to share the water equally.\n"
        '<script>window.__pwned = 1</script> <img src=x onerror="window.__pwned = 2">\n'
    )
    upload(page, article)
    status = page.locator("#briefing-status")
    status.get_by_text("Added").wait_for(timeout=60_000)
    assert "Helmand shura" in page.locator("#briefing-library").inner_text()
    page.get_by_role("tab", name="Ask").click()
    ask(page, "Where did the Helmand elders' shura meet?")
    answer = page.locator("#briefing-chat .briefing-answer").last
    answer.wait_for(timeout=60_000)
    assert "Lashkar Gah" in answer.inner_text()
    ask(page, "What did Mirwais Noorzai say about the water?")
    page.locator("#briefing-chat .briefing-answer").nth(1).wait_for(timeout=60_000)
    page.locator("#briefing-sources details.briefing-source summary").first.click()
    context = page.locator("#briefing-sources .briefing-context").first.inner_text()
    assert "<script>window.__pwned = 1</script>" in context, "markup in articles is shown as text"
    assert page.evaluate("window.__pwned") is None, "article text must never execute"
    page.screenshot(path=str(SCREENSHOTS / "uploaded-article-answer.png"), full_page=True)
    # Delete it again.
    page.get_by_role("tab", name="Library").click()
    page.locator("#briefing-delete-pick input").click()
    page.get_by_role("option", name=re.compile("Helmand shura")).click()
    page.locator("#briefing-delete").click()
    page.locator("#briefing-delete-confirm").click()
    status.get_by_text("Deleted").wait_for(timeout=30_000)
    assert "Helmand shura" not in page.locator("#briefing-library").inner_text()


def test_unparseable_upload_shows_a_readable_error(page, tmp_path):
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n1 0 obj << /Broken")
    upload(page, broken)
    message = page.locator("#briefing-status")
    message.get_by_text("was not added").wait_for(timeout=30_000)
    assert "PDF could not be parsed" in message.inner_text()


def test_phone_width_has_no_horizontal_scroll(browser, ui_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    page.goto(ui_server + "/", wait_until="load", timeout=90_000)
    page.locator("#briefing-question textarea").wait_for(timeout=90_000)
    page.locator("#briefing-question textarea").fill(NOOR)
    page.locator("#briefing-ask").click()
    page.locator("#briefing-chat .briefing-answer").last.wait_for(timeout=60_000)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 392
    page.screenshot(path=str(SCREENSHOTS / "phone.png"), full_page=True)
    context.close()
