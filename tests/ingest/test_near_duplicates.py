"""Copies of one story are found; different stories on the same subject are not."""

from __future__ import annotations

from evals.extractors import load_pages
from ingest.extraction import extract_article
from ingest.near_duplicates import (
    STORY_THRESHOLD,
    StoryFingerprint,
    estimated_similarity,
    shingles,
    story_fingerprint,
    story_links,
)
from ingest.prepare import prepare_file
from tests.conftest import NATIONPRESS_ARTICLE, NOOR_ARTICLE


def page_texts() -> dict[str, str]:
    texts = {page: extract_article(html, page).text for page, html, _ in load_pages()}
    texts["noor"] = prepare_file(NOOR_ARTICLE).document.text
    texts["nationpress"] = prepare_file(NATIONPRESS_ARTICLE).document.text
    return texts


def test_the_syndicated_copy_and_only_it_is_linked():
    fingerprints = {name: story_fingerprint(text) for name, text in page_texts().items()}
    links = story_links(fingerprints)
    assert links["wire_border_clash"] == ["panjshir_post_border_copy"]
    assert links["panjshir_post_border_copy"] == ["wire_border_clash"]
    assert all(not others for name, others in links.items() if "border" not in name)
    assert (
        estimated_similarity(fingerprints["wire_border_clash"], fingerprints["panjshir_post_border_copy"])
        > STORY_THRESHOLD + 0.2
    )


def test_a_copy_with_a_new_headline_and_a_trimmed_ending_is_still_the_same_story():
    wire = page_texts()["wire_border_clash"]
    paragraphs = wire.split("\n\n")
    rewritten = "Guards killed in Hairatan road attack\n\n" + "\n\n".join(paragraphs[:-2])
    assert estimated_similarity(story_fingerprint(wire), story_fingerprint(rewritten)) >= STORY_THRESHOLD


def test_fingerprints_round_trip_and_short_texts_work():
    fingerprint = story_fingerprint("Talks resumed in Doha on Monday.")
    assert StoryFingerprint.from_str(fingerprint.to_str()) == fingerprint
    assert StoryFingerprint.from_str("not,a,signature") is None
    assert shingles("one two") == {"one two"}
