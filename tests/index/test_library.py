"""Ingest into a real embedded Chroma store with the real bundled model."""

import pytest

from ingest.prepare import prepare_file
from tests.conftest import NATIONPRESS_ARTICLE, NOOR_ARTICLE, SEED_DIR


def stored_state(library):
    ids, texts, metas = library.store.all_chunks()
    sent = library.store.sentences.get(include=[])["ids"]
    return sorted(ids), sorted(sent), sorted(d.id for d in library.documents())


def test_stored_offsets_match_the_stored_document_text(seed_library):
    ids, texts, metas = seed_library.store.all_chunks()
    assert len(seed_library.documents()) == 2
    docs = {d.id: seed_library.document(d.id).text for d in seed_library.documents()}
    for text, meta in zip(texts, metas, strict=True):
        assert docs[meta["doc_id"]][meta["start"] : meta["end"]] == text
    got = seed_library.store.sentences.get(include=["documents", "metadatas"])
    assert got["ids"]
    for text, meta in zip(got["documents"], got["metadatas"], strict=True):
        assert docs[meta["doc_id"]][meta["start"] : meta["end"]] == text


def test_reingest_is_idempotent(make_library):
    library = make_library()
    first = library.ingest_paths([SEED_DIR])
    assert first.count("added") == 2
    before = stored_state(library)
    again = library.ingest_paths([SEED_DIR])
    assert again.count("unchanged") == 2 and again.count("added") == 0
    assert stored_state(library) == before


def test_a_file_named_twice_is_ingested_once(make_library, seed_copy, tmp_path):
    library = make_library()
    # a folder, a file inside it and the folder again: each file read once, where first named
    report = library.ingest_paths([seed_copy, seed_copy / NOOR_ARTICLE.name, seed_copy])
    assert not report.failures and [o.status for o in report.outcomes] == ["added", "added"]
    # two copies of one file in two folders are one document, stored once, the second unchanged
    other = tmp_path / "copy"
    other.mkdir()
    (other / NOOR_ARTICLE.name).write_bytes(NOOR_ARTICLE.read_bytes())
    fresh = make_library(tmp_path / "fresh")
    twice = fresh.ingest_paths([NOOR_ARTICLE, other / NOOR_ARTICLE.name])
    assert not twice.failures and [o.status for o in twice.outcomes] == ["added", "unchanged"]
    assert twice.outcomes[0].document.id == twice.outcomes[1].document.id
    assert len(fresh.documents()) == 1 and fresh.audit().ok


def test_changed_file_replaces_its_chunks(make_library, seed_copy):
    library = make_library()
    library.ingest_paths([seed_copy])
    target = seed_copy / NOOR_ARTICLE.name
    old_id = prepare_file(target).document.id
    target.write_text(target.read_text() + "\nA new closing paragraph about the Herat conference.\n")
    report = library.ingest_paths([target])
    assert report.outcomes[0].status == "replaced"
    assert report.outcomes[0].replaced == (old_id,)
    new_id = report.outcomes[0].document.id
    ids, _, metas = library.store.all_chunks()
    doc_ids = {m["doc_id"] for m in metas}
    assert old_id not in doc_ids and new_id in doc_ids
    assert not library.store.sentences.get(where={"doc_id": old_id}, include=[])["ids"]
    assert len(library.documents()) == 2


def test_delete_removes_everything_of_a_document(make_library):
    library = make_library()
    library.ingest_paths([SEED_DIR])
    doc_id = prepare_file(NATIONPRESS_ARTICLE).document.id
    assert library.delete(doc_id)
    assert library.document(doc_id) is None
    assert not library.store.chunks.get(where={"doc_id": doc_id}, include=[])["ids"]
    assert not library.store.sentences.get(where={"doc_id": doc_id}, include=[])["ids"]
    assert all(hit.doc_id != doc_id for hit in library.retrieve("Iran Tehran talks", k=10))
    assert not library.delete(doc_id)


def test_bad_files_are_reported_and_leave_the_index_unchanged(make_library, seed_copy):
    library = make_library()
    library.ingest_paths([seed_copy])
    before = stored_state(library)
    (seed_copy / "corrupt.pdf").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Broken")
    (seed_copy / "empty.txt").write_bytes(b"")
    good = seed_copy / "good.md"
    good.write_text("# Herat\n\nThe Herat Security Conference gathered opposition figures in Tajikistan.\n")
    report = library.ingest_paths([seed_copy])
    failed = {f.source: f.reason for f in report.failures}
    assert set(failed) == {"corrupt.pdf", "empty.txt"}
    assert "PDF" in failed["corrupt.pdf"] and "empty" in failed["empty.txt"]
    assert report.count("added") == 1 and report.count("unchanged") == 2
    after = stored_state(library)
    assert len(after[2]) == len(before[2]) + 1
    # Only failing files: nothing changes at all.
    (good).unlink()
    only_bad = library.ingest_paths([seed_copy / "corrupt.pdf", seed_copy / "empty.txt"])
    assert len(only_bad.failures) == 2
    assert stored_state(library) == after


class ProcessDied(BaseException):
    """Stands in for SIGKILL: like a dead process, it skips every `except Exception` clean-up."""


def test_a_crash_mid_write_never_leaves_half_a_document(make_library, tmp_path):
    """Fault injection: the process dies after the chunks were stored, before the document record."""
    library = make_library()
    prepared = prepare_file(NOOR_ARTICLE)

    def die(*args, **kwargs):
        raise ProcessDied

    original = library.store.documents.upsert
    library.store.documents.upsert = die
    with pytest.raises(ProcessDied):
        library.add_prepared(prepared)
    library.store.documents.upsert = original
    # The half-written chunks exist in Chroma but are invisible to every reader ...
    assert library.store.chunks.count() > 0
    assert library.document(prepared.document.id) is None
    assert library.retrieve("Atta Mohammad Noor war", k=5) == []
    # ... and opening the store again sweeps them away.
    reopened = make_library(tmp_path / "data")
    assert reopened.store.chunks.count() == 0 and reopened.store.sentences.count() == 0
    report = reopened.ingest_paths([NOOR_ARTICLE])
    assert report.count("added") == 1


def test_a_crash_mid_delete_is_finished_when_the_store_is_opened(make_library, tmp_path):
    library = make_library()
    doc_id = library.add_prepared(prepare_file(NOOR_ARTICLE)).document.id

    class DiesAfterTheRecord:
        """The documents collection, whose delete removes the record and then the process dies."""

        def __init__(self, collection):
            self.collection = collection

        def __getattr__(self, name):
            return getattr(self.collection, name)

        def delete(self, *args, **kwargs):
            self.collection.delete(*args, **kwargs)
            raise ProcessDied

    library.store.documents = DiesAfterTheRecord(library.store.documents)
    with pytest.raises(ProcessDied):
        library.delete(doc_id)
    library.store.documents = library.store.documents.collection
    assert library.document(doc_id) is None and library.store.chunks.count() > 0
    reopened = make_library(tmp_path / "data")
    assert reopened.store.chunks.count() == 0 and reopened.store.sentences.count() == 0
    assert reopened.store.journal.count() == 0 and reopened.audit().ok


def test_a_shared_store_leaves_other_writers_fresh_work_alone(make_library, tmp_path):
    """With a Chroma server, another process may be mid-write: only stale journal entries are swept."""
    library = make_library()
    prepared = prepare_file(NOOR_ARTICLE)

    def die(*args, **kwargs):
        raise ProcessDied

    library.store.documents.upsert = die
    with pytest.raises(ProcessDied):
        library.add_prepared(prepared)
    from index.chroma_store import ChromaStore, connect_chroma

    client = connect_chroma(tmp_path / "data", None)
    shared = ChromaStore(client, embedder_name=library.embedder.name, shared=True)
    assert shared.recover_interrupted() == 0 and shared.chunks.count() > 0
    alone = ChromaStore(client, embedder_name=library.embedder.name, shared=False)
    assert alone.recover_interrupted() == 1 and alone.chunks.count() == 0


def test_full_sweep_removes_parts_without_a_document(make_library):
    library = make_library()
    library.add_prepared(prepare_file(NOOR_ARTICLE))
    library.store.documents.delete(ids=library.store.document_ids())  # parts left, no journal entry
    assert library.audit().orphan_chunks > 0 and not library.audit().ok
    assert library.store.remove_orphans() > 0
    assert library.audit().local_mismatch  # the local index still holds what the store lost
    assert library.sync().removed == 1
    assert library.audit().ok and library.store.chunks.count() == 0


def test_a_failed_write_removes_its_parts_at_once(make_library):
    library = make_library()
    prepared = prepare_file(NOOR_ARTICLE)

    def fail(*args, **kwargs):
        raise RuntimeError("Chroma refused the record")

    original = library.store.documents.upsert
    library.store.documents.upsert = fail
    with pytest.raises(RuntimeError):
        library.add_prepared(prepared)
    library.store.documents.upsert = original
    assert library.store.chunks.count() == 0 and library.store.sentences.count() == 0
