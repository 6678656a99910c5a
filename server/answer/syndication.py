"""One story carried by several outlets (documents linked as `same_story_as` at ingest): an answer cites
the copy it quotes and names the other outlets that carried it, and copies of one story never count as
articles that agree or disagree with each other."""

from __future__ import annotations

from collections.abc import Iterable

from index.types import DocumentInfo
from server.answer.models import Answer, AnswerSentence


def label(info: DocumentInfo) -> str:
    """An outlet as a reader names it: its name, or the article's title when no outlet is stated."""
    return info.outlet or f"“{info.title}”"


def copies(doc_id: str, docs: dict[str, DocumentInfo]) -> list[DocumentInfo]:
    info = docs.get(doc_id)
    return [docs[d] for d in (info.same_story_as if info else ()) if d in docs]


def one_story(doc_ids: Iterable[str], docs: dict[str, DocumentInfo]) -> bool:
    """Two or more documents that are all copies of one story (so none is a second source)."""
    ids = list(dict.fromkeys(doc_ids))
    if len(ids) < 2:
        return False
    first = docs.get(ids[0])
    linked = set(first.same_story_as) if first else set()
    return all(d in linked for d in ids[1:])


def name_other_outlets(answer: Answer, docs: dict[str, DocumentInfo]) -> None:
    """Each citation lists the other outlets that carried its story; the answer says so once, after the
    evidence, as a sentence about the sources."""
    notes = []
    for c in answer.citations:
        own = label(docs[c.doc_id]) if c.doc_id in docs else ""
        c.also_carried_by = list(dict.fromkeys(label(d) for d in copies(c.doc_id, docs) if label(d) != own))
        if c.also_carried_by:
            notes.append(f"[{c.n}] was also carried by {', '.join(c.also_carried_by)}.")
    if notes and not answer.refused:
        note = "The same story: " + " ".join(dict.fromkeys(notes))
        answer.answer = f"{answer.answer} {note}"
        answer.sentences.append(AnswerSentence(text=note, citations=[], supported=True, kind="framing"))
