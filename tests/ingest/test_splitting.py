import pytest

from ingest.prepare import document_id, prepare_bytes, prepare_file
from tests.conftest import NATIONPRESS_ARTICLE, NOOR_ARTICLE, SEED_DIR


@pytest.mark.parametrize("path", [NOOR_ARTICLE, NATIONPRESS_ARTICLE], ids=lambda p: p.name)
def test_every_chunk_and_sentence_matches_its_offsets(path):
    prepared = prepare_file(path)
    text = prepared.document.text
    assert prepared.chunks and prepared.sentences
    for span in prepared.chunks + prepared.sentences:
        assert text[span.start : span.end] == span.text
        assert span.text == span.text.strip() and span.text


@pytest.mark.parametrize("path", [NOOR_ARTICLE, NATIONPRESS_ARTICLE], ids=lambda p: p.name)
def test_chunks_cover_the_whole_text_and_overlap(path):
    prepared = prepare_file(path)
    covered = set()
    for chunk in prepared.chunks:
        covered.update(range(chunk.start, chunk.end))
    for sentence in prepared.sentences:
        assert sentence.start in covered
    starts = [c.start for c in prepared.chunks]
    assert starts == sorted(starts)
    for a, b in zip(prepared.chunks, prepared.chunks[1:], strict=False):
        assert b.start < a.end, "consecutive chunks share a sentence"


def test_noor_quote_is_split_into_sentences():
    sentences = [s.text for s in prepare_file(NOOR_ARTICLE).sentences]
    assert "You and your children should take up arms on the front lines." in sentences
    assert any(
        s.startswith("In an online meeting held in remembrance of Khair Mohammad Khairkhwa")
        for s in sentences
    )


def test_ids_are_content_hashes():
    a = prepare_bytes(b"Alpha beta gamma delta. Epsilon zeta eta.", "a.txt")
    b = prepare_bytes(b"Alpha beta gamma delta. Epsilon zeta eta.", "b.txt")
    c = prepare_bytes(b"Alpha beta gamma delta. Epsilon zeta theta.", "a.txt")
    assert a.document.id == b.document.id == document_id(a.document.text)
    assert [s.id for s in a.chunks] == [s.id for s in b.chunks]
    assert a.document.id != c.document.id


def test_split_file_splits_as_prepare_file_does():
    from ingest.prepare import split_file

    for path in sorted(SEED_DIR.glob("*.txt")):
        prepared = prepare_file(path)
        chunks, sentences = split_file(path)
        assert chunks == [c.text for c in prepared.chunks]
        assert sentences == [s.text for s in prepared.sentences]
