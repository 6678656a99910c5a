"""Stage 2, resolve names: where each of the question's names is mentioned among the candidate sentences.

Distinct names in the library stay distinct people: "Ahmad Shah Massoud" is not "Ahmad Massoud" when the
library holds both. A mention counts for a question name when its words include all of the name's words;
a shorter mention (a surname, "Massoud") counts only when no other full name in that article shares it.
Misspellings are resolved before this stage, and only for names the library does not hold as written
(server/answer/name_resolution.py)."""

from __future__ import annotations

from dataclasses import dataclass

from index.types import StoredSentence
from server.answer.matching import NAME_JOINERS, name_words
from server.answer.staged.lexicon import NAME_ENTITY_LABELS
from server.answer.staged.parse import QuestionName


def name_keys(text: str) -> frozenset[str]:
    return frozenset(name_words(text)) - NAME_JOINERS


@dataclass(frozen=True)
class Mention:
    sentence_id: str
    start: int  # offsets into the sentence's text
    end: int
    full: bool  # all of the name's words (not a surname alone)


@dataclass(frozen=True)
class ResolvedNames:
    """name text -> its mentions; and the library's other full names that share a word with it."""

    mentions: dict[str, tuple[Mention, ...]]
    rivals: dict[str, tuple[str, ...]]

    def in_sentence(self, name: QuestionName, sentence_id: str) -> bool:
        return any(m.sentence_id == sentence_id for m in self.mentions.get(name.text, ()))

    def found(self, name: QuestionName) -> bool:
        return bool(self.mentions.get(name.text))

    def trace(self) -> dict:
        return {
            name: {
                "mentions": len(ms),
                "sentences": len({m.sentence_id for m in ms}),
                "rivals": list(self.rivals[name]),
            }
            for name, ms in self.mentions.items()
        }


def _entity_names(sentence: StoredSentence) -> list[tuple[int, int, str]]:
    return [(e.start, e.end, e.label) for e in sentence.entities if e.label in NAME_ENTITY_LABELS]


def resolve_mentions(
    names: tuple[QuestionName, ...],
    sentences: list[StoredSentence],
    outlets: dict[str, str] | None = None,
) -> ResolvedNames:
    """Every mention of each question name in the sentences (see the module's rule). `outlets` (document
    id -> the outlet that published it) lets a question name its source ("What does the Steppe Dispatch
    say ..."): a name the text never mentions but that is an article's outlet is the source of every
    sentence of that article, so each of them counts as mentioning it."""
    full_names_by_doc: dict[str, set[frozenset[str]]] = {}
    for s in sentences:
        for start, end, _label in _entity_names(s):
            keys = name_keys(s.text[start:end])
            if len(keys) >= 2:
                full_names_by_doc.setdefault(s.doc_id, set()).add(keys)
    mentions: dict[str, tuple[Mention, ...]] = {}
    rivals: dict[str, tuple[str, ...]] = {}
    for name in names:
        keys = name.keys - NAME_JOINERS
        # the library writes this very name: a longer one holding its words ("Ahmad Shah Massoud" for
        # "Ahmad Massoud") is someone else
        written = any(keys in doc_names for doc_names in full_names_by_doc.values())
        aliases = {a.lower() for a in name.aliases}
        found: list[Mention] = []
        other: set[str] = set()
        for s in sentences:
            doc_names = full_names_by_doc.get(s.doc_id, set())
            # other full names of this article that share a word with the question's name
            sharing = {n for n in doc_names if n & keys and not keys <= n}
            other |= {" ".join(sorted(n)) for n in sharing if not n <= keys or n != keys}
            for start, end, _label in _entity_names(s):
                words = name_keys(s.text[start:end])
                if not words:
                    continue
                if keys and (keys == words or keys < words and not written) or words & aliases:
                    found.append(Mention(s.id, start, end, True))
                elif (
                    words < keys
                    and not any(words <= n and n != keys and not n <= keys for n in sharing)
                    and not any(n == words for n in doc_names if n != keys)
                ):
                    # a shorter form ("Massoud"): no other full name in the article has its words
                    found.append(Mention(s.id, start, end, False))
            lowered = s.text.lower()
            at = _written_out(s.text, name.text) if keys else -1
            if at >= 0 and not any(m.sentence_id == s.id for m in found):
                # a name spaCy did not tag here, written out in full
                found.append(Mention(s.id, at, at + len(name.text), True))
            for alias in aliases:
                at = _word_at(lowered, alias)
                if at >= 0 and not any(m.sentence_id == s.id for m in found):
                    found.append(Mention(s.id, at, at + len(alias), True))
        if not found and outlets:
            found = [
                Mention(s.id, 0, 0, True)
                for s in sentences
                if keys and keys <= name_keys(outlets.get(s.doc_id, ""))
            ]
        mentions[name.text] = tuple(found)
        rivals[name.text] = tuple(sorted(other))
    return ResolvedNames(mentions, rivals)


def _written_out(text: str, name: str) -> int:
    """Where the name is written in the text, its words in order: a name of one word as written ("US" is not
    "us"), a longer one in any case."""
    return _word_at(text, name) if len(name.split()) == 1 else _word_at(text.lower(), name.lower())


def _word_at(text: str, word: str) -> int:
    import re

    m = re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)
    return m.start() if m else -1
