"""A briefing laid out as a list of blocks (headings, paragraphs, list items, endnotes) that each file
writer renders in its own way: one place decides what a briefing file says and in which order."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Literal

from server.answer.models import Citation
from server.briefing.dates import describe_date
from server.briefing.models import Briefing, ReportedValue

BlockKind = Literal["title", "heading", "subheading", "paragraph", "bullet", "note"]


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    number: int = 0  # a note's citation number


def _marks(numbers: list[int]) -> str:
    return "".join(f" [{n}]" for n in numbers)


def _source(outlet: str, as_of: str) -> str:
    return f"{outlet or 'outlet not stated'}, {as_of or 'undated'}"


def _reported(label: str, value: ReportedValue) -> Block:
    return Block(
        "bullet",
        f"{label} ({_source(value.outlet, value.as_of)}): {value.value}. “{value.text}”{_marks(value.citations)}",
    )


def note_text(citation: Citation) -> str:
    """An endnote: outlet, date, title, URL and the quoted passage, with where it is in its article."""
    parts = [
        citation.outlet or "Outlet not stated",
        citation.published or "undated",
        f"“{citation.title}”" if citation.title else "untitled",
    ]
    if citation.url:
        parts.append(citation.url)
    return (
        ". ".join(parts) + f". Quoted passage: “{citation.quote}” (document {citation.doc_id}, characters "
        f"{citation.start}-{citation.end})."
    )


def outline_of(briefing: Briefing) -> list[Block]:
    scope = briefing.scope
    blocks = [Block("title", briefing.title)]
    blocks.append(Block("heading", "Scope"))
    blocks.append(Block("bullet", f"Topic: {scope.topic}"))
    blocks.append(Block("bullet", f"Filters: {scope.filters}"))
    blocks.append(
        Block(
            "bullet",
            f"Articles: {scope.articles_used} quoted, of {scope.articles_matching_filters} matching the filters "
            f"and {scope.articles_in_library} in the library",
        )
    )
    outlets = ", ".join(scope.outlets_used) or "none named"
    blocks.append(Block("bullet", f"Outlets quoted: {outlets}"))
    if scope.published.earliest:
        blocks.append(Block("bullet", f"Published: {scope.published.earliest} to {scope.published.latest}"))
    blocks.append(Block("bullet", f"Made: {scope.generated_at} (UTC), from the library only"))
    if briefing.summary:
        blocks.append(Block("heading", "Summary"))
        blocks.append(Block("paragraph", " ".join(s.text for s in briefing.summary)))
    for section in briefing.sections:
        blocks.append(Block("heading", section.heading))
        for sentence in section.sentences:
            if sentence.kind == "framing":
                blocks.append(Block("paragraph", sentence.text))
            else:
                as_of = f" (as of {sentence.as_of})" if sentence.as_of else " (undated source)"
                blocks.append(Block("bullet", f"{sentence.text}{_marks(sentence.citations)}{as_of}"))
    if briefing.timeline:
        blocks.append(Block("heading", "Timeline"))
        for event in briefing.timeline:
            when = describe_date(datetime.date.fromisoformat(event.date), event.precision)
            blocks.append(
                Block(
                    "bullet",
                    f"{when} (“{event.date_text}”, as of {event.as_of}): {event.text}{_marks(event.citations)}",
                )
            )
    if briefing.people:
        blocks.append(Block("heading", "People and organisations"))
        for actor in briefing.people:
            blocks.append(Block("subheading", f"{actor.name} ({actor.kind})"))
            for statement in actor.statements:
                blocks.append(
                    Block(
                        "bullet",
                        f"{_source(statement.outlet, statement.as_of)}: {statement.text}"
                        f"{_marks(statement.citations)}",
                    )
                )
    if briefing.disagreements:
        blocks.append(Block("heading", "Disagreements"))
        for disagreement in briefing.disagreements:
            blocks.append(
                Block("paragraph", f"Sources of {disagreement.as_of} differ on “{disagreement.about}”:")
            )
            blocks += [_reported("Reported", side) for side in disagreement.sides]
    if briefing.changes:
        blocks.append(Block("heading", "Figures reported over time"))
        for change in briefing.changes:
            blocks.append(Block("paragraph", f"“{change.about}”, newest report first:"))
            blocks.append(_reported("Latest report", change.latest))
            blocks += [_reported("Earlier report", value) for value in change.earlier]
    if briefing.gaps:
        blocks.append(Block("heading", "What the sources do not say"))
        blocks += [Block("bullet", f"{gap.question} {gap.reason}") for gap in briefing.gaps]
    if briefing.citations:
        blocks.append(Block("heading", "Sources"))
        blocks += [Block("note", note_text(c), c.n) for c in briefing.citations]
    return blocks
