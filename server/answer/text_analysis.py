"""Word-level analysis of questions and evidence: key terms, names, the kind of answer asked for."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

_TOKEN = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d[\d,.]*")
_STOPWORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "aren't",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "didn't",
        "do",
        "does",
        "doesn't",
        "doing",
        "don't",
        "down",
        "during",
        "each",
        "either",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "isn't",
        "it",
        "its",
        "itself",
        "just",
        "me",
        "more",
        "most",
        "my",
        "myself",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "same",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "very",
        "was",
        "wasn't",
        "we",
        "were",
        "weren't",
        "what",
        "whatever",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "whose",
        "why",
        "will",
        "with",
        "within",
        "without",
        "would",
        "you",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "tell",
        "told",
        "say",
        "says",
        "said",
        "saying",
        "describe",
        "explain",
        "according",
        "article",
        "articles",
        "source",
        "sources",
        "text",
        "mention",
        "mentioned",
        "mentions",
        "give",
        "given",
        "please",
        "know",
        "known",
        "role",
        "roles",
        "play",
        "played",
        "plays",
        "part",
        "kind",
        "sort",
        "thing",
        "things",
        "happen",
        "happened",
        "do",
        "did",
        "does",
        "done",
        "make",
        "made",
        "get",
        "got",
        "one",
        "ones",
        "anything",
        "something",
        "someone",
        "anyone",
        "people",
        "many",
        "much",
        "way",
        "ways",
        "lot",
        "really",
        "exactly",
        "particular",
        "particularly",
        "regarding",
        "concerning",
        "per",
        "vs",
        "via",
        "among",
    ]
)
_IRREGULAR = {
    "led": "lead",
    "leads": "lead",
    "leader": "lead",
    "leaders": "lead",
    "leading": "lead",
    "leadership": "lead",
    "said": "say",
    "met": "meet",
    "held": "hold",
    "took": "take",
    "gave": "give",
    "began": "begin",
    "fought": "fight",
    "won": "win",
    "lost": "lose",
    "became": "become",
    "went": "go",
    "came": "come",
    "sought": "seek",
    "brought": "bring",
    "thought": "think",
    "made": "make",
    "headed": "head",
    "heads": "head",
    "born": "born",
    "birth": "born",
    "iranian": "iran",
    "tehran": "iran",
    "afghan": "afghanistan",
    "afghans": "afghanistan",
    "talks": "talk",
    "negotiations": "negoti",
}
_QUOTE_CHARS = "\"“”'‘’"
MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
]
_NUMBER_WORDS = frozenset(
    [
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "twenty",
        "thirty",
        "forty",
        "fifty",
        "hundred",
        "thousand",
        "million",
        "billion",
        "dozen",
        "half",
    ]
)
_DATE_QUESTION = re.compile(
    r"^\s*when\b|\b(what|which) (year|date|month|day)\b|\bborn\b|\bsince when\b", re.I
)
_NUMBER_QUESTION = re.compile(
    r"\bhow (many|much|long|old|large|big)\b|\b(what|which) (number|percentage|share|amount)\b|"
    r"\b(budget|population|cost|salary|revenue|casualties|death toll|size)\b",
    re.I,
)
_PERSON_QUESTION = re.compile(r"^\s*who\b|\bwhose\b", re.I)
_STATEMENT_QUESTION = re.compile(
    r"\b(say|said|says|tell|told|remark\w*|comment\w*|state[ds]?|stating|argue\w*|"
    r"claim\w*|warn\w*|call(ed)? (for|on)|criticis\w*|criticiz\w*|express\w*)\b",
    re.I,
)
_SPEECH = re.compile(
    r"\b(said|says|stated|stating|remarked|expressed|told|noted|argued|warned|cited|"
    r"according to|announced|declared|characteri[sz]ed|indicated|comments?|remarks?|statement)\b",
    re.I,
)
# A quotation, as opposed to a quoted name: at least this many words inside the quote marks.
_QUOTATION = re.compile(r"[“\"]([^”\"]*)(?:[”\"]|$)")
MIN_QUOTATION_WORDS = 10
_ENTITY = re.compile(r"(?:[A-Z][\w'’\-]*\.?)(?:\s+(?:of|for|the|and|al|bin)?\s*[A-Z][\w'’\-]*)*")


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = word.strip("'-")
    # British and American spellings meet: organisation/organization, favour/favor.
    word = re.sub(r"is(ation|ations|e|es|ed|ing)$", r"iz\1", word) if len(word) > 6 else word
    word = re.sub(r"our$", "or", word) if word.endswith(("favour", "labour", "honour", "behaviour")) else word
    return _IRREGULAR.get(word) or _stemmer().stemWord(word)


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(text)


def content_stems(text: str) -> set[str]:
    """Stems of the words that carry meaning (no stopwords, no one-letter words); a hyphenated word
    counts as itself and as its parts ("anti-Taliban" holds "taliban")."""
    out: set[str] = set()
    for t in tokens(text):
        parts = [t, *t.split("-")] if "-" in t else [t]
        out.update(stem(p) for p in parts if p.lower() not in _STOPWORDS and len(p) > 1)
    return out


def entities(text: str) -> list[str]:
    """Capitalised name phrases ("Atta Mohammad Noor", "National Resistance Front"), question words excluded."""
    found: list[str] = []
    for match in _ENTITY.finditer(text):
        words = match.group().split()
        while words and words[0].lower() in _STOPWORDS:
            words.pop(0)
        while words and words[-1].lower() in {"of", "for", "the", "and"}:
            words.pop()
        phrase = " ".join(words).strip(".")
        if phrase and phrase.lower() not in _STOPWORDS:
            found.append(phrase)
    return found


@dataclass
class QuestionProfile:
    """What a question asks about and what kind of answer would satisfy it."""

    text: str
    entity_stems: list[set[str]] = field(default_factory=list)
    term_stems: set[str] = field(default_factory=set)
    wants: str = "any"  # "date", "number", "person", "statement" or "any"

    @property
    def all_stems(self) -> set[str]:
        out = set(self.term_stems)
        for group in self.entity_stems:
            out |= group
        return out


_CONNECTOR = re.compile(r"\s+(?:of|for|the|and|al|bin)\s+", re.IGNORECASE)


def profile_question(question: str) -> QuestionProfile:
    """Names (each part of "GDP of Afghanistan" is a name of its own), key terms, expected answer kind."""
    names = [part for name in entities(question) for part in _CONNECTOR.split(name) if part]
    entity_groups = [content_stems(n) for n in names]
    entity_groups = [g for g in entity_groups if g]
    entity_all = set().union(*entity_groups) if entity_groups else set()
    terms = content_stems(question) - entity_all
    wants = "any"
    if _DATE_QUESTION.search(question):
        wants = "date"
    elif _NUMBER_QUESTION.search(question):
        wants = "number"
    elif _PERSON_QUESTION.search(question):
        wants = "person"
    elif _STATEMENT_QUESTION.search(question):
        wants = "statement"
    return QuestionProfile(question, entity_groups, terms, wants)


def has_date(text: str) -> bool:
    lowered = text.lower()
    return (
        bool(re.search(r"\b(1[89]|20)\d\d\b", text))
        or any(re.search(rf"\b{m}\b", lowered) for m in MONTHS if len(m) > 3)
        or bool(re.search(r"\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", lowered))
    )


def has_number(text: str) -> bool:
    return bool(re.search(r"\d", text)) or bool(_NUMBER_WORDS & {t.lower() for t in tokens(text)})


def reports_speech(text: str) -> bool:
    """A verb of saying, or a quotation long enough to be somebody's words rather than a name."""
    return bool(_SPEECH.search(text)) or any(
        len(m.group(1).split()) >= MIN_QUOTATION_WORDS for m in _QUOTATION.finditer(text)
    )


def has_person_name(text: str) -> bool:
    return any(len(e.split()) >= 2 for e in entities(text))


def satisfies(wants: str, text: str) -> bool:
    return {"date": has_date, "number": has_number, "person": has_person_name}.get(wants, lambda _t: True)(
        text
    )


def quote_is_open(text: str) -> bool:
    """True when a sentence opens a quotation it does not close (the quote runs on)."""
    return text.count("“") > text.count("”") or (text.count('"') % 2 == 1)


def is_heading_like(text: str) -> bool:
    stripped = text.rstrip()
    if not stripped:
        return True
    ends_like_sentence = stripped[-1] in ".!" + _QUOTE_CHARS + ")" or stripped.endswith(".”")
    if stripped.endswith("?") and not any(q in stripped for q in '“"'):
        return True
    return not ends_like_sentence and len(tokens(stripped)) < 14
