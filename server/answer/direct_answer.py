"""The answer first: the shortest verbatim span of a source that answers a factoid or quote question.

Candidates are the entities spaCy found in the evidence sentences at ingest, of a kind that answers the
question (a person for "who", a date for "when", a figure for "how many"); the question's own names are
not answers. Among them, the one nearest the words the question is about wins; in a list ("X, led by A,
Y, under B") the answer to "who leads Y" follows Y, and does not cross another name of Y's kind.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from index.types import StoredSentence
from ingest.language import NAME_LABELS
from server.answer.evidence import ScoredSentence
from server.answer.matching import NAME_JOINERS, name_found, same_family, word_found, word_set
from server.answer.question_analysis import QuestionProfile
from server.answer.speech import quotations

MAX_LIST_SPAN_CHARS = 160
# A span this far from every word of the question is not the answer to it.
MAX_ANCHOR_DISTANCE = 220
# A span comes only from sentences holding nearly as many of the question's words as the best one.
MIN_RELATIVE_COVERAGE = 0.8
# Words after a figure searched for the noun a "how many" question counts ("3,000 Taliban fighters").
COUNTED_NOUN_WORDS = 3


@dataclass(frozen=True)
class Span:
    """A stretch of one sentence, in document offsets: `sentence.text[start - sentence.start: ...]`."""

    sentence: StoredSentence
    start: int
    end: int

    @property
    def text(self) -> str:
        base = self.sentence.start
        return self.sentence.text[self.start - base : self.end - base]


def _is_mention(group, words: set[str]) -> bool:
    """An entity that is this name (most words shared both ways), or its abbreviation."""
    if group.aliases & words:
        return True
    words = words - NAME_JOINERS  # "Movement for Peace and Justice": the small words do not identify it
    if not words:
        return False
    shared = sum(1 for w in words if word_found(w, group.keys))
    return (
        shared > 0
        and shared / len(words | group.keys) >= 0.6 - 1e-9
        or (name_found(group.keys, words) and len(words) <= len(group.keys))
    )


def _anchors(profile: QuestionProfile, sentence: StoredSentence) -> list[tuple[int, int, str]]:
    """(start, end, kind) of the places in a sentence where the question's names and terms occur."""
    out = []
    for e in sentence.entities:
        words = word_set(sentence.text[e.start : e.end])
        if any(_is_mention(g, words) for g in profile.names):
            out.append((e.start, e.end, e.label))
    lowered = sentence.text.lower()
    wanted = set(profile.terms) | ({profile.focus_noun} if profile.focus_noun else set())
    for term in wanted:
        at = 0
        for word in lowered.replace("’", " ").split():
            at = lowered.find(word, at)
            clean = word.strip("“”\"'(),.?!:;")
            if clean and same_family(term, clean):
                out.append((at, at + len(word), "TERM"))
            at += len(word)
    return out


def _is_question_name(profile: QuestionProfile, text: str) -> bool:
    words = word_set(text)
    if any(name_found(g.keys, words, g.aliases) for g in profile.names):
        return True
    # "Taliban" in "Which Taliban minister" is part of the question, whatever its label.
    return bool(words) and all(
        any(word_found(w, {k}) for k in profile.terms | profile.name_keys) for w in words
    )


def _candidates(
    profile: QuestionProfile, sentence: StoredSentence, labels: frozenset[str]
) -> list[tuple[int, int, str]]:
    """Entities of these labels that could answer (not the question's own names)."""
    out = []
    quoted = quotations(sentence.text)
    for e in sentence.entities:
        text = sentence.text[e.start : e.end]
        # What somebody says is not where or when they said it: no answer from inside a quotation.
        if any(s <= e.start and e.end <= t for s, t in quoted):
            continue
        if e.label in labels and not _is_question_name(profile, text):
            out.append((e.start, e.end, e.label))
    return out


def _label_rounds(profile: QuestionProfile) -> list[frozenset[str]]:
    """ "Who": a person in any of the best sentences before a group or a people; otherwise any wanted label."""
    if profile.wants == "person":
        rest = profile.answer_labels - {"PERSON"}
        return [frozenset({"PERSON"}), *([frozenset(rest)] if rest else [])]
    return [profile.answer_labels]


def _modifiers(profile: QuestionProfile, sentence: StoredSentence) -> Span | None:
    """ "What kind of negotiations": the words that qualify the noun in the evidence ("UN-supervised
    intra-Afghan peace negotiations"), back to the first function word."""
    from ingest.language import pipeline

    stop = pipeline().Defaults.stop_words
    words = list(re.finditer(r"[^\s“”\"]+", sentence.text))
    for i, w in enumerate(words):
        clean = w.group().lower().strip(",.;:()")
        if profile.focus_modifiee and same_family(profile.focus_modifiee, clean):
            j = i
            while (
                j > 0
                and words[j - 1].group().lower().strip(",.;:()") not in stop
                and not words[j - 1].group().endswith(",")
            ):
                j -= 1
            if j < i:
                end = w.start() + len(w.group().rstrip(",.;:"))
                return Span(sentence, sentence.start + words[j].start(), sentence.start + end)
    return None


def _distance(
    candidate: tuple[int, int, str], anchor: tuple[int, int, str], sentence: StoredSentence
) -> float:
    c_start, c_end, c_label = candidate
    a_start, a_end, a_label = anchor
    if c_start >= a_end:
        gap = sentence.text[a_end:c_start]
        distance = float(c_start - a_end)
    else:
        gap = sentence.text[c_end:a_start]
        distance = float(a_start - c_end) * 1.5  # an answer usually follows what it answers about
    # Another name of the anchor's kind in between belongs to another item of a list; so does a name
    # before the anchor that follows another item ("X, led by C, Y, under D": C is X's).
    lo, hi = min(c_end, a_end), max(c_start, a_start)
    crossing = [e for e in sentence.entities if e.label == a_label and e.start >= lo and e.end <= hi]
    earlier_item = c_start < a_start and any(
        e.label == a_label and e.end <= c_start for e in sentence.entities
    )
    if a_label != "TERM" and (crossing or earlier_item):
        distance += 400
    if c_label in NAME_LABELS and " of " in f" {gap} " and len(gap) < 6:
        distance += 60  # "Minister of Higher Education": the complement, not the person ("two years of
        # talks" is the figure of the talks)
    return distance


TERM_ANCHOR_WEIGHT = 0.25


def _closeness(candidate: tuple[int, int, str], anchors, sentence: StoredSentence) -> float:
    """How far a candidate is from what the question is about. The question's names decide ("who leads
    Y": the person next to Y); its other words ("leads") only break ties, since in a list every item has
    its own "led by"."""
    names = [a for a in anchors if a[2] != "TERM"]
    terms = [a for a in anchors if a[2] == "TERM"]
    term_distance = min((_distance(candidate, a, sentence) for a in terms), default=0.0)
    if not names:
        return term_distance
    return min(_distance(candidate, a, sentence) for a in names) + TERM_ANCHOR_WEIGHT * term_distance


_LIST_GAP = re.compile(r",\s*|\s+and\s+|,\s+and\s+")


def _whole_list(sentence: StoredSentence, best: tuple[int, int, str]) -> tuple[int, int]:
    """ "from Baghlan, Takhar and Badakhshan": an answer that is one item of a list of names is the list."""
    names = sorted((e for e in sentence.entities if e.label in NAME_LABELS), key=lambda e: e.start)
    at = next((i for i, e in enumerate(names) if e.start == best[0]), None)
    if at is None:
        return best[0], best[1]
    lo = hi = at
    while lo > 0 and _LIST_GAP.fullmatch(sentence.text[names[lo - 1].end : names[lo].start]):
        lo -= 1
    while hi + 1 < len(names) and _LIST_GAP.fullmatch(sentence.text[names[hi].end : names[hi + 1].start]):
        hi += 1
    gaps = [sentence.text[names[i].end : names[i + 1].start] for i in range(lo, hi)]
    if not gaps or "and" not in gaps[-1]:
        return best[0], best[1]  # "Turkey, Iran ..." without a closing "and" is not a list
    return names[lo].start, names[hi].end


def _counts(text: str, candidate: tuple[int, int, str], noun: frozenset[str]) -> bool:
    """The figure is followed, within COUNTED_NOUN_WORDS words, by the counted noun ("about 3,000 Taliban
    fighters"), or holds it ("2,200 fighters" as one entity)."""
    inside = word_set(text[candidate[0] : candidate[1]])
    after = re.findall(r"[\w’'-]+", text[candidate[1] :])[:COUNTED_NOUN_WORDS]
    return any(same_family(form, w.lower()) for w in [*inside, *after] for form in noun)


def _mentions_focus(profile: QuestionProfile, sentence: StoredSentence) -> bool:
    noun = profile.focus_noun
    return noun is not None and any(same_family(noun, w) for w in word_set(sentence.text))


def find_direct_answer(profile: QuestionProfile, evidence: list[ScoredSentence]) -> list[Span]:
    """Spans that answer the question, from the best evidence sentence that holds one; [] if none does."""
    if profile.wants == "statement":
        for c in evidence:
            quotes = quotations(c.sentence.text)
            if quotes:
                start, end = quotes[0]
                return [Span(c.sentence, c.sentence.start + start, c.sentence.start + end)]
        return []
    if profile.focus_modifiee:
        for c in evidence[:3]:
            span = _modifiers(profile, c.sentence)
            if span is not None:
                return [span]
    if not profile.answer_labels:
        return []
    # Among the best few, the sentence that holds most of the question's words comes first.
    pool = sorted(evidence[:4], key=lambda c: (-round(c.coverage, 2), -c.score))
    # A sentence that holds clearly fewer of them does not answer the same question: no span from it.
    pool = [c for c in pool if c.coverage >= MIN_RELATIVE_COVERAGE * pool[0].coverage] if pool else []
    for labels in _label_rounds(profile):
        spans = _spans_of(profile, pool, labels)
        if spans:
            return spans
    return []


def _spans_of(profile: QuestionProfile, pool: list[ScoredSentence], labels: frozenset[str]) -> list[Span]:
    for c in pool:
        sentence = c.sentence
        candidates = _candidates(profile, sentence, labels)
        anchors = _anchors(profile, sentence)
        if profile.wants == "choice" and not _mentions_focus(profile, sentence):
            continue  # "which minister ...": the sentence must speak of a minister
        if profile.counted_noun:
            # "how many fighters": a figure answers only if it counts fighters ("2,200 fighters"), not
            # kilometres or members
            candidates = [c for c in candidates if _counts(sentence.text, c, profile.counted_noun)]
        if not candidates or not anchors:
            continue
        ranked = sorted(candidates, key=lambda cand: (_closeness(cand, anchors, sentence), cand[0]))
        best = ranked[0]
        if min(_distance(best, a, sentence) for a in anchors) > MAX_ANCHOR_DISTANCE:
            continue
        if profile.plural:
            chosen = [best] + [
                cand
                for cand in ranked[1:]
                if cand[2] == best[2]
                and min(_distance(cand, a, sentence) for a in anchors) <= MAX_ANCHOR_DISTANCE
            ]
            chosen.sort()
            first, last = chosen[0], chosen[-1]
            # One span only for a written list ("A, B and C"); items with other words between are apart.
            listed = all(
                _LIST_GAP.fullmatch(sentence.text[a[1] : b[0]])
                for a, b in zip(chosen, chosen[1:], strict=False)
            )
            if listed and last[1] - first[0] <= MAX_LIST_SPAN_CHARS:
                return [Span(sentence, sentence.start + first[0], sentence.start + last[1])]
            return [Span(sentence, sentence.start + s, sentence.start + e) for s, e, _ in chosen]
        start, end = _whole_list(sentence, best)
        return [Span(sentence, sentence.start + start, sentence.start + end)]
    return []
