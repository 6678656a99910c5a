"""The BM25 index saved beside the store: read back only when it matches, updated by writes, and the same
rankings whichever way it was made (saved, updated in place or rebuilt)."""

import logging

import pytest

from evals.golden import load_golden
from index.bm25 import BM25Index
from index.bm25_cache import load_index, save_index, store_fingerprint
from ingest.prepare import prepare_file
from tests.conftest import NATIONPRESS_ARTICLE, NOOR_ARTICLE, SEED_DIR

QUESTIONS = [item.question for item in load_golden()] + ["Khairkhwa", "the of and", "zzzqx"]


def rankings(index: BM25Index) -> list[list[tuple[str, float]]]:
    return [[(cid, round(score, 5)) for cid, _, _, score in index.search(q, index.size)] for q in QUESTIONS]


def no_tokenising(monkeypatch):
    """Make any tokenising of chunk texts fail, so a test can tell a read-back index from a rebuilt one."""

    def refuse(*_args, **_kwargs):
        raise AssertionError("chunks were tokenised")

    monkeypatch.setattr("index.bm25.tokenize_into", refuse)


def test_a_saved_index_reads_back_with_identical_rankings(seed_library, tmp_path):
    ids, texts, metas = seed_library.store.all_chunks()
    built = BM25Index(ids, texts, metas)
    path = tmp_path / "bm25" / "briefing.npz"
    save_index(path, built, store_fingerprint(ids))
    assert [p.name for p in path.parent.iterdir()] == ["briefing.npz"]  # no temporary file left behind
    loaded = load_index(path, store_fingerprint(ids))
    assert loaded is not None and loaded.ids == ids
    assert rankings(loaded) == rankings(built)
    assert any(rankings(built))


def test_a_stale_or_damaged_file_is_ignored(seed_library, tmp_path, caplog):
    ids, texts, metas = seed_library.store.all_chunks()
    path = tmp_path / "briefing.npz"
    save_index(path, BM25Index(ids, texts, metas), store_fingerprint(ids))
    assert load_index(path, store_fingerprint(ids[1:])) is None  # the store has changed since
    path.write_bytes(path.read_bytes()[:1000])  # cut short
    with caplog.at_level(logging.WARNING, logger="index.bm25_cache"):
        assert load_index(path, store_fingerprint(ids)) is None
    assert "rebuilding it" in caplog.text
    assert load_index(tmp_path / "missing.npz", store_fingerprint(ids)) is None


def test_a_library_reads_its_saved_index_instead_of_tokenising(make_library, tmp_path, monkeypatch):
    data_dir = tmp_path / "data"
    first = make_library(data_dir)
    first.ingest_paths([SEED_DIR])
    assert first.bm25_cache is not None and first.bm25_cache.exists()
    expected = [[c.chunk_id for c in first.retrieve(q, k=6)] for q in QUESTIONS]

    no_tokenising(monkeypatch)
    again = make_library(data_dir)
    assert again.counts() == first.counts()
    assert [[c.chunk_id for c in again.retrieve(q, k=6)] for q in QUESTIONS] == expected


def test_writes_update_the_index_and_its_file_without_retokenising_the_rest(make_library, tmp_path):
    data_dir = tmp_path / "data"
    library = make_library(data_dir)
    library.ingest_paths([NOOR_ARTICLE])
    seen: list[int] = []
    import index.bm25 as bm25_module

    original = bm25_module.tokenize_into

    def counting(texts, vocab, stemmer=None):
        seen.append(len(texts))
        return original(texts, vocab, stemmer)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(bm25_module, "tokenize_into", counting)
        library.ingest_paths([NATIONPRESS_ARTICLE])
        added = len(prepare_file(NATIONPRESS_ARTICLE).chunks)
        assert sum(seen) == added  # only the new article's chunks

        # After each write the in-memory index equals a rebuild from the store, up to the order of ties.
        ids, texts, metas = library.store.all_chunks()
        assert sorted(library._bm25.ids) == sorted(ids)
        assert score_sets(library._bm25) == score_sets(BM25Index(ids, texts, metas))

        seen.clear()
        assert library.delete(prepare_file(NOOR_ARTICLE).document.id)
        assert sum(seen) == 0  # deleting tokenises nothing
        ids, texts, metas = library.store.all_chunks()
        assert score_sets(library._bm25) == score_sets(BM25Index(ids, texts, metas))

    # The file was saved after the delete: a new library reads it back as it is.
    reopened = load_index(library.bm25_cache, store_fingerprint(library.store.chunk_ids()))
    assert reopened is not None and sorted(reopened.ids) == sorted(ids)


def score_sets(index: BM25Index) -> list[dict[str, float]]:
    return [{cid: round(score, 5) for cid, _, _, score in index.search(q, index.size)} for q in QUESTIONS]


def test_a_write_by_another_library_is_picked_up_by_a_rebuild(make_library, tmp_path, caplog):
    data_dir = tmp_path / "data"
    ours = make_library(data_dir)
    ours.ingest_paths([NOOR_ARTICLE])
    theirs = make_library(data_dir)  # another writer on the same store
    theirs.ingest_paths([NATIONPRESS_ARTICLE])

    with caplog.at_level(logging.INFO, logger="index.library"):
        ours.delete(prepare_file(NOOR_ARTICLE).document.id)
    assert "rebuilding the BM25 index" in caplog.text
    nationpress = prepare_file(NATIONPRESS_ARTICLE).document.id
    assert ours._bm25 is not None
    assert {m["doc_id"] for m in ours._bm25._metadatas} == {nationpress}


def test_deleting_the_last_document_empties_the_index(make_library):
    library = make_library()
    library.ingest_paths([NOOR_ARTICLE])
    assert library.delete(prepare_file(NOOR_ARTICLE).document.id)
    assert library.counts() == (0, 0)
    assert library.retrieve("Noor", k=3) == []
