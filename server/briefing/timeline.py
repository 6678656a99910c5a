"""The timeline: the topic's sentences that name a date, each dated by the day it names (read against its
article's date), oldest first."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from server.briefing.dates import ResolvedDate, sentence_dates
from server.briefing.evidence import TopicSentence


@dataclass(frozen=True)
class DatedSentence:
    source: TopicSentence
    date: ResolvedDate


def timeline_of(sentences: tuple[TopicSentence, ...], limit: int) -> list[DatedSentence]:
    """Up to `limit` dated sentences, the closest to the topic kept, then ordered oldest first (a sentence
    that names several dates is placed at the first). A date after its article's own is a plan or a
    forecast, not an event, and is left out."""
    dated = []
    seen: set[str] = set()
    for ts in sentences:  # closest to the topic first
        if ts.sentence.id in seen:
            continue
        published = ts.document.published[:10]
        for resolved in sentence_dates(ts.sentence, published):
            if published and resolved.date > datetime.date.fromisoformat(published):
                continue
            dated.append(DatedSentence(ts, resolved))
            seen.add(ts.sentence.id)
            break
        if len(dated) >= limit:
            break
    return sorted(dated, key=lambda d: (d.date.date, d.source.as_of, d.source.sentence.start))
