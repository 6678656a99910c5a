"""Sections chosen from the library's content: the topic's sentences grouped by the name (person,
organisation, place, event) that most of them share, greedily, heaviest first; what no chosen name
groups goes under "Other reporting"."""

from __future__ import annotations

from dataclasses import dataclass

from server.briefing.evidence import TopicSentence
from server.briefing.names import Name, in_topic
from server.settings import BriefingSettings

OTHER_HEADING = "Other reporting"


@dataclass(frozen=True)
class SectionPlan:
    heading: str
    name: Name | None
    sentences: tuple[TopicSentence, ...]  # newest source first, then in article order


def plan_sections(
    on_topic: tuple[TopicSentence, ...], names: list[Name], topic: str, settings: BriefingSettings
) -> list[SectionPlan]:
    """Each round, the name whose unassigned sentences weigh most heads a section of them (at least
    `min_section_sentences`); up to `max_sections`, the last being what is left, if anything."""
    left = {ts.sentence.id: ts for ts in on_topic}
    candidates = [n for n in names if not in_topic(n, topic)]
    plans: list[SectionPlan] = []
    while len(plans) < settings.max_sections - 1 and candidates:

        def weight(name: Name) -> float:
            return sum(max(s.similarity, 0.0) for s in name.sentences if s.sentence.id in left)

        best = max(candidates, key=weight)
        taken = [s for s in best.sentences if s.sentence.id in left]
        candidates.remove(best)
        if len(taken) < settings.min_section_sentences:
            continue
        plans.append(SectionPlan(best.text, best, _ordered(taken, settings.sentences_per_section)))
        for s in taken[: settings.sentences_per_section]:
            left.pop(s.sentence.id, None)
    rest = [ts for ts in on_topic if ts.sentence.id in left]
    if rest:
        heading = OTHER_HEADING if plans else topic
        plans.append(SectionPlan(heading, None, _ordered(rest, settings.sentences_per_section)))
    return plans


def _ordered(sentences: list[TopicSentence], limit: int) -> tuple[TopicSentence, ...]:
    """The `limit` closest to the topic, shown newest source first and in article order within one."""
    best = sorted(sentences, key=lambda s: -s.similarity)[:limit]
    best.sort(key=lambda s: (s.sentence.doc_id, s.sentence.start))
    best.sort(key=lambda s: s.as_of, reverse=True)
    return tuple(best)
