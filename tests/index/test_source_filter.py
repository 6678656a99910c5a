"""Filters by date and outlet, applied inside both rankings (Chroma's `where`, the keyword query), with the
real model and a real Chroma store."""

from __future__ import annotations

import datetime

import pytest

from index.types import DocumentInfo, SourceFilter, published_day
from ingest.models import DocumentMetadata

# Many articles about one dam from one outlet, and one article from another outlet that mentions it once:
# a filter applied after a top-k would find nothing of the second outlet's; one applied inside finds it.
DAM = (
    "The Kajaki dam on the Helmand river was damaged by shelling. Engineers said the Kajaki dam spillway "
    "needs repairs before the spring floods. Farmers downstream of the Kajaki dam fear for their crops."
)
OTHER = (
    "Traders in Herat complained about new taxes on imported fuel. A short note at the end said the Kajaki "
    "dam had been visited by a delegation."
)


def _add(library, name: str, text: str, outlet: str, published: str):
    return library.ingest_bytes(
        text.encode(), name, DocumentMetadata(title=name, outlet=outlet, published=published)
    ).document


@pytest.fixture(scope="module")
def filtered_library(tmp_path_factory, embedder):
    from server.settings import IndexSettings, Settings
    from server.wiring import build_library

    data_dir = tmp_path_factory.mktemp("filter-data")
    library = build_library(Settings(index=IndexSettings(data_dir=data_dir)), embedder=embedder)
    for i in range(12):
        _add(library, f"dam-{i}.txt", f"Report {i}. {DAM}", "Helmand Daily", f"2025-03-{i + 1:02d}")
    other = _add(library, "herat.txt", OTHER, "Herat Courier", "2024-11-20")
    undated = _add(library, "undated.txt", "An undated note: the Kajaki dam is quiet.", "Helmand Daily", "")
    return library, data_dir, other, undated


def _info(published: str, outlet: str) -> DocumentInfo:
    return DocumentInfo("d", "s", "t", outlet, published, "", 1, 1, 1, 0.0)


def test_filter_matches_dates_inclusive_and_outlets_case_insensitively():
    f = SourceFilter(datetime.date(2025, 1, 1), datetime.date(2025, 1, 31), ("nationpress",))
    assert f.matches(_info("2025-01-01", "NationPress")) and f.matches(
        _info("2025-01-31T10:00:00Z", "NationPress")
    )
    assert not f.matches(_info("2025-02-01", "NationPress"))
    assert not f.matches(_info("2025-01-10", "Other"))
    assert not f.matches(_info("", "NationPress")), "an undated article matches no date filter"
    assert SourceFilter(outlets=("NationPress",)).matches(_info("", " nationpress "))
    assert SourceFilter().is_empty and SourceFilter(outlets=("  ",)).is_empty
    assert "2025-01-01" in f.describe() and "nationpress" in f.describe()
    assert published_day("2025-12-11") == 20251211 and published_day("") == 0 and published_day("n.d.") == 0


def test_outlet_filter_is_applied_inside_retrieval(filtered_library):
    library, _, other, _ = filtered_library
    unfiltered = library.retrieve("Kajaki dam", k=3)
    assert other.id not in {h.doc_id for h in unfiltered}, "the other outlet is outranked without a filter"
    hits = library.retrieve("Kajaki dam", k=3, source_filter=SourceFilter(outlets=("herat courier",)))
    assert hits and {h.doc_id for h in hits} == {other.id}


def test_date_filter_is_applied_inside_retrieval_and_leaves_out_undated_articles(filtered_library):
    library, _, other, undated = filtered_library
    march = SourceFilter(since=datetime.date(2025, 3, 5), until=datetime.date(2025, 3, 7))
    hits = library.retrieve("Kajaki dam", k=6, source_filter=march)
    infos = {d.id: d for d in library.documents()}
    assert hits
    assert {infos[h.doc_id].published for h in hits} <= {"2025-03-05", "2025-03-06", "2025-03-07"}
    before = library.retrieve(
        "Kajaki dam", k=6, source_filter=SourceFilter(until=datetime.date(2024, 12, 31))
    )
    assert {h.doc_id for h in before} == {other.id}
    assert undated.id not in {
        h.doc_id for h in library.retrieve("undated note quiet", k=20, source_filter=march)
    }
    assert {d.id for d in library.matching_documents(SourceFilter(until=datetime.date(2024, 12, 31)))} == {
        other.id
    }


def test_a_filter_that_matches_nothing_retrieves_nothing(filtered_library):
    library = filtered_library[0]
    nothing = SourceFilter(outlets=("No Such Outlet",))
    assert library.retrieve("Kajaki dam", k=3, source_filter=nothing) == []
    assert library.matching_documents(nothing) == []


def test_a_store_written_before_chunks_carried_filter_fields_gets_them_on_open(tmp_path, make_library):
    from index.chroma_store import read_all

    data_dir = tmp_path / "old"
    library = make_library(data_dir)
    doc = _add(library, "old.txt", OTHER, "Herat Courier", "2024-11-20")
    chunks = library.store.chunks
    got = chunks.get(include=["documents", "embeddings", "metadatas"])
    stripped = [
        {k: v for k, v in m.items() if k not in ("published_day", "outlet_key")} for m in got["metadatas"]
    ]
    # As an older version wrote them: no filter fields, and no note of them on the collection.
    chunks.delete(ids=got["ids"])
    chunks.add(ids=got["ids"], documents=got["documents"], embeddings=got["embeddings"], metadatas=stripped)
    chunks.modify(metadata={"embedder": library.embedder.name})
    (data_dir / "local" / "briefing" / "briefing-layout").write_text("4")
    library2 = make_library(data_dir)
    metas = read_all(library2.store.chunks, ["metadatas"])["metadatas"]
    assert metas and all(m["published_day"] == 20241120 and m["outlet_key"] == "herat courier" for m in metas)
    hits = library2.retrieve("fuel taxes Herat", k=2, source_filter=SourceFilter(outlets=("Herat Courier",)))
    assert {h.doc_id for h in hits} == {doc.id}
