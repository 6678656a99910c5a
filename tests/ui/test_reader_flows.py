"""What a reader does in the web chat, in Debian's Chromium: type a question and press Enter, follow up
with a pronoun, give a thumbs-down, read the answer. Each test checks the result of the action, not only
that something rendered."""

import json
import time

from tests.ui.conftest import SCREENSHOTS

AFF = "Who leads the Afghanistan Freedom Front?"
ANSWERS = "#briefing-chat .briefing-answer, #briefing-chat .briefing-refusal"


def send(page, question: str) -> None:
    """Type the question and press Enter, as a reader does."""
    box = page.locator("#briefing-question textarea")
    box.fill(question)
    box.press("Enter")


def wait_for_answers(page, count: int):
    page.wait_for_function(
        f"document.querySelectorAll({json.dumps(ANSWERS)}).length >= {count}", timeout=60_000
    )
    return page.locator(ANSWERS).nth(count - 1)


def _words(text: str) -> str:
    return " ".join(text.split())


def test_a_pronoun_follow_up_is_answered_from_the_conversation(page, ui_server):
    import httpx

    send(page, AFF)
    first = wait_for_answers(page, 1)
    assert "Yasin Zia" in first.inner_text()
    send(page, "What does his group advocate?")
    follow_up = wait_for_answers(page, 2)
    assert "briefing-refusal" not in (follow_up.get_attribute("class") or "")
    assert "military solution" in follow_up.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "follow-up.png"), full_page=True)
    # the API, given the same conversation, answers the same
    api_first = httpx.post(f"{ui_server}/v1/ask", json={"question": AFF}, timeout=60).json()
    history = [{"role": "user", "content": AFF}, {"role": "assistant", "content": api_first["answer"]}]
    api = httpx.post(
        f"{ui_server}/v1/ask",
        json={"question": "What does his group advocate?", "history": history},
        timeout=60,
    ).json()
    assert _words(api_first["answer"]) == _words(first.inner_text())
    assert _words(api["answer"]) == _words(follow_up.inner_text())


def test_the_direct_answer_comes_first_in_bold(page):
    send(page, AFF)
    answer = wait_for_answers(page, 1)
    strong = answer.locator(".briefing-direct strong")
    assert strong.inner_text().startswith("Yasin Zia")
    assert int(strong.evaluate("e => getComputedStyle(e).fontWeight")) >= 600
    assert answer.inner_text().lstrip().startswith("Yasin Zia")
    assert strong.locator("a.briefing-cite").count() == 1, "the span carries its citation"
    page.screenshot(path=str(SCREENSHOTS / "direct-answer.png"), full_page=True)


def test_a_thumbs_down_saves_its_feedback_and_clears_the_comment(page, ui_app):
    _, data_dir = ui_app
    store = data_dir / "feedback" / "candidates.jsonl"
    before = store.read_text().count("\n") if store.exists() else 0
    send(page, AFF)
    wait_for_answers(page, 1)
    comment = page.locator("#briefing-feedback-comment textarea")
    comment.fill("it should say which front")
    page.locator("#briefing-chat button[aria-label='Dislike']").last.click()
    page.get_by_text("saved for review").first.wait_for(timeout=15_000)
    deadline = time.time() + 10
    while time.time() < deadline and (not store.exists() or store.read_text().count("\n") <= before):
        time.sleep(0.2)
    record = json.loads(store.read_text().splitlines()[-1])
    assert record["question"] == AFF and record["rating"] == "down"
    assert record["comment"] == "it should say which front"
    assert "Yasin Zia" in record["answer"]
    page.wait_for_function(
        "document.querySelector('#briefing-feedback-comment textarea').value === ''", timeout=10_000
    )


def test_an_empty_question_warns_and_leaves_the_conversation_in_view(page):
    send(page, AFF)
    wait_for_answers(page, 1)
    sources_before = page.locator("#briefing-sources details.briefing-source").count()
    assert sources_before >= 1
    send(page, "   ")
    page.get_by_text("Type a question first").first.wait_for(timeout=15_000)
    time.sleep(1)
    # the answer, its sources and the chat are still there, and nothing shows an error badge
    assert "Yasin Zia" in page.locator(ANSWERS).last.inner_text()
    assert page.locator("#briefing-sources details.briefing-source").count() == sources_before
    for region in ("#briefing-chat", "#briefing-sources", "#briefing-question"):
        assert page.locator(f"{region} .error").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "empty-question-warning.png"), full_page=True)


def test_markup_in_a_question_is_shown_as_text_and_fetches_nothing(page):
    fetched = []
    page.on("request", lambda r: fetched.append(r.url) if "probe-" in r.url else None)
    question = (
        '<img src="/probe-image.png" onerror="window.pwned = 1">Who leads the Afghanistan Freedom Front? '
        "<script>window.pwned = 2</script>"
    )
    send(page, question)
    answer = wait_for_answers(page, 1)
    bubble = page.locator("#briefing-chat [data-testid='user']").last
    assert '<img src="/probe-image.png"' in bubble.inner_text()
    assert "<script>" in bubble.inner_text()
    assert bubble.locator("img, script").count() == 0
    assert fetched == [] and page.evaluate("() => window.pwned") is None
    # and the markup does not change the answer
    assert "Yasin Zia" in answer.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "markup-as-text.png"), full_page=True)


def test_delete_asks_first_the_upload_clears_and_the_count_follows(page, tmp_path):
    import re

    count = page.locator("#briefing-count")
    count.get_by_text(re.compile(r"\b2 articles in the library")).wait_for(timeout=30_000)
    article = tmp_path / "kajaki-water.txt"
    article.write_text(
        "Kajaki water board\n\nThe invented Kajaki water board met in Sangin and agreed to share the river "
        "between six villages. Its secretary, Zarmina Wardak, said the agreement would be reviewed in spring.\n"
    )
    page.get_by_role("tab", name="Library").click()
    page.locator("#briefing-upload input[type=file]").set_input_files(str(article))
    page.wait_for_timeout(500)
    page.locator("#briefing-add").click()
    page.locator("#briefing-status").get_by_text("Added").wait_for(timeout=60_000)
    page.wait_for_function(
        "!document.querySelector('#briefing-upload').innerText.includes('kajaki-water.txt')", timeout=10_000
    )
    library = page.locator("#briefing-library")
    assert "Kajaki water board" in library.inner_text()

    page.get_by_role("tab", name="Ask").click()
    count.get_by_text(re.compile(r"\b3 articles in the library")).wait_for(timeout=10_000)

    page.get_by_role("tab", name="Library").click()
    page.locator("#briefing-delete-pick input").click()
    page.get_by_role("option", name=re.compile("Kajaki water board")).click()
    page.locator("#briefing-delete").click()
    prompt = page.locator("#briefing-delete-question")
    prompt.get_by_text("Kajaki water board").wait_for(timeout=10_000)
    page.screenshot(path=str(SCREENSHOTS / "delete-confirmation.png"), full_page=True)
    page.locator("#briefing-delete-cancel").click()
    page.locator("#briefing-delete-confirm").wait_for(state="hidden", timeout=10_000)
    assert "Kajaki water board" in library.inner_text(), "cancel deletes nothing"

    page.locator("#briefing-delete").click()
    page.locator("#briefing-delete-confirm").click()
    page.locator("#briefing-status").get_by_text("Deleted").wait_for(timeout=30_000)
    assert "Kajaki water board" not in library.inner_text()
    page.get_by_role("tab", name="Ask").click()
    count.get_by_text(re.compile(r"\b2 articles in the library")).wait_for(timeout=10_000)


def test_any_article_can_be_opened_and_read_in_full(page):
    import re

    page.get_by_role("tab", name="Library").click()
    page.locator("#briefing-read-pick input").click()
    page.get_by_role("option", name=re.compile("Review of Afghanistan developments")).click()
    reader = page.locator("#briefing-reader")
    reader.get_by_text("Review of Afghanistan developments").first.wait_for(timeout=10_000)
    text = reader.inner_text()
    assert "outlet not stated" in text
    # the whole article, its last paragraph included
    assert "prominent Pashtun figures are unlikely to engage in future meetings" in text
    page.screenshot(path=str(SCREENSHOTS / "read-article.png"), full_page=True)


def _in_view(page, locator) -> bool:
    """The element is visible and inside the window, not scrolled away."""
    box = locator.bounding_box()
    height = page.evaluate("() => window.innerHeight")
    return locator.is_visible() and box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_one_click_on_a_citation_shows_its_highlighted_quote(page):
    send(page, "What did Atta Mohammad Noor say about those who promote war?")
    answer = wait_for_answers(page, 1)
    link = answer.locator("a.briefing-cite").last
    target = link.get_attribute("href")
    assert link.evaluate("e => getComputedStyle(e).textDecorationLine").startswith("underline")
    link.click()
    card = page.locator(f"#briefing-sources {target}")
    page.wait_for_function(
        f"document.querySelector('#briefing-sources {target}').open === true", timeout=10_000
    )
    mark = card.locator("mark.briefing-quote")
    page.wait_for_timeout(300)
    assert _in_view(page, mark), "the highlighted quote is on screen after one click"
    page.screenshot(path=str(SCREENSHOTS / "one-click-citation.png"))


def test_an_earlier_answers_citation_still_opens_its_own_source(page):
    send(page, AFF)
    first = wait_for_answers(page, 1)
    send(page, "How many fighters does the HKDL say it has?")
    wait_for_answers(page, 2)
    link = first.locator("a.briefing-cite").first
    target = link.get_attribute("href")
    link.focus()
    page.keyboard.press("Enter")  # a keyboard reader follows the link too
    card = page.locator(f"#briefing-sources {target}")
    page.wait_for_function(
        f"document.querySelector('#briefing-sources {target}').open === true", timeout=10_000
    )
    assert "Yasin Zia" in card.inner_text()
    page.wait_for_timeout(300)
    assert _in_view(page, card.locator("mark.briefing-quote"))
    # the newest answer's sources are there as well
    assert page.locator("#briefing-sources section.briefing-turn").count() == 2


def test_at_phone_width_the_sources_are_one_tap_away_and_back(browser, ui_server):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(ui_server + "/", wait_until="load", timeout=90_000)
    page.locator("#briefing-question textarea").wait_for(timeout=90_000)
    send(page, AFF)
    answer = wait_for_answers(page, 1)
    page.screenshot(path=str(SCREENSHOTS / "phone-answer.png"), full_page=True)
    link = answer.locator("a.briefing-cite").first
    target = link.get_attribute("href")
    link.tap()
    card = page.locator(f"#briefing-sources {target}")
    page.wait_for_function(
        f"document.querySelector('#briefing-sources {target}').open === true", timeout=10_000
    )
    page.wait_for_timeout(300)
    assert _in_view(page, card.locator("mark.briefing-quote")), "the source is on screen after one tap"
    page.screenshot(path=str(SCREENSHOTS / "phone-source.png"))
    page.locator("#briefing-sources a.briefing-back").first.tap()
    page.wait_for_timeout(300)
    assert _in_view(page, answer.locator(".briefing-direct")), "and one tap brings the answer back"
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    # the library keeps the title, outlet and date on screen, without sideways scrolling
    page.get_by_role("tab", name="Library").tap()
    listed = page.locator("#briefing-library-list")
    listed.get_by_text("NationPress · 2025-12-11").wait_for(timeout=10_000)
    assert listed.get_by_text("Review of Afghanistan developments").is_visible()
    assert not page.locator("#briefing-library").is_visible(), "no wide table on a phone"
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    page.screenshot(path=str(SCREENSHOTS / "phone-library.png"), full_page=True)
    context.close()


def test_the_everyday_flows_at_phone_width(browser, ui_server, tmp_path):
    """The same reader's actions on a 390 px screen: a follow-up, an empty question, markup, a thumbs-down,
    reading an article and deleting one, each leaving a screenshot."""
    import re

    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(ui_server + "/", wait_until="load", timeout=90_000)
    page.locator("#briefing-question textarea").wait_for(timeout=90_000)

    send(page, AFF)
    wait_for_answers(page, 1)
    send(page, "What does his group advocate?")
    assert "military solution" in wait_for_answers(page, 2).inner_text()
    page.screenshot(path=str(SCREENSHOTS / "phone-follow-up.png"), full_page=True)

    send(page, "")
    page.get_by_text("Type a question first").first.wait_for(timeout=15_000)
    assert page.locator(ANSWERS).count() == 2
    page.screenshot(path=str(SCREENSHOTS / "phone-empty-question-warning.png"))

    send(page, "<b>Who</b> leads the NRF? <img src=/probe-phone.png>")
    assert "Ahmad Massoud" in wait_for_answers(page, 3).inner_text()
    assert (
        "<img src=/probe-phone.png>" in page.locator("#briefing-chat [data-testid='user']").last.inner_text()
    )
    page.screenshot(path=str(SCREENSHOTS / "phone-markup-as-text.png"), full_page=True)

    page.locator("#briefing-chat button[aria-label='Dislike']").last.tap()
    page.get_by_text("saved for review").first.wait_for(timeout=15_000)
    page.screenshot(path=str(SCREENSHOTS / "phone-feedback.png"))

    page.get_by_role("tab", name="Library").tap()
    page.locator("#briefing-read-pick input").tap()
    page.get_by_role("option", name=re.compile("Review of Afghanistan developments")).tap()
    page.locator("#briefing-reader").get_by_text("conspicuously absent").wait_for(timeout=10_000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 392
    page.screenshot(path=str(SCREENSHOTS / "phone-read-article.png"), full_page=True)

    article = tmp_path / "phone-upload.txt"
    article.write_text(
        "Phone upload test\n\nAn invented note about the Sangin orchard council, for this test only.\n"
    )
    page.locator("#briefing-upload input[type=file]").set_input_files(str(article))
    page.wait_for_timeout(500)
    page.locator("#briefing-add").tap()
    page.locator("#briefing-status").get_by_text("Added").wait_for(timeout=60_000)
    page.locator("#briefing-delete-pick input").tap()
    page.get_by_role("option", name=re.compile("Phone upload test")).tap()
    page.locator("#briefing-delete").tap()
    page.locator("#briefing-delete-question").get_by_text("Phone upload test").wait_for(timeout=10_000)
    page.screenshot(path=str(SCREENSHOTS / "phone-delete-confirmation.png"), full_page=True)
    page.locator("#briefing-delete-confirm").tap()
    page.locator("#briefing-status").get_by_text("Deleted").wait_for(timeout=30_000)
    assert "Phone upload test" not in page.locator("#briefing-library-list").inner_text()
    context.close()
