"""The chat's HTML and history, without a browser: the direct answer in bold, text escaped, and Gradio 6's
message parts read as text."""

from server.answer.models import Answer, AnswerSentence, Citation, DirectAnswer
from ui.chat import _history_turns, message_text
from ui.render import answer_message


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
