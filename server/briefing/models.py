"""A briefing as the API returns it. Every sentence is a verbatim source sentence with its citations, or a
framing sentence about the sources (kind "framing", no citations); citations follow the answers' contract."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from server.answer.models import Citation


class DateRange(BaseModel):
    earliest: str = Field("", description="Publication date of the oldest article used (ISO); empty if none.")
    latest: str = Field("", description="Publication date of the newest article used (ISO); empty if none.")


class BriefingScope(BaseModel):
    """What the briefing was made from."""

    topic: str
    filters: str = Field(..., description="The filters in words, or 'no filter'.")
    since: str | None = None
    until: str | None = None
    outlets_requested: list[str] = Field(default_factory=list)
    articles_in_library: int = Field(..., description="Articles the library holds.")
    articles_matching_filters: int = Field(..., description="Articles the filters let through.")
    articles_used: int = Field(..., description="Articles at least one citation comes from.")
    outlets_used: list[str] = Field(default_factory=list, description="Outlets of the articles used.")
    undated_articles_used: int = Field(0, description="Articles used that state no publication date.")
    articles_used_without_outlet: int = Field(0, description="Articles used that name no outlet.")
    published: DateRange = Field(default_factory=DateRange)
    generated_at: str = Field(..., description="When the briefing was made (UTC, ISO 8601).")


class BriefingSentence(BaseModel):
    text: str = Field(
        ..., description="A source sentence, verbatim, or a framing sentence about the sources."
    )
    citations: list[int] = Field(default_factory=list)
    kind: Literal["source", "framing"] = "source"
    as_of: str = Field("", description="The source's publication date (ISO): the claim is as of that date.")


class BriefingSection(BaseModel):
    heading: str
    sentences: list[BriefingSentence]


class TimelineEvent(BaseModel):
    date: str = Field(
        ..., description="The event's date as resolved (ISO; the first day of a week, month or year)."
    )
    precision: Literal["day", "week", "month", "year"]
    date_text: str = Field(..., description="How the source writes the date ('on Sunday', 'last March').")
    as_of: str = Field(
        ..., description="The source's publication date, against which relative dates are read."
    )
    text: str
    citations: list[int]


class Statement(BaseModel):
    """What one source says of someone or something, verbatim."""

    text: str
    citations: list[int]
    outlet: str = ""
    as_of: str = ""


class Actor(BaseModel):
    name: str
    kind: Literal["person", "organisation"]
    statements: list[Statement] = Field(
        ..., description="Roles and memberships as each source states them, newest source first."
    )


class ReportedValue(BaseModel):
    value: str = Field(..., description="The figure as written.")
    text: str
    citations: list[int]
    outlet: str = ""
    as_of: str = ""


class Disagreement(BaseModel):
    """Sources of one date that give different figures for one thing."""

    about: str
    as_of: str
    sides: list[ReportedValue]


class ChangeOverTime(BaseModel):
    """A figure that sources of different dates give differently: the newest first, then earlier reports."""

    about: str
    latest: ReportedValue
    earlier: list[ReportedValue]


class Gap(BaseModel):
    question: str = Field(..., description="What a reader would ask.")
    reason: str = Field(..., description="Why the briefing cannot answer it from the library.")


class Briefing(BaseModel):
    title: str
    covered: bool = Field(
        ..., description="False when the library holds nothing on the topic under the filters."
    )
    scope: BriefingScope
    summary: list[BriefingSentence] = Field(
        default_factory=list, description="Framing sentences about the sources (no claims of their own)."
    )
    sections: list[BriefingSection] = Field(default_factory=list)
    timeline: list[TimelineEvent] = Field(default_factory=list, description="Dated events, oldest first.")
    people: list[Actor] = Field(default_factory=list)
    disagreements: list[Disagreement] = Field(default_factory=list)
    changes: list[ChangeOverTime] = Field(
        default_factory=list, description="Figures that changed between sources of different dates."
    )
    gaps: list[Gap] = Field(default_factory=list)
    citations: list[Citation] = Field(default_factory=list)
    timings_ms: dict[str, float] = Field(default_factory=dict)
