"""The chat's HTML and history, without a browser: the direct answer in bold, text escaped, and Gradio 6's
message parts read as text."""

from server.answer.models import (
    PASSAGES_TO_CHECK,
    Answer,
    AnswerSentence,
    Citation,
    DirectAnswer,
    RetrievedPassage,
)
from ui.chat import _history_turns, message_text
from ui.render import answer_message, sources_panel


def _answer(direct: str, rest: str) -> Answer:
    citations = [
        Citation(
            n=n, doc_id="d", title="T", outlet="O", published="", url="", quote="q", start=0, end=1, score=1.0
        )
        for n in (1, 2)
    ]
    return Answer(
        answer=f"{direct} {rest}",
        direct_answer=DirectAnswer(text=direct.split(" [")[0], citations=[1]),
        citations=citations,
        sentences=[
            AnswerSentence(text=direct, citations=[1], supported=True, kind="direct"),
            AnswerSentence(text=rest, citations=[2], supported=True),
        ],
    )


def test_the_direct_answer_is_bold_and_above_the_supporting_text():
    html = answer_message(_answer("Yasin Zia [1].", "The <b>AFF</b> is under Yasin Zia’s leadership. [2]"), 3)
    strong = html.index("<strong>")
    assert html.index("Yasin Zia") > strong and html.index("leadership") > html.index("</strong>")
    assert 'href="#src-3-1"' in html[strong : html.index("</strong>")]
    assert "<b>AFF</b>" not in html and "&lt;b&gt;AFF&lt;/b&gt;" in html


def test_gradio_6_message_parts_are_read_as_text():
    parts = [{"type": "text", "text": "Who was Ahmad Shah Massoud?"}]
    assert message_text(parts) == "Who was Ahmad Shah Massoud?"
    assert message_text('<div class="briefing-answer">A &amp; B</div>') == "A & B"
    turns = _history_turns(
        [
            {"role": "user", "content": parts},
            {"role": "assistant", "content": [{"type": "text", "text": "<div>Defence Minister [1]</div>"}]},
        ]
    )
    assert [(t.role, t.content) for t in turns] == [
        ("user", "Who was Ahmad Shah Massoud?"),
        ("assistant", "Defence Minister [1]"),
    ]


def test_a_source_names_the_other_outlets_that_carried_its_story():
    from ui.render import sources_panel

    answer = _answer("Four guards [1].", "The attack lasted two hours. [2]")
    answer.citations[0].also_carried_by = ["Panjshir <Post>"]
    html = sources_panel(answer, 1, lambda doc_id: None)
    assert "also carried by Panjshir &lt;Post&gt;" in html
    assert html.count("also carried by") == 1


def test_each_source_shows_the_date_its_claim_is_as_of():
    from ui.render import sources_panel

    answer = _answer("Four guards [1].", "The attack lasted two hours. [2]")
    answer.citations[0].published = "2025-03-04"
    html = sources_panel(answer, 1, lambda doc_id: None)
    assert "as of 2025-03-04" in html and "date not stated" in html


def test_an_unsure_refusal_says_so_and_lists_the_passages_to_check_uncited():
    """A refusal whose likeliest passage the reader could not rule out must not read as "not in the sources":
    it says it is not sure and shows the best passages retrieved, escaped and marked as not cited; a plain
    refusal keeps its wording and shows none."""
    retrieved = [
        RetrievedPassage(
            doc_id="d",
            chunk_id=f"c{i}",
            text=f"Passage <i>{i}</i>.",
            score=1.0,
            start=0,
            end=9,
            title=f"Title {i}",
            outlet="Outlet",
            published="2030-01-02",
        )
        for i in range(PASSAGES_TO_CHECK + 2)
    ]
    unsure = Answer(
        answer="The sources in the library do not answer this surely enough to cite.",
        refused=True,
        unsure=True,
        retrieved=retrieved,
    )
    assert "Not sure from the sources." in answer_message(unsure, 1)
    panel = sources_panel(unsure, 1, lambda _doc: None)
    assert "Passages to check" in panel and "not cited" in panel
    assert [t in panel for t in ("Title 0", "Title 2", f"Title {PASSAGES_TO_CHECK}")] == [True, True, False]
    assert "&lt;i&gt;0&lt;/i&gt;" in panel and "<i>0</i>" not in panel
    plain = unsure.model_copy(update={"unsure": False, "answer": "The sources in the library do not say."})
    assert "Not in the sources." in answer_message(plain, 1)
    assert "Passages to check" not in sources_panel(plain, 1, lambda _doc: None)
    assert plain.passages_to_check() == [] and len(unsure.passages_to_check()) == PASSAGES_TO_CHECK
