"""A briefing on a topic, in typed stages: gather the topic's sentences (evidence.py), find the names they
hold (names.py), put generated questions to the answer engine (questions.py), group sentences into
sections (sections.py), date them (timeline.py), state roles (people.py), compare figures (figures.py);
then this module writes it all out, citing as it goes (citations.py), so that citations are numbered by
first use and every one is used."""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Iterable

from index.library import Library
from index.types import DocumentInfo, SourceFilter, StoredSentence
from server.answer.models import Answer, Citation
from server.briefing.citations import CitationBook
from server.briefing.evidence import TopicEvidence, TopicSentence, gather_topic_evidence
from server.briefing.figures import Figure, compare_figures, figures_in, split_by_date
from server.briefing.models import (
    Actor,
    Briefing,
    BriefingScope,
    BriefingSection,
    BriefingSentence,
    ChangeOverTime,
    DateRange,
    Disagreement,
    Gap,
    ReportedValue,
    Statement,
    TimelineEvent,
)
from server.briefing.names import name_key, names_in
from server.briefing.people import plan_actors
from server.briefing.questions import (
    Ask,
    QuestionOutcome,
    generate_figure_questions,
    generate_questions,
    put_questions,
)
from server.briefing.request import BriefingRequest
from server.briefing.sections import plan_sections
from server.briefing.timeline import timeline_of
from server.settings import BriefingSettings

ANSWERS_HEADING = "What the sources answer"
_MARKER = re.compile(r"\s*\[\d+\]")


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


class BriefingBuilder:
    """Builds briefings from one library and one answer engine (through `ask`)."""

    def __init__(self, library: Library, ask: Ask, settings: BriefingSettings):
        self.library = library
        self.ask = ask
        self.settings = settings

    def build(self, request: BriefingRequest) -> Briefing:
        started = time.perf_counter()
        timings: dict[str, float] = {}
        source_filter = request.source_filter()
        t = time.perf_counter()
        evidence = gather_topic_evidence(self.library, request.topic, source_filter, self.settings)
        timings["gather"] = _ms(t)
        book = CitationBook()
        if not evidence.covered:
            briefing = self._not_covered(request, source_filter, evidence)
            briefing.timings_ms = {**timings, "total": _ms(started)}
            return briefing
        t = time.perf_counter()
        docs = {d.id: d for d in self.library.matching_documents(source_filter)}
        outlets = frozenset(name_key(d.outlet) for d in docs.values() if d.outlet)
        names = names_in(evidence.on_topic, outlets)
        per_actor = self.settings.statements_per_actor
        actors = [p.name for p in plan_actors(names, {}, self.settings.max_people, per_actor)]
        figures = figures_in(list(evidence.related))
        on_topic = {ts.sentence.id for ts in evidence.on_topic}
        questions = generate_questions(actors, request.topic, self.settings.max_questions)
        questions += generate_figure_questions(
            [f for f in figures if f.source.sentence.id in on_topic],
            self.settings.max_figure_questions,
            frozenset(ts.sentence.doc_id for ts in evidence.on_topic),
        )
        outcomes = put_questions(questions, self.ask, source_filter)
        timings["questions"] = _ms(t)
        t = time.perf_counter()
        answered_about: dict[str, list[TopicSentence]] = {}
        for outcome in outcomes:
            if outcome.answered and not outcome.question.wants_direct and outcome.question.name is not None:
                answered_about.setdefault(outcome.question.name.key, []).extend(
                    _answer_sentences(outcome.answer, docs)
                )
        sections = (
            [self._answers_section(outcomes, docs, book)]
            if any(o.answered and o.question.wants_direct for o in outcomes)
            else []
        )
        for plan in plan_sections(evidence.on_topic, names, request.topic, self.settings):
            sentences = [_framing(_section_framing(plan.sentences, plan.heading if plan.name else None))]
            sentences += [self._quote(ts, book) for ts in plan.sentences]
            sections.append(BriefingSection(heading=plan.heading, sentences=sentences))
        timeline = [
            TimelineEvent(
                date=d.date.date.isoformat(),
                precision=d.date.precision,  # type: ignore[arg-type]
                date_text=d.date.text,
                as_of=d.source.as_of,
                text=d.source.sentence.text,
                citations=[self._cite(d.source, book)],
            )
            for d in timeline_of(evidence.on_topic, self.settings.max_timeline)
        ]
        people = [
            Actor(
                name=plan.name.text,
                kind=plan.kind,  # type: ignore[arg-type]
                statements=[
                    Statement(
                        text=ts.sentence.text,
                        citations=[self._cite(ts, book)],
                        outlet=ts.document.outlet,
                        as_of=ts.as_of,
                    )
                    for ts in plan.statements
                ],
            )
            for plan in plan_actors(
                names, answered_about, self.settings.max_people, self.settings.statements_per_actor
            )
        ]
        timings["sections"] = _ms(t)
        t = time.perf_counter()
        disagreements, changes = self._figures(figures, docs, book)
        timings["figures"] = _ms(t)
        gaps = [Gap(question=o.question.text, reason=o.gap_reason) for o in outcomes if not o.answered]
        scope = self._scope(request, source_filter, evidence, book)
        briefing = Briefing(
            title=_title(request.topic, source_filter),
            covered=True,
            scope=scope,
            summary=_summary(scope, len(disagreements), len(changes)),
            sections=sections,
            timeline=timeline,
            people=people,
            disagreements=disagreements,
            changes=changes,
            gaps=gaps + _coverage_gaps(scope),
            citations=book.citations,
        )
        timings["total"] = _ms(started)
        briefing.timings_ms = timings
        return briefing

    # ---- writing out ----------------------------------------------------------------------------
    def _cite(self, ts: TopicSentence, book: CitationBook) -> int:
        s = ts.sentence
        return book.cite(ts.document, s.start, s.end, s.text, ts.similarity)

    def _quote(self, ts: TopicSentence, book: CitationBook) -> BriefingSentence:
        return BriefingSentence(text=ts.sentence.text, citations=[self._cite(ts, book)], as_of=ts.as_of)

    def _answers_section(
        self, outcomes: list[QuestionOutcome], docs: dict[str, DocumentInfo], book: CitationBook
    ) -> BriefingSection:
        sentences: list[BriefingSentence] = []
        for outcome in outcomes:
            if not (outcome.answered and outcome.question.wants_direct):
                continue
            sentences.append(_framing(outcome.question.text))
            for ts in _answer_sentences(outcome.answer, docs):
                sentences.append(self._quote(ts, book))
        return BriefingSection(heading=ANSWERS_HEADING, sentences=sentences)

    def _figures(
        self, figures: list[Figure], docs: dict[str, DocumentInfo], book: CitationBook
    ) -> tuple[list[Disagreement], list[ChangeOverTime]]:
        copies = {d.id: frozenset(d.same_story_as) for d in docs.values()}
        disagreements, changes = [], []
        for comparison in compare_figures(figures, copies):
            same_date, latest_per_date = split_by_date(comparison, self.settings.same_date_days)

            def value(f) -> ReportedValue:
                return ReportedValue(
                    value=f.written,
                    text=f.source.sentence.text,
                    citations=[self._cite(f.source, book)],
                    outlet=f.source.document.outlet,
                    as_of=f.source.as_of,
                )

            for group in same_date:
                disagreements.append(
                    Disagreement(
                        about=comparison.about, as_of=group[0].source.as_of, sides=[value(f) for f in group]
                    )
                )
            if len(latest_per_date) > 1 and len({f.value for f in latest_per_date}) > 1:
                changes.append(
                    ChangeOverTime(
                        about=comparison.about,
                        latest=value(latest_per_date[0]),
                        earlier=[value(f) for f in latest_per_date[1:]],
                    )
                )
        return disagreements, changes

    def _scope(
        self,
        request: BriefingRequest,
        source_filter: SourceFilter | None,
        evidence: TopicEvidence,
        book: CitationBook,
    ) -> BriefingScope:
        used_ids = book.used_documents()
        used = [d for d in self.library.matching_documents(source_filter) if d.id in used_ids]
        dates = sorted(d.published[:10] for d in used if d.published)
        return BriefingScope(
            topic=request.topic,
            filters=source_filter.describe() if source_filter else "no filter",
            since=request.since.isoformat() if request.since else None,
            until=request.until.isoformat() if request.until else None,
            outlets_requested=list(request.outlets),
            articles_in_library=self.library.counts()[0],
            articles_matching_filters=evidence.documents_matching,
            articles_used=len(used),
            outlets_used=sorted({d.outlet for d in used if d.outlet}),
            undated_articles_used=sum(1 for d in used if not d.published),
            articles_used_without_outlet=sum(1 for d in used if not d.outlet),
            published=DateRange(earliest=dates[0] if dates else "", latest=dates[-1] if dates else ""),
            generated_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        )

    def _not_covered(
        self, request: BriefingRequest, source_filter: SourceFilter | None, evidence: TopicEvidence
    ) -> Briefing:
        scope = self._scope(request, source_filter, evidence, CitationBook())
        if evidence.documents_matching == 0:
            said = f"No article in the library matches the filters ({scope.filters})."
        else:
            said = f"The library holds nothing on “{request.topic}”" + (
                f" among the {evidence.documents_matching} articles that match the filters ({scope.filters})."
                if source_filter
                else "."
            )
        return Briefing(
            title=_title(request.topic, source_filter),
            covered=False,
            scope=scope,
            summary=[_framing(said)],
            gaps=[Gap(question=f"What do the articles say about {request.topic}?", reason=said)],
        )


def _framing(text: str) -> BriefingSentence:
    return BriefingSentence(text=text, citations=[], kind="framing")


def _title(topic: str, source_filter: SourceFilter | None) -> str:
    title = f"Briefing: {topic}"
    return f"{title} ({source_filter.describe()})" if source_filter else title


def _outlets_phrase(outlets: Iterable[str], unnamed: int = 0) -> str:
    """ "A, B and C", with "N that name no outlet" for the articles without one."""
    parts = sorted(set(outlets))
    if unnamed:
        parts.append(f"{unnamed} that {'names' if unnamed == 1 else 'name'} no outlet")
    if not parts:
        return "outlets they do not name"
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _section_framing(sentences: tuple[TopicSentence, ...], name: str | None) -> str:
    docs = {ts.sentence.doc_id: ts.document for ts in sentences}
    count = len(docs)
    one = count == 1
    what = (
        (f"mentions {name}" if one else f"mention {name}")
        if name
        else ("reports on it" if one else "report on it")
    )
    articles = "article" if one else "articles"
    unnamed = sum(1 for d in docs.values() if not d.outlet)
    return f"{count} {articles} from {_outlets_phrase((d.outlet for d in docs.values() if d.outlet), unnamed)} {what}."


def _summary(scope: BriefingScope, disagreements: int, changes: int) -> list[BriefingSentence]:
    n = scope.articles_used
    said = [
        f"This briefing quotes {n} {'article' if n == 1 else 'articles'} of the "
        f"{scope.articles_matching_filters} that match its filters ({scope.filters}), from "
        f"{_outlets_phrase(scope.outlets_used, scope.articles_used_without_outlet)}"
        + (
            f", published between {scope.published.earliest} and {scope.published.latest}."
            if scope.published.earliest
            else "."
        ),
        "Every sentence quoted is a source's own words, as of its publication date.",
    ]
    if scope.undated_articles_used:
        n = scope.undated_articles_used
        said.append(f"{n} of the articles {'states' if n == 1 else 'state'} no publication date.")
    if len(scope.outlets_used) == 1:
        said.append("All the dated sources come from one outlet: nothing here is independently corroborated.")
    if disagreements:
        said.append(
            f"Sources of one date give different figures in {disagreements} place(s): see Disagreements."
        )
    if changes:
        said.append(
            f"{changes} figure(s) differ between sources of different dates: the newest is shown first."
        )
    return [_framing(s) for s in said]


def _coverage_gaps(scope: BriefingScope) -> list[Gap]:
    if scope.undated_articles_used:
        return [
            Gap(
                question="When were the undated articles published?",
                reason=f"{scope.undated_articles_used} of the articles quoted state no date, so their claims "
                "cannot be placed in time or compared with later reports.",
            )
        ]
    return []


def _answer_sentences(answer: Answer, docs: dict[str, DocumentInfo]) -> list[TopicSentence]:
    """The passages an answer cites, as sentences of their articles (each citation once, in order)."""
    from ingest.language import annotate_sentences

    cited: list[Citation] = []
    for sentence in answer.sentences:
        if sentence.kind not in ("direct", "evidence"):
            continue
        for n in sentence.citations:
            citation = answer.citations[n - 1]
            if citation not in cited and citation.doc_id in docs:
                cited.append(citation)
    notes = annotate_sentences([c.quote for c in cited])
    return [
        TopicSentence(
            StoredSentence(
                f"{c.doc_id}:{c.start}", c.doc_id, c.start, c.end, c.quote, note.entities, note.lemmas
            ),
            docs[c.doc_id],
            1.0,
            True,
        )
        for c, note in zip(cited, notes, strict=True)
    ]
