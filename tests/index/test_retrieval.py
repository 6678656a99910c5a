"""Hybrid retrieval over the seed articles with the real model."""

from ingest.prepare import prepare_file
from tests.conftest import NATIONPRESS_ARTICLE, NOOR_ARTICLE


def test_noor_remark_against_war_is_in_the_top_three(seed_library):
    hits = seed_library.retrieve("What did Atta Mohammad Noor say about those who promote war?", k=3)
    assert any("Those who promote war and claim that the only resolution" in h.text for h in hits)


def test_tehran_passage_for_irans_role_is_in_the_top_three(seed_library):
    hits = seed_library.retrieve("What role did Iran play?", k=3)
    assert any("initiated at the request of Tehran" in h.text for h in hits)


def test_results_are_typed_and_point_at_the_source(seed_library):
    hits = seed_library.retrieve("Vienna Conference ethnic tensions", k=4)
    assert len(hits) == 4
    texts = {p.document.id: p.document.text for p in map(prepare_file, (NOOR_ARTICLE, NATIONPRESS_ARTICLE))}
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    for hit in hits:
        assert texts[hit.doc_id][hit.start : hit.end] == hit.text
        assert hit.sentence_ids
        assert hit.vector_similarity is not None or hit.bm25_score is not None


def test_bm25_and_vectors_both_contribute(seed_library):
    # A rare exact name is found lexically even though the question is otherwise vague.
    hits = seed_library.retrieve("Khairkhwa", k=3)
    assert any("Khairkhwa" in h.text and h.bm25_score for h in hits)
    # A paraphrase with no shared rare words is found by the vectors.
    hits = seed_library.retrieve("Which foreign government asked for the opposition talks?", k=3)
    assert any(h.vector_similarity for h in hits)


def test_empty_query_returns_nothing(seed_library):
    assert seed_library.retrieve("   ", k=3) == []
