"""Stage 1, parse: what a question asks, as a frozen value. spaCy's parse of the question (see
question_analysis for the request around it, its names, terms and parts) is read once into a
ParsedQuestion that no later stage changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from server.answer.question_analysis import NameGroup, QuestionProfile, analyse_question_doc
from server.answer.staged import lexicon

_WH_TAGS = ("WP", "WDT", "WRB", "WP$")


class QuestionKind(StrEnum):
    """The kind of answer a question wants; each has a planner of its own (server/answer/planners)."""

    PERSON = "person"  # who did the asked act
    PLACE = "place"
    DATE = "date"
    FIGURE = "figure"  # how many / how much: every figure the sources give, each with its source
    CHOICE = "choice"  # which N / what N
    WHO_IS = "who_is"  # who is / who was X, what is X
    YES_NO = "yes_no"
    QUOTE = "quote"  # what did X say
    LIST = "list"  # which groups / who are the members
    EXPLANATION = "explanation"  # why / how / what role
    OVERVIEW = "overview"  # tell me about X

    @property
    def wants_span(self) -> bool:
        """Kinds answered by a short span of a sentence (a name, place, date, figure)."""
        return self in (
            QuestionKind.PERSON,
            QuestionKind.PLACE,
            QuestionKind.DATE,
            QuestionKind.FIGURE,
            QuestionKind.CHOICE,
        )


@dataclass(frozen=True)
class QuestionName:
    """A name the question is about: as written, its lower-case words, and an abbreviation's expansion."""

    text: str
    keys: frozenset[str]
    label: str = ""
    aliases: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ParsedQuestion:
    text: str  # the question as asked (after follow-up resolution)
    # The question without a request around it: `query` is what is searched (an overview cut to its names
    # and terms), `asked` is what the reader reads (the words as asked).
    query: str
    asked: str
    kind: QuestionKind  # the shape of the answer (server/answer/staged/planning.py)
    names: tuple[QuestionName, ...]
    parts: tuple[ParsedQuestion, ...] = field(default_factory=tuple)
    # Its content lemmas beside its names ("member", "desk"): what a candidate sentence is shortlisted by,
    # with its likeness to the question.
    terms: frozenset[str] = frozenset()

    def trace(self) -> dict:
        return {
            "kind": self.kind.value,
            "query": self.query,
            "asked": self.asked,
            "names": [n.text for n in self.names],
            "terms": sorted(self.terms),
            "parts": [p.trace() for p in self.parts],
        }


def _name(group: NameGroup) -> QuestionName:
    return QuestionName(group.text, frozenset(group.keys), group.label, frozenset(group.aliases))


def _kind(profile: QuestionProfile, doc) -> QuestionKind:
    first = next((t for t in doc if not (t.is_punct or t.is_space or t.pos_ == "INTJ")), None)
    has_wh = any(t.tag_ in _WH_TAGS and t.head.dep_ != "relcl" for t in doc)
    if (
        first is not None
        and first.lower_ in lexicon.YES_NO_OPENERS
        and not has_wh
        and not profile.parts
        and not _opens_a_request(first)
    ):
        # "Does X favour talks or a military solution?" asks which, not whether
        alternatives = any(t.lower_ == "or" and t.dep_ == "cc" for t in doc)
        return QuestionKind.EXPLANATION if alternatives else QuestionKind.YES_NO
    how = next((t for t in doc if t.lower_ == "how" and t.tag_ in _WH_TAGS), None)
    if how is not None and how.i + 1 < len(doc) and doc[how.i + 1].lower_ in lexicon.MEASURE_ADJECTIVES:
        return QuestionKind.FIGURE
    wants = profile.wants
    if wants == "statement":
        return QuestionKind.QUOTE
    if wants == "overview":
        # "Tell me about X", "What do the articles say about X?": everything the library says of X. Any
        # other question of this shape asks one thing about a name ("Who was X?", "What is X?", "What
        # happened to X?", "What does X want?", a part of a question with no interrogative of its own):
        # who-is, the reader's to answer.
        if profile.asks_the_library:
            return QuestionKind.OVERVIEW
        return QuestionKind.WHO_IS
    if profile.is_list:
        return QuestionKind.LIST
    if wants == "choice" and _support_verb_object(doc):
        return QuestionKind.EXPLANATION
    return {
        "person": QuestionKind.PERSON,
        "place": QuestionKind.PLACE,
        "date": QuestionKind.DATE,
        "number": QuestionKind.FIGURE,
        "choice": QuestionKind.CHOICE,
        "reason": QuestionKind.EXPLANATION,
    }.get(wants, QuestionKind.EXPLANATION)


def _opens_a_request(first) -> bool:
    """ "Can you tell me about X?", "Could you list the provinces ...?": the opener is the auxiliary of a
    request made of the reader, which asks for the thing requested, not for a yes or a no; unless the
    request carries a clause to be confirmed ("Could you tell me whether X ...", "Can you confirm that X
    ...")."""
    verb = first.head
    return (
        first.dep_ == "aux"
        and verb.pos_ == "VERB"
        and any(c.dep_ == "nsubj" and c.lower_ == "you" for c in verb.children)
        and not any(c.dep_ == "ccomp" for c in verb.children)
    )


def _support_verb_object(doc) -> bool:
    """ "What role did Iran play?": the asked noun is the object of a support verb."""
    return any(
        t.dep_ in ("dobj", "obj")
        and t.head.lemma_.lower() in lexicon.SUPPORT_VERBS
        and any(c.tag_ in _WH_TAGS for c in t.children)
        for t in doc
    )


def _freeze(profile: QuestionProfile, doc, kind: QuestionKind | None = None) -> ParsedQuestion:
    return ParsedQuestion(
        text=profile.text,
        query=profile.query or profile.text,
        asked=profile.asked or profile.text,
        kind=kind or _kind(profile, doc),
        names=tuple(_name(g) for g in profile.names),
        # in the form a stored sentence's lemmas take: the analysis keeps "anti-taliban" whole, the
        # sentence's tokens are "anti" and "taliban"
        terms=frozenset(part for term in profile.terms for part in term.split("-") if part),
    )


def freeze_question(profile: QuestionProfile, doc) -> ParsedQuestion:
    """The profile (after name resolution) as a frozen ParsedQuestion; one per part of a question of
    several parts, each part's kind read from its own interrogative."""
    whole = _freeze(profile, doc)
    if profile.parts:
        parts = tuple(_freeze(p, doc, _part_kind(p)) for p in profile.parts)
        return ParsedQuestion(**{**whole.__dict__, "parts": parts})
    return whole


def _part_kind(part: QuestionProfile) -> QuestionKind:
    return _kind(part, [])


def parse_question(question: str) -> ParsedQuestion:
    """The parsed question (without name resolution against a library)."""
    profile, doc = analyse_question_doc(question)
    return freeze_question(profile, doc)
