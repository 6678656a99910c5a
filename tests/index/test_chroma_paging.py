"""Whole-collection reads are paged: Chroma's SQLite refuses one `get` of more than about 32,000 rows.

The 10,000-article benchmark found this: its 51,000 chunks could not be read back to build BM25.
"""

import index.chroma_store as chroma_store
from index.chroma_store import connect_chroma, read_all


def test_read_all_returns_every_row_where_one_get_fails(tmp_path):
    rows = connect_chroma(tmp_path, None).create_collection("rows")
    n, step = 40_000, 5_000
    for start in range(0, n, step):
        span = range(start, start + step)
        rows.add(
            ids=[f"c{i}" for i in span],
            embeddings=[[float(i % 7), 1.0] for i in span],
            documents=[f"text {i}" for i in span],
            metadatas=[{"doc_id": f"d{i // 5}"} for i in span],
        )
    try:
        rows.get(include=["documents", "metadatas"])
        unpaged_failed = False
    except Exception as exc:  # chromadb raises InternalError from its Rust bindings
        unpaged_failed = "too many SQL variables" in str(exc)
    got = read_all(rows, ["documents", "metadatas"])
    assert len(got["ids"]) == len(set(got["ids"])) == n
    assert all(doc == f"text {cid[1:]}" for cid, doc in zip(got["ids"], got["documents"], strict=True))
    # The limit this guards against (chromadb 1.5); if a later Chroma lifts it, paging is merely unneeded.
    assert unpaged_failed, "one unpaged get of 40,000 rows now works: update this test's premise"


def test_store_reads_agree_with_one_page_or_many(seed_library, monkeypatch):
    store = seed_library.store
    whole = (store.all_chunks(), store.document_ids(), store.list_documents(), store.audit())
    monkeypatch.setattr(chroma_store, "READ_PAGE", 3)  # 14 chunks, 2 documents: several pages each
    paged = (store.all_chunks(), store.document_ids(), store.list_documents(), store.audit())
    assert paged == whole
    assert len(whole[0][0]) > 3 * 2 and whole[3].ok


def test_chunks_of_some_documents_are_read_in_groups_of_documents(seed_library, monkeypatch):
    """A `$in` filter binds one SQL variable per id, so the ids of many documents go in groups."""
    store = seed_library.store
    ids, texts, metas = store.all_chunks()
    doc_ids = sorted({m["doc_id"] for m in metas})
    assert len(doc_ids) == 2
    monkeypatch.setattr(chroma_store, "DOCS_PER_FILTER", 1)
    grouped = store.all_chunks(doc_ids)

    def rows(chunks):
        return sorted(zip(*chunks, strict=True), key=lambda row: row[0])

    assert rows(grouped) == rows((ids, texts, metas))
    only_first = store.all_chunks(doc_ids[:1])
    assert only_first[0] and {m["doc_id"] for m in only_first[2]} == {doc_ids[0]}
    assert store.all_chunks([]) == ([], [], [])
