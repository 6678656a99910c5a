"""Questions a reader would put about the topic's main people and organisations (who leads it, when was
it founded, who is he), generated from the names the topic's sentences hold, and about its figures (how
many were killed), in the words of the sentences that give them; put to the answer engine under the
briefing's filters: what it answers goes into the briefing with its citations (so the briefing gets
better as the engine does), what it refuses or cannot answer directly is a gap."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from index.types import SourceFilter
from server.answer.models import Answer
from server.briefing.figures import FIGURE_LABELS, Figure
from server.briefing.lexicon import FOUNDED_CUE, LEADS_CUE
from server.briefing.names import Name, in_topic

Ask = Callable[[str, SourceFilter | None], Answer]


@dataclass(frozen=True)
class GeneratedQuestion:
    name: Name | None  # what it asks about (None for a figure: the cue says what is counted)
    text: str
    wants_direct: bool  # a name, date or figure: answered only with a direct answer
    # The entity labels one of which the direct answer must carry in its source (PERSON; DATE; CARDINAL ...).
    direct_labels: frozenset[str] = frozenset()
    cue: re.Pattern[str] | None = None  # a word the answer must stand beside in its source (lexicon.py)
    # The articles the answer must come from (a figure question: the topic's own; empty: any).
    sources: frozenset[str] = frozenset()


@dataclass(frozen=True)
class QuestionOutcome:
    question: GeneratedQuestion
    answer: Answer

    @property
    def answered(self) -> bool:
        """Answered, and checked: a direct answer must be of the kind asked (a person for "who leads", a
        date for "when"), and a source it cites must name what the question is about. An answer that fails
        either check is a gap, not a claim."""
        if self.answer.refused:
            return False
        if not self.question.wants_direct:
            return True
        direct = self.answer.direct_answer
        return direct is not None and self._of_the_kind_asked() and self._stated_beside_the_name()

    def _of_the_kind_asked(self) -> bool:
        """Each span of the direct answer is, in the passage that holds it, inside a name of the kind asked
        (read in its sentence: a bare name is often not recognised on its own)."""
        from ingest.language import annotate_sentences

        direct = self.answer.direct_answer
        if direct is None or not self.question.direct_labels:
            return direct is not None
        spans = [self.answer.citations[n - 1].quote for n in direct.citations]
        passages = [c.quote for c in self.answer.citations if any(sp in c.quote for sp in spans)]
        notes = annotate_sentences(passages)
        for span in spans:
            found = False
            for passage, note in zip(passages, notes, strict=True):
                at = passage.find(span)
                found = found or any(
                    e.label in self.question.direct_labels and e.start <= at + len(span) and at <= e.end
                    for e in note.entities
                    if at >= 0
                )
            if not found:
                return False
        return bool(spans)

    def _stated_beside_the_name(self) -> bool:
        """One cited passage holds the answer, a form of the name asked about and the question's cue."""
        direct = self.answer.direct_answer
        if direct is None:
            return False
        spans = [self.answer.citations[n - 1].quote.casefold() for n in direct.citations]
        # A figure question names nothing: its cue (the counted noun) says what the answer stands beside.
        forms = [f.casefold() for f in self.question.name.forms] if self.question.name else None
        for citation in self.answer.citations:
            quote = citation.quote.casefold()
            if self.question.sources and citation.doc_id not in self.question.sources:
                continue
            if (
                any(span in quote for span in spans)
                and (forms is None or any(f in quote for f in forms))
                and (self.question.cue is None or self.question.cue.search(citation.quote))
            ):
                return True
        return False

    @property
    def gap_reason(self) -> str:
        if self.answer.refused:
            reason = (self.answer.refusal_reason or "").strip()
            return reason or "The articles do not say."
        if self.answer.direct_answer is None:
            return "The articles do not state it directly."
        return (
            "The answer found did not pass the briefing's checks (of the kind asked, about the name asked)."
        )


def _org(name: Name) -> str:
    text = name.text
    return text if text[:1].islower() or text.lower().startswith("the ") else f"the {text}"


def generate_questions(actors: list[Name], topic: str, limit: int) -> list[GeneratedQuestion]:
    """For the heaviest organisations: who leads it and when it was founded; for the heaviest people: who
    they are. Alternating, so that both kinds are asked within `limit`. `actors` are the names some source
    states a role of (people.py); those the topic itself names are asked about first."""
    ranked = sorted(actors, key=lambda n: not in_topic(n, topic))
    orgs = [n for n in ranked if n.label == "ORG"]
    people = [n for n in ranked if n.label == "PERSON" and len(n.text.split()) >= 2]
    questions: list[GeneratedQuestion] = []
    for i in range(max(len(orgs), len(people))):
        if i < len(orgs):
            org = _org(orgs[i])
            leads = GeneratedQuestion(orgs[i], f"Who leads {org}?", True, frozenset({"PERSON"}), LEADS_CUE)
            founded = GeneratedQuestion(
                orgs[i], f"When was {org} founded?", True, frozenset({"DATE"}), FOUNDED_CUE
            )
            questions += [leads, founded]
        if i < len(people):
            questions.append(GeneratedQuestion(people[i], f"Who is {people[i].text}?", False))
        if len(questions) >= limit:
            break
    return questions[:limit]


def generate_figure_questions(
    figures: list[Figure], limit: int, sources: frozenset[str]
) -> list[GeneratedQuestion]:
    """ "How many jail guards were killed?" for what the topic's figures count, in the sentences' own words:
    what most articles count first, then in the order of the sentences (best on topic first). The answer
    must be a figure standing beside the counted noun in one of `sources`, the topic's articles (the
    question does not name the topic, so another story's figure is not an answer)."""
    groups: dict[tuple[str, str], list[Figure]] = {}
    for figure in figures:
        if figure.question:
            groups.setdefault((figure.noun, figure.verb), []).append(figure)
    ranked = sorted(groups.values(), key=lambda g: -len({f.source.sentence.doc_id for f in g}))
    out = []
    for group in ranked[:limit]:
        first = group[0]
        counted = re.compile(rf"\b{re.escape(first.noun)}", re.IGNORECASE)
        out.append(GeneratedQuestion(None, first.question, True, frozenset(FIGURE_LABELS), counted, sources))
    return out


def put_questions(
    questions: list[GeneratedQuestion], ask: Ask, source_filter: SourceFilter | None
) -> list[QuestionOutcome]:
    return [QuestionOutcome(q, ask(q.text, source_filter)) for q in questions]
