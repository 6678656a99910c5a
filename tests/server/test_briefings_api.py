"""POST /v1/briefings over a real uvicorn server, on a library of the two seed articles and the eval
set's fictional articles (real model, real Chroma): the citation contract, dates, figures, filters,
topics the library does not cover, bad input, and the three file formats."""

from __future__ import annotations

import io
import re

import httpx
import pytest

from tests.conftest import REPO, free_port
from tests.server.conftest import LiveServer, make_settings

EVAL_ARTICLES = REPO / "evals" / "articles"


@pytest.fixture(scope="module")
def briefing_api(tmp_path_factory, embedder):
    """(URL, service) of a live server over the seed and eval articles."""
    from server.app import create_app
    from server.service import build_service

    settings = make_settings(tmp_path_factory.mktemp("briefing-data"))
    service = build_service(settings, embedder=embedder)
    report = service.library.ingest_paths([EVAL_ARTICLES])
    assert not report.failures, report.failures
    with LiveServer(create_app(settings, service=service, mount_ui=False), free_port()) as live:
        yield live.url, service


@pytest.fixture(scope="module")
def api_url(briefing_api):
    return briefing_api[0]


def brief(url: str, status: int = 200, **body):
    response = httpx.post(f"{url}/v1/briefings", json=body, timeout=120)
    assert response.status_code == status, response.text
    return response


def cited_numbers(briefing: dict) -> list[int]:
    """Every [n] the briefing uses, in reading order."""
    numbers = []
    for section in briefing["sections"]:
        for sentence in section["sentences"]:
            numbers += sentence["citations"]
    numbers += [n for event in briefing["timeline"] for n in event["citations"]]
    numbers += [n for actor in briefing["people"] for s in actor["statements"] for n in s["citations"]]
    for d in briefing["disagreements"]:
        numbers += [n for side in d["sides"] for n in side["citations"]]
    for c in briefing["changes"]:
        numbers += [n for v in [c["latest"], *c["earlier"]] for n in v["citations"]]
    return numbers


def assert_briefing_contract(briefing: dict, url: str) -> None:
    """Every [n] resolves, every citation is used, numbers follow first use, text[start:end] == quote, and
    every source sentence stands verbatim in a passage it cites; framing sentences cite nothing."""
    citations = {c["n"]: c for c in briefing["citations"]}
    used = cited_numbers(briefing)
    assert set(used) == set(citations), (sorted(set(used)), sorted(citations))
    assert sorted(citations) == list(range(1, len(citations) + 1))
    assert list(dict.fromkeys(used)) == sorted(set(used)), "numbered by first use"
    texts: dict[str, str] = {}
    for c in citations.values():
        if c["doc_id"] not in texts:
            document = httpx.get(f"{url}/v1/documents/{c['doc_id']}", timeout=30).json()
            texts[c["doc_id"]] = document["text"]
            assert (document["outlet"], document["published"]) == (c["outlet"], c["published"])
        assert texts[c["doc_id"]][c["start"] : c["end"]] == c["quote"]
    quoted = [s for section in briefing["sections"] for s in section["sentences"]]
    quoted += briefing["timeline"]
    quoted += [s for actor in briefing["people"] for s in actor["statements"]]
    quoted += [side for d in briefing["disagreements"] for side in d["sides"]]
    quoted += [v for c in briefing["changes"] for v in [c["latest"], *c["earlier"]]]
    for item in quoted:
        if item.get("kind") == "framing":
            assert item["citations"] == []
            continue
        assert item["citations"], item
        assert any(item["text"] in citations[n]["quote"] for n in item["citations"]), item
        if item.get("as_of") is not None:
            assert item["as_of"] == citations[item["citations"][0]]["published"][:10]
        if "value" in item:
            assert item["value"] in item["text"], "a figure is quoted as its source writes it"


def test_a_briefing_is_cited_sentence_by_sentence_and_keeps_the_contract(api_url):
    briefing = brief(api_url, topic="jail raid").json()
    assert briefing["covered"] and briefing["title"] == "Briefing: jail raid"
    assert len(briefing["sections"]) >= 2
    assert briefing["timeline"] and briefing["people"] and briefing["citations"]
    scope = briefing["scope"]
    assert scope["articles_used"] >= 2 and scope["articles_in_library"] == scope["articles_matching_filters"]
    assert {"Pamir Newswire", "The Caspian Courier"} <= set(scope["outlets_used"])
    assert scope["published"]["earliest"] <= scope["published"]["latest"]
    dates = [e["date"] for e in briefing["timeline"]]
    assert dates == sorted(dates), "oldest first"
    assert_briefing_contract(briefing, api_url)


def test_sections_are_headed_by_what_their_sentences_name(api_url):
    briefing = brief(api_url, topic="Talkhab valley offensive").json()
    other = brief(api_url, topic="jail raid").json()
    headings = [s["heading"] for s in briefing["sections"]]
    assert headings != [s["heading"] for s in other["sections"]], "chosen from the content, not a fixed list"
    for section in briefing["sections"]:
        if section["heading"] in ("What the sources answer", "Other reporting"):
            continue
        quoted = [s["text"] for s in section["sentences"] if s["kind"] == "source"]
        assert any(section["heading"].split()[-1] in text for text in quoted), section


def test_relative_dates_are_read_against_each_articles_date(api_url):
    events = brief(api_url, topic="Talkhab valley offensive").json()["timeline"]
    sundays = [e for e in events if e["date_text"] == "Sunday"]
    # The Coastline Herald of Tuesday 2032-09-14 and Lantern Daily of Wednesday 2032-09-15: "since Sunday".
    assert sundays and {e["date"] for e in sundays} == {"2032-09-12"}
    assert {e["as_of"] for e in sundays} <= {"2032-09-14", "2032-09-15"}
    assert all(e["date"] <= e["as_of"] for e in events), "no event after its own report"


def test_the_answer_engine_answers_who_leads_and_when_for_the_topics_organisations(api_url):
    briefing = brief(api_url, topic="the Free Valleys Front").json()
    answers = next(s for s in briefing["sections"] if s["heading"] == "What the sources answer")
    texts = [s["text"] for s in answers["sentences"]]
    leads = (
        texts.index("Who leads the Free Valleys Front?")
        if "Who leads the Free Valleys Front?" in texts
        else -1
    )
    founded = texts.index("When was the Free Valleys Front founded?")
    assert "April 2029" in texts[founded + 1]
    if leads >= 0:
        assert "Haroon Sakhi Daryabi" in texts[leads + 1]
    assert_briefing_contract(briefing, api_url)


def test_the_answer_engine_answers_how_many_in_the_words_of_the_topics_figures(api_url):
    """ "How many ...?" is asked in the words of a sentence that gives a figure; its answer is a figure
    that a quoted sentence of the topic's articles gives beside what was counted."""
    briefing = brief(api_url, topic="jail raid").json()
    assert_briefing_contract(briefing, api_url)
    answers = next(s for s in briefing["sections"] if s["heading"] == "What the sources answer")
    texts = [s["text"] for s in answers["sentences"]]
    asked = [i for i, t in enumerate(texts) if t.startswith("How many ")]
    assert asked, texts
    for i in asked:
        counted = texts[i].split()[2].rstrip("?")
        figure, quoted = texts[i + 1], texts[i + 2]
        assert re.sub(r"\s*\[\d+\]$", "", figure) in quoted and counted in quoted
    guards = texts.index("How many jail guards were killed in the fighting?")
    assert texts[guards + 1].startswith("four")


def test_a_figure_that_differs_between_dates_is_newest_first_not_a_disagreement(api_url):
    briefing = brief(api_url, topic="jail raid").json()
    assert_briefing_contract(briefing, api_url)
    guards = [c for c in briefing["changes"] if "guards" in c["about"]]
    assert guards, briefing["changes"]
    latest, earlier = guards[0]["latest"], guards[0]["earlier"]
    assert (latest["outlet"], latest["as_of"], latest["value"]) == (
        "The Caspian Courier",
        "2032-09-22",
        "two",
    )
    assert [(e["outlet"], e["value"]) for e in earlier] == [("Pamir Newswire", "four")]
    assert not any("guards" in d["about"] for d in briefing["disagreements"])


def test_a_topic_the_library_does_not_cover_is_a_briefing_that_says_so(api_url):
    for topic in ("the football world cup final", "climate change in Brazil"):
        briefing = brief(api_url, topic=topic).json()
        assert briefing["covered"] is False, topic
        assert briefing["citations"] == [] and briefing["sections"] == [] and briefing["timeline"] == []
        assert "holds nothing on" in briefing["summary"][0]["text"]
        assert briefing["gaps"] and topic in briefing["gaps"][0]["question"]


def test_filters_narrow_the_briefing_and_a_filter_matching_nothing_says_so(api_url):
    briefing = brief(api_url, topic="jail raid", outlets=["pamir newswire"]).json()
    assert briefing["covered"] and {c["outlet"] for c in briefing["citations"]} == {"Pamir Newswire"}
    assert briefing["scope"]["outlets_requested"] == ["pamir newswire"]
    assert "Pamir Newswire" in briefing["title"] or "pamir newswire" in briefing["title"]
    dated = brief(api_url, topic="Talkhab valley offensive", since="2032-09-14", until="2032-09-15").json()
    assert dated["covered"] and {c["published"] for c in dated["citations"]} <= {"2032-09-14", "2032-09-15"}
    assert_briefing_contract(dated, api_url)
    none = brief(api_url, topic="jail raid", until="1999-12-31").json()
    assert none["covered"] is False and none["scope"]["articles_matching_filters"] == 0
    assert "No article in the library matches the filters" in none["summary"][0]["text"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"topic": ""}, "topic"),
        ({"topic": " \n\t "}, "topic"),
        ({"topic": "x" * 301}, "topic"),
        ({"topic": "jail raid", "since": "2032-12-31", "until": "2032-01-01"}, "is after until"),
        ({"topic": "jail raid", "since": "the other day"}, "is not a date"),
        ({"topic": "jail raid", "format": "rtf"}, "format"),
        ({"topic": "jail raid", "colour": "red"}, "colour"),
        ({}, "topic"),
    ],
)
def test_bad_input_is_a_clear_422_and_writes_nothing(briefing_api, body, message):
    url, service = briefing_api
    before = service.library.counts()
    response = httpx.post(f"{url}/v1/briefings", json=body, timeout=60)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["status"] == 422 and message in error["message"], error
    assert service.library.counts() == before


def test_markdown_docx_and_pdf_files(api_url):
    import docx
    import pypdf

    markdown = brief(api_url, topic="jail raid", format="markdown")
    assert markdown.headers["content-type"].startswith("text/markdown")
    assert re.search(r'filename="briefing-jail-raid-\d{8}\.md"', markdown.headers["content-disposition"])
    text = markdown.text
    assert text.startswith("# Briefing: jail raid\n")
    for heading in ("## Scope", "## Timeline", "## People and organisations", "## Sources"):
        assert heading in text
    notes = re.findall(r"^(\d+)\. (.+)$", text.split("## Sources")[1], re.MULTILINE)
    markers = {int(n) for n in re.findall(r"\[(\d+)\]", text.split("## Sources")[0])}
    assert markers == {int(n) for n, _ in notes}
    assert all("Quoted passage: “" in note and "characters" in note for _, note in notes)
    assert "Pamir Newswire. 2032-09-21." in text and "Made: " in text

    word = brief(api_url, topic="jail raid", format="docx")
    assert word.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert word.headers["content-disposition"].endswith('.docx"')
    document = docx.Document(io.BytesIO(word.content))
    paragraphs = [p.text for p in document.paragraphs]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith(("Heading", "Title"))]
    assert headings[0] == "Briefing: jail raid" and {"Scope", "Timeline", "Sources"} <= set(headings)
    assert any(p.startswith("[1] ") and "Quoted passage" in p for p in paragraphs)

    pdf = brief(api_url, topic="jail raid", format="pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-disposition"].endswith('.pdf"')
    extracted = " ".join(
        " ".join(page.extract_text().split()) for page in pypdf.PdfReader(io.BytesIO(pdf.content)).pages
    )
    for expected in (
        "Briefing: jail raid",
        "Scope",
        "Timeline",
        "Sources",
        "[1]",
        "Quoted passage",
        "Pamir Newswire",
    ):
        assert expected in extracted, expected
