"""The local index (keywords and sentences) follows the store: each write costs its own document, a restart
reads nothing it already has, and another writer's changes (or a crash between the two writes) are caught up
by `sync`."""

from __future__ import annotations

import shutil

import numpy as np

from index.local_index import LocalChunk, LocalDocument, LocalIndex
from index.types import StoredSentence
from ingest.language import Entity
from ingest.prepare import prepare_file
from ingest.splitting import span_doc_id
from tests.conftest import NATIONPRESS_ARTICLE, NOOR_ARTICLE, SEED_DIR


def document(doc_id: str, *texts: str) -> LocalDocument:
    """One chunk per text, and one sentence per text with a vector of its own."""
    chunks = [
        LocalChunk(
            f"{doc_id}-c{i}", doc_id, t, {"doc_id": doc_id, "start": 0, "end": len(t), "sentence_ids": ""}
        )
        for i, t in enumerate(texts)
    ]
    sentences = [
        StoredSentence(f"{doc_id}-s{i}", doc_id, i, i + len(t), t, (Entity(0, 4, "PERSON"),), ("warn", "war"))
        for i, t in enumerate(texts)
    ]
    vectors = np.eye(len(texts), 384, dtype=np.float32) * (1 + len(doc_id))
    return LocalDocument(doc_id, chunks, sentences, vectors)


def test_a_commit_adds_replaces_and_removes_whole_documents(tmp_path):
    index = LocalIndex(tmp_path / "local")
    index.apply([document("a", "Noor warned those who call for war", "Iran hosted")])
    index.apply([document("b", "The meeting in Tehran was hosted by Iran")])
    assert index.documents() == {"a", "b"} and index.size == 3
    assert index.search("Who hosted the meeting in Tehran?", 5)[0][0] == "b-c0"

    index.apply([document("a", "Noor spoke again")])  # the same document again: replaced
    assert index.size == 2
    assert {hit[0] for hit in index.search("Noor war", 5)} == {"a-c0"}
    assert index.part_counts() == {"a": (1, 1), "b": (1, 1)}

    index.apply([], ["b"])
    assert index.documents() == {"a"} and index.search("Tehran", 5) == []
    assert index.sentences(["b-s0"])[0] == []
    reopened = LocalIndex(tmp_path / "local")
    assert reopened.documents() == {"a"} and reopened.part_counts() == {"a": (1, 1)}


def test_sentences_come_back_in_the_order_asked_with_their_vectors(tmp_path):
    index = LocalIndex(tmp_path / "local")
    written = document("a", "Noor warned those who call for war", "Iran hosted", "Talks began")
    index.apply([written])
    got, matrix = index.sentences(["a-s2", "nope", "a-s0"])
    assert got == [written.sentences[2], written.sentences[0]]
    assert np.array_equal(matrix, written.vectors[[2, 0]])
    none, empty = index.sentences([])
    assert none == [] and empty.size == 0


def test_the_local_sentences_are_the_stores(make_library):
    """Annotations and vectors read locally are exactly those Chroma holds."""
    library = make_library()
    library.ingest_paths([SEED_DIR])
    chunks = library.retrieve("What role did Iran play?", k=6)
    ids = list(dict.fromkeys(sid for c in chunks for sid in c.sentence_ids))
    local, local_matrix = library.local.sentences(ids)
    stored, stored_matrix = library.store.get_sentences(ids)
    assert len(local) == len(ids) > 10
    assert local == stored and np.array_equal(local_matrix, stored_matrix)
    assert any(s.entities for s in local) and all(s.lemmas for s in local)


def test_chunks_read_by_id_are_the_stores_and_one_the_local_index_lacks_comes_from_the_store(make_library):
    """Retrieval reads the fused chunks that the keyword side did not carry by id: from the local index,
    and from Chroma those it lacks (a document another process has just added to a shared store)."""
    library = make_library()
    library.ingest_paths([SEED_DIR])
    ids = [c.chunk_id for c in library.retrieve("What role did Iran play?", k=6)]
    local = library.local.chunks_by_id([*ids, "nope"])
    assert set(local) == set(ids) and local == library.store.chunks_by_id(ids)
    gone = span_doc_id(ids[0])
    library.local.apply([], [gone])
    assert not any(span_doc_id(i) == gone for i in library.local.chunks_by_id(ids))
    assert library._chunks_by_id(ids) == library.store.chunks_by_id(ids)


def test_chunks_left_without_a_marker_are_swept_at_opening(tmp_path):
    """A write that stopped between its two commits, whose document the store has lost since."""
    index = LocalIndex(tmp_path / "local")
    index.apply([document("a", "Noor warned those who call for war")])
    index.apply([document("x", "Tehran hosted the talks", "Iran invited the leaders")])
    index._parts.commit(["x"], [])  # x's sentences and marker gone, its chunks left
    reopened = LocalIndex(tmp_path / "local")
    assert reopened.documents() == {"a"} and reopened.size == 1
    assert reopened.search("Tehran talks", 5) == []
    assert reopened.part_counts() == {"a": (1, 1)}


def test_queries_without_a_content_word_match_nothing(tmp_path):
    index = LocalIndex(tmp_path / "local")
    index.apply([document("a", "Noor warned those who call for war")])
    assert index.search("the of and", 5) == [] and index.search("   ", 5) == []
    assert index.search("Noor", 0) == []


def test_a_restart_reads_no_parts_and_a_write_reads_no_other_document(make_library, monkeypatch):
    library = make_library()
    library.ingest_paths([NOOR_ARTICLE])
    before = library.local.search("Noor war", 10)

    def no_reading(*_args, **_kwargs):
        raise AssertionError("chunks or sentences were read from the store")

    for method in ("all_chunks", "get_sentences", "document_sentences"):
        monkeypatch.setattr(f"index.chroma_store.ChromaStore.{method}", no_reading)
    again = make_library()
    assert again.local.search("Noor war", 10) == before
    again.ingest_paths([NATIONPRESS_ARTICLE])  # the new document's chunks come from its own preparation
    again.delete(again.documents()[0].id)
    assert again.audit().ok


def test_sync_catches_up_with_what_another_writer_did(make_library, tmp_path):
    """Two libraries on one store, each with its own keyword index (as two servers on one Chroma server)."""
    ours = make_library(tmp_path / "data")
    theirs = make_library(tmp_path / "data")
    theirs.local = LocalIndex(tmp_path / "their-local")
    theirs.sync()
    added = theirs.ingest_paths([NOOR_ARTICLE]).outcomes[0].document.id
    assert added not in ours.local.documents()
    assert ours.sync().added == 1
    assert added in ours.local.documents()
    assert any(c.doc_id == added for c in ours.retrieve("What did Noor say about war?", k=3))

    theirs.delete(added)
    assert ours.sync().removed == 1
    assert ours.retrieve("What did Noor say about war?", k=3) == []
    assert ours.sync() == ours.sync().__class__()  # nothing left to do


def test_a_write_lost_between_store_and_local_index_is_recovered_on_opening(make_library, tmp_path):
    """A crash after the store's write and before the local commit: the next opening adds it."""
    library = make_library()
    library.ingest_paths([NOOR_ARTICLE])
    prepared = prepare_file(NATIONPRESS_ARTICLE)
    library.store.write_documents(
        [(prepared, *_vectors(library, prepared))]
    )  # straight to the store, as if the process died before the local commit
    assert prepared.document.id not in library.local.documents()
    assert not library.audit().ok

    reopened = make_library()
    assert prepared.document.id in reopened.local.documents()
    assert reopened.audit().ok
    assert reopened.audit().local_mismatch == ()


def test_a_lost_keyword_folder_is_rebuilt_from_the_store(make_library, tmp_path):
    library = make_library()
    library.ingest_paths([SEED_DIR])
    expected = library.local.part_counts()
    shutil.rmtree(library.local.path)
    reopened = make_library()
    assert reopened.local.part_counts() == expected


def test_a_folder_of_another_layout_is_rebuilt_from_the_store(make_library):
    library = make_library()
    library.ingest_paths([NOOR_ARTICLE])
    expected = library.local.part_counts()
    (library.local.path / "briefing-layout").write_text("1")
    reopened = make_library()
    assert reopened.local.part_counts() == expected and reopened.audit().ok


def _vectors(library, prepared):
    from index.library import chunk_vectors_from_sentences

    sentence_vectors = library.embedder.embed_texts([s.text for s in prepared.sentences])
    return chunk_vectors_from_sentences(prepared, sentence_vectors), sentence_vectors


def test_a_delete_names_the_parts_it_removes(make_library, monkeypatch):
    """The local index knows a whole document's chunk and sentence ids, so Chroma is not searched for them;
    a document the local index lacks is still removed whole (by Chroma's search)."""
    library = make_library()
    library.ingest_paths([SEED_DIR])
    noor, other = sorted(library.local.documents())
    chunk_ids, sentence_ids = library.local.part_ids(noor)
    records = {d.id: d for d in library.documents()}
    assert (len(chunk_ids), len(sentence_ids)) == (records[noor].chunks, records[noor].sentences)

    searched = []
    original = library.store._delete_parts
    monkeypatch.setattr(
        library.store, "_delete_parts", lambda doc_id: searched.append(doc_id) or original(doc_id)
    )
    assert library.delete(noor)
    assert searched == [] and library.audit().ok
    assert library.store.chunks.get(ids=chunk_ids)["ids"] == []

    library.local.apply([], [other])  # as if the local index had not caught up yet
    assert library.local.part_ids(other) is None
    assert library.delete(other)
    assert searched == [other]
    assert library.store.chunks.count() == 0 and library.store.sentences.count() == 0
