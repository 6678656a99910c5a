"""Dates written in an article ("on Tuesday", "last March", "Sept. 4", "in 2029") resolved against the
article's publication date by dateparser; the expressions are the DATE entities spaCy found at ingest."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from index.types import StoredSentence

Precision = str  # "day", "week", "month" or "year"
_LEADING = re.compile(r"^(?:on|in|since|from|of|by|during)\s+", re.IGNORECASE)
# "three years", "10 months": a length of time, not a date (dateparser would read "10 years" as 10 years ago).
_DURATION = re.compile(
    r"^(?:about |some |nearly |almost |more than |over |at least )?[\w,.-]+(?: and a half)? "
    r"(?:years?|months?|weeks?|days?|hours?|decades?)$",
    re.IGNORECASE,
)
_LAST_MONTH = re.compile(
    r"^last\s+(january|february|march|april|may|june|july|august|september|october|november|december)$",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b\d{4}\b")
_DECADE = re.compile(r"\b\d{3}0s\b|\b\d0s\b")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY = re.compile(
    r"^(?:last\s+)?(" + "|".join(_WEEKDAYS) + r")(?:\s+(?:morning|afternoon|evening|night))?$", re.IGNORECASE
)
# A date needs a year, a month's or a weekday's name, or a word that anchors it to the article's date; a
# bare number ("47", "16 and") is an age or a count, not a date.
_ANCHORED = re.compile(
    r"\b\d{4}\b|\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b(?:yesterday|today|tonight|ago)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ResolvedDate:
    """A date expression of a sentence and the day it names, read as of the article's date."""

    text: str  # as the article writes it
    date: datetime.date  # the first day of the week, month or year when that is all it names
    precision: Precision


@lru_cache(maxsize=1)
def _parser_module():
    from dateparser.date import DateDataParser

    return DateDataParser


def resolve_date(expression: str, published: datetime.date | None) -> ResolvedDate | None:
    """The day an expression names, relative expressions read against `published`; None for lengths of
    time, vague phrases ("recent months") and, in an article without a date, anything but an absolute
    date with its year."""
    text = " ".join(expression.split())
    bare = _LEADING.sub("", text)
    if not bare or _DURATION.match(bare) or _DECADE.search(bare) or not _ANCHORED.search(bare):
        return None
    if published is None and not _YEAR.search(bare):
        return None
    weekday = _WEEKDAY.match(bare)
    if weekday and published is not None:
        # A news report's "on Tuesday" is the latest Tuesday up to its date, that day included.
        back = (published.weekday() - _WEEKDAYS.index(weekday.group(1).lower())) % 7
        return ResolvedDate(text, published - datetime.timedelta(days=back), "day")
    base = datetime.datetime.combine(published or datetime.date(2000, 1, 1), datetime.time())
    last_month = _LAST_MONTH.match(bare)
    asked = last_month.group(1) if last_month else bare
    parser = _parser_module()(languages=["en"], settings={"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past"})
    data = parser.get_date_data(asked)
    if data is None or data.date_obj is None:
        return None
    day, precision = data.date_obj.date(), data.period or "day"
    if last_month and published is not None and day.month == published.month and day.year == published.year:
        day = day.replace(year=day.year - 1)  # "last March", written in March: a year before
    if precision == "year":
        day = datetime.date(day.year, 1, 1)
    elif precision == "month":
        day = day.replace(day=1)
    elif precision == "week":
        day = day - datetime.timedelta(days=day.weekday())
    elif precision != "day":
        precision = "day"
    years = {int(y) for y in _YEAR.findall(bare)}
    if years and day.year not in years:
        return None  # dateparser read something other than the year written
    return ResolvedDate(text, day, precision)


def warm_up() -> None:
    """Load dateparser and its language data now (a third of a second on first use), not in a briefing."""
    resolve_date("last March", datetime.date(2025, 5, 1))


def published_date(published: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(published.strip()[:10])
    except ValueError:
        return None


def sentence_dates(sentence: StoredSentence, published: str) -> list[ResolvedDate]:
    """The dates a sentence names (its DATE entities), resolved against its article's date."""
    base = published_date(published)
    found = []
    for entity in sentence.entities:
        if entity.label != "DATE":
            continue
        resolved = resolve_date(sentence.text[entity.start : entity.end], base)
        if resolved is not None:
            found.append(resolved)
    return found


def describe_date(day: datetime.date, precision: Precision) -> str:
    """A resolved date as a reader wants it: 2032-09-12, the week of 2032-09-06, September 2032, 2032."""
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return day.strftime("%B %Y")
    if precision == "week":
        return f"the week of {day.isoformat()}"
    return day.isoformat()
