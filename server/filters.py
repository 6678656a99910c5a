"""The `since`, `until` and `outlets` fields that narrow /v1/ask, /v1/ask/stream, /v1/retrieve,
/v1/briefings, the MCP tools and the web chat, read into one `SourceFilter`."""

from __future__ import annotations

import datetime
import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, Field, model_validator

from index.types import SourceFilter

# SourceFilter is re-exported: the UI takes it from here, never from the index.
__all__ = ["FilterDate", "FilterFields", "SourceFilter", "parse_filter_date"]
MAX_OUTLETS = 20
MAX_OUTLET_CHARS = 200
MAX_DATE_CHARS = 40
_MONTH_NAME = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b\.?", re.IGNORECASE
)
_YEAR = re.compile(r"\b\d{4}\b")


def parse_filter_date(value: object) -> datetime.date:
    """A filter's date: ISO (YYYY-MM-DD), or a day written with its month's name and a four-digit year
    ("11 December 2025", "Dec 11, 2025"), which dateparser reads. Numeric forms other than ISO (03/04/2025)
    are ambiguous between day and month, and relative ones ("yesterday") would depend on the server's
    clock: both are refused with a ValueError, as is anything unparseable."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str):
        raise ValueError("a date must be a string, YYYY-MM-DD")
    text = value.strip()
    if len(text) > MAX_DATE_CHARS:
        raise ValueError(f"a date must be at most {MAX_DATE_CHARS} characters, YYYY-MM-DD")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        pass
    if _MONTH_NAME.search(text) and _YEAR.search(text):
        import dateparser

        parsed = dateparser.parse(
            text,
            languages=["en"],
            settings={"STRICT_PARSING": True, "REQUIRE_PARTS": ["day", "month", "year"]},
        )
        if parsed is not None:
            return parsed.date()
    raise ValueError(f"{text!r} is not a date: use YYYY-MM-DD (for example 2025-12-11)")


FilterDate = Annotated[datetime.date, BeforeValidator(parse_filter_date)]
OutletName = Annotated[str, Field(min_length=1, max_length=MAX_OUTLET_CHARS)]


class FilterFields(BaseModel):
    """The fields a request narrows its sources with; a model that takes filters inherits them."""

    since: FilterDate | None = Field(
        None,
        description="Only articles published on or after this day (YYYY-MM-DD). Articles that state no "
        "date are left out when since or until is given.",
        examples=["2025-01-01"],
    )
    until: FilterDate | None = Field(
        None,
        description="Only articles published on or before this day (YYYY-MM-DD).",
        examples=["2025-12-31"],
    )
    outlets: list[OutletName] = Field(
        default_factory=list,
        max_length=MAX_OUTLETS,
        description="Only articles from these outlets (case-insensitive); empty: every outlet.",
    )

    @model_validator(mode="after")
    def _since_before_until(self):
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since ({self.since}) is after until ({self.until})")
        return self

    def source_filter(self) -> SourceFilter | None:
        """The filter these fields describe; None when they do not narrow."""
        found = SourceFilter(self.since, self.until, tuple(o.strip() for o in self.outlets if o.strip()))
        return None if found.is_empty else found
