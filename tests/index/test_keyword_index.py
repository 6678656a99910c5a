"""The keyword index follows the store: each write costs its own document, a restart reads nothing it
already has, and another writer's changes (or a crash between the two writes) are caught up by `sync`."""

from __future__ import annotations

import shutil

import pytest

from index.keyword_index import KeywordChunk, KeywordIndex
from ingest.prepare import prepare_file
from tests.conftest import NATIONPRESS_ARTICLE, NOOR_ARTICLE, SEED_DIR


def chunk(cid: str, doc_id: str, text: str) -> KeywordChunk:
    return KeywordChunk(
        cid, doc_id, text, {"doc_id": doc_id, "start": 0, "end": len(text), "sentence_ids": ""}
    )


def test_a_commit_adds_replaces_and_removes_whole_documents(tmp_path):
    index = KeywordIndex(tmp_path / "kw")
    index.apply(
        [("a", [chunk("a1", "a", "Noor warned those who call for war"), chunk("a2", "a", "Iran hosted")])]
    )
    index.apply([("b", [chunk("b1", "b", "The meeting in Tehran was hosted by Iran")])])
    assert index.documents() == {"a", "b"} and index.size == 3
    assert [hit[0] for hit in index.search("Who hosted the meeting in Tehran?", 5)][0] == "b1"

    index.apply([("a", [chunk("a3", "a", "Noor spoke again")])])  # the same document again: replaced
    assert index.size == 2
    assert {hit[0] for hit in index.search("Noor war", 5)} == {"a3"}

    index.apply([], ["b"])
    assert index.documents() == {"a"} and index.search("Tehran", 5) == []
    reopened = KeywordIndex(tmp_path / "kw")
    assert reopened.documents() == {"a"} and reopened.chunk_counts() == {"a": 1}


def test_queries_without_a_content_word_match_nothing(tmp_path):
    index = KeywordIndex(tmp_path / "kw")
    index.apply([("a", [chunk("a1", "a", "Noor warned those who call for war")])])
    assert index.search("the of and", 5) == [] and index.search("   ", 5) == []
    assert index.search("Noor", 0) == []


def test_a_restart_reads_no_chunks_and_a_write_reads_no_other_document(make_library, monkeypatch):
    library = make_library()
    library.ingest_paths([NOOR_ARTICLE])
    before = library.keywords.search("Noor war", 10)

    def no_reading(*_args, **_kwargs):
        raise AssertionError("chunks were read from the store")

    monkeypatch.setattr("index.chroma_store.ChromaStore.all_chunks", no_reading)
    again = make_library()
    assert again.keywords.search("Noor war", 10) == before
    again.ingest_paths([NATIONPRESS_ARTICLE])  # the new document's chunks come from its own preparation
    again.delete(again.documents()[0].id)
    assert again.audit().ok


def test_sync_catches_up_with_what_another_writer_did(make_library, tmp_path):
    """Two libraries on one store, each with its own keyword index (as two servers on one Chroma server)."""
    ours = make_library(tmp_path / "data")
    theirs = make_library(tmp_path / "data")
    theirs.keywords = KeywordIndex(tmp_path / "their-keywords")
    theirs.sync()
    added = theirs.ingest_paths([NOOR_ARTICLE]).outcomes[0].document.id
    assert added not in ours.keywords.documents()
    assert ours.sync().added == 1
    assert added in ours.keywords.documents()
    assert any(c.doc_id == added for c in ours.retrieve("What did Noor say about war?", k=3))

    theirs.delete(added)
    assert ours.sync().removed == 1
    assert ours.retrieve("What did Noor say about war?", k=3) == []
    assert ours.sync() == ours.sync().__class__()  # nothing left to do


def test_a_write_lost_between_store_and_keyword_index_is_recovered_on_opening(make_library, tmp_path):
    """A crash after the store's write and before the keyword commit: the next opening adds it."""
    library = make_library()
    library.ingest_paths([NOOR_ARTICLE])
    prepared = prepare_file(NATIONPRESS_ARTICLE)
    library.store.write_documents(
        [(prepared, *_vectors(library, prepared))]
    )  # straight to the store, as if the process died before the keyword commit
    assert prepared.document.id not in library.keywords.documents()
    assert not library.audit().ok

    reopened = make_library()
    assert prepared.document.id in reopened.keywords.documents()
    assert reopened.audit().ok
    assert reopened.audit().keyword_mismatch == ()


def test_a_lost_keyword_folder_is_rebuilt_from_the_store(make_library, tmp_path):
    library = make_library()
    library.ingest_paths([SEED_DIR])
    expected = library.keywords.chunk_counts()
    shutil.rmtree(library.keywords.path)
    reopened = make_library()
    assert reopened.keywords.chunk_counts() == expected


def test_a_keyword_folder_of_another_layout_is_refused(tmp_path):
    (tmp_path / "kw").mkdir()
    (tmp_path / "kw" / "briefing-schema").write_text("0")
    with pytest.raises(ValueError, match="another layout"):
        KeywordIndex(tmp_path / "kw")


def _vectors(library, prepared):
    from index.library import chunk_vectors_from_sentences

    sentence_vectors = library.embedder.embed_texts([s.text for s in prepared.sentences])
    return chunk_vectors_from_sentences(prepared, sentence_vectors), sentence_vectors
